package broker

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// natsTransport carries messages over one NATS connection.
//
// Publish on core NATS returns after a PING/PONG round trip following the
// PUBLISH (FlushWithContext): the server has then processed the message,
// which is as much as core NATS can confirm. With Options.JetStream the
// message goes through JetStream and Publish returns the stream's
// acknowledgement (the message is stored).
//
// Subscribe with core NATS returns after the SUB has been flushed to the
// server the same way. Subject wildcards (* and >) are the NATS ones. With
// Options.JetStream it creates an ordered consumer on the stream holding the
// subject, delivering only messages stored from now on (DeliverNewPolicy);
// the consumer survives reconnects. nats.go reconnects on its own (forever,
// with its default back-off); core subscriptions are re-sent by it.
type natsTransport struct {
	nc    *nats.Conn
	js    jetstream.JetStream
	url   string // redacted
	limit int
	open  inboxes
}

// DialNATS connects to a NATS server (nats:// or tls://).
func DialNATS(ctx context.Context, c Config) (Transport, error) {
	user, pass, u, err := c.credentials()
	if err != nil {
		return nil, err
	}
	red := u.String()
	opts := []nats.Option{
		nats.Name(clientID(c.ClientID)),
		nats.MaxReconnects(-1),
		// The library's default handlers print to stderr; a run's output
		// is ours to format.
		nats.NoCallbacksAfterClientClose(),
		nats.ErrorHandler(func(*nats.Conn, *nats.Subscription, error) {}),
	}
	if user != "" {
		opts = append(opts, nats.UserInfo(user, pass))
	}
	if c.Token != "" {
		opts = append(opts, nats.Token(c.Token))
	}
	if secure(u.Scheme) {
		opts = append(opts, nats.Secure(c.tlsConfig()))
		u.Scheme = "tls"
	}
	if d, ok := ctx.Deadline(); ok {
		opts = append(opts, nats.Timeout(time.Until(d)))
	}
	if c.onDial != nil {
		opts = append(opts, nats.SetCustomDialer(hookDialer(c.onDial)))
	}
	nc, err := nats.Connect(u.String(), opts...)
	if err != nil {
		return nil, &Error{Op: "connect", URL: red, Err: err}
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, &Error{Op: "connect", URL: red, Err: err}
	}
	limit := c.maxSize()
	if mp := int(nc.MaxPayload()); mp > 0 && mp < limit {
		limit = mp
	}
	return &natsTransport{nc: nc, js: js, url: red, limit: limit}, nil
}

func (t *natsTransport) Publish(ctx context.Context, m Message) error {
	if err := checkPublish(m, t.limit); err != nil {
		return err
	}
	if t.nc.IsClosed() {
		return ErrClosed
	}
	msg := nats.NewMsg(m.Address)
	msg.Data = m.Payload
	for k, v := range m.Headers {
		msg.Header.Set(k, v)
	}
	var err error
	if m.Options.JetStream {
		_, err = t.js.PublishMsg(ctx, msg)
	} else if err = t.nc.PublishMsg(msg); err == nil {
		err = t.flush(ctx)
	}
	return t.fail("publish", ctx, m.Address, err)
}

func (t *natsTransport) Subscribe(ctx context.Context, s Subscription) (Inbox, error) {
	if s.Address == "" {
		return nil, ErrNoAddress
	}
	if t.nc.IsClosed() {
		return nil, ErrClosed
	}
	q := newQueue(s.Address, 0)
	if s.Options.JetStream {
		return t.subscribeJS(ctx, s, q)
	}
	sub, err := t.nc.Subscribe(s.Address, func(msg *nats.Msg) { q.pushCapped(natsMessage(msg.Subject, msg.Header, msg.Data), t.limit) })
	if err == nil {
		err = t.flush(ctx)
		if err != nil {
			sub.Unsubscribe()
		}
	}
	if err != nil {
		return nil, t.fail("subscribe", ctx, s.Address, err)
	}
	if !t.open.add(q) {
		sub.Unsubscribe()
		return nil, ErrClosed
	}
	q.onClose = func() error {
		t.open.remove(q)
		if err := sub.Unsubscribe(); err != nil && !errors.Is(err, nats.ErrConnectionClosed) && !errors.Is(err, nats.ErrBadSubscription) {
			return err
		}
		return nil
	}
	return q, nil
}

