package runtime_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/arazzo-go/arazzo/runtime"
)

// TestSelfAndDefaults covers $self (1.1) and input defaults reaching the wire.
func TestSelfAndDefaults(t *testing.T) {
	src := strings.Replace(rulesHeader, "info:", "$self: https://example.com/flows/self.arazzo.yaml\ninfo:", 1) + `workflows:
  - workflowId: main
    inputs:
      type: object
      properties:
        tag: {type: string, default: fallback}
    steps:
      - stepId: get
        operationId: getItem
        parameters:
          - {name: id, in: path, value: "1"}
          - {name: q, in: query, value: $inputs.tag}
        outputs: {self: $self}
    outputs: {self: $steps.get.outputs.self}
`
	doc := loadDoc(t, "testdata/rules/self.arazzo.yaml", src)
	api, srv := newScriptedAPI(t, nil)
	eng, err := runtime.New(doc, runtime.Options{Servers: map[string]string{"api": srv.URL + "/v1"}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := eng.Run(context.Background(), "main", nil)
	if err != nil || res.Status != runtime.Succeeded {
		t.Fatalf("%v %+v", err, res)
	}
	if res.Outputs["self"] != "https://example.com/flows/self.arazzo.yaml" {
		t.Errorf("$self = %v", res.Outputs["self"])
	}
	if u := api.Requests()[0].URL; !strings.Contains(u, "q=fallback") {
		t.Errorf("default input not sent: %s", u)
	}
	if res.Inputs["tag"] != "fallback" {
		t.Errorf("result inputs %v", res.Inputs)
	}
}

// TestEngineUsesTheGivenClient checks that Options.Client is used (and not
// modified) and that Transport replaces only the transport.
func TestEngineUsesTheGivenClient(t *testing.T) {
	doc := loadDoc(t, "testdata/rules/client.arazzo.yaml", rulesHeader+"workflows:\n  - workflowId: main\n    steps:"+getOK)
	_, srv := newScriptedAPI(t, nil)
	client := srv.Client()
	before := client.Transport
	calls := 0
	eng, err := runtime.New(doc, runtime.Options{
		Client:  client,
		Servers: map[string]string{"api": srv.URL + "/v1"},
		Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			calls++
			return before.RoundTrip(r)
		}),
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := eng.Run(context.Background(), "main", nil)
	if err != nil || res.Status != runtime.Succeeded || calls != 1 {
		t.Fatalf("%v %v calls=%d", err, res, calls)
	}
	if client.Transport != before {
		t.Error("New modified the caller's client")
	}
}
