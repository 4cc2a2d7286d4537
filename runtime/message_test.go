package runtime_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/arazzo-go/arazzo/arazzo"
	"github.com/arazzo-go/arazzo/runtime"
	"github.com/arazzo-go/arazzo/runtime/broker"
)

func loadOrders(t *testing.T) *arazzo.Document {
	t.Helper()
	requireEngineDeps(t)
	doc, ds, err := arazzo.Load(context.Background(), "testdata/async/orders.arazzo.yaml", arazzo.LoadOptions{})
	if err != nil || ds.HasErrors() {
		t.Fatalf("%v %v", err, ds)
	}
	return doc
}

// confirm answers a placed order on the reply channel of its region with
// the request's correlation id.
func confirm(status string) func(broker.Message) broker.Message {
	return func(req broker.Message) broker.Message {
		var order struct{ Item string }
		json.Unmarshal(req.Payload, &order)
		return broker.Message{
			Address: "orders.confirmed.eu",
			Headers: map[string]string{"requestId": req.Headers["requestId"]},
			Payload: []byte(fmt.Sprintf(`{"orderId":"order-%s-%s","status":%q}`, req.Headers["requestId"], order.Item, status)),
		}
	}
}

func TestAsyncSendThenReceiveTheCorrelatedReply(t *testing.T) {
	doc := loadOrders(t)
	mock := broker.NewMock()
	// The mock replies while the message is being published, before the
	// receive step runs: the engine must already be listening.
	mock.Answer("orders.requests", confirm("confirmed"))
	eng, err := runtime.New(doc, runtime.Options{Brokers: map[string]broker.Transport{"orderEvents": mock}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := eng.Run(context.Background(), "placeOrder", map[string]any{"requestId": "r1", "item": "tea"})
	if err != nil {
		t.Fatalf("%v: %+v", err, res)
	}
	if got := res.Outputs["orderId"]; got != "order-r1-tea" {
		t.Errorf("orderId = %v", got)
	}
	pub := mock.Published()
	if len(pub) != 1 || pub[0].Address != "orders.requests" || pub[0].Headers["requestId"] != "r1" || string(pub[0].Payload) != `{"item":"tea","quantity":1}` {
		t.Errorf("published %+v", pub)
	}
	if m := res.Steps[1].Message; m == nil || m.Action != "receive" || m.Address != "orders.confirmed.eu" || m.CorrelationID != "r1" || !strings.Contains(m.PayloadPreview, "order-r1-tea") {
		t.Errorf("receive record %+v", m)
	}
}

func TestAsyncReceiveTimesOutIntoOnFailure(t *testing.T) {
	doc := loadOrders(t)
	mock := broker.NewMock() // nobody answers
	eng, _ := runtime.New(doc, runtime.Options{Brokers: map[string]broker.Transport{"orderEvents": mock}})
	res, err := eng.Run(context.Background(), "placeOrder", map[string]any{"requestId": "r2", "item": "tea"})
	if err == nil || res.Status != runtime.Failed || res.FailedAt != "awaitConfirmation" {
		t.Fatalf("%v: %+v", err, res)
	}
	att := res.Steps[len(res.Steps)-1]
	if !strings.Contains(att.Error, "a message with correlation id r2 did not arrive on orders.confirmed.eu within 300ms") || att.ActionName != "giveUp" {
		t.Errorf("attempt %+v", att)
	}
}

func TestAsyncCriteriaReadTheMessage(t *testing.T) {
	doc := loadOrders(t)
	mock := broker.NewMock()
	mock.Answer("orders.requests", confirm("rejected"))
	eng, _ := runtime.New(doc, runtime.Options{Brokers: map[string]broker.Transport{"orderEvents": mock}})
	res, _ := eng.Run(context.Background(), "placeOrder", map[string]any{"requestId": "r3", "item": "tea"})
	if res.Status != runtime.Failed || !strings.Contains(res.Error, "status == 'confirmed'") {
		t.Errorf("%s: %s", res.Status, res.Error)
	}
}

func TestAsyncStepWithoutABrokerFailsWhenReached(t *testing.T) {
	doc := loadOrders(t)
	eng, err := runtime.New(doc, runtime.Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, _ := eng.Run(context.Background(), "placeOrder", map[string]any{"requestId": "r", "item": "tea"})
	if res.Status != runtime.Failed || !strings.Contains(res.Error, "no broker for source orderEvents") {
		t.Errorf("%s: %s", res.Status, res.Error)
	}
}

// TestAsyncConcurrentRunsGetTheirOwnReplies: 100 runs on one engine share
// the reply channel; each gets the reply with its own correlation id.
func TestAsyncConcurrentRunsGetTheirOwnReplies(t *testing.T) {
	doc := loadOrders(t)
	mock := broker.NewMock()
	const n = 100
	for range n {
		mock.Answer("orders.requests", confirm("confirmed"))
	}
	eng, _ := runtime.New(doc, runtime.Options{Brokers: map[string]broker.Transport{"orderEvents": mock}})
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := fmt.Sprint("req-", i)
			res, err := eng.Run(context.Background(), "placeOrder", map[string]any{"requestId": id, "item": fmt.Sprint("item", i)})
			if err != nil {
				errs <- fmt.Errorf("%s: %v", id, err)
				return
			}
			if want := fmt.Sprintf("order-%s-item%d", id, i); res.Outputs["orderId"] != want {
				errs <- fmt.Errorf("%s got %v, want %s", id, res.Outputs["orderId"], want)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestAsyncChannelParameterWildcardRefused: a channel parameter value that
// is a broker wildcard would widen the subscription to other runs'
// messages; broker.Route refuses it and the step fails.
func TestAsyncChannelParameterWildcardRefused(t *testing.T) {
	doc := loadOrders(t)
	mock := broker.NewMock()
	mock.Answer("orders.requests", confirm("confirmed"))
	eng, _ := runtime.New(doc, runtime.Options{Brokers: map[string]broker.Transport{"orderEvents": mock}})
	res, _ := eng.Run(context.Background(), "placeOrder", map[string]any{"requestId": "r9", "item": "tea", "region": "*"})
	if res.Status != runtime.Failed || res.FailedAt != "awaitConfirmation" || !strings.Contains(res.Error, "wildcard") {
		t.Errorf("%s at %s: %s", res.Status, res.FailedAt, res.Error)
	}
}
