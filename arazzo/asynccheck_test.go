package arazzo

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arazzo-go/arazzo/internal/testutil"
)

// The official AsyncAPI example validates without findings when a workflow
// uses it as the 1.1 spec's example does: send to placeOrder, receive its
// reply with the correlation id, or listen on the reply channel directly.
func TestPetAsyncAPIExampleValidates(t *testing.T) {
	pet := testutil.SharedDir(t, "arazzo-spec", "examples", "1.1.0", "pet-asyncapi.yaml")
	doc := `arazzo: 1.1.0
info: {title: pet purchase, version: 1.0.0}
sourceDescriptions:
  - name: asyncOrderApiDescription
    url: ` + filepath.ToSlash(pet) + `
    type: asyncapi
workflows:
  - workflowId: purchasePet
    inputs:
      type: object
      properties:
        orderCorrelationId: {type: string}
        petId: {type: integer}
    steps:
      - stepId: purchasePetStep
        operationId: $sourceDescriptions.asyncOrderApiDescription.placeOrder
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
        operationId: $sourceDescriptions.asyncOrderApiDescription.placeOrder
        correlationId: $inputs.orderCorrelationId
        timeout: 6000
        action: receive
        dependsOn: [purchasePetStep]
        outputs:
          orderId: $message.payload#/orderId
      - stepId: confirmOnChannel
        channelPath: '{$sourceDescriptions.asyncOrderApiDescription.url}#/channels/confirm-order'
        correlationId: $inputs.orderCorrelationId
        action: receive
    outputs:
      orderId: $steps.confirmPetPurchaseStep.outputs.orderId
`
	f := filepath.Join(t.TempDir(), "pet.arazzo.yaml")
	if err := os.WriteFile(f, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	d, ds, err := Load(context.Background(), f, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 0 {
		t.Fatalf("findings on the official example:\n%s", ds)
	}
	src := d.Source("asyncOrderApiDescription")
	if src.AsyncAPI == nil || src.AsyncAPI.Major != 3 {
		t.Fatalf("source not loaded: %+v", src)
	}
	// The same workflow with the send step's payload misspelt and the
	// correlation id of the reply dropped.
	bad := strings.NewReplacer("petId: $inputs.petId", "petID: $inputs.petId",
		"        correlationId: $inputs.orderCorrelationId\n        timeout", "        timeout").Replace(doc)
	if err := os.WriteFile(f, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	_, ds, _ = Load(context.Background(), f, LoadOptions{})
	var rules []string
	for _, d := range ds {
		rules = append(rules, d.Rule)
	}
	want := []string{RuleAsyncPayloadMember, RuleAsyncCorrelationID}
	if strings.Join(rules, " ") != strings.Join(want, " ") {
		t.Fatalf("rules %v, want %v:\n%s", rules, want, ds)
	}
}
