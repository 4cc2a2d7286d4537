package arazzo

import (
	"context"
	"testing"
	"testing/fstest"
)

// TestAsyncAPISourceRefsReadFromFS: an AsyncAPI source loaded from an fs.FS
// follows its relative $refs in the same fs.FS, not on disk (where
// messages.yaml does not exist, so reading there would leave a problem and
// the message without its correlation id).
func TestAsyncAPISourceRefsReadFromFS(t *testing.T) {
	fsys := fstest.MapFS{
		"flows/events.arazzo.yaml": {Data: []byte(`arazzo: 1.1.0
info: {title: events, version: "1"}
sourceDescriptions:
  - {name: events, url: ../api/events.asyncapi.yaml, type: asyncapi}
workflows:
  - workflowId: await
    steps:
      - stepId: confirmation
        operationId: receiveConfirmation
        action: receive
        correlationId: abc
`)},
		"api/events.asyncapi.yaml": {Data: []byte(`asyncapi: 3.0.0
info: {title: events, version: "1"}
channels:
  confirmations:
    address: orders.confirmed
    messages:
      confirmed: {$ref: "./messages.yaml#/confirmed"}
operations:
  receiveConfirmation:
    action: receive
    channel: {$ref: "#/channels/confirmations"}
`)},
		"api/messages.yaml": {Data: []byte(`confirmed:
  contentType: application/json
  correlationId: {location: "$message.payload#/orderId"}
  payload: {type: object, properties: {orderId: {type: string}}}
`)},
	}
	doc, diags, err := Load(context.Background(), "flows/events.arazzo.yaml", LoadOptions{FS: fsys})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range diags {
		if d.Rule == RuleAsyncAPIProblem || d.Severity == SeverityError {
			t.Errorf("unexpected finding: %s", d)
		}
	}
	src := doc.Source("events")
	if src == nil || src.AsyncAPI == nil {
		t.Fatalf("source not loaded: %+v", src)
	}
	op, ok := src.AsyncAPI.Operation("receiveConfirmation")
	if !ok || len(op.Messages) != 1 {
		t.Fatalf("operation %+v", op)
	}
	if got := op.Messages[0].CorrelationID; got != "$message.payload#/orderId" {
		t.Errorf("correlation id %q: the $ref into messages.yaml was not read from the fs.FS", got)
	}
}
