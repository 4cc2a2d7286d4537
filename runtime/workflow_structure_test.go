package runtime_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/arazzo-go/arazzo/runtime"
)

func TestWorkflowStructureRules(t *testing.T) {
	s500 := answer{status: 500}
	tests := []ruleCase{
		{
			name: "workflow actions apply unless overridden by name",
			doc: `workflows:
  - workflowId: main
    successActions:
      - {name: finish, type: end, criteria: [{condition: $response.body#/done == true}]}
    failureActions:
      - {name: onError, type: goto, stepId: recover}
    steps:
      - stepId: first
        operationId: getItem
        parameters: [{name: id, in: path, value: "1"}]
      - stepId: second
        operationId: getItem
        parameters: [{name: id, in: path, value: "2"}]
        successCriteria: [{condition: $statusCode == 200}]
        onFailure: [{name: onError, type: end}]
      - stepId: recover
        operationId: getJob
        parameters: [{name: id, in: path, value: r}]
`,
			script: map[string][]answer{"getItem": {{body: `{"done":false}`}, s500}},
			// first: the workflow success action does not match -> next;
			// second fails: its own onError (end) overrides the workflow's goto.
			status: runtime.Failed, trace: "first:next second:end",
		},
		{
			name: "workflow failure action applies to every step",
			doc: `workflows:
  - workflowId: main
    failureActions:
      - {name: onError, type: goto, stepId: recover}
    steps:
      - stepId: first
        operationId: getItem
        parameters: [{name: id, in: path, value: "1"}]
        successCriteria: [{condition: $statusCode == 200}]
      - stepId: recover
        operationId: getJob
        parameters: [{name: id, in: path, value: r}]
        onSuccess: [{name: done, type: end}]
`,
			script: map[string][]answer{"getItem": {s500}},
			status: runtime.Succeeded, trace: "first:goto recover recover:end",
		},
		{
			name: "components parameters with value override and reusable actions",
			doc: `components:
  parameters:
    itemId: {name: id, in: path, value: default-id}
    trace: {name: X-Trace, in: header, value: from-component}
  failureActions:
    giveUp: {name: giveUp, type: end}
  successActions:
    stopHere: {name: stopHere, type: end}
workflows:
  - workflowId: main
    parameters:
      - reference: $components.parameters.trace
    steps:
      - stepId: get
        operationId: getItem
        parameters:
          - {reference: $components.parameters.itemId, value: overridden}
        successCriteria: [{condition: $statusCode == 200}]
        onSuccess: [{reference: $components.successActions.stopHere}]
        onFailure: [{reference: $components.failureActions.giveUp}]
      - stepId: notRun
        operationId: getJob
        parameters: [{name: id, in: path, value: x}]
`,
			status: runtime.Succeeded, trace: "get:end",
			check: func(t *testing.T, res *runtime.Result, reqs []*recordedRequest) {
				if !strings.HasSuffix(reqs[0].URL, "/items/overridden") || reqs[0].Header.Get("X-Trace") != "from-component" {
					t.Errorf("request %s %v", reqs[0].URL, reqs[0].Header)
				}
			},
		},
		{
			name: "step parameters override workflow parameters by name and in",
			doc: `workflows:
  - workflowId: main
    parameters:
      - {name: x-trace, in: header, value: workflow}
      - {name: q, in: query, value: wf}
    steps:
      - stepId: get
        operationId: getItem
        parameters:
          - {name: id, in: path, value: "1"}
          - {name: X-Trace, in: header, value: step}
`,
			status: runtime.Succeeded,
			check: func(t *testing.T, res *runtime.Result, reqs []*recordedRequest) {
				if got := reqs[0].Header.Values("X-Trace"); !reflect.DeepEqual(got, []string{"step"}) {
					t.Errorf("X-Trace = %q", got)
				}
				if !strings.Contains(reqs[0].URL, "q=wf") {
					t.Errorf("workflow parameter dropped: %s", reqs[0].URL)
				}
			},
		},
		{
			name: "nested workflow step with outputs",
			doc: mainSteps + `
      - stepId: call
        workflowId: child
        parameters: [{name: itemId, value: "7"}]
        outputs: {state: $outputs.state, also: $workflows.child.outputs.state}
      - stepId: after
        operationId: getJob
        parameters: [{name: id, in: path, value: $steps.call.outputs.state}]
    outputs: {state: $steps.call.outputs.state, also: $steps.call.outputs.also}
  - workflowId: child
    inputs: {type: object, properties: {itemId: {type: string}}, required: [itemId]}
    steps:
      - stepId: get
        operationId: getItem
        parameters: [{name: id, in: path, value: $inputs.itemId}]
        outputs: {state: $response.body#/state}
        onSuccess: [{name: early, type: end}]
      - stepId: unreachable
        operationId: createItem
    outputs: {state: $steps.get.outputs.state}
`,
			script: map[string][]answer{"getItem": {{body: `{"state":"ready"}`}}},
			status: runtime.Succeeded, trace: "get:end call:next after:next", outputs: `{"state":"ready","also":"ready"}`,
			check: func(t *testing.T, res *runtime.Result, reqs []*recordedRequest) {
				if !strings.HasSuffix(reqs[0].URL, "/items/7") || !strings.HasSuffix(reqs[1].URL, "/jobs/ready") {
					t.Errorf("requests %s %s", reqs[0].URL, reqs[1].URL)
				}
			},
		},
		{
			name: "nested workflow failure fails the step",
			doc: mainSteps + `
      - stepId: call
        workflowId: child
  - workflowId: child
    steps:
      - stepId: get
        operationId: getItem
        parameters: [{name: id, in: path, value: "1"}]
        successCriteria: [{condition: $statusCode == 200}]
`,
			script: map[string][]answer{"getItem": {s500}},
			status: runtime.Failed, trace: "get:fail call:fail", errHas: "workflow child failed",
		},
		{
			name: "nested workflow inputs are validated",
			doc: mainSteps + `
      - stepId: call
        workflowId: child
        parameters: [{name: n, value: notANumber}]
  - workflowId: child
    inputs: {type: object, properties: {n: {type: integer}}}
    steps:
      - stepId: get
        operationId: getItem
        parameters: [{name: id, in: path, value: "1"}]
`,
			status: runtime.Failed, trace: "call:fail", errHas: "invalid inputs for workflow child",
		},
		{
			name: "dependsOn runs each dependency once",
			doc: `workflows:
  - workflowId: main
    dependsOn: [a, b]
    steps:
      - stepId: get
        operationId: getItem
        parameters: [{name: id, in: path, value: $workflows.a.outputs.v}]
  - workflowId: a
    steps:
      - stepId: aJob
        operationId: getJob
        parameters: [{name: id, in: path, value: a}]
        outputs: {v: $response.body#/v}
    outputs: {v: $steps.aJob.outputs.v}
  - workflowId: b
    dependsOn: [a]
    steps:
      - stepId: bJob
        operationId: getJob
        parameters: [{name: id, in: path, value: b}]
`,
			script: map[string][]answer{"getJob": {{body: `{"v":"fromA"}`}}},
			status: runtime.Succeeded, trace: "aJob:next bJob:next get:next",
			check: func(t *testing.T, res *runtime.Result, reqs []*recordedRequest) {
				if !strings.HasSuffix(reqs[2].URL, "/items/fromA") {
					t.Errorf("main used %s", reqs[2].URL)
				}
			},
		},
		{
			name: "failed dependency fails the workflow",
			doc: `workflows:
  - workflowId: main
    dependsOn: [a]
    steps:
      - stepId: get
        operationId: getItem
        parameters: [{name: id, in: path, value: "1"}]
  - workflowId: a
    steps:
      - stepId: aJob
        operationId: getJob
        parameters: [{name: id, in: path, value: a}]
        successCriteria: [{condition: $statusCode == 200}]
`,
			script: map[string][]answer{"getJob": {s500}},
			status: runtime.Failed, trace: "aJob:fail", errHas: "depends on a, which failed",
		},
		{
			name: "step dependsOn orders steps",
			doc: mainSteps + `
      - stepId: second
        operationId: getItem
        dependsOn: [first]
        parameters: [{name: id, in: path, value: $steps.first.outputs.id}]
      - stepId: first
        operationId: getJob
        parameters: [{name: id, in: path, value: j}]
        outputs: {id: $response.body#/id}
`,
			script: map[string][]answer{"getJob": {{body: `{"id":"i9"}`}}},
			status: runtime.Succeeded, trace: "first:next second:next",
		},
		{
			name: "step timeout fails the attempt and allows retry",
			doc: mainSteps + `
      - stepId: get
        operationId: getItem
        timeout: 50
        parameters: [{name: id, in: path, value: "1"}]
        onFailure: [{name: again, type: retry}]
`,
			script: map[string][]answer{"getItem": {{delay: 2 * time.Second}, {body: `{}`}}},
			status: runtime.Succeeded, trace: "get:retry get:next",
			check: func(t *testing.T, res *runtime.Result, _ []*recordedRequest) {
				if !strings.Contains(res.Steps[0].Error, "timed out after 50ms") {
					t.Errorf("first attempt error %q", res.Steps[0].Error)
				}
			},
		},
		{
			name: "a workflow step's timeout fails the step, not the run",
			doc: mainSteps + `
      - stepId: call
        workflowId: slow
        timeout: 50
        onFailure: [{name: fallback, type: goto, stepId: after}]
      - stepId: after
        operationId: getJob
        parameters: [{name: id, in: path, value: j}]
  - workflowId: slow
    steps:
      - stepId: get
        operationId: getItem
        parameters: [{name: id, in: path, value: "1"}]
`,
			script: map[string][]answer{"getItem": {{delay: 2 * time.Second}}},
			status: runtime.Succeeded, trace: "get:abort call:goto after after:next",
			check: func(t *testing.T, res *runtime.Result, _ []*recordedRequest) {
				if !strings.Contains(res.Steps[1].Error, "timed out after 50ms") {
					t.Errorf("call error %q", res.Steps[1].Error)
				}
			},
		},
		{
			name:   "request timeout is a step failure",
			doc:    mainSteps + getOK,
			script: map[string][]answer{"getItem": {{delay: 2 * time.Second}}},
			opts:   func(o *runtime.Options) { o.RequestTimeout = 50 * time.Millisecond },
			status: runtime.Failed, trace: "get:fail", errHas: "no response within 50ms",
		},
		{
			name: "selectors in outputs and parameters",
			doc: mainSteps + `
      - stepId: get
        operationId: getItem
        parameters: [{name: id, in: path, value: "1"}]
        outputs:
          body: $response.body
          first:
            context: $response.body
            selector: $.items[0].name
            type: jsonpath
      - stepId: job
        operationId: getJob
        parameters:
          - name: id
            in: path
            value: {context: $steps.get.outputs.body, selector: /items/1/name, type: jsonpointer}
    outputs: {first: $steps.get.outputs.first}
`,
			script: map[string][]answer{"getItem": {{body: `{"items":[{"name":"a"},{"name":"b"}]}`}}},
			status: runtime.Succeeded, outputs: `{"first":"a"}`,
			check: func(t *testing.T, res *runtime.Result, reqs []*recordedRequest) {
				if !strings.HasSuffix(reqs[1].URL, "/jobs/b") {
					t.Errorf("selector parameter: %s", reqs[1].URL)
				}
			},
		},
		{
			name: "goto loop without criteria hits the step guard",
			doc: mainSteps + `
      - stepId: spin
        operationId: getItem
        parameters: [{name: id, in: path, value: "1"}]
        onSuccess: [{name: again, type: goto, stepId: spin}]
`,
			opts:   func(o *runtime.Options) { o.MaxSteps = 10 },
			status: runtime.Aborted, errHas: "step spin re-entered 10 times via goto again",
		},
		{
			name: "a two-step loop is named by the guard",
			doc: mainSteps + `
      - stepId: poll
        operationId: getItem
        parameters: [{name: id, in: path, value: "1"}]
      - stepId: check
        operationId: getJob
        parameters: [{name: id, in: path, value: "1"}]
        onSuccess: [{name: backToPoll, type: goto, stepId: poll}]
`,
			opts:   func(o *runtime.Options) { o.MaxSteps = 9 },
			status: runtime.Aborted, errHas: "step poll re-entered 4 times via goto backToPoll: stopped after 9 step executions",
		},
		{
			name: "recursive workflows hit the depth guard",
			doc: mainSteps + `
      - stepId: recurse
        workflowId: main
`,
			opts:   func(o *runtime.Options) { o.MaxDepth = 4 },
			status: runtime.Aborted, errHas: "nesting deeper than 4",
		},
	}
	runRuleCases(t, tests)
}
