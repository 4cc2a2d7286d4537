package runtime_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/arazzo-go/arazzo/arazzo"
	"github.com/arazzo-go/arazzo/runtime"
)

// failingTransport fails the test on any request: for runs that must be
// refused or must fail before sending anything.
func failingTransport(t *testing.T) http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		t.Errorf("unexpected request %s %s", r.Method, r.URL)
		return nil, errors.New("no request expected")
	})
}

// loadWithErrors loads a rules document that is expected to have errors.
func loadWithErrors(t *testing.T, name, src string) *arazzo.Document {
	t.Helper()
	requireEngineDeps(t)
	doc, ds := arazzo.LoadBytes(context.Background(), "testdata/rules/"+name+".arazzo.yaml", []byte(rulesHeader+src), arazzo.LoadOptions{})
	if doc == nil || !ds.HasErrors() {
		t.Fatalf("loading %s: want a document with errors, got %v", name, ds)
	}
	return doc
}

func rules(ds arazzo.Diagnostics) string {
	var r []string
	for _, d := range ds {
		r = append(r, d.Rule)
	}
	return strings.Join(r, ",")
}

// The three workflows of issue 11 §2: an error in the first must not stop
// the third, and an error in a step must stop only that step.
const threeWorkflows = `workflows:
  - workflowId: broken
    steps:
      - stepId: get
        operationId: getItem
        parameters: [{name: idd, in: path, value: "1"}]
  - workflowId: typo
    steps:
      - stepId: first
        operationId: getJob
        parameters: [{name: id, in: path, value: "j1"}]
        outputs: {state: $response.body#/state}
      - stepId: second
        operationId: getItem
        parameters: [{name: id, in: path, value: "1"}]
        outputs: {bad: $respons.body#/x}
        onFailure: [{name: recover, type: goto, stepId: fallback}]
      - stepId: never
        operationId: getItem
        parameters: [{name: id, in: path, value: "2"}]
        onSuccess: [{name: done, type: end}]
      - stepId: fallback
        operationId: getJob
        parameters: [{name: id, in: path, value: "fb"}]
    outputs: {state: $steps.first.outputs.state, bad: $steps.second.outputs.bad}
  - workflowId: fine
    steps:
      - stepId: get
        operationId: getJob
        parameters: [{name: id, in: path, value: "ok"}]
        outputs: {state: $response.body#/state}
    outputs: {state: $steps.get.outputs.state}
`

