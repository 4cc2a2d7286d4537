package runtime_test

import (
	"strings"
	"testing"
	"time"

	"github.com/arazzo-go/arazzo/runtime"
)

func TestBindingRules(t *testing.T) {
	tests := []ruleCase{
		{
			name: "operationPath binds by JSON Pointer",
			doc: mainSteps + `
      - stepId: get
        operationPath: '{$sourceDescriptions.api.url}#/paths/~1items~1{id}/get'
        parameters: [{name: id, in: path, value: p1}]
        successCriteria: [{condition: $statusCode == 200}]
        outputs: {method: $method, url: $url}
    outputs: {method: $steps.get.outputs.method}
`,
			status: runtime.Succeeded, outputs: `{"method":"GET"}`,
			check: func(t *testing.T, res *runtime.Result, reqs []*recordedRequest) {
				if !strings.HasSuffix(reqs[0].URL, "/items/p1") || res.Steps[0].Operation != "getItem" {
					t.Errorf("request %s, operation %q", reqs[0].URL, res.Steps[0].Operation)
				}
			},
		},
		{
			name: "qualified operationId",
			doc: mainSteps + `
      - stepId: get
        operationId: $sourceDescriptions.api.getJob
        parameters: [{name: id, in: path, value: q1}]
`,
			status: runtime.Succeeded, trace: "get:next",
		},
		{
			name: "workflow in an arazzo source with its own components",
			doc: `  - {name: child, url: ./child.arazzo.yaml, type: arazzo}
workflows:
  - workflowId: main
    steps:
      - stepId: call
        workflowId: $sourceDescriptions.child.fetchJob
        parameters: [{name: tag, value: t1}]
        outputs: {state: $outputs.state, tag: $outputs.tag}
    outputs: {state: $steps.call.outputs.state, tag: $steps.call.outputs.tag}
`,
			script: map[string][]answer{"getJob": {{body: `{"state":"ok"}`}}},
			status: runtime.Succeeded, trace: "job:next call:next", outputs: `{"state":"ok","tag":"t1"}`,
			check: func(t *testing.T, res *runtime.Result, reqs []*recordedRequest) {
				if !strings.HasSuffix(reqs[0].URL, "/jobs/from-child-component") {
					t.Errorf("child component not used: %s", reqs[0].URL)
				}
			},
		},
		{
			name: "poll pacing doubles and resets when the loop exits",
			doc: mainSteps + `
      - stepId: pollItem
        operationId: getItem
        parameters: [{name: id, in: path, value: "1"}]
        onSuccess: [{name: itemBusy, type: goto, stepId: pollItem, criteria: [{condition: $response.body#/busy == true}]}]
      - stepId: pollJob
        operationId: getJob
        parameters: [{name: id, in: path, value: "1"}]
        onSuccess: [{name: jobBusy, type: goto, stepId: pollJob, criteria: [{condition: $response.body#/busy == true}]}]
`,
			script: map[string][]answer{
				"getItem": {{body: `{"busy":true}`}, {body: `{"busy":true}`}, {body: `{"busy":true}`}, {body: `{"busy":false}`}},
				"getJob":  {{body: `{"busy":true}`}, {body: `{"busy":true}`}, {body: `{"busy":false}`}},
			},
			opts:   func(o *runtime.Options) { o.LoopDelay = 0; o.MaxLoopDelay = 3 * time.Second },
			status: runtime.Succeeded,
			waits:  []time.Duration{time.Second, 2 * time.Second, 3 * time.Second, time.Second, 2 * time.Second},
		},
		{
			name:   "response body over the cap fails the step",
			doc:    mainSteps + getOK,
			script: map[string][]answer{"getItem": {{body: `{"pad":"` + strings.Repeat("x", 200) + `"}`}}},
			opts:   func(o *runtime.Options) { o.MaxBodyBytes = 100 },
			status: runtime.Failed, trace: "get:fail", errHas: "larger than 100 bytes",
		},
		{
			name: "xml responses are read as text by xpath and regex criteria",
			doc: mainSteps + `
      - stepId: get
        operationId: getItem
        parameters: [{name: id, in: path, value: "1"}]
        successCriteria:
          - {context: $response.body, condition: "/item/state = 'ok'", type: xpath}
          - {context: $response.header.content-type, condition: "^application/xml", type: regex}
        outputs: {raw: $response.body}
    outputs: {raw: $steps.get.outputs.raw}
`,
			script: map[string][]answer{"getItem": {{headers: map[string]string{"Content-Type": "application/xml"}, body: "<item><state>ok</state></item>"}}},
			status: runtime.Succeeded, outputs: `{"raw":"<item><state>ok</state></item>"}`,
		},
		{
			name: "response headers are read case-insensitively",
			doc: mainSteps + `
      - stepId: get
        operationId: getItem
        parameters: [{name: id, in: path, value: "1"}]
        successCriteria: [{condition: $response.header.x-request-id == 'R1'}]
        outputs: {id: $response.header.X-REQUEST-ID}
    outputs: {id: $steps.get.outputs.id}
`,
			script: map[string][]answer{"getItem": {{headers: map[string]string{"X-Request-Id": "r1"}}}},
			status: runtime.Succeeded, outputs: `{"id":"r1"}`,
		},
	}
	runRuleCases(t, tests)
}

func TestNewReportsBindingErrors(t *testing.T) {
	requireEngineDeps(t)
	doc := loadDoc(t, "testdata/rules/bind.arazzo.yaml", rulesHeader+mainSteps+`
      - stepId: get
        operationId: getItem
        parameters: [{name: id, in: path, value: "1"}]
`)
	// Break the bound model after loading, as a hand-built document could be.
	doc.Workflows[0].Steps[0].OperationID = "noSuchOperation"
	_, err := runtime.New(doc, runtime.Options{StrictDocument: true})
	if err == nil || !strings.Contains(err.Error(), `operationId "noSuchOperation" not found`) {
		t.Errorf("strict New error = %v", err)
	}
	// By default the step fails when it is reached, with the binding
	// failure as its error, and no request is sent.
	eng, err := runtime.New(doc, runtime.Options{Transport: failingTransport(t)})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	res, err := eng.Run(t.Context(), "main", nil)
	if err != nil && res == nil {
		t.Fatalf("Run: %v", err)
	}
	if res.Status != runtime.Failed || len(res.Steps) != 1 || !strings.Contains(res.Steps[0].Error, `operationId "noSuchOperation" not found`) ||
		!strings.Contains(res.Steps[0].Error, "[step-not-runnable]") {
		t.Errorf("status %s, steps %+v", res.Status, res.Steps)
	}
	if _, err := runtime.New(nil, runtime.Options{}); err == nil {
		t.Error("New(nil) succeeded")
	}
}
