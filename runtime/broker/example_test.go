package broker_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/coder/websocket"

	"github.com/arazzo-go/arazzo/runtime/broker"
)

// Dial picks the transport from an AsyncAPI protocol name. A receive
// subscribes before the request is sent, so the reply cannot be missed.
func ExampleDial() {
	// A WebSocket service that answers every message with "ack: <message>".
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		for {
			_, data, err := c.Read(r.Context())
			if err != nil {
				return
			}
			c.Write(r.Context(), websocket.MessageText, append([]byte("ack: "), data...))
		}
	}))
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	tr, err := broker.Dial(ctx, "ws", broker.Config{URL: "ws" + strings.TrimPrefix(srv.URL, "http")})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer tr.Close()
	in, err := tr.Subscribe(ctx, broker.Subscription{Address: "/orders"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer in.Close()
	if err := tr.Publish(ctx, broker.Message{Address: "/orders", Payload: []byte(`{"id":42}`)}); err != nil {
		fmt.Println(err)
		return
	}
	m, err := in.Receive(ctx)
	fmt.Println(m.Address, string(m.Payload), err)

	_, err = broker.Dial(ctx, "stomp", broker.Config{URL: "stomp://localhost"})
	fmt.Println(err)
	// Output:
	// /orders ack: {"id":42} <nil>
	// broker: unsupported protocol "stomp" (supported: amqp, amqps, kafka, kafka-secure, mqtt, mqtts, nats, secure-mqtt, ws, wss)
}
