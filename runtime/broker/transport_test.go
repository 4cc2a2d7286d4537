package broker

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Tests of the real transports. They need the local brokers (NATS 4222,
// Mosquitto 1883, RabbitMQ 5672; .ci/run starts them) and skip with a clear
// message only when the port does not answer. Kafka runs in-process (kfake)
// and WebSocket against an httptest server, so those always run.

const (
	natsAddr = "127.0.0.1:4222"
	mqttAddr = "127.0.0.1:1883"
	amqpAddr = "127.0.0.1:5672"
)

// need skips the test when nothing listens at addr.
func need(t *testing.T, what, addr string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		t.Skipf("%s is not reachable at %s (%v): start it to run this test (.ci/run does)", what, addr, err)
	}
	c.Close()
}

// unique returns prefix plus a random suffix, so runs (and queues left on a
// broker by an earlier run) do not see each other's messages.
func unique(prefix string) string {
	var b [6]byte
	rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// goroutines returns a check that fails the test when, after the transport
// is closed, more goroutines run than before it was dialed. Goroutines
// ending asynchronously get a few seconds.
func goroutines(t *testing.T) func() {
	t.Helper()
	before := runtime.NumGoroutine()
	return func() {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for {
			n := runtime.NumGoroutine()
			if n <= before {
				return
			}
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<16)
				buf = buf[:runtime.Stack(buf, true)]
				t.Fatalf("%d goroutines after Close, %d before Dial:\n%s", n, before, buf)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

func dial(t *testing.T, protocol string, c Config) Transport {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tr, err := Dial(ctx, protocol, c)
	if err != nil {
		t.Fatalf("dial %s: %v", protocol, err)
	}
	return tr
}

// testTooLarge checks Publish refuses a payload over the cap.
func testTooLarge(t *testing.T, tr Transport, address string, limit int) {
	t.Helper()
	err := tr.Publish(context.Background(), Message{Address: address, Payload: make([]byte, limit+1)})
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("publish of %d bytes: err = %v, want ErrTooLarge", limit+1, err)
	}
}

// testClosed checks a closed transport refuses work and ends its inboxes.
func testClosed(t *testing.T, tr Transport, in Inbox, address string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := tr.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if _, err := in.Receive(ctx); !errors.Is(err, ErrClosed) {
		t.Fatalf("receive after Close: err = %v, want ErrClosed", err)
	}
	if err := tr.Publish(ctx, Message{Address: address, Payload: []byte("x")}); !errors.Is(err, ErrClosed) {
		t.Fatalf("publish after Close: err = %v, want ErrClosed", err)
	}
	if _, err := tr.Subscribe(ctx, Subscription{Address: address}); !errors.Is(err, ErrClosed) {
		t.Fatalf("subscribe after Close: err = %v, want ErrClosed", err)
	}
	if err := tr.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
}

// testNoSecret checks an error does not carry the secret.
func testNoSecret(t *testing.T, err error, secret string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want an error")
	}
	if strings.Contains(err.Error(), secret) {
		t.Fatalf("error carries the secret: %v", err)
	}
}

func TestDialUnknownProtocol(t *testing.T) {
	_, err := Dial(context.Background(), "carrier-pigeon", Config{URL: "x"})
	if !errors.Is(err, ErrProtocol) || !strings.Contains(err.Error(), "nats") {
		t.Fatalf("err = %v, want ErrProtocol listing the supported ones", err)
	}
}

func TestDialBadURLHidesPassword(t *testing.T) {
	for _, p := range []string{"nats", "mqtt", "amqp", "kafka", "ws"} {
		_, err := Dial(context.Background(), p, Config{URL: p + "://user:s3cr%zzet@host:1/"})
		testNoSecret(t, err, "s3cr")
	}
}

// A server that accepts the connection and never speaks: Dial gives up
// when the context ends, and the handshake left behind ends on its own
// deadline instead of leaking a goroutine.
func TestDialSilentServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	for _, p := range []string{"nats", "mqtt", "amqp", "kafka", "ws"} {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		start := time.Now()
		tr, err := Dial(ctx, p, Config{URL: p + "://" + ln.Addr().String()})
		if err == nil && p == "ws" {
			// WebSocket dials per address.
			_, err = tr.Subscribe(ctx, Subscription{Address: "/x"})
			tr.Close()
		}
		cancel()
		if err == nil {
			t.Errorf("%s: dial to a silent server succeeded", p)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("%s: gave up after %v, want about the context's 300ms", p, d)
		}
	}
}

func TestHeaderInjectionRefused(t *testing.T) {
	for _, h := range []map[string]string{{"a": "x\r\nInjected: 1"}, {"a\nb": "x"}, {"": "x"}, {"a:b": "x"}} {
		if err := checkPublish(Message{Address: "a", Headers: h}, 10); !errors.Is(err, ErrBadHeader) {
			t.Errorf("headers %q: err = %v, want ErrBadHeader", h, err)
		}
	}
	if err := checkPublish(Message{Address: "a", Headers: map[string]string{"Order-Id": "a b: c"}}, 10); err != nil {
		t.Errorf("a plain header was refused: %v", err)
	}
}
