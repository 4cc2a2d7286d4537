package temporal

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"

	"github.com/arazzo-go/arazzo/runtime"
	"github.com/arazzo-go/arazzo/runtime/broker"
)

const (
	ordersPath = "../runtime/testdata/async/orders.arazzo.yaml"
	ordersName = "orders.arazzo.yaml"
)

// newOrdersWorker serves the async orders fixture on a mock broker.
func newOrdersWorker(t *testing.T, mock *broker.Mock) *Worker {
	t.Helper()
	w := NewWorker(Options{Brokers: map[string]broker.Transport{"orderEvents": mock}, RequestTimeout: 5 * time.Second})
	if err := w.Load(context.Background(), ordersPath); err != nil {
		t.Fatal(err)
	}
	return w
}

func withSessions(env *testsuite.TestWorkflowEnvironment) {
	env.SetWorkerOptions(worker.Options{EnableSessionWorker: true})
}

// The mock broker delivers the confirmation while the order is being
// published, before the receive step starts: only the subscription the
// send step opened ahead (Listen, in the run's session) can catch it.
func TestSendThenReceiveGetsAnImmediateReply(t *testing.T) {
	mock := broker.NewMock()
	mock.Answer("orders.requests", func(req broker.Message) broker.Message {
		return broker.Message{Address: "orders.confirmed.eu", Headers: map[string]string{"requestId": req.Headers["requestId"]},
			Payload: []byte(`{"status":"confirmed","orderId":"o-` + req.Headers["requestId"] + `"}`)}
	})
	w := newOrdersWorker(t, mock)
	res := runInSuite(t, w, RunInput{Document: ordersName, WorkflowID: "placeOrder", Inputs: map[string]any{"requestId": "r7", "item": "book"}}, withSessions)
	if res.Status != runtime.Succeeded {
		t.Fatalf("status %s: %s (steps %+v)", res.Status, res.Error, res.Steps)
	}
	if got := res.Outputs["orderId"]; got != "o-r7" {
		t.Fatalf("orderId = %v, want o-r7", got)
	}
	pub := mock.Published()
	if len(pub) != 1 || pub[0].Address != "orders.requests" || !strings.Contains(string(pub[0].Payload), `"item":"book"`) {
		t.Fatalf("published %+v, want one order on orders.requests", pub)
	}
}

// A confirmation that never comes fails the receive step after its
// timeout, with the reason.
func TestReceiveWithoutReplyFailsTheStep(t *testing.T) {
	w := newOrdersWorker(t, broker.NewMock())
	res := runInSuite(t, w, RunInput{Document: ordersName, WorkflowID: "placeOrder", Inputs: map[string]any{"requestId": "r8", "item": "pen"}}, withSessions)
	if res.Status == runtime.Succeeded {
		t.Fatalf("status %s, want the run not to succeed", res.Status)
	}
	last := res.Steps[len(res.Steps)-1]
	if last.StepID != "awaitConfirmation" || !strings.Contains(last.Error, "did not arrive on orders.confirmed.eu") {
		t.Fatalf("last step %+v, want awaitConfirmation that got no message", last)
	}
}

// A worker without brokers fails the send step with the reason, rather
// than hanging.
func TestPublishWithoutBrokerFailsTheStep(t *testing.T) {
	w := NewWorker(Options{})
	if err := w.Load(context.Background(), ordersPath); err != nil {
		t.Fatal(err)
	}
	res := runInSuite(t, w, RunInput{Document: ordersName, WorkflowID: "placeOrder", Inputs: map[string]any{"requestId": "r9", "item": "cup"}}, withSessions)
	if res.Status == runtime.Succeeded || len(res.Steps) == 0 || !strings.Contains(res.Steps[0].Error, "no broker for source orderEvents") {
		t.Fatalf("status %s, steps %+v: want the send step to fail for want of a broker", res.Status, res.Steps)
	}
}

// The orders fixture on a real Temporal dev server and the real NATS at
// 127.0.0.1:4222: a responder confirms each order as soon as it arrives,
// and two runs each get their own confirmation through the session.
func TestDevServerAsyncStepsOnNATS(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the dev-server test starts a Temporal server")
	}
	ctx := t.Context()
	dctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	nats, err := broker.Dial(dctx, "nats", broker.Config{URL: "nats://127.0.0.1:4222"})
	if err != nil {
		t.Skipf("no NATS server at 127.0.0.1:4222 (%v): the NATS test needs one", err)
	}
	t.Cleanup(func() { nats.Close() })
	_, c := startDevServer(t)
	inbox, err := nats.Subscribe(ctx, broker.Subscription{Address: "orders.requests"})
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			m, err := inbox.Receive(ctx)
			if err != nil {
				return
			}
			id := m.Headers["requestId"]
			nats.Publish(ctx, broker.Message{Address: "orders.confirmed.eu", Headers: map[string]string{"requestId": id},
				Payload: []byte(`{"status":"confirmed","orderId":"o-` + id + `"}`)})
		}
	}()
	w := NewWorker(Options{Brokers: map[string]broker.Transport{"orderEvents": nats}, RequestTimeout: 5 * time.Second})
	if err := w.Load(ctx, ordersPath); err != nil {
		t.Fatal(err)
	}
	const queue = "arazzo-async"
	wk := worker.New(c, queue, worker.Options{EnableSessionWorker: true})
	w.Register(wk)
	if err := wk.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(wk.Stop)
	for _, id := range []string{"n1", "n2"} {
		run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "async-" + id, TaskQueue: queue}, WorkflowName,
			RunInput{Document: ordersName, WorkflowID: "placeOrder", Inputs: map[string]any{"requestId": id, "item": "tea"}})
		if err != nil {
			t.Fatal(err)
		}
		var res RunResult
		if err := run.Get(ctx, &res); err != nil {
			t.Fatal(err)
		}
		if res.Status != runtime.Succeeded || res.Outputs["orderId"] != "o-"+id {
			t.Fatalf("run %s: status %s, outputs %v, error %s, steps %+v", id, res.Status, res.Outputs, res.Error, res.Steps)
		}
	}
}
