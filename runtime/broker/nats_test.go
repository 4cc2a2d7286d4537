package broker

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

func natsTransportT(t *testing.T) Transport {
	t.Helper()
	need(t, "NATS", natsAddr)
	return dial(t, "nats", Config{URL: natsAddr})
}

func TestNATS(t *testing.T) {
	check := goroutines(t)
	tr := natsTransportT(t)
	subject := unique("arazzo.test.")
	t.Run("RoundTrip", func(t *testing.T) { testRoundTrip(t, tr, subject+".rt", true, Options{}) })
	t.Run("Timeout", func(t *testing.T) { testTimeout(t, tr, subject+".none", Options{}) })
	t.Run("Correlation100", func(t *testing.T) {
		testCorrelation(t, tr, subject+".replies", 100, byHeader, headerMsg(subject+".replies"))
	})
	t.Run("Wildcard", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		in, err := tr.Subscribe(ctx, Subscription{Address: subject + ".orders.*"})
		if err != nil {
			t.Fatal(err)
		}
		defer in.Close()
		for _, a := range []string{subject + ".other.1", subject + ".orders.42"} {
			if err := tr.Publish(ctx, Message{Address: a, Payload: []byte(a)}); err != nil {
				t.Fatal(err)
			}
		}
		m, err := in.Receive(ctx)
		if err != nil || m.Address != subject+".orders.42" {
			t.Fatalf("got %q, %v; want the message on %s.orders.42 only", m.Address, err, subject)
		}
	})
	t.Run("TooLarge", func(t *testing.T) { testTooLarge(t, tr, subject, DefaultMaxMessageSize) })
	in, err := tr.Subscribe(context.Background(), Subscription{Address: subject + ".last"})
	if err != nil {
		t.Fatal(err)
	}
	testClosed(t, tr, in, subject)
	check()
}

// A received message over the cap is dropped, the next one still arrives.
func TestNATSDropsOversized(t *testing.T) {
	need(t, "NATS", natsAddr)
	tr := dial(t, "nats", Config{URL: natsAddr, MaxMessageSize: 10})
	defer tr.Close()
	nc, err := nats.Connect(natsAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	subject := unique("arazzo.test.big.")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	in, err := tr.Subscribe(ctx, Subscription{Address: subject})
	if err != nil {
		t.Fatal(err)
	}
	nc.Publish(subject, []byte("0123456789-too-long"))
	nc.Publish(subject, []byte("small"))
	nc.Flush()
	m, err := in.Receive(ctx)
	if err != nil || string(m.Payload) != "small" {
		t.Fatalf("got %q, %v; want the small message only", m.Payload, err)
	}
	q := in.(*queue)
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.tooLarge != 1 {
		t.Fatalf("tooLarge = %d, want 1", q.tooLarge)
	}
}

func TestNATSJetStream(t *testing.T) {
	need(t, "NATS", natsAddr)
	nc, err := nats.Connect(natsAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	name := unique("ARAZZO_TEST_")
	subject := unique("arazzo.js.")
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: name, Subjects: []string{subject + ".>"}, Storage: jetstream.MemoryStorage}); err != nil {
		t.Skipf("NATS at %s has no JetStream (%v): run nats-server with -js", natsAddr, err)
	}
	defer js.DeleteStream(context.Background(), name)

	check := goroutines(t)
	tr := dial(t, "nats", Config{URL: natsAddr})
	// Stored before the subscription: a JetStream receive starts at "now".
	if err := tr.Publish(ctx, Message{Address: subject + ".a", Payload: []byte("old"), Options: Options{JetStream: true}}); err != nil {
		t.Fatal(err)
	}
	testRoundTrip(t, tr, subject+".a", true, Options{JetStream: true})
	// A subject no stream holds: JetStream publish fails (no ack), it does
	// not silently succeed.
	err = tr.Publish(ctx, Message{Address: unique("arazzo.nostream."), Payload: []byte("x"), Options: Options{JetStream: true}})
	var be *Error
	if !errors.As(err, &be) {
		t.Fatalf("JetStream publish to a subject without stream: err = %v, want *Error", err)
	}
	if _, err := tr.Subscribe(ctx, Subscription{Address: unique("arazzo.nostream."), Options: Options{JetStream: true}}); err == nil {
		t.Fatalf("JetStream subscribe to a subject without stream succeeded")
	}
	tr.Close()
	check()
}

func TestNATSBadTokenHidden(t *testing.T) {
	need(t, "NATS", natsAddr)
	// The local server has no auth, so a wrong password still connects;
	// what must hold is that a failing dial does not show it.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, err := Dial(ctx, "nats", Config{URL: "nats://u:hunter2@127.0.0.1:1"})
	testNoSecret(t, err, "hunter2")
}
