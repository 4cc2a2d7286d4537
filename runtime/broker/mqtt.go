package broker

import (
	"context"
	"errors"
	"net"
	"net/url"
	"sync"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
)

// mqttTransport carries messages over one MQTT 3.1.1 connection (paho).
//
// MQTT 3.1.1 has no message headers: a message with Headers is refused with
// ErrHeadersUnsupported, so correlation ids go in the payload. Publish waits
// for the broker's acknowledgement at QoS 1 (PUBACK) and 2 (PUBCOMP); at
// QoS 0 there is none and Publish returns once the packet is written.
// Subscribe waits for the SUBACK. Topic filters use the MQTT wildcards
// (+ and #). Several inboxes on one filter share one broker subscription.
//
// paho reconnects on its own; with a clean session the broker forgets the
// subscriptions, so they are made again on every (re)connect.
type mqttTransport struct {
	c     mqtt.Client
	url   string
	limit int

	mu     sync.Mutex
	subs   map[string]*mqttSub // by topic filter
	closed bool
}

type mqttSub struct {
	qos    byte
	queues []*queue
	ready  chan struct{} // closed once the broker's SUBACK (or an error) came
	err    error         // set before ready is closed
}

// DialMQTT connects to an MQTT broker (mqtt://, tcp://, mqtts://, ssl://).
func DialMQTT(ctx context.Context, c Config) (Transport, error) {
	user, pass, u, err := c.credentials()
	if err != nil {
		return nil, err
	}
	t := &mqttTransport{url: u.String(), limit: c.maxSize(), subs: map[string]*mqttSub{}}
	if u.Scheme == "secure-mqtt" {
		u.Scheme = "mqtts"
	}
	o := mqtt.NewClientOptions().AddBroker(u.String()).
		SetClientID(clientID(c.ClientID)).
		SetCleanSession(true).
		SetAutoReconnect(true).
		SetMaxReconnectInterval(5 * time.Second).
		// Callbacks run on their own goroutines, so a slow one cannot
		// hold back the connection's reader (pushes never block anyway).
		SetOrderMatters(false).
		SetOnConnectHandler(t.resubscribe)
	if user != "" {
		o.SetUsername(user).SetPassword(pass)
	}
	if secure(u.Scheme) {
		o.SetTLSConfig(c.tlsConfig())
	}
	if d, ok := ctx.Deadline(); ok {
		o.SetConnectTimeout(time.Until(d))
	}
	if c.onDial != nil {
		o.SetCustomOpenConnectionFn(func(u *url.URL, _ mqtt.ClientOptions) (net.Conn, error) {
			return hookDialer(c.onDial).Dial("tcp", u.Host)
		})
	}
	t.c = mqtt.NewClient(o)
	if err := t.wait(ctx, "connect", "", t.c.Connect()); err != nil {
		t.c.Disconnect(0)
		return nil, err
	}
	return t, nil
}

// wait waits for a paho token or the end of ctx.
func (t *mqttTransport) wait(ctx context.Context, op, address string, tok mqtt.Token) error {
	select {
	case <-tok.Done():
		return wrapErr(op, t.url, ctx, address, tok.Error(), false)
	case <-ctx.Done():
		return wrapErr(op, t.url, ctx, address, ctx.Err(), false)
	}
}

func (t *mqttTransport) Publish(ctx context.Context, m Message) error {
	if err := checkPublish(m, t.limit); err != nil {
		return err
	}
	if len(m.Headers) > 0 {
		return ErrHeadersUnsupported
	}
	if m.Options.QoS > 2 {
		return &Error{Op: "publish", URL: t.url, Err: errQoS}
	}
	if t.isClosed() {
		return ErrClosed
	}
	return t.wait(ctx, "publish", m.Address, t.c.Publish(m.Address, m.Options.QoS, m.Options.Retain, m.Payload))
}

func (t *mqttTransport) isClosed() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.closed
}

