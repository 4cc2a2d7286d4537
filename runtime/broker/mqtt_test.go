package broker

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestMQTT(t *testing.T) {
	need(t, "Mosquitto (MQTT)", mqttAddr)
	check := goroutines(t)
	tr := dial(t, "mqtt", Config{URL: mqttAddr})
	topic := unique("arazzo/test/")
	for _, qos := range []byte{0, 1, 2} {
		t.Run("RoundTripQoS"+string('0'+qos), func(t *testing.T) {
			testRoundTrip(t, tr, topic+"/rt", false, Options{QoS: qos})
		})
	}
	t.Run("Timeout", func(t *testing.T) { testTimeout(t, tr, topic+"/none", Options{}) })
	// No headers in MQTT 3.1.1: correlation ids travel in the payload.
	t.Run("Correlation100", func(t *testing.T) {
		testCorrelation(t, tr, topic+"/replies", 100, byPayload, payloadMsg(topic+"/replies"))
	})
	t.Run("HeadersRefused", func(t *testing.T) {
		err := tr.Publish(context.Background(), Message{Address: topic, Headers: map[string]string{"a": "b"}})
		if !errors.Is(err, ErrHeadersUnsupported) {
			t.Fatalf("err = %v, want ErrHeadersUnsupported", err)
		}
	})
	t.Run("WildcardAndSharedFilter", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		a, err := tr.Subscribe(ctx, Subscription{Address: topic + "/orders/+", Options: Options{QoS: 1}})
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		// A second inbox on the same filter shares the broker subscription
		// and gets the message too; closing it leaves the first working.
		b, err := tr.Subscribe(ctx, Subscription{Address: topic + "/orders/+", Options: Options{QoS: 1}})
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range []string{topic + "/other/1", topic + "/orders/42"} {
			if err := tr.Publish(ctx, Message{Address: x, Payload: []byte(x), Options: Options{QoS: 1}}); err != nil {
				t.Fatal(err)
			}
		}
		for _, in := range []Inbox{a, b} {
			m, err := in.Receive(ctx)
			if err != nil || m.Address != topic+"/orders/42" {
				t.Fatalf("got %q, %v; want the message on %s/orders/42 only", m.Address, err, topic)
			}
		}
		b.Close()
		if err := tr.Publish(ctx, Message{Address: topic + "/orders/7", Payload: []byte("7"), Options: Options{QoS: 1}}); err != nil {
			t.Fatal(err)
		}
		if m, err := a.Receive(ctx); err != nil || string(m.Payload) != "7" {
			t.Fatalf("after closing the second inbox: %q, %v", m.Payload, err)
		}
	})
	t.Run("BadQoS", func(t *testing.T) {
		if err := tr.Publish(context.Background(), Message{Address: topic, Options: Options{QoS: 3}}); err == nil {
			t.Fatal("QoS 3 accepted")
		}
	})
	t.Run("TooLarge", func(t *testing.T) { testTooLarge(t, tr, topic, DefaultMaxMessageSize) })
	in, err := tr.Subscribe(context.Background(), Subscription{Address: topic + "/last"})
	if err != nil {
		t.Fatal(err)
	}
	testClosed(t, tr, in, topic)
	check()
}

func TestMQTTUnreachableHidesPassword(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, err := Dial(ctx, "mqtt", Config{URL: "mqtt://127.0.0.1:1", Username: "u", Password: "hunter2"})
	testNoSecret(t, err, "hunter2")
}
