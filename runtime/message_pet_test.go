package runtime_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/arazzo-go/arazzo/arazzo"
	"github.com/arazzo-go/arazzo/runtime"
	"github.com/arazzo-go/arazzo/runtime/broker"
)

// petPurchase is the purchase flow of the 1.1 spec's example, written
// against the official pet-asyncapi.yaml: send placeOrder, receive its
// reply correlated by the orderRequestId header.
const petPurchase = `arazzo: 1.1.0
info: {title: Pet purchase over Kafka, version: 1.0.0}
sourceDescriptions:
  - name: asyncOrderApiDescription
    url: ./pet-asyncapi.yaml
    type: asyncapi
workflows:
  - workflowId: purchasePet
    inputs:
      type: object
      required: [orderCorrelationId, petId]
      properties:
        orderCorrelationId: {type: string}
        petId: {type: integer}
    steps:
      - stepId: purchasePetStep
        operationId: placeOrder
        action: send
        parameters:
          - name: orderRequestId
            in: header
            value: $inputs.orderCorrelationId
        requestBody:
          contentType: application/json
          payload:
            petId: $inputs.petId
      - stepId: confirmPetPurchaseStep
        operationId: placeOrder
        action: receive
        correlationId: $inputs.orderCorrelationId
        timeout: 6000
        outputs:
          orderId: $message.payload#/orderId
    outputs:
      orderId: $steps.confirmPetPurchaseStep.outputs.orderId
`

// TestOfficialPetAsyncAPIRunsOverKafka: the official example description
// validates and its purchase flow runs through the engine over an
// in-process Kafka with a small responder.
func TestOfficialPetAsyncAPIRunsOverKafka(t *testing.T) {
	requireEngineDeps(t)
	spec, err := os.ReadFile("../../shared/arazzo-spec/examples/1.1.0/pet-asyncapi.yaml")
	if err != nil {
		t.Skipf("the official examples are not beside the project (../shared/arazzo-spec): %v", err)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "pet-asyncapi.yaml"), spec, 0o600)
	os.WriteFile(filepath.Join(dir, "purchase.arazzo.yaml"), []byte(petPurchase), 0o600)
	ctx := context.Background()
	doc, ds, err := arazzo.Load(ctx, filepath.Join(dir, "purchase.arazzo.yaml"), arazzo.LoadOptions{})
	if err != nil || ds.HasErrors() {
		t.Fatalf("%v\n%v", err, ds)
	}
	for _, d := range ds {
		t.Logf("diagnostic: %s", d.Msg)
	}
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "place-order", "confirm-order"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	dial := func() broker.Transport {
		tr, err := broker.Dial(ctx, "kafka", broker.Config{URL: "kafka://" + c.ListenAddrs()[0]})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { tr.Close() })
		return tr
	}
	// The pet store: answers each order on confirm-order.
	store := dial()
	in, err := store.Subscribe(ctx, broker.Subscription{Address: "place-order"})
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			m, err := in.Receive(context.Background())
			if err != nil {
				return
			}
			var order struct{ PetID int }
			json.Unmarshal(m.Payload, &order)
			store.Publish(context.Background(), broker.Message{Address: "confirm-order",
				Headers: map[string]string{"orderRequestId": m.Headers["orderRequestId"]},
				Payload: []byte(fmt.Sprintf(`{"orderId":%d}`, order.PetID*100))})
		}
	}()
	eng, err := runtime.New(doc, runtime.Options{Brokers: map[string]broker.Transport{"asyncOrderApiDescription": dial()}})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 5; i++ {
		res, err := eng.Run(ctx, "purchasePet", map[string]any{"orderCorrelationId": fmt.Sprint("order-", i), "petId": i})
		if err != nil {
			t.Fatalf("run %d: %v %+v", i, err, res)
		}
		if got := res.Outputs["orderId"]; got != float64(i*100) {
			t.Errorf("run %d: orderId %v, want %d", i, got, i*100)
		}
	}
}
