package runtime_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arazzo-go/arazzo/arazzo"
	"github.com/arazzo-go/arazzo/runtime"
)

const contractOpenAPI = `openapi: 3.0.3
info: {title: pets, version: "1"}
servers: [{url: "http://pets.invalid"}]
paths:
  /pets/{id}:
    get:
      operationId: getPet
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        '200':
          description: a pet
          content:
            application/json:
              schema:
                type: object
                required: [id, status]
                properties:
                  id: {type: string}
                  status: {type: string, enum: [available, sold]}
`

const contractArazzo = `arazzo: 1.0.1
info: {title: pets, version: "1"}
sourceDescriptions:
  - {name: pets, url: ./openapi.yaml, type: openapi}
workflows:
  - workflowId: twoPets
    steps:
      - stepId: first
        operationId: getPet
        parameters: [{name: id, in: path, value: good}]
        successCriteria: [{condition: $statusCode == 200}]
        outputs: {status: $response.body#/status}
      - stepId: second
        operationId: getPet
        parameters: [{name: id, in: path, value: bad}]
        successCriteria: [{condition: $statusCode == 200}]
        outputs: {status: $response.body#/status}
    outputs:
      first: $steps.first.outputs.status
      second: $steps.second.outputs.status
`

func writeContractDoc(t *testing.T) *arazzo.Document {
	t.Helper()
	requireEngineDeps(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "openapi.yaml"), []byte(contractOpenAPI), 0o600); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "pets.arazzo.yaml")
	if err := os.WriteFile(file, []byte(contractArazzo), 0o600); err != nil {
		t.Fatal(err)
	}
	doc, ds, err := arazzo.Load(context.Background(), file, arazzo.LoadOptions{})
	if err != nil || doc == nil || ds.HasErrors() {
		t.Fatalf("load: %v %v", err, ds)
	}
	return doc
}

// A response that breaks its operation's schema is listed on its attempt,
// without quoting the value, the step still succeeds (a warning), and the
// engine still reads the whole body; a conforming response reached through
// a redirect has no entries (the final answer is checked, not the 302).
func TestContractCheck(t *testing.T) {
	doc := writeContractDoc(t)
	const secret = "tok_0123456789secret"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/pets/good":
			http.Redirect(w, r, "/final/good", http.StatusFound)
		case "/final/good":
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"id":"good","status":"sold"}`))
		default:
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"id":{"token":"` + secret + `"},"status":"` + secret + `"}`))
		}
	}))
	defer srv.Close()
	cc := runtime.NewContractCheck(doc)
	var seen []string
	eng, err := runtime.New(doc, runtime.Options{
		Servers:   map[string]string{"pets": srv.URL},
		Transport: cc.Transport(nil),
		Observer: cc.Observer(runtime.ObserverFunc(func(ev runtime.Event) {
			if ev.Kind == runtime.EventStepFinished {
				seen = append(seen, ev.StepID+":"+string(rune('0'+len(ev.Attempt.Contract))))
			}
		})),
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := eng.Run(context.Background(), "twoPets", nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != runtime.Succeeded {
		t.Fatalf("status %s: %s (violations are warnings, not failures)", res.Status, res.Error)
	}
	if res.Outputs["second"] != secret {
		t.Errorf("outputs %v: the engine did not get the body after the check read it", res.Outputs)
	}
	first, second := res.Steps[0], res.Steps[1]
	if len(first.Contract) != 0 {
		t.Errorf("first step (redirected to a conforming answer): %v, want none", first.Contract)
	}
	var pointers []string
	for _, v := range second.Contract {
		pointers = append(pointers, v.Pointer)
		if v.Schema != "/paths/~1pets~1{id}/get/responses/200/content/application~1json/schema" {
			t.Errorf("%v: schema location %q", v, v.Schema)
		}
	}
	if got := strings.Join(pointers, ","); !strings.Contains(got, "/id") || !strings.Contains(got, "/status") {
		t.Errorf("second step violations %v: want /id and /status", second.Contract)
	}
	if strings.Join(seen, " ") != "first:0 second:2" {
		t.Errorf("observer saw %v: the violations must be on the attempt by step-finished", seen)
	}
	js, _ := json.Marshal(res)
	if !strings.Contains(string(js), `"contract":[{"kind":"body","path":"/id"`) {
		t.Errorf("Result JSON has no contract entries:\n%s", js)
	}
	for _, v := range second.Contract {
		if strings.Contains(v.String(), secret) {
			t.Errorf("violation quotes the response: %s", v)
		}
	}
}

// Without a ContractCheck nothing is checked.
func TestContractCheckOff(t *testing.T) {
	doc := writeContractDoc(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("nope"))
	}))
	defer srv.Close()
	eng, err := runtime.New(doc, runtime.Options{Servers: map[string]string{"pets": srv.URL}})
	if err != nil {
		t.Fatal(err)
	}
	res, _ := eng.Run(context.Background(), "twoPets", nil)
	for _, a := range res.Steps {
		if a.Contract != nil {
			t.Errorf("%s: %v without a ContractCheck", a.StepID, a.Contract)
		}
	}
}