func (t *mqttTransport) Subscribe(ctx context.Context, s Subscription) (Inbox, error) {
	if s.Address == "" {
		return nil, ErrNoAddress
	}
	if s.Options.QoS > 2 {
		return nil, &Error{Op: "subscribe", URL: t.url, Err: errQoS}
	}
	q := newQueue(s.Address, 0)
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil, ErrClosed
	}
	sub := t.subs[s.Address]
	first := sub == nil
	if first {
		sub = &mqttSub{qos: s.Options.QoS, ready: make(chan struct{})}
		t.subs[s.Address] = sub
	}
	sub.queues = append(sub.queues, q)
	t.mu.Unlock()
	q.onClose = func() error { return t.unsubscribe(s.Address, q) }
	var err error
	if first {
		err = t.wait(ctx, "subscribe", s.Address, t.c.Subscribe(s.Address, s.Options.QoS, t.deliver(s.Address)))
		sub.err = err
		close(sub.ready)
	} else {
		// The broker subscription is shared: wait until it is in place.
		select {
		case <-sub.ready:
			err = sub.err
		case <-ctx.Done():
			err = wrapErr("subscribe", t.url, ctx, s.Address, ctx.Err(), false)
		}
	}
	if err != nil {
		q.Close()
		return nil, err
	}
	return q, nil
}

// errQoS: MQTT has QoS 0, 1 and 2 only.
var errQoS = errors.New("QoS must be 0, 1 or 2")

// deliver returns the paho handler of a topic filter: it fans each message
// out to the filter's current inboxes.
func (t *mqttTransport) deliver(filter string) mqtt.MessageHandler {
	return func(_ mqtt.Client, pm mqtt.Message) {
		m := Message{Address: pm.Topic(), Payload: pm.Payload(), Options: Options{QoS: pm.Qos(), Retain: pm.Retained()}}
		t.mu.Lock()
		var qs []*queue
		if sub := t.subs[filter]; sub != nil {
			qs = append(qs, sub.queues...)
		}
		t.mu.Unlock()
		for _, q := range qs {
			q.pushCapped(m, t.limit)
		}
	}
}

func (t *mqttTransport) unsubscribe(filter string, q *queue) error {
	t.mu.Lock()
	sub := t.subs[filter]
	if sub == nil {
		t.mu.Unlock()
		return nil
	}
	for i, x := range sub.queues {
		if x == q {
			sub.queues = append(sub.queues[:i], sub.queues[i+1:]...)
			break
		}
	}
	last := len(sub.queues) == 0
	if last {
		delete(t.subs, filter)
	}
	closed := t.closed
	t.mu.Unlock()
	if !last || closed {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return t.wait(ctx, "unsubscribe", filter, t.c.Unsubscribe(filter))
}

// resubscribe runs on every (re)connect, in its own goroutine: a clean
// session starts without subscriptions. It is quick on the first connect,
// when there are none yet.
func (t *mqttTransport) resubscribe(c mqtt.Client) {
	t.mu.Lock()
	filters := map[string]byte{}
	for f, s := range t.subs {
		filters[f] = s.qos
	}
	t.mu.Unlock()
	if len(filters) == 0 {
		return
	}
	// Errors here have nowhere to go but the next Receive's timeout.
	for f, qos := range filters {
		c.Subscribe(f, qos, t.deliver(f)).WaitTimeout(10 * time.Second)
	}
}

func (t *mqttTransport) Close() error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil
	}
	t.closed = true
	var qs []*queue
	for _, s := range t.subs {
		qs = append(qs, s.queues...)
	}
	t.subs = map[string]*mqttSub{}
	t.mu.Unlock()
	for _, q := range qs {
		q.Close()
	}
	// Disconnect waits up to 250 ms for in-flight work, then stops every
	// goroutine of the client.
	t.c.Disconnect(250)
	return nil
}
