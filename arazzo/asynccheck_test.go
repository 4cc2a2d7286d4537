package arazzo

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
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

// A remote AsyncAPI description is read with --allow-remote, and one that
// names a local file is refused whole, as for OpenAPI sources.
func TestRemoteAsyncAPISource(t *testing.T) {
	local := filepath.Join(t.TempDir(), "secret.yaml")
	if err := os.WriteFile(local, []byte("M: {payload: {type: object}}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	api := "asyncapi: 3.0.0\nchannels:\n  c:\n    address: c\n    messages:\n      m: {$ref: 'REF#/M'}\noperations:\n  listen: {action: send, channel: {$ref: '#/channels/c'}}\n"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/good.yaml":
			_, _ = w.Write([]byte(strings.Replace(api, "REF", "msgs.yaml", 1)))
		case "/msgs.yaml":
			_, _ = w.Write([]byte("M: {payload: {type: object}}\n"))
		case "/bad.yaml":
			_, _ = w.Write([]byte(strings.Replace(api, "REF", "file://"+filepath.ToSlash(local), 1)))
		}
	}))
	defer srv.Close()
	for _, c := range []struct{ file, rule string }{{"good.yaml", ""}, {"bad.yaml", RuleRemoteLocalSource}} {
		doc := "arazzo: 1.1.0\ninfo: {title: t, version: '1'}\nsourceDescriptions:\n  - {name: events, url: '" + srv.URL + "/" + c.file + "', type: asyncapi}\n" +
			"workflows:\n  - workflowId: w\n    steps:\n      - {stepId: s, operationId: listen, action: receive}\n"
		d, ds := LoadBytes(context.Background(), "local.arazzo.yaml", []byte(doc), LoadOptions{AllowRemote: true})
		var rules []string
		for _, x := range ds {
			rules = append(rules, x.Rule)
		}
		if strings.Join(rules, " ") != c.rule {
			t.Errorf("%s: rules %v, want %q:\n%s", c.file, rules, c.rule, ds)
		}
		if got := d.Source("events").AsyncAPI != nil; got != (c.rule == "") {
			t.Errorf("%s: AsyncAPI loaded = %v", c.file, got)
		}
	}
}

// A bare operationId with an action is looked up in every AsyncAPI source,
// and the "did you mean" comes from all of them.
func TestBareAsyncOperationIDNotFound(t *testing.T) {
	doc := `arazzo: 1.1.0
info: {title: t, version: '1'}
sourceDescriptions:
  - {name: kitchen, url: ./orders.asyncapi.yaml, type: asyncapi}
  - {name: deliveries, url: ./deliveries.asyncapi-2.6.yaml}
  - {name: pets, url: ./petstore.openapi.yaml}
workflows:
  - workflowId: w
    steps:
      - {stepId: s, operationId: requestDelivry, action: send}
      - {stepId: h, operationId: listPetz}
`
	_, ds := LoadBytes(context.Background(), "testdata/validate/x.arazzo.yaml", []byte(doc), LoadOptions{})
	var got []string
	for _, d := range ds {
		got = append(got, d.Rule+": "+d.Msg)
	}
	want := []string{
		`async-operation-not-found: operationId "requestDelivry" not found in the AsyncAPI sources (kitchen, deliveries); did you mean "requestDelivery"?`,
		`operation-not-found: operationId "listPetz" not found; did you mean "listPets"?`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// The async steps of the 1.1 spec's inline example, which write
// operationIds as operationPaths and receive on "confirmOrder", an
// operation pet-asyncapi.yaml does not have (its confirmation is the reply
// of placeOrder): errors with fixes, and the steps are still checked.
func TestSpecInlineAsyncExample(t *testing.T) {
	pet := testutil.SharedDir(t, "arazzo-spec", "examples", "1.1.0", "pet-asyncapi.yaml")
	doc := `arazzo: 1.1.0
info: {title: inline example, version: 1.0.1}
sourceDescriptions:
- name: asyncOrderApiDescription
  url: ` + filepath.ToSlash(pet) + `
  type: asyncapi
workflows:
- workflowId: loginUserAndRetrievePet
  inputs:
    type: object
    properties:
      orderCorrelationId: {type: string}
  steps:
  - stepId: purchasePetStep
    operationPath: $sourceDescriptions.asyncOrderApiDescription.placeOrder
    action: send
    parameters:
    - name: orderCorrelationId
      in: header
      value: $inputs.orderCorrelationId
    requestBody:
      contentType: application/json
      payload:
        petId: 1
  - stepId: confirmPetPurchaseStep
    operationPath: $sourceDescriptions.asyncOrderApiDescription.confirmOrder
    correlationId: $inputs.orderCorrelationId
    timeout: 6000
    action: receive
    outputs:
      orderId: $message.payload#/orderId
`
	_, ds := LoadBytes(context.Background(), filepath.Join(t.TempDir(), "inline.arazzo.yaml"), []byte(doc), LoadOptions{})
	var got []string
	for _, d := range ds {
		got = append(got, fmt.Sprintf("%d %s %s", d.Pos.Line, d.Rule, d.Fix))
	}
	want := []string{
		"15 invalid-operation-path operationId: $sourceDescriptions.asyncOrderApiDescription.placeOrder",
		// The example sets header orderCorrelationId; the message's
		// correlationId and headers schema say orderRequestId.
		"16 async-correlation-id parameters: [{name: orderRequestId, in: header, value: $inputs.<correlation id>}]",
		"18 async-payload-member name: orderRequestId",
		"26 async-operation-not-found operationId: $sourceDescriptions.asyncOrderApiDescription.placeOrder",
		"26 invalid-operation-path operationId: $sourceDescriptions.asyncOrderApiDescription.confirmOrder",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"), ds)
	}
}
