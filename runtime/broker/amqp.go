package broker

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

// amqpTransport carries messages over one AMQP 0-9-1 connection.
//
// Publish goes to Options.Exchange (empty: the default exchange, where the
// address is a queue name) with the address as routing key, on a channel in
// confirm mode: it returns when the broker acks the message (a nack is an
// error). Messages are published without the mandatory flag, so a message
// no queue is bound for is dropped by the broker, as AMQP does.
//
// Subscribe without an exchange consumes the queue named by the address,
// declaring it (non-durable, not auto-deleted) when it does not exist; the
// queue may hold messages from before the subscription. With an exchange it
// declares a server-named exclusive queue bound with the address as binding
// key (topic exchanges take * and # patterns), which only receives what is
// published from then on. Consumers auto-ack: a message is the run's once it
// is in the inbox.
//
// When the connection drops, the transport redials with back-off (100 ms
// doubling to 5 s) and starts every open subscription again; messages sent
// to a server-named queue while the connection was down are lost with it.
// Publish waits for the connection to be back, within its context.
type amqpTransport struct {
	uri   string // with credentials: only for amqp.DialConfig
	url   string // redacted
	cfg   amqp.Config
	limit int

	mu      sync.Mutex
	conn    *amqp.Connection
	pub     *amqpPub
	up      chan struct{} // closed while conn is usable
	raw     net.Conn      // the socket, for tests that cut it
	subs    map[*amqpSub]struct{}
	closed  bool
	closing chan struct{}
	wg      sync.WaitGroup // the redial watcher and consumers
}

// amqpPub is a publishing channel in confirm mode and why it closed: one
// close listener per channel, not one per publish (the library keeps every
// listener until the channel closes).
type amqpPub struct {
	ch   *amqp.Channel
	done chan struct{} // closed when ch closes; err is set before
	err  *amqp.Error   // nil on a clean close
}

// openPub opens a publishing channel on conn.
func (t *amqpTransport) openPub(conn *amqp.Connection) (*amqpPub, error) {
	ch, err := conn.Channel()
	if err == nil {
		err = ch.Confirm(false)
	}
	if err != nil {
		if ch != nil {
			ch.Close()
		}
		return nil, err
	}
	p := &amqpPub{ch: ch, done: make(chan struct{})}
	closed := ch.NotifyClose(make(chan *amqp.Error, 1))
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		p.err = <-closed
		close(p.done)
	}()
	return p, nil
}

type amqpSub struct {
	s  Subscription
	q  *queue
	ch *amqp.Channel
}

// DialAMQP connects to an AMQP 0-9-1 broker (amqp:// or amqps://; the URL
// path is the virtual host).
func DialAMQP(ctx context.Context, c Config) (Transport, error) {
	user, pass, u, err := c.credentials()
	if err != nil {
		return nil, err
	}
	t := &amqpTransport{url: u.String(), limit: c.maxSize(), subs: map[*amqpSub]struct{}{}, closing: make(chan struct{})}
	if _, err := amqp.ParseURI(u.String()); err != nil {
		// ParseURI errors quote the URL: say what is wrong without it.
		return nil, &Error{Op: "connect", URL: t.url, Err: errors.New("not an amqp:// or amqps:// URL")}
	}
	t.uri = u.String()
	t.cfg = amqp.Config{Heartbeat: 10 * time.Second, Properties: amqp.NewConnectionProperties()}
	t.cfg.Properties.SetClientConnectionName(clientID(c.ClientID))
	if user != "" {
		t.cfg.SASL = []amqp.Authentication{&amqp.PlainAuth{Username: user, Password: pass}}
	}
	if secure(u.Scheme) {
		t.cfg.TLSClientConfig = c.tlsConfig()
	}
	t.cfg.Dial = func(network, addr string) (net.Conn, error) {
		nc, err := (&net.Dialer{Timeout: 10 * time.Second}).Dial(network, addr)
		if err == nil {
			// As amqp.DefaultDial: a server that accepts and says nothing
			// must not hold the handshake forever; the library clears the
			// deadline once the connection is open.
			err = nc.SetDeadline(time.Now().Add(10 * time.Second))
		}
		if err == nil {
			t.mu.Lock()
			t.raw = nc
			t.mu.Unlock()
		}
		return nc, err
	}
	if err := t.connect(ctx); err != nil {
		return nil, err
	}
	return t, nil
}