func (t *natsTransport) subscribeJS(ctx context.Context, s Subscription, q *queue) (Inbox, error) {
	stream, err := t.js.StreamNameBySubject(ctx, s.Address)
	if err != nil {
		return nil, t.fail("subscribe", ctx, s.Address, fmt.Errorf("no JetStream stream holds subject %q: %w", s.Address, err))
	}
	cons, err := t.js.OrderedConsumer(ctx, stream, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{s.Address},
		DeliverPolicy:  jetstream.DeliverNewPolicy,
	})
	if err != nil {
		return nil, t.fail("subscribe", ctx, s.Address, err)
	}
	cc, err := cons.Consume(func(msg jetstream.Msg) {
		q.pushCapped(natsMessage(msg.Subject(), msg.Headers(), msg.Data()), t.limit)
	})
	if err != nil {
		return nil, t.fail("subscribe", ctx, s.Address, err)
	}
	if !t.open.add(q) {
		cc.Stop()
		return nil, ErrClosed
	}
	q.onClose = func() error {
		t.open.remove(q)
		cc.Stop()
		select {
		case <-cc.Closed():
		case <-time.After(5 * time.Second):
		}
		return nil
	}
	return q, nil
}

// flush waits for the server's PONG: everything sent before is processed.
// nats.go wants a deadline; a context without one gets 10 seconds.
func (t *natsTransport) flush(ctx context.Context) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
	}
	return t.nc.FlushWithContext(ctx)
}

// natsMessage converts a received NATS message; a header with several
// values keeps its first.
func natsMessage(subject string, h nats.Header, data []byte) Message {
	m := Message{Address: subject, Payload: data}
	if len(h) > 0 {
		m.Headers = make(map[string]string, len(h))
		for k, vs := range h {
			if len(vs) > 0 {
				m.Headers[k] = vs[0]
			}
		}
	}
	return m
}

// fail wraps err in the common error shape (wrapErr).
func (t *natsTransport) fail(op string, ctx context.Context, address string, err error) error {
	return wrapErr(op, t.url, ctx, address, err, errors.Is(err, nats.ErrConnectionClosed))
}

func (t *natsTransport) Close() error {
	t.open.closeAll()
	// Close flushes, ends every subscription and waits for the library's
	// goroutines; callbacks are off afterwards (NoCallbacksAfterClientClose).
	t.nc.Close()
	return nil
}

// wrapErr is the common error shape: nil stays nil, a closed connection is
// ErrClosed, the rest an *Error; when ctx ended it wraps ctx.Err() (test
// with errors.Is(err, context.DeadlineExceeded)) instead of the library's
// own timeout error.
func wrapErr(op, url string, ctx context.Context, address string, err error, closed bool) error {
	switch {
	case err == nil:
		return nil
	case closed:
		return ErrClosed
	case ctx.Err() != nil:
		return &Error{Op: op, URL: url, Err: fmt.Errorf("%q: %w", address, ctx.Err())}
	}
	return &Error{Op: op, URL: url, Err: fmt.Errorf("%q: %w", address, err)}
}

// inboxes tracks the open inboxes of a transport so Close can end them.
type inboxes struct {
	mu     sync.Mutex
	qs     map[*queue]struct{}
	closed bool
}

// add registers q; false when the transport is already closed.
func (s *inboxes) add(q *queue) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	if s.qs == nil {
		s.qs = map[*queue]struct{}{}
	}
	s.qs[q] = struct{}{}
	return true
}

func (s *inboxes) remove(q *queue) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.qs, q)
}

// closeAll marks the set closed and closes every inbox in it.
func (s *inboxes) closeAll() {
	s.mu.Lock()
	s.closed = true
	qs := s.qs
	s.qs = nil
	s.mu.Unlock()
	for q := range qs {
		q.Close()
	}
}

// hookDialer dials TCP and shows each socket to a test hook.
type hookDialer func(net.Conn)

func (h hookDialer) Dial(network, address string) (net.Conn, error) {
	nc, err := (&net.Dialer{Timeout: 5 * time.Second}).Dial(network, address)
	if err == nil {
		h(nc)
	}
	return nc, err
}
