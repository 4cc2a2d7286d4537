// Package broker carries messages to and from message brokers for the
// runtime's asynchronous steps.
//
// It sits under runtime/ beside auth and store: runtime.Options.Brokers
// takes one Transport per AsyncAPI source, so a library user dials them
// here (Dial, DialServer) or brings their own implementation. It must never
// import runtime/ or arazzo/ (it imports asyncapi, a leaf package).
//
// A Transport publishes a Message and subscribes to an address. Publish
// returns once the broker has the message (publisher confirms where the
// protocol has them: see each implementation). Subscribe returns once the
// broker has registered the subscription, so a caller that subscribes before
// it sends cannot miss the reply. Many concurrent runs waiting on one address
// share one subscription through a Dispatcher, which hands each waiter only
// the messages whose correlation id matches its own.
//
// Transports: NATS (core and JetStream), MQTT 3.1.1, AMQP 0-9-1, Kafka and
// WebSocket, each on a kept client library (nats.go, paho, amqp091-go,
// franz-go, coder/websocket) and opened by Dial from the AsyncAPI server's
// protocol name; ServerURL, DialServer, Route and WithCredentials turn an
// asyncapi.Server and Operation into a Config, an address and Options. Mock
// is the offline one. docs/asyncapi.md lists what each honours.
//
// Payloads are capped (Config.MaxMessageSize, DefaultMaxMessageSize): a
// larger publish is refused with ErrTooLarge, a larger message received is
// dropped. Every wait is bounded by the caller's context. Close ends every
// inbox and every goroutine the transport started.
//
// Credentials come from Config (or the URL's userinfo); they go to the
// client library only, are never logged, and errors carry the URL without
// them.
package broker

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
)

// Message is one message sent or received. The zero value is an empty
// message to the empty address, which every transport refuses.
type Message struct {
	// Address is the NATS subject, MQTT topic, AMQP routing key (the queue
	// name with the default exchange), Kafka topic or, for WebSocket, ignored
	// on publish and the URL path on receipt.
	Address string
	// Headers are message headers; nil means none. Transports whose protocol
	// has no headers (MQTT 3.1.1, WebSocket) refuse a message with headers
	// rather than silently dropping them.
	Headers map[string]string
	// Payload is the message body, passed through as bytes.
	Payload []byte
	// Options are the protocol-specific knobs; each transport reads its own.
	Options Options
}

// Options holds protocol-specific settings. The zero value means each
// protocol's default: no Kafka key, the AMQP default exchange, MQTT QoS 0
// without retain, core NATS (not JetStream).
type Options struct {
	// Key is the Kafka record key (partitioning).
	Key []byte
	// Exchange is the AMQP exchange; empty is the default exchange, where the
	// address is a queue name.
	Exchange string
	// QoS is the MQTT quality of service (0, 1 or 2). With QoS 0 the broker
	// sends no acknowledgement, so Publish completes when the packet is
	// written.
	QoS byte
	// Retain asks the MQTT broker to keep the message for later subscribers.
	Retain bool
	// JetStream publishes through NATS JetStream and waits for the stream's
	// acknowledgement; the subject must belong to a stream.
	JetStream bool
}

// Subscription names what to receive. The zero value (empty address) is
// refused.
type Subscription struct {
	// Address is the subject, topic, routing key or queue to receive from.
	Address string
	// Options: Exchange binds an AMQP server-named queue to that exchange
	// with Address as binding key; QoS is the MQTT subscription QoS.
	Options Options
}

// Inbox delivers the messages of one subscription in arrival order.
type Inbox interface {
	// Receive waits for the next message. When ctx ends first it returns a
	// *TimeoutError wrapping ctx.Err().
	Receive(ctx context.Context) (Message, error)
	// Close ends the subscription; it is safe to call more than once.
	Close() error
}

// Transport is a connection to one broker. Implementations are safe for
// concurrent use.
type Transport interface {
	// Publish sends m and returns once the broker has it (see the
	// implementation for what "has" means for its protocol).
	Publish(ctx context.Context, m Message) error
	// Subscribe registers a subscription at the broker and returns its inbox;
	// messages sent after Subscribe returns are delivered.
	Subscribe(ctx context.Context, s Subscription) (Inbox, error)
	// Close releases the connection and ends every inbox.
	Close() error
}

// Errors returned by transports; test with errors.Is.
var (
	// ErrClosed: the transport or inbox was closed.
	ErrClosed = errors.New("broker: closed")
	// ErrNoAddress: a message or subscription has an empty address.
	ErrNoAddress = errors.New("broker: empty address")
	// ErrHeadersUnsupported: the protocol cannot carry headers.
	ErrHeadersUnsupported = errors.New("broker: protocol has no message headers")
)

// TimeoutError reports that no message arrived before the context ended.
type TimeoutError struct {
	Address string
	Err     error // ctx.Err()
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("broker: no message on %q before the deadline: %v", e.Address, e.Err)
}

func (e *TimeoutError) Unwrap() error { return e.Err }

// Error wraps a transport failure with the protocol and the redacted URL.
type Error struct {
	Op  string // "connect", "publish", "subscribe"
	URL string // password redacted
	Err error
}

func (e *Error) Error() string { return "broker: " + e.Op + " " + e.URL + ": " + e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Redact returns raw with any password replaced by "xxxxx".
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "<unparseable url>"
	}
	return u.Redacted()
}

// DefaultInboxSize bounds an inbox's buffer. When a subscriber does not keep
// up, the oldest message is dropped so a slow run cannot stall the
// connection shared with other runs.
const DefaultInboxSize = 1024

// queue is the Inbox used by every transport: the client library's callback
// pushes, Receive pops.
type queue struct {
	address  string
	ch       chan Message
	done     chan struct{}
	once     sync.Once
	onClose  func() error
	mu       sync.Mutex
	dropped  int // lost to a full buffer
	tooLarge int // refused by pushCapped
}

func newQueue(address string, size int) *queue {
	if size <= 0 {
		size = DefaultInboxSize
	}
	return &queue{address: address, ch: make(chan Message, size), done: make(chan struct{})}
}

// push never blocks: a full buffer loses its oldest message.
func (q *queue) push(m Message) {
	q.mu.Lock()
	defer q.mu.Unlock()
	select {
	case <-q.done:
		return
	default:
	}
	for {
		select {
		case q.ch <- m:
			return
		default:
		}
		select {
		case <-q.ch:
			q.dropped++
		default:
		}
	}
}

// pushCapped drops a message whose payload is over limit instead of
// queueing it: a run must not be handed, nor a buffer hold, more than the
// documented cap.
func (q *queue) pushCapped(m Message, limit int) {
	if len(m.Payload) > limit {
		q.mu.Lock()
		q.tooLarge++
		q.mu.Unlock()
		return
	}
	q.push(m)
}

func (q *queue) Receive(ctx context.Context) (Message, error) {
	select {
	case m := <-q.ch:
		return m, nil
	default:
	}
	select {
	case m := <-q.ch:
		return m, nil
	case <-q.done:
		return Message{}, ErrClosed
	case <-ctx.Done():
		return Message{}, &TimeoutError{Address: q.address, Err: ctx.Err()}
	}
}

func (q *queue) Close() error {
	var err error
	q.once.Do(func() {
		q.mu.Lock()
		close(q.done)
		q.mu.Unlock()
		if q.onClose != nil {
			err = q.onClose()
		}
	})
	return err
}

func (q *queue) closed() bool {
	select {
	case <-q.done:
		return true
	default:
		return false
	}
}