func TestErrorsInOtherWorkflowsDoNotStopARun(t *testing.T) {
	doc := loadWithErrors(t, "three-workflows", threeWorkflows)
	api, srv := newScriptedAPI(t, map[string][]answer{"getJob": {{body: `{"state":"ready"}`}}})
	eng, err := runtime.New(doc, runtime.Options{Servers: map[string]string{"api": srv.URL + "/v1"}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	p, err := eng.Problems("fine")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Refused) != 0 || len(p.Steps) != 0 || len(p.Elsewhere) < 2 {
		t.Fatalf("problems of fine: refused %v, steps %v, elsewhere %v", p.Refused, p.Steps, p.Elsewhere)
	}
	for _, d := range p.Elsewhere {
		if d.Severity != arazzo.SeverityWarning || !strings.Contains(d.Msg, "is not run") {
			t.Errorf("elsewhere: %s", d)
		}
	}
	res, err := eng.Run(t.Context(), "fine", nil)
	if err != nil && res == nil {
		t.Fatalf("Run: %v", err)
	}
	if res.Status != runtime.Succeeded || res.Outputs["state"] != "ready" || len(api.Requests()) != 1 {
		t.Errorf("status %s outputs %v requests %d", res.Status, res.Outputs, len(api.Requests()))
	}
}

func TestAStepWithAnErrorFailsWhenReached(t *testing.T) {
	doc := loadWithErrors(t, "step-error", threeWorkflows)
	api, srv := newScriptedAPI(t, map[string][]answer{"getJob": {{body: `{"state":"ready"}`}}})
	eng, err := runtime.New(doc, runtime.Options{Servers: map[string]string{"api": srv.URL + "/v1"}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	p, _ := eng.Problems("typo")
	if len(p.Refused) != 0 || rules(p.Steps) != "invalid-expression" {
		t.Fatalf("problems of typo: refused %v, steps %v", p.Refused, p.Steps)
	}
	if !strings.Contains(p.Steps[0].Msg, "step second of workflow typo fails if it is reached") {
		t.Errorf("step problem: %s", p.Steps[0])
	}
	res, err := eng.Run(t.Context(), "typo", nil)
	if err != nil && res == nil {
		t.Fatalf("Run: %v", err)
	}
	// first runs normally, second fails without a request and its
	// onFailure goto takes the run to fallback; never is skipped.
	if got := trace(res); got != "first:next second:goto fallback fallback:next" {
		t.Errorf("trace %s", got)
	}
	var ids []string
	for _, s := range res.Steps {
		ids = append(ids, s.StepID)
	}
	if strings.Join(ids, ",") != "first,second,fallback" {
		t.Errorf("steps run: %v", ids)
	}
	second := res.Steps[1]
	if second.Success || second.Request != nil || !strings.Contains(second.Error, "step-error.arazzo.yaml:20:24:") || !strings.Contains(second.Error, "[invalid-expression]") {
		t.Errorf("second: success %v request %v error %q", second.Success, second.Request, second.Error)
	}
	if len(api.Requests()) != 2 {
		t.Errorf("requests: %d, want 2 (first and fallback)", len(api.Requests()))
	}
	if res.Status != runtime.Succeeded || res.Outputs["state"] != "ready" || res.Outputs["bad"] != nil {
		t.Errorf("status %s (%s), outputs %v", res.Status, res.Error, res.Outputs)
	}
}

func TestErrorsInTheWorkflowItselfRefuseTheRun(t *testing.T) {
	doc := loadWithErrors(t, "refused", `workflows:
  - workflowId: main
    dependsOn: [nowhere]
    steps:
      - stepId: get
        operationId: getJob
        parameters: [{name: id, in: path, value: "1"}]
  - workflowId: caller
    steps:
      - stepId: call
        workflowId: missingWorkflow
  - workflowId: viaCall
    steps:
      - stepId: call
        workflowId: main
`)
	eng, err := runtime.New(doc, runtime.Options{Transport: failingTransport(t)})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	for _, wf := range []string{"main", "caller", "viaCall"} {
		_, err := eng.Run(t.Context(), wf, nil)
		var de *runtime.DocumentError
		if !errors.As(err, &de) || de.WorkflowID != wf || len(de.Diagnostics) == 0 {
			t.Errorf("Run(%s) error = %v, want a *DocumentError", wf, err)
			continue
		}
		if !strings.Contains(err.Error(), "refused.arazzo.yaml:") {
			t.Errorf("Run(%s) error does not name the position: %v", wf, err)
		}
	}
	if _, err := runtime.New(doc, runtime.Options{StrictDocument: true}); err == nil {
		t.Error("StrictDocument: New accepted a document with errors")
	}
}

func TestServerOptionTyposAreRefused(t *testing.T) {
	doc := loadDoc(t, "testdata/rules/servers.arazzo.yaml", rulesHeader+mainSteps+getOK)
	for _, tc := range []struct {
		name string
		opts runtime.Options
		want string
	}{
		{"unknown source in Servers", runtime.Options{Servers: map[string]string{"apj": "http://127.0.0.1:1"}}, `server override for "apj": no source description of that name; did you mean "api"?`},
		{"unknown source in ServerVars", runtime.Options{ServerVars: map[string]map[string]string{"ap": {"x": "y"}}}, `server variables for "ap"`},
		{"unknown variable", runtime.Options{ServerVars: map[string]map[string]string{"api": {"regoin": "eu"}}}, `server variable "regoin" of source "api": the source's servers declare no such variable (it declares none)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := runtime.New(doc, tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New error = %v, want %q", err, tc.want)
			}
		})
	}
	if _, err := runtime.New(doc, runtime.Options{Servers: map[string]string{"api": "http://127.0.0.1:1"}}); err != nil {
		t.Errorf("a known source was refused: %v", err)
	}
}
