package runtime_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/arazzo-go/arazzo/arazzo"
	"github.com/arazzo-go/arazzo/runtime"
	"github.com/arazzo-go/arazzo/runtime/broker"
)

// ordersService is the Orders API of workflows/orders: createOrder answers
// 202 and publishes the confirmation on orders.confirmations through pub
// at once, before the run can reach its receive step; getOrder reads it
// back.
type ordersService struct {
	prefix string
	pub    broker.Transport
	next   atomic.Int64
	mu     sync.Mutex
	seen   map[string]string
}

func (s *ordersService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/v1/orders":
		var in struct {
			Item string `json:"item"`
		}
		json.NewDecoder(r.Body).Decode(&in)
		// Unique across processes: another test run on the same shared
		// broker publishes on the same channel.
		id := fmt.Sprintf("ord-%s-%d", s.prefix, s.next.Add(1))
		s.mu.Lock()
		s.seen[id] = in.Item
		s.mu.Unlock()
		status := "CONFIRMED"
		if in.Item == "contraband" {
			status = "REJECTED"
		}
		payload, _ := json.Marshal(map[string]string{"orderId": id, "status": status})
		if err := s.pub.Publish(r.Context(), broker.Message{Address: "orders.confirmations", Payload: payload}); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.WriteHeader(http.StatusAccepted)
		fmt.Fprintf(w, `{"orderId":%q,"item":%q,"status":"PENDING"}`, id, in.Item)
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/v1/orders/"):
		id := strings.TrimPrefix(r.URL.Path, "/v1/orders/")
		s.mu.Lock()
		item, ok := s.seen[id]
		s.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintf(w, `{"orderId":%q,"item":%q,"status":"CONFIRMED"}`, id, item)
	default:
		http.NotFound(w, r)
	}
}

func reachable(t *testing.T, what, addr string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		t.Skipf("%s is not reachable at %s (%v): start it to run this test (.ci/run does)", what, addr, err)
	}
	c.Close()
}

// TestOrdersWorkflowOverRealBrokers runs the bundled mixed workflow (HTTP,
// then a confirmation over a broker correlated by order id, then HTTP)
// against each broker kind, 20 concurrent runs each on one engine, plus a
// rejected order that fails the receive step's criteria.
func TestOrdersWorkflowOverRealBrokers(t *testing.T) {
	requireEngineDeps(t)
	doc, ds, err := arazzo.Load(context.Background(), "../workflows/orders/order-with-confirmation.arazzo.yaml", arazzo.LoadOptions{})
	if err != nil || ds.HasErrors() {
		t.Fatalf("%v %v", err, ds)
	}
	for _, tc := range []struct {
		protocol, url, addr string
		setup               func(t *testing.T) string // returns the URL when the broker is started here
	}{
		{protocol: "nats", url: "nats://127.0.0.1:4222", addr: "127.0.0.1:4222"},
		{protocol: "mqtt", url: "mqtt://127.0.0.1:1883", addr: "127.0.0.1:1883"},
		{protocol: "amqp", url: "amqp://guest:guest@127.0.0.1:5672/", addr: "127.0.0.1:5672"},
		{protocol: "kafka", setup: func(t *testing.T) string {
			c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "orders.confirmations"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(c.Close)
			return "kafka://" + c.ListenAddrs()[0]
		}},
		{protocol: "ws", setup: func(t *testing.T) string {
			srv := httptest.NewServer(newWSHub())
			t.Cleanup(srv.Close)
			return "ws" + strings.TrimPrefix(srv.URL, "http")
		}},
	} {
		t.Run(tc.protocol, func(t *testing.T) {
			url := tc.url
			if tc.setup != nil {
				url = tc.setup(t)
			} else {
				reachable(t, tc.protocol, tc.addr)
			}
			ctx := context.Background()
			dial := func() broker.Transport {
				tr, err := broker.Dial(ctx, tc.protocol, broker.Config{URL: url})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { tr.Close() })
				return tr
			}
			svc := &ordersService{prefix: fmt.Sprintf("%x", time.Now().UnixNano()), pub: dial(), seen: map[string]string{}}
			srv := httptest.NewServer(svc)
			defer srv.Close()
			eng, err := runtime.New(doc, runtime.Options{
				Servers: map[string]string{"ordersApi": srv.URL + "/v1"},
				Brokers: map[string]broker.Transport{"orderEvents": dial()},
			})
			if err != nil {
				t.Fatal(err)
			}
			defer eng.Close()
			const n = 20
			var wg sync.WaitGroup
			errs := make(chan error, n+1)
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					item := fmt.Sprint("item-", i)
					res, err := eng.Run(ctx, "place-confirmed-order", map[string]any{"item": item})
					if err != nil {
						errs <- fmt.Errorf("%s: %v", item, err)
						return
					}
					if res.Outputs["confirmation"] != "CONFIRMED" || res.Outputs["status"] != "CONFIRMED" {
						errs <- fmt.Errorf("%s: outputs %v", item, res.Outputs)
					}
					svc.mu.Lock()
					got := svc.seen[fmt.Sprint(res.Outputs["orderId"])]
					svc.mu.Unlock()
					if got != item {
						errs <- fmt.Errorf("%s: run got order %v of %q", item, res.Outputs["orderId"], got)
					}
				}()
			}
			wg.Wait()
			res, err := eng.Run(ctx, "place-confirmed-order", map[string]any{"item": "contraband"})
			if err == nil || res.FailedAt != "awaitConfirmation" || !strings.Contains(res.Error, "CONFIRMED") {
				errs <- fmt.Errorf("rejected order: %v %+v", err, res)
			}
			close(errs)
			for err := range errs {
				t.Error(err)
			}
		})
	}
}

// wsHub is a WebSocket "broker": a frame written on a path goes to every
// other connection on that path.
type wsHub struct {
	mu    sync.Mutex
	conns map[string]map[*websocket.Conn]bool
}

func newWSHub() *wsHub { return &wsHub{conns: map[string]map[*websocket.Conn]bool{}} }

func (h *wsHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer c.CloseNow()
	path := r.URL.Path
	h.mu.Lock()
	if h.conns[path] == nil {
		h.conns[path] = map[*websocket.Conn]bool{}
	}
	h.conns[path][c] = true
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		delete(h.conns[path], c)
		h.mu.Unlock()
	}()
	for {
		typ, data, err := c.Read(r.Context())
		if err != nil {
			return
		}
		h.mu.Lock()
		var peers []*websocket.Conn
		for p := range h.conns[path] {
			if p != c {
				peers = append(peers, p)
			}
		}
		h.mu.Unlock()
		for _, p := range peers {
			p.Write(r.Context(), typ, data)
		}
	}
}
