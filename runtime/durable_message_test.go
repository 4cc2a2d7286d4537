package runtime_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/arazzo-go/arazzo/runtime"
	"github.com/arazzo-go/arazzo/runtime/broker"
	"github.com/arazzo-go/arazzo/runtime/store"
)

// TestDurableAsyncStepsAreRecorded: a durable run records its AsyncAPI
// steps. The first process publishes the order and dies while it waits for
// the confirmation; the resumed run does not publish the order again (the
// broker had it) and waits again, getting the confirmation; the history of
// the finished run then replays the received message without any broker.
func TestDurableAsyncStepsAreRecorded(t *testing.T) {
	doc := loadOrders(t)
	st := store.NewMemory(store.Options{})
	in := map[string]any{"requestId": "r1", "item": "tea"}
	ro := runtime.RunOptions{ID: "run-1", Store: st, Document: runtime.DocumentRef{Path: "orders.yaml", Hash: "sha256:1"}}

	// The first process: nobody answers, and it dies once the receive
	// step has started.
	first := broker.NewMock()
	ctx, die := context.WithCancel(context.Background())
	defer die()
	eng, err := runtime.New(doc, runtime.Options{Brokers: map[string]broker.Transport{"orderEvents": first}})
	if err != nil {
		t.Fatal(err)
	}
	obs := runtime.ObserverFunc(func(ev runtime.Event) {
		if ev.Kind == runtime.EventStepStarted && ev.StepID == "awaitConfirmation" {
			die()
		}
	})
	ro.Observer = obs
	res, err := eng.RunWith(ctx, "placeOrder", in, ro)
	var ae *runtime.AbortError
	if !errors.As(err, &ae) || ae.Guard != runtime.GuardCancelled {
		t.Fatalf("first process: %v, %+v", err, res)
	}
	if n := len(first.Published()); n != 1 {
		t.Fatalf("first process published %d messages, want 1", n)
	}

	// The second process: its broker confirms the order as soon as the
	// run listens (the order itself is never published again).
	second := broker.NewMock()
	done := make(chan struct{})
	go func() {
		reply := confirm("confirmed")(broker.Message{Headers: map[string]string{"requestId": "r1"}, Payload: []byte(`{"item":"tea"}`)})
		for {
			select {
			case <-done:
				return
			case <-time.After(10 * time.Millisecond):
				second.Publish(context.Background(), reply)
			}
		}
	}()
	eng2, err := runtime.New(doc, runtime.Options{Brokers: map[string]broker.Transport{"orderEvents": second}})
	if err != nil {
		t.Fatal(err)
	}
	res, err = eng2.Resume(context.Background(), st, "run-1", nil, runtime.RunOptions{Document: runtime.DocumentRef{Hash: "sha256:1"}})
	close(done)
	if err != nil || res.Status != runtime.Succeeded || res.Outputs["orderId"] != "order-r1-tea" {
		t.Fatalf("resume: %v, %+v", err, res)
	}
	for _, m := range second.Published() {
		if m.Address == "orders.requests" {
			t.Errorf("the resumed run published the order again: %+v", m)
		}
	}

	// The history needs no broker: the received message is in the store.
	eng3, err := runtime.New(doc, runtime.Options{})
	if err != nil {
		t.Fatal(err)
	}
	hist, err := eng3.History(context.Background(), st, "run-1")
	if err != nil || hist.Status != runtime.Succeeded || hist.Outputs["orderId"] != "order-r1-tea" {
		t.Fatalf("history: %v, %+v", err, hist)
	}
	if m := hist.Steps[len(hist.Steps)-1].Message; m == nil || m.Action != "receive" || m.CorrelationID != "r1" {
		t.Errorf("history's receive record: %+v", m)
	}
}
