package broker

import (
	"context"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
)

// kafkaCluster starts an in-process Kafka (kfake) with the given topics of
// three partitions each.
func kafkaCluster(t *testing.T, topics ...string) string {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(3, topics...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c.ListenAddrs()[0]
}

func TestKafka(t *testing.T) {
	addr := kafkaCluster(t, "rt", "none", "replies", "old", "last")
	check := goroutines(t)
	tr := dial(t, "kafka", Config{URL: addr})
	t.Run("RoundTrip", func(t *testing.T) { testRoundTrip(t, tr, "rt", true, Options{Key: []byte("k")}) })
	t.Run("Timeout", func(t *testing.T) { testTimeout(t, tr, "none", Options{}) })
	t.Run("Correlation100", func(t *testing.T) {
		testCorrelation(t, tr, "replies", 100, byHeader, headerMsg("replies"))
	})
	// A receive starts at the end offsets: records already in the topic
	// are not delivered, the key comes back with the record.
	t.Run("StartsAtNow", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		for i := range 5 {
			if err := tr.Publish(ctx, Message{Address: "old", Payload: []byte{'a' + byte(i)}, Options: Options{Key: []byte{byte(i)}}}); err != nil {
				t.Fatal(err)
			}
		}
		in, err := tr.Subscribe(ctx, Subscription{Address: "old"})
		if err != nil {
			t.Fatal(err)
		}
		defer in.Close()
		if err := tr.Publish(ctx, Message{Address: "old", Payload: []byte("new"), Options: Options{Key: []byte("key")}}); err != nil {
			t.Fatal(err)
		}
		m, err := in.Receive(ctx)
		if err != nil || string(m.Payload) != "new" || string(m.Options.Key) != "key" {
			t.Fatalf("got %q key %q, %v; want the record produced after Subscribe", m.Payload, m.Options.Key, err)
		}
	})
	t.Run("UnknownTopic", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := tr.Subscribe(ctx, Subscription{Address: "no-such-topic"}); err == nil {
			t.Fatal("subscribe to a missing topic succeeded")
		}
	})
	t.Run("TooLarge", func(t *testing.T) { testTooLarge(t, tr, "rt", DefaultMaxMessageSize) })
	in, err := tr.Subscribe(context.Background(), Subscription{Address: "last"})
	if err != nil {
		t.Fatal(err)
	}
	testClosed(t, tr, in, "last")
	check()
}

func TestKafkaSASLPlain(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "t"),
		kfake.EnableSASL(), kfake.Superuser("PLAIN", "app", "hunter2"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	addr := c.ListenAddrs()[0]
	tr := dial(t, "kafka", Config{URL: "kafka://app:hunter2@" + addr})
	testRoundTrip(t, tr, "t", false, Options{})
	tr.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err = Dial(ctx, "kafka", Config{URL: addr, Username: "app", Password: "hunter2-wrong"})
	testNoSecret(t, err, "hunter2")
}

func TestKafkaSeeds(t *testing.T) {
	seeds, user, pass, red, err := kafkaSeeds(Config{URL: "kafka-secure://u:p%40ss@a:9092, b:9093/"})
	if err != nil || len(seeds) != 2 || seeds[1] != "b:9093" || user != "u" || pass != "p@ss" || red != "kafka-secure://a:9092, b:9093" {
		t.Fatalf("kafkaSeeds = %v %q %q %q %v", seeds, user, pass, red, err)
	}
	if _, _, _, _, err := kafkaSeeds(Config{URL: "kafka://"}); err == nil {
		t.Fatal("no broker accepted")
	}
}
