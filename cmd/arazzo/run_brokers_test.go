package main

import (
	"bytes"
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/arazzo-go/arazzo/runtime/broker"
)

const ordersDoc = "../../workflows/orders/order-with-confirmation.arazzo.yaml"

// TestRunSendsOverRabbitMQWithAuth runs the bundled cancel-order workflow
// against the local RabbitMQ with --server and --auth basic credentials:
// the message arrives; a wrong password fails the step without showing it.
func TestRunSendsOverRabbitMQWithAuth(t *testing.T) {
	if c, err := net.DialTimeout("tcp", "127.0.0.1:5672", time.Second); err != nil {
		t.Skipf("RabbitMQ is not reachable at 127.0.0.1:5672 (%v): start it to run this test (.ci/run does)", err)
	} else {
		c.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sub, err := broker.Dial(ctx, "amqp", broker.Config{URL: "amqp://guest:guest@127.0.0.1:5672/"})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	in, err := sub.Subscribe(ctx, broker.Subscription{Address: "orders.cancellations"})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()

	t.Setenv("T_BROKER_USER", "guest")
	t.Setenv("T_BROKER_PASS", "guest")
	args := []string{"run", ordersDoc, "-w", "cancel-order", "--input", "orderId=ord-cli-1",
		"--server", "orderEvents=amqp://127.0.0.1:5672/", "--auth", "orderEvents=basic:env:T_BROKER_USER:env:T_BROKER_PASS"}
	var stdout, stderr bytes.Buffer
	if code := run(args, nil, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	m, err := in.Receive(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(m.Payload), `"orderId":"ord-cli-1"`) || m.Headers["requestedBy"] != "arazzo" {
		t.Errorf("received %+v (%s)", m, m.Payload)
	}
	if !strings.Contains(stderr.String(), "send orders.cancellations") {
		t.Errorf("progress does not name the channel:\n%s", stderr.String())
	}

	t.Setenv("T_BROKER_PASS", "wrong-password-0451")
	stdout.Reset()
	stderr.Reset()
	if code := run(args, nil, &stdout, &stderr); code != exitFailed {
		t.Errorf("wrong password: exit %d, want %d\n%s", code, exitFailed, stderr.String())
	}
	if strings.Contains(stderr.String()+stdout.String(), "wrong-password-0451") {
		t.Errorf("the password is shown:\n%s", stderr.String())
	}
}

// TestRunDryRunAsyncSteps: a dry run shows the message a send step would
// publish and what a receive step would wait for, sending nothing.
func TestRunDryRunAsyncSteps(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run([]string{"run", ordersDoc, "-w", "cancel-order", "--input", "orderId=ord-3", "--dry-run"}, nil, &stdout, &stderr)
	if code != exitOK || !strings.Contains(stdout.String(), "SEND orders.cancellations\nrequestedBy: arazzo\n\n{\"orderId\":\"ord-3\",\"reason\":\"changed my mind\"}") {
		t.Errorf("exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	stdout.Reset()
	code = run([]string{"run", ordersDoc, "-w", "place-confirmed-order", "--input", "item=tea", "--dry-run"}, nil, &stdout, &stderr)
	if code != exitOK || !strings.Contains(stdout.String(), "waits up to 10s for a message on orders.confirmations with correlation id $steps.placeOrder.outputs.orderId") {
		t.Errorf("exit %d\n%s", code, stdout.String())
	}
}
