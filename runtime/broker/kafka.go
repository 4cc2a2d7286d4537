package broker

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// kafkaTransport produces with one franz-go client and consumes with one
// client per subscription.
//
// Publish is ProduceSync with franz-go's defaults (acks from all in-sync
// replicas, idempotent): it returns when the partition leader has the
// record. Options.Key is the record key.
//
// Subscribe reads the topic's end offsets with kadm and consumes every
// partition from there, so it receives what is produced after it returns and
// nothing older; the topic must exist. The address is a topic name (no
// patterns). Kafka has no consumer-side filtering: correlation is the
// Dispatcher's.
type kafkaTransport struct {
	opts  []kgo.Opt // connection options shared by every client
	cl    *kgo.Client
	adm   *kadm.Client
	url   string
	limit int

	mu     sync.Mutex
	subs   map[*kafkaSub]struct{}
	closed bool
}

type kafkaSub struct {
	q    *queue
	cl   *kgo.Client
	stop context.CancelFunc
	done chan struct{}
}

// DialKafka connects to Kafka brokers (kafka:// or kafka-secure://; several
// seed brokers separated by commas).
func DialKafka(ctx context.Context, c Config) (Transport, error) {
	seeds, user, pass, red, err := kafkaSeeds(c)
	if err != nil {
		return nil, err
	}
	limit := c.maxSize()
	opts := []kgo.Opt{kgo.SeedBrokers(seeds...), kgo.ClientID(clientID(c.ClientID))}
	if user != "" {
		var mech sasl.Mechanism
		switch strings.ToUpper(c.SASLMechanism) {
		case "", "PLAIN":
			mech = plain.Auth{User: user, Pass: pass}.AsMechanism()
		case "SCRAM-SHA-256":
			mech = scram.Auth{User: user, Pass: pass}.AsSha256Mechanism()
		case "SCRAM-SHA-512":
			mech = scram.Auth{User: user, Pass: pass}.AsSha512Mechanism()
		default:
			return nil, &Error{Op: "connect", URL: red, Err: fmt.Errorf("SASL mechanism %q: want PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512", c.SASLMechanism)}
		}
		opts = append(opts, kgo.SASL(mech))
	}
	if strings.HasPrefix(c.URL, "kafka-secure://") {
		opts = append(opts, kgo.DialTLSConfig(c.tlsConfig()))
	}
	// A record batch carries the payload plus headers and framing; leave
	// room for them over the payload cap.
	prod := append(opts[:len(opts):len(opts)], kgo.ProducerBatchMaxBytes(int32(limit+64<<10)))
	cl, err := kgo.NewClient(prod...)
	if err != nil {
		return nil, &Error{Op: "connect", URL: red, Err: err}
	}
	if err := cl.Ping(ctx); err != nil {
		cl.Close()
		return nil, wrapErr("connect", red, ctx, "", err, false)
	}
	return &kafkaTransport{opts: opts, cl: cl, adm: kadm.NewClient(cl), url: red, limit: limit, subs: map[*kafkaSub]struct{}{}}, nil
}

// kafkaSeeds splits kafka://[user:pass@]host:port[,host:port...] into the
// seed brokers, the credentials (the fields of c win) and the redacted URL;
// net/url refuses a comma-separated host list.
func kafkaSeeds(c Config) (seeds []string, user, pass, red string, err error) {
	scheme, rest, ok := strings.Cut(c.URL, "://")
	if !ok {
		scheme, rest = "kafka", c.URL
	}
	hosts, _, _ := strings.Cut(rest, "/")
	user, pass = c.Username, c.Password
	if at := strings.LastIndexByte(hosts, '@'); at >= 0 {
		info := hosts[:at]
		hosts = hosts[at+1:]
		u, perr := url.Parse("kafka://" + info + "@x")
		if perr != nil || u.User == nil {
			return nil, "", "", "", &Error{Op: "connect", URL: scheme + "://xxxxx@" + hosts, Err: errors.New("the user information of the URL does not parse")}
		}
		if user == "" {
			user = u.User.Username()
			pass, _ = u.User.Password()
		}
	}
	red = scheme + "://" + hosts
	for _, h := range strings.Split(hosts, ",") {
		if h = strings.TrimSpace(h); h != "" {
			seeds = append(seeds, h)
		}
	}
	if len(seeds) == 0 {
		return nil, "", "", "", &Error{Op: "connect", URL: red, Err: errors.New("no broker address")}
	}
	return seeds, user, pass, red, nil
}

