package broker

import (
	"context"
	"strings"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

const amqpURL = "amqp://guest:guest@" + amqpAddr + "/"

func TestAMQP(t *testing.T) {
	need(t, "RabbitMQ (AMQP)", amqpAddr)
	check := goroutines(t)
	tr := dial(t, "amqp", Config{URL: amqpURL})
	queue := unique("arazzo.test.")
	defer deleteQueues(t, queue+".rt", queue+".none", queue+".replies", queue+".last")
	t.Run("RoundTripDefaultExchange", func(t *testing.T) { testRoundTrip(t, tr, queue+".rt", true, Options{}) })
	t.Run("RoundTripTopicExchange", func(t *testing.T) {
		testRoundTrip(t, tr, queue+".topic", true, Options{Exchange: "amq.topic"})
	})
	t.Run("Timeout", func(t *testing.T) { testTimeout(t, tr, queue+".none", Options{}) })
	t.Run("Correlation100", func(t *testing.T) {
		testCorrelation(t, tr, queue+".replies", 100, byHeader, headerMsg(queue+".replies"))
	})
	t.Run("BindingPattern", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		in, err := tr.Subscribe(ctx, Subscription{Address: queue + ".orders.*", Options: Options{Exchange: "amq.topic"}})
		if err != nil {
			t.Fatal(err)
		}
		defer in.Close()
		for _, k := range []string{queue + ".other.1", queue + ".orders.42"} {
			if err := tr.Publish(ctx, Message{Address: k, Payload: []byte(k), Options: Options{Exchange: "amq.topic"}}); err != nil {
				t.Fatal(err)
			}
		}
		m, err := in.Receive(ctx)
		if err != nil || m.Address != queue+".orders.42" || m.Options.Exchange != "amq.topic" {
			t.Fatalf("got %q on %q, %v; want %s.orders.42 on amq.topic only", m.Address, m.Options.Exchange, err, queue)
		}
	})
	t.Run("MissingExchange", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err := tr.Publish(ctx, Message{Address: "k", Payload: []byte("x"), Options: Options{Exchange: unique("no-such-exchange-")}})
		if err == nil {
			t.Fatal("publish to a missing exchange succeeded")
		}
		// The channel error closed the publishing channel; the next
		// publish opens another.
		testRoundTrip(t, tr, queue+".rt", false, Options{})
	})
	t.Run("TooLarge", func(t *testing.T) { testTooLarge(t, tr, queue, DefaultMaxMessageSize) })
	in, err := tr.Subscribe(context.Background(), Subscription{Address: queue + ".last"})
	if err != nil {
		t.Fatal(err)
	}
	testClosed(t, tr, in, queue+".last")
	check()
}

// The connection is cut under the client (as a network failure would): the
// transport redials, the open inbox is consumed again, and a publish made
// while it is down waits for the new connection.
func TestAMQPRedial(t *testing.T) {
	need(t, "RabbitMQ (AMQP)", amqpAddr)
	check := goroutines(t)
	tr := dial(t, "amqp", Config{URL: amqpURL})
	queue := unique("arazzo.test.redial.")
	defer deleteQueues(t, queue)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	in, err := tr.Subscribe(ctx, Subscription{Address: queue})
	if err != nil {
		t.Fatal(err)
	}
	at := tr.(*amqpTransport)
	for round := range 2 {
		at.mu.Lock()
		old := at.conn
		at.mu.Unlock()
		at.dropConnection()
		if err := tr.Publish(ctx, Message{Address: queue, Payload: []byte{'0' + byte(round)}}); err != nil {
			t.Fatalf("publish after drop %d: %v", round, err)
		}
		at.mu.Lock()
		now := at.conn
		at.mu.Unlock()
		if now == old {
			t.Fatalf("round %d: the publish went out on the dropped connection", round)
		}
		m, err := in.Receive(ctx)
		if err != nil || string(m.Payload) != string([]byte{'0' + byte(round)}) {
			t.Fatalf("round %d: got %q, %v", round, m.Payload, err)
		}
	}
	tr.Close()
	check()
}

func TestAMQPBadPasswordHidden(t *testing.T) {
	need(t, "RabbitMQ (AMQP)", amqpAddr)
	// RabbitMQ answers a wrong password after about 3 seconds.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := Dial(ctx, "amqp", Config{URL: "amqp://guest:hunter2-wrong@" + amqpAddr + "/"})
	testNoSecret(t, err, "hunter2")
	if !strings.Contains(err.Error(), "not allowed") {
		t.Fatalf("err = %v, want the broker's refusal", err)
	}
}

// deleteQueues removes the queues a test declared on the shared broker.
func deleteQueues(t *testing.T, names ...string) {
	conn, err := amqp.Dial(amqpURL)
	if err != nil {
		return
	}
	defer conn.Close()
	for _, n := range names {
		if ch, err := conn.Channel(); err == nil {
			ch.QueueDelete(n, false, false, false)
			ch.Close()
		}
	}
}