// connect dials once and opens the publishing channel; on success it marks
// the transport up and starts the watcher that redials when the connection
// drops.
func (t *amqpTransport) connect(ctx context.Context) error {
	type result struct {
		conn *amqp.Connection
		err  error
	}
	// DialConfig takes no context: run it aside so ctx bounds the wait; a
	// late success is closed.
	done := make(chan result, 1)
	go func() {
		conn, err := amqp.DialConfig(t.uri, t.cfg)
		done <- result{conn, err}
	}()
	var r result
	select {
	case r = <-done:
	case <-ctx.Done():
		go func() {
			if r := <-done; r.conn != nil {
				r.conn.Close()
			}
		}()
		return wrapErr("connect", t.url, ctx, "", ctx.Err(), false)
	}
	if r.err != nil {
		return &Error{Op: "connect", URL: t.url, Err: r.err}
	}
	pub, err := t.openPub(r.conn)
	if err != nil {
		r.conn.Close()
		return &Error{Op: "connect", URL: t.url, Err: err}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		r.conn.Close()
		return ErrClosed
	}
	t.conn, t.pub = r.conn, pub
	// Close the channel waiters hold (the watcher made it when the
	// connection dropped) rather than replace it: they would wait forever.
	if t.up == nil {
		t.up = make(chan struct{})
	}
	select {
	case <-t.up:
	default:
		close(t.up)
	}
	lost := r.conn.NotifyClose(make(chan *amqp.Error, 1))
	t.wg.Add(1)
	go t.watch(lost)
	return nil
}

// watch waits for the connection to end; unless the transport is closing it
// marks the transport down, redials and starts the subscriptions again.
func (t *amqpTransport) watch(lost chan *amqp.Error) {
	defer t.wg.Done()
	select {
	case <-lost:
	case <-t.closing:
		return
	}
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return
	}
	t.up = make(chan struct{})
	t.mu.Unlock()
	wait := 100 * time.Millisecond
	for {
		select {
		case <-t.closing:
			return
		case <-time.After(wait):
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := t.connect(ctx)
		cancel()
		if err == nil {
			break
		}
		if errors.Is(err, ErrClosed) {
			return
		}
		wait = min(2*wait, 5*time.Second)
	}
	t.mu.Lock()
	subs := make([]*amqpSub, 0, len(t.subs))
	for s := range t.subs {
		subs = append(subs, s)
	}
	t.mu.Unlock()
	for _, s := range subs {
		// A subscription that cannot be made again (its queue is gone)
		// stays silent; its Receive times out.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if t.consume(ctx, s) == nil && s.q.closed() {
			s.ch.Close() // closed while we were making it again
		}
		cancel()
	}
}

// current waits until the connection is up and returns it.
func (t *amqpTransport) current(ctx context.Context) (*amqp.Connection, *amqpPub, error) {
	for {
		t.mu.Lock()
		if t.closed {
			t.mu.Unlock()
			return nil, nil, ErrClosed
		}
		up, conn, pub := t.up, t.conn, t.pub
		t.mu.Unlock()
		select {
		case <-up:
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		}
		if !conn.IsClosed() {
			return conn, pub, nil
		}
		// The watcher has not marked the loss yet; let it.
		select {
		case <-time.After(10 * time.Millisecond):
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		}
	}
}

func (t *amqpTransport) Publish(ctx context.Context, m Message) error {
	if err := checkPublish(m, t.limit); err != nil {
		return err
	}
	p := amqp.Publishing{Body: m.Payload, DeliveryMode: amqp.Persistent}
	if len(m.Headers) > 0 {
		p.Headers = amqp.Table{}
		for k, v := range m.Headers {
			p.Headers[k] = v
		}
	}
	for attempt := 0; ; {
		conn, pub, err := t.current(ctx)
		if err != nil {
			return wrapErr("publish", t.url, ctx, m.Address, err, errors.Is(err, ErrClosed))
		}
		if pub.ch.IsClosed() {
			// A channel error (say, an exchange that does not exist)
			// closed the publishing channel; the connection is fine.
			if pub, err = t.reopenPub(conn, pub); err != nil {
				return wrapErr("publish", t.url, ctx, m.Address, err, false)
			}
		}
		dc, err := pub.ch.PublishWithDeferredConfirmWithContext(ctx, m.Options.Exchange, m.Address, false, false, p)
		if err != nil && ctx.Err() == nil && attempt < 20 && connectionLost(err) {
			// Not sent: the socket failed before the frames were out (the
			// broker drops a partial message). Wait for the redial.
			attempt++
			select {
			case <-time.After(50 * time.Millisecond):
			case <-ctx.Done():
			}
			continue
		}
		if err != nil {
			return wrapErr("publish", t.url, ctx, m.Address, err, false)
		}
		select {
		case <-dc.Done():
			if dc.Acked() {
				return nil
			}
			select {
			case <-pub.done:
				if pub.err != nil && !conn.IsClosed() {
					return &Error{Op: "publish", URL: t.url, Err: fmt.Errorf("%q: %w", m.Address, pub.err)}
				}
			default:
			}
			if !conn.IsClosed() {
				return &Error{Op: "publish", URL: t.url, Err: fmt.Errorf("%q: the broker did not confirm the message (nack)", m.Address)}
			}
		case <-pub.done:
			if !conn.IsClosed() {
				// A channel error, such as an exchange that does not exist.
				var e error = amqp.ErrClosed
				if pub.err != nil {
					e = pub.err
				}
				return &Error{Op: "publish", URL: t.url, Err: fmt.Errorf("%q: %w", m.Address, e)}
			}
		case <-ctx.Done():
			return wrapErr("publish", t.url, ctx, m.Address, ctx.Err(), false)
		}
		// The connection went down before the broker confirmed: send again
		// on the next connection (at least once; the broker may have had it).
		if attempt++; attempt > 20 {
			return &Error{Op: "publish", URL: t.url, Err: fmt.Errorf("%q: the connection kept dropping before the broker confirmed", m.Address)}
		}
	}
}