func (t *kafkaTransport) Publish(ctx context.Context, m Message) error {
	if err := checkPublish(m, t.limit); err != nil {
		return err
	}
	if t.isClosed() {
		return ErrClosed
	}
	r := &kgo.Record{Topic: m.Address, Key: m.Options.Key, Value: m.Payload}
	for k, v := range m.Headers {
		r.Headers = append(r.Headers, kgo.RecordHeader{Key: k, Value: []byte(v)})
	}
	err := t.cl.ProduceSync(ctx, r).FirstErr()
	return wrapErr("publish", t.url, ctx, m.Address, err, errors.Is(err, kgo.ErrClientClosed))
}

func (t *kafkaTransport) isClosed() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.closed
}

func (t *kafkaTransport) Subscribe(ctx context.Context, s Subscription) (Inbox, error) {
	if s.Address == "" {
		return nil, ErrNoAddress
	}
	if t.isClosed() {
		return nil, ErrClosed
	}
	fail := func(err error) (Inbox, error) { return nil, wrapErr("subscribe", t.url, ctx, s.Address, err, false) }
	ends, err := t.adm.ListEndOffsets(ctx, s.Address)
	if err == nil {
		err = ends.Error()
	}
	if err != nil {
		return fail(err)
	}
	from := map[int32]kgo.Offset{}
	ends.Each(func(o kadm.ListedOffset) { from[o.Partition] = kgo.NewOffset().At(o.Offset) })
	if len(from) == 0 {
		return fail(fmt.Errorf("topic %q has no partitions", s.Address))
	}
	opts := append(t.opts[:len(t.opts):len(t.opts)],
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{s.Address: from}),
		kgo.FetchMaxBytes(int32(4*t.limit+64<<10)),
		kgo.FetchMaxPartitionBytes(int32(t.limit+64<<10)),
	)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return fail(err)
	}
	q := newQueue(s.Address, 0)
	pctx, stop := context.WithCancel(context.Background())
	sub := &kafkaSub{q: q, cl: cl, stop: stop, done: make(chan struct{})}
	go func() {
		defer close(sub.done)
		for {
			fs := cl.PollFetches(pctx)
			if fs.IsClientClosed() || pctx.Err() != nil {
				return
			}
			fs.EachRecord(func(r *kgo.Record) {
				m := Message{Address: r.Topic, Payload: r.Value, Options: Options{Key: r.Key}}
				if len(r.Headers) > 0 {
					m.Headers = make(map[string]string, len(r.Headers))
					for _, h := range r.Headers {
						m.Headers[h.Key] = string(h.Value)
					}
				}
				q.pushCapped(m, t.limit)
			})
		}
	}()
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		sub.close()
		return nil, ErrClosed
	}
	t.subs[sub] = struct{}{}
	t.mu.Unlock()
	q.onClose = func() error {
		t.mu.Lock()
		delete(t.subs, sub)
		t.mu.Unlock()
		sub.close()
		return nil
	}
	return q, nil
}

func (s *kafkaSub) close() {
	s.stop()
	<-s.done
	s.cl.Close()
}

func (t *kafkaTransport) Close() error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil
	}
	t.closed = true
	subs := t.subs
	t.subs = nil
	t.mu.Unlock()
	for s := range subs {
		s.q.Close() // its onClose stops the consumer
	}
	t.cl.Close()
	return nil
}
