package broker

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// byHeader correlates on the "corr" header.
func byHeader(m Message) string { return m.Headers["corr"] }

// testRoundTrip publishes one message with headers and expects it back.
func testRoundTrip(t *testing.T, tr Transport, address string, headers bool, opts Options) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	in, err := tr.Subscribe(ctx, Subscription{Address: address, Options: opts})
	if err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	defer in.Close()
	m := Message{Address: address, Payload: []byte(`{"hello":"world"}`), Options: opts}
	if headers {
		m.Headers = map[string]string{"corr": "abc"}
	}
	if err := tr.Publish(ctx, m); err != nil {
		t.Fatalf("publish: %v", err)
	}
	got, err := in.Receive(ctx)
	if err != nil {
		t.Fatalf("receive: %v", err)
	}
	if string(got.Payload) != string(m.Payload) {
		t.Fatalf("payload = %q, want %q", got.Payload, m.Payload)
	}
	if headers && got.Headers["corr"] != "abc" {
		t.Fatalf("headers = %v, want corr=abc", got.Headers)
	}
	if got.Address == "" {
		t.Fatalf("received message has no address")
	}
}

// testTimeout checks an empty address times out with a *TimeoutError.
func testTimeout(t *testing.T, tr Transport, address string, opts Options) {
	t.Helper()
	in, err := tr.Subscribe(context.Background(), Subscription{Address: address, Options: opts})
	if err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	defer in.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err = in.Receive(ctx)
	var te *TimeoutError
	if !errors.As(err, &te) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want *TimeoutError wrapping DeadlineExceeded", err)
	}
}

// testCorrelation runs n concurrent waiters on one address; each must get its
// own reply only. The replies are published in reverse order so each one
// passes other waiters first.
func testCorrelation(t *testing.T, tr Transport, address string, n int, corr func(Message) string, mk func(id string) Message) {
	t.Helper()
	d := NewDispatcher(tr, corr)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ws := make([]*Waiter, n)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w, err := d.Wait(ctx, Subscription{Address: address}, fmt.Sprint(i))
			if err != nil {
				errs <- err
				return
			}
			ws[i] = w
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("wait: %v", err)
	}
	for i := n - 1; i >= 0; i-- {
		if err := tr.Publish(ctx, mk(fmt.Sprint(i))); err != nil {
			t.Fatalf("publish %d: %v", i, err)
		}
	}
	errs = make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer ws[i].Close()
			m, err := ws[i].Receive(ctx)
			if err != nil {
				errs <- err
				return
			}
			if got := corr(m); got != fmt.Sprint(i) {
				errs <- fmt.Errorf("waiter %d got message for %s", i, got)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func headerMsg(address string) func(string) Message {
	return func(id string) Message {
		return Message{Address: address, Headers: map[string]string{"corr": id}, Payload: []byte(id)}
	}
}

func byPayload(m Message) string { return string(m.Payload) }

func payloadMsg(address string) func(string) Message {
	return func(id string) Message { return Message{Address: address, Payload: []byte(id)} }
}

func TestMockRoundTrip(t *testing.T) { testRoundTrip(t, NewMock(), "a", true, Options{}) }
func TestMockTimeout(t *testing.T)   { testTimeout(t, NewMock(), "a", Options{}) }
func TestMockCorrelation(t *testing.T) {
	testCorrelation(t, NewMock(), "replies", 100, byHeader, headerMsg("replies"))
}

func TestMockAnswers(t *testing.T) {
	m := NewMock()
	reply := func(body string) func(Message) Message {
		return func(req Message) Message {
			return Message{Address: "reply", Headers: map[string]string{"corr": req.Headers["corr"]}, Payload: []byte(body)}
		}
	}
	m.Answer("req", reply("first"), reply("second"))
	d := NewDispatcher(m, byHeader)
	ctx := context.Background()
	for i, want := range []string{"first", "second"} {
		w, err := d.Wait(ctx, Subscription{Address: "reply"}, fmt.Sprint(i))
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Publish(ctx, Message{Address: "req", Headers: map[string]string{"corr": fmt.Sprint(i)}}); err != nil {
			t.Fatal(err)
		}
		got, err := w.Receive(ctx)
		if err != nil || string(got.Payload) != want {
			t.Fatalf("reply %d = %q, %v; want %q", i, got.Payload, err, want)
		}
		w.Close()
	}
	if n := len(m.Published()); n != 2 {
		t.Fatalf("published %d, want 2", n)
	}
}

// A reply that arrives before its waiter registers is kept for it.
func TestDispatcherKeepsEarlyReply(t *testing.T) {
	m := NewMock()
	d := NewDispatcher(m, byHeader)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	a, err := d.Wait(ctx, Subscription{Address: "r"}, "a")
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := m.Publish(ctx, headerMsg("r")("b")); err != nil {
		t.Fatal(err)
	}
	// Let the pump file the message as pending.
	deadline := time.Now().Add(2 * time.Second)
	for {
		d.mu.Lock()
		n := len(d.addrs["r"].pending)
		d.mu.Unlock()
		if n == 1 || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	b, err := d.Wait(ctx, Subscription{Address: "r"}, "b")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	got, err := b.Receive(ctx)
	if err != nil || byHeader(got) != "b" {
		t.Fatalf("got %v, %v", got, err)
	}
	short, c2 := context.WithTimeout(ctx, 50*time.Millisecond)
	defer c2()
	if _, err := a.Receive(short); err == nil {
		t.Fatalf("waiter a got b's message")
	}
}

func TestRedact(t *testing.T) {
	got := Redact("amqp://guest:s3cret@host:5672/")
	if got != "amqp://guest:xxxxx@host:5672/" {
		t.Fatalf("Redact = %q", got)
	}
}
