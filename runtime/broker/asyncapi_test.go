package broker

import (
	"context"
	"strings"
	"testing"

	"github.com/arazzo-go/arazzo/asyncapi"
)

func loadOrders(t *testing.T) *asyncapi.Document {
	t.Helper()
	doc, err := (&asyncapi.Loader{}).Load(context.Background(), "../../asyncapi/testdata/orders-3.0.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestServerURL(t *testing.T) {
	s := loadOrders(t).Servers["broker"]
	for _, c := range []struct {
		vars map[string]string
		want string
	}{
		{nil, "amqp://broker.example.com:5672/v1"},
		{map[string]string{"port": "5671"}, "amqp://broker.example.com:5671/v1"},
		{map[string]string{"port": "80"}, "not one of 5672, 5671"},
	} {
		got, err := ServerURL(s, c.vars)
		if err != nil {
			got = err.Error()
		}
		if !strings.Contains(got, c.want) {
			t.Errorf("ServerURL(%v) = %q, want %q", c.vars, got, c.want)
		}
	}
	if _, err := ServerURL(&asyncapi.Server{Name: "x", Protocol: "nats", Host: "{h}:4222"}, nil); err == nil {
		t.Error("a variable without value or default was accepted")
	}
}

// The server's protocol picks the transport and the --server override
// replaces its address.
func TestDialServer(t *testing.T) {
	addr := kafkaCluster(t, "orders")
	s := &asyncapi.Server{Name: "k", Protocol: "kafka", Host: "kafka.example.com:9092"}
	tr, err := DialServer(context.Background(), s, nil, Config{URL: addr})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if _, ok := tr.(*kafkaTransport); !ok {
		t.Fatalf("protocol kafka gave %T", tr)
	}
	s.Protocol = "stomp"
	if _, err := DialServer(context.Background(), s, nil, Config{URL: addr}); err == nil || !strings.Contains(err.Error(), "stomp") {
		t.Fatalf("stomp: err = %v", err)
	}
}

func TestRoute(t *testing.T) {
	doc := loadOrders(t)
	op, _ := doc.Operation("createOrder")
	address, o, err := Route(op, op.Messages[0], map[string]string{"region": "eu"})
	if err != nil || address != "orders.eu.created" || o.Exchange != "orders" || o.QoS != 1 || !o.Retain {
		t.Fatalf("Route = %q %+v %v", address, o, err)
	}
	for _, bad := range []map[string]string{nil, {"region": "#"}, {"region": "*"}, {"region": ""}} {
		if _, _, err := Route(op, nil, bad); err == nil {
			t.Errorf("Route with %v accepted", bad)
		}
	}
	ann, _ := doc.Operation("announceConfirmation")
	address, o, err = Route(ann, &asyncapi.Message{Bindings: asyncapi.Bindings{KafkaKey: map[string]any{"const": "k1"}}}, nil)
	if err != nil || address != "confirmations" || o.Exchange != "" || string(o.Key) != "k1" {
		t.Fatalf("Route = %q %+v %v", address, o, err)
	}
}

func TestWithCredentials(t *testing.T) {
	doc, err := (&asyncapi.Loader{}).Load(context.Background(), "../../asyncapi/testdata/secure-3.0.yaml")
	if err != nil {
		t.Fatal(err)
	}
	up := Credentials{Username: "app", Password: "hunter2"}
	c, err := WithCredentials(Config{}, doc.Servers["kafka"], up)
	if err != nil || c.Username != "app" || c.Password != "hunter2" || c.SASLMechanism != "SCRAM-SHA-512" {
		t.Fatalf("kafka: %+v %v", c, err)
	}
	c, err = WithCredentials(Config{}, doc.Servers["gateway"], Credentials{Token: "t0ken"})
	if err != nil || c.Token != "t0ken" || c.Username != "" {
		t.Fatalf("gateway: %+v %v", c, err)
	}
	_, err = WithCredentials(Config{}, doc.Servers["gateway"], up)
	if err == nil || !strings.Contains(err.Error(), "token (http bearer)") {
		t.Fatalf("gateway with a password: err = %v", err)
	}
	testNoSecret(t, err, "hunter2")
	c, err = WithCredentials(Config{}, &asyncapi.Server{Name: "open"}, up)
	if err != nil || c.Username != "app" {
		t.Fatalf("no security: %+v %v", c, err)
	}
}