// connectionLost reports whether a publish error is the connection going
// away rather than something the broker said.
func connectionLost(err error) bool {
	var op *net.OpError
	return errors.Is(err, amqp.ErrClosed) || errors.Is(err, net.ErrClosed) || errors.As(err, &op)
}

// reopenPub replaces a closed publishing channel, once for all callers that
// saw the same closed one.
func (t *amqpTransport) reopenPub(conn *amqp.Connection, old *amqpPub) (*amqpPub, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil, ErrClosed // no goroutine may join t.wg once Close waits
	}
	if t.pub != old {
		return t.pub, nil
	}
	p, err := t.openPub(conn)
	if err != nil {
		return nil, err
	}
	t.pub = p
	return p, nil
}

func (t *amqpTransport) Subscribe(ctx context.Context, s Subscription) (Inbox, error) {
	if s.Address == "" {
		return nil, ErrNoAddress
	}
	sub := &amqpSub{s: s, q: newQueue(s.Address, 0)}
	if err := t.consume(ctx, sub); err != nil {
		return nil, err
	}
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		sub.ch.Close()
		return nil, ErrClosed
	}
	t.subs[sub] = struct{}{}
	t.mu.Unlock()
	sub.q.onClose = func() error {
		t.mu.Lock()
		delete(t.subs, sub)
		ch := sub.ch
		t.mu.Unlock()
		if ch != nil && !ch.IsClosed() {
			ch.Close()
		}
		return nil
	}
	return sub.q, nil
}

// consume opens a channel for sub on the current connection, sets up its
// queue and starts delivering into sub.q.
func (t *amqpTransport) consume(ctx context.Context, sub *amqpSub) error {
	var ch *amqp.Channel
	fail := func(err error) error {
		if ch != nil {
			ch.Close()
		}
		return wrapErr("subscribe", t.url, ctx, sub.s.Address, err, errors.Is(err, ErrClosed))
	}
	conn, _, err := t.current(ctx)
	if err != nil {
		return fail(err)
	}
	if ch, err = conn.Channel(); err != nil {
		return fail(err)
	}
	queue := sub.s.Address
	if ex := sub.s.Options.Exchange; ex != "" {
		q, err := ch.QueueDeclare("", false, true, true, false, nil)
		if err == nil {
			queue = q.Name
			err = ch.QueueBind(queue, sub.s.Address, ex, false, nil)
		}
		if err != nil {
			return fail(err)
		}
	} else if _, err := ch.QueueDeclarePassive(queue, false, false, false, false, nil); err != nil {
		// The passive declare closed the channel with 404: make the queue.
		var ae *amqp.Error
		if !errors.As(err, &ae) || ae.Code != amqp.NotFound {
			return fail(err)
		}
		if ch, err = conn.Channel(); err != nil {
			return fail(err)
		}
		if _, err := ch.QueueDeclare(queue, false, false, false, false, nil); err != nil {
			return fail(err)
		}
	}
	deliveries, err := ch.ConsumeWithContext(context.Background(), queue, "", true, false, false, false, nil)
	if err != nil {
		return fail(err)
	}
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return fail(ErrClosed) // no goroutine may join t.wg once Close waits
	}
	sub.ch = ch
	t.wg.Add(1)
	t.mu.Unlock()
	go func() {
		defer t.wg.Done()
		// Ends when the channel or the connection closes.
		for d := range deliveries {
			m := Message{Address: d.RoutingKey, Payload: d.Body, Options: Options{Exchange: d.Exchange}}
			if len(d.Headers) > 0 {
				m.Headers = make(map[string]string, len(d.Headers))
				for k, v := range d.Headers {
					m.Headers[k] = fmt.Sprint(v)
				}
			}
			sub.q.pushCapped(m, t.limit)
		}
	}()
	return nil
}

// dropConnection cuts the socket under the client, as a network failure
// would; tests use it to exercise the redial.
func (t *amqpTransport) dropConnection() {
	t.mu.Lock()
	raw := t.raw
	t.mu.Unlock()
	if raw != nil {
		raw.Close()
	}
}

func (t *amqpTransport) Close() error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil
	}
	t.closed = true
	close(t.closing)
	conn := t.conn
	var qs []*queue
	for s := range t.subs {
		qs = append(qs, s.q)
	}
	t.subs = map[*amqpSub]struct{}{}
	t.mu.Unlock()
	for _, q := range qs {
		q.Close()
	}
	var err error
	if conn != nil && !conn.IsClosed() {
		err = conn.Close()
	}
	t.wg.Wait()
	if err != nil && !errors.Is(err, amqp.ErrClosed) {
		return &Error{Op: "close", URL: t.url, Err: err}
	}
	return nil
}
