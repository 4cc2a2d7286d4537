package broker

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// wsServer echoes every message on every path; under /auth it wants the
// bearer token "t0ken"; on /big it first sends a message of the given size.
func wsServer(t *testing.T, big int) *httptest.Server {
	t.Helper()
	var wg sync.WaitGroup
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/auth") && r.Header.Get("Authorization") != "Bearer t0ken" {
			http.Error(w, "who are you", http.StatusUnauthorized)
			return
		}
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		wg.Add(1)
		defer wg.Done()
		defer c.CloseNow()
		c.SetReadLimit(-1)
		ctx := r.Context()
		if r.URL.Path == "/big" {
			c.Write(ctx, websocket.MessageBinary, make([]byte, big))
		}
		for {
			typ, data, err := c.Read(ctx)
			if err != nil {
				return
			}
			if err := c.Write(ctx, typ, data); err != nil {
				return
			}
		}
	}))
	t.Cleanup(func() { srv.Close(); wg.Wait() })
	return srv
}

func wsURL(srv *httptest.Server) string { return "ws" + strings.TrimPrefix(srv.URL, "http") }

func TestWebSocket(t *testing.T) {
	srv := wsServer(t, 0)
	check := goroutines(t)
	tr := dial(t, "ws", Config{URL: wsURL(srv) + "/base"})
	t.Run("RoundTrip", func(t *testing.T) { testRoundTrip(t, tr, "/echo", false, Options{}) })
	t.Run("Timeout", func(t *testing.T) { testTimeout(t, tr, "/quiet", Options{}) })
	// The echo server answers each request on the same connection; the
	// Dispatcher hands each reply to its own waiter.
	t.Run("Correlation100", func(t *testing.T) {
		testCorrelation(t, tr, "replies", 100, byPayload, payloadMsg("replies"))
	})
	t.Run("HeadersRefused", func(t *testing.T) {
		err := tr.Publish(context.Background(), Message{Address: "/echo", Headers: map[string]string{"a": "b"}})
		if !errors.Is(err, ErrHeadersUnsupported) {
			t.Fatalf("err = %v, want ErrHeadersUnsupported", err)
		}
	})
	t.Run("Binary", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		in, err := tr.Subscribe(ctx, Subscription{Address: "/bin"})
		if err != nil {
			t.Fatal(err)
		}
		defer in.Close()
		payload := []byte{0xff, 0x00, 0xfe}
		if err := tr.Publish(ctx, Message{Address: "/bin", Payload: payload}); err != nil {
			t.Fatal(err)
		}
		if m, err := in.Receive(ctx); err != nil || string(m.Payload) != string(payload) || m.Address != "/bin" {
			t.Fatalf("got %q on %q, %v", m.Payload, m.Address, err)
		}
	})
	t.Run("TooLarge", func(t *testing.T) { testTooLarge(t, tr, "/echo", DefaultMaxMessageSize) })
	in, err := tr.Subscribe(context.Background(), Subscription{Address: "/last"})
	if err != nil {
		t.Fatal(err)
	}
	testClosed(t, tr, in, "/last")
	check()
}

func TestWebSocketTarget(t *testing.T) {
	tr, err := Dial(context.Background(), "wss", Config{URL: "wss://h:1/api/"})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	for address, want := range map[string]string{"/orders": "wss://h:1/api/orders", "orders/{id}": "wss://h:1/api/orders/%7Bid%7D", "/": "wss://h:1/api/"} {
		if got := tr.(*wsTransport).target(address); got != want {
			t.Errorf("target(%q) = %q, want %q", address, got, want)
		}
	}
}

func TestWebSocketAuth(t *testing.T) {
	srv := wsServer(t, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	bad := dial(t, "ws", Config{URL: wsURL(srv), Token: "wrong-t0ken"})
	defer bad.Close()
	_, err := bad.Subscribe(ctx, Subscription{Address: "/auth"})
	testNoSecret(t, err, "t0ken")
	good := dial(t, "ws", Config{URL: wsURL(srv), Token: "t0ken"})
	defer good.Close()
	testRoundTrip(t, good, "/auth", false, Options{})
}

// A message over the cap ends the connection (status 1009) without
// reaching the inbox; the next subscription on the address dials again.
func TestWebSocketOversizedReceived(t *testing.T) {
	srv := wsServer(t, 100)
	tr := dial(t, "ws", Config{URL: wsURL(srv), MaxMessageSize: 50})
	defer tr.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	in, err := tr.Subscribe(ctx, Subscription{Address: "/big"})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	wt := tr.(*wsTransport)
	wt.mu.Lock()
	wc := wt.conns["/big"]
	wt.mu.Unlock()
	select {
	case <-wc.done:
	case <-ctx.Done():
		t.Fatal("the connection outlived an oversized message")
	}
	// A new connection: the server sends the big message again, which
	// ends that connection too (the publish, made once the server
	// answered the connection's first ping, may find it closed already).
	if err := tr.Publish(ctx, Message{Address: "/big", Payload: []byte("small")}); err != nil && !strings.Contains(err.Error(), "closed") {
		t.Fatal(err)
	}
	short, c2 := context.WithTimeout(ctx, 300*time.Millisecond)
	defer c2()
	if m, err := in.Receive(short); err == nil {
		t.Fatalf("got %d bytes over a 50-byte cap", len(m.Payload))
	}
}

// TestWebSocketSubscribeWaitsUntilTheServerReads: a hub that registers a
// connection as a subscriber some time after its upgrade (the first
// connection here, 300 ms late) still delivers a message published right
// after Subscribe returned: Subscribe waits for the server's pong, which
// its read loop sends once the connection is registered.
func TestWebSocketSubscribeWaitsUntilTheServerReads(t *testing.T) {
	var mu sync.Mutex
	var subscribers []*websocket.Conn
	accepted := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		mu.Lock()
		accepted++
		first := accepted == 1
		mu.Unlock()
		if first {
			time.Sleep(300 * time.Millisecond) // a busy hub: registered late
			mu.Lock()
			subscribers = append(subscribers, c)
			mu.Unlock()
		}
		for {
			typ, data, err := c.Read(r.Context())
			if err != nil {
				return
			}
			mu.Lock()
			peers := append([]*websocket.Conn(nil), subscribers...)
			mu.Unlock()
			for _, p := range peers {
				p.Write(r.Context(), typ, data)
			}
		}
	}))
	defer srv.Close()
	sub := dial(t, "ws", Config{URL: wsURL(srv)})
	pub := dial(t, "ws", Config{URL: wsURL(srv)})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	in, err := sub.Subscribe(ctx, Subscription{Address: "/news"})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if err := pub.Publish(ctx, Message{Address: "/news", Payload: []byte("hello")}); err != nil {
		t.Fatal(err)
	}
	m, err := in.Receive(ctx)
	if err != nil || string(m.Payload) != "hello" {
		t.Fatalf("got %q, %v; want the message published after Subscribe returned", m.Payload, err)
	}
}
