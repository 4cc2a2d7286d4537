package broker

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
)

// sockets records the sockets a transport opens, so a test can cut the
// current one as a network failure would.
type sockets struct {
	mu   sync.Mutex
	last net.Conn
	n    int
}

func (s *sockets) hook(c net.Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.last, s.n = c, s.n+1
}

func (s *sockets) cut(t *testing.T) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.last == nil {
		t.Fatal("no socket to cut")
	}
	s.last.Close()
}

func (s *sockets) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

// testReconnect cuts the socket under an open inbox, then publishes until
// the inbox receives again (the client reconnected and the subscription
// was made again), and checks a second socket was opened.
// drop, when not nil, ends the connection instead of cutting the socket.
func testReconnect(t *testing.T, protocol, url, address string, opts Options, drop func(clientID string)) {
	t.Helper()
	check := goroutines(t)
	var s sockets
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c := Config{URL: url, onDial: s.hook, ClientID: unique("arazzo-test-")}
	tr, err := Dial(ctx, protocol, c)
	if err != nil {
		t.Fatal(err)
	}
	in, err := tr.Subscribe(ctx, Subscription{Address: address, Options: opts})
	if err != nil {
		t.Fatal(err)
	}
	if drop != nil {
		drop(c.ClientID)
	} else {
		s.cut(t)
	}
	for i := 0; ; i++ {
		pctx, pcancel := context.WithTimeout(ctx, time.Second)
		tr.Publish(pctx, Message{Address: address, Payload: []byte("after"), Options: opts})
		m, err := in.Receive(pctx)
		pcancel()
		if err == nil && string(m.Payload) == "after" {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("no message %d s after the socket was cut: %v", 20, err)
		}
	}
	if s.count() < 2 {
		t.Fatalf("%d sockets opened, want a new one after the cut", s.count())
	}
	tr.Close()
	check()
}

func TestNATSReconnect(t *testing.T) {
	need(t, "NATS", natsAddr)
	testReconnect(t, "nats", "nats://"+natsAddr, unique("arazzo.test.reconnect."), Options{}, nil)
}

func TestMQTTReconnect(t *testing.T) {
	need(t, "Mosquitto (MQTT)", mqttAddr)
	// paho takes a socket closed under it for its own Close and does not
	// reconnect; a real drop comes from the broker. A second client with
	// the same client id makes Mosquitto end the first connection.
	testReconnect(t, "mqtt", "mqtt://"+mqttAddr, unique("arazzo/test/reconnect/"), Options{QoS: 1}, func(id string) {
		o := mqtt.NewClientOptions().AddBroker("mqtt://" + mqttAddr).SetClientID(id).SetAutoReconnect(false)
		c := mqtt.NewClient(o)
		if tok := c.Connect(); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
			t.Fatalf("second client: %v", tok.Error())
		}
		c.Disconnect(0)
	})
}
