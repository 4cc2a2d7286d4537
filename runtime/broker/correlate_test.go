package broker

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/arazzo-go/arazzo/asyncapi"
	"github.com/arazzo-go/arazzo/internal/testutil"
)

func TestCorrelator(t *testing.T) {
	m := Message{Headers: map[string]string{"OrderRequestId": "h1"}, Payload: []byte(`{"a":{"b/c":[{"id":7},"x"]},"s":"p1","n":null}`)}
	for loc, want := range map[string]string{
		"$message.header#/OrderRequestId": "h1",
		"$message.header#/orderrequestid": "h1",
		"$message.header#/missing":        "",
		"$message.payload#/s":             "p1",
		"$message.payload#/a/b~1c/0/id":   "7",
		"$message.payload#/a/b~1c/1":      "x",
		"$message.payload#/a/b~1c/9":      "",
		"$message.payload#/n":             "",
		"$message.payload#/a/nope":        "",
	} {
		f, err := Correlator(loc)
		if err != nil {
			t.Fatalf("%s: %v", loc, err)
		}
		if got := f(m); got != want {
			t.Errorf("%s = %q, want %q", loc, got, want)
		}
	}
	if f, _ := Correlator("$message.payload#/s"); f(Message{Payload: []byte("not json")}) != "" {
		t.Error("a payload that is not JSON gave an id")
	}
	for _, bad := range []string{"", "$message.header", "$message.header#/", "$message.header#/a/b", "$message.body#/x", "$request.header#/x"} {
		if _, err := Correlator(bad); err == nil {
			t.Errorf("Correlator(%q) accepted", bad)
		}
	}
}

// The official 1.1 example pet-asyncapi.yaml, over Kafka (kfake standing in
// for its localKafka server, as --server would): a responder answers
// placeOrder on its reply channel; 20 concurrent runs each send an order and
// get their own confirmation, correlated by the location the description
// declares.
func TestPetAsyncAPIOverKafka(t *testing.T) {
	path := testutil.SharedDir(t, "arazzo-spec", "examples", "1.1.0", "pet-asyncapi.yaml")
	doc, err := (&asyncapi.Loader{}).Load(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	op, _ := doc.Operation("placeOrder")
	reqAddr, reqOpts, err := Route(op, op.Messages[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	replyAddr := op.Reply.Channel.Address
	corr, err := Correlator(op.Reply.Messages[0].CorrelationID)
	if err != nil {
		t.Fatal(err)
	}
	addr := kafkaCluster(t, reqAddr, replyAddr)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tr, err := DialServer(ctx, doc.Servers["localKafka"], nil, Config{URL: addr})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()

	// The responder: the pet shop.
	requests, err := tr.Subscribe(ctx, Subscription{Address: reqAddr})
	if err != nil {
		t.Fatal(err)
	}
	defer requests.Close()
	go func() {
		for {
			req, err := requests.Receive(ctx)
			if err != nil {
				return
			}
			var order struct{ PetID int }
			json.Unmarshal(req.Payload, &order)
			tr.Publish(ctx, Message{Address: replyAddr, Headers: map[string]string{"orderRequestId": req.Headers["orderRequestId"]},
				Payload: fmt.Appendf(nil, `{"orderId":%d}`, order.PetID*100)})
		}
	}()

	d := NewDispatcher(tr, corr)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := fmt.Sprintf("run-%d", i)
			w, err := d.Wait(ctx, Subscription{Address: replyAddr}, id) // before the send
			if err != nil {
				t.Error(err)
				return
			}
			defer w.Close()
			err = tr.Publish(ctx, Message{Address: reqAddr, Options: reqOpts, Headers: map[string]string{"orderRequestId": id},
				Payload: fmt.Appendf(nil, `{"petId":%d}`, i)})
			if err != nil {
				t.Error(err)
				return
			}
			m, err := w.Receive(ctx)
			if err != nil {
				t.Error(err)
				return
			}
			if got, want := string(m.Payload), fmt.Sprintf(`{"orderId":%d}`, i*100); got != want || corr(m) != id {
				t.Errorf("%s got %s (id %s), want %s", id, got, corr(m), want)
			}
		}()
	}
	wg.Wait()
}

func FuzzCorrelator(f *testing.F) {
	f.Add("$message.payload#/a/0", []byte(`{"a":["x"]}`))
	f.Add("$message.header#/id", []byte(``))
	f.Fuzz(func(t *testing.T, loc string, payload []byte) {
		c, err := Correlator(loc)
		if err != nil {
			return
		}
		c(Message{Payload: payload, Headers: map[string]string{"id": "1"}})
	})
}
