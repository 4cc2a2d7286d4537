package temporal

import (
	"context"
	"strings"
	"testing"
	"time"

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
