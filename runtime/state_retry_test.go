package runtime_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/arazzo-go/arazzo/runtime"
)

// TestStateAndRetryEdgeRules covers notes §8.1, §8.5 and §9 rules that the
// other tables leave out: what a re-entered step leaves in $steps, outputs
// of failed attempts, and how the retry budget and referenced steps behave.
func TestStateAndRetryEdgeRules(t *testing.T) {
	s500 := answer{status: 500, body: `{"v":"failed"}`}
	tests := []ruleCase{
		{
			name: "a re-entered step overwrites its outputs",
			doc: mainSteps + `
      - stepId: poll
        operationId: getJob
        parameters: [{name: id, in: path, value: j}]
        outputs: {state: $response.body#/state}
        onSuccess: [{name: again, type: goto, stepId: poll, criteria: [{condition: $response.body#/state != 'done'}]}]
      - stepId: use
        operationId: getItem
        parameters: [{name: id, in: path, value: $steps.poll.outputs.state}]
    outputs: {state: $steps.poll.outputs.state}
`,
			script: map[string][]answer{"getJob": {{body: `{"state":"busy"}`}, {body: `{"state":"done"}`}}},
			status: runtime.Succeeded, trace: "poll:goto poll poll:next use:next", outputs: `{"state":"done"}`,
			check: func(t *testing.T, _ *runtime.Result, reqs []*recordedRequest) {
				if reqs[2].URL != "/v1/items/done" {
					t.Errorf("later step saw %s, want the re-entered step's latest output", reqs[2].URL)
				}
			},
		},
		{
			name: "a failed attempt sets no step outputs",
			doc: mainSteps + getOK + `        outputs: {v: $response.body#/v}
        onFailure: [{name: onward, type: goto, stepId: next}]
      - stepId: next
        operationId: getJob
        parameters: [{name: id, in: path, value: j}]
    outputs: {v: $steps.get.outputs.v}
`,
			script: map[string][]answer{"getItem": {s500}},
			status: runtime.Succeeded, trace: "get:goto next next:next", outputs: `{"v":null}`,
		},
		{
			name: "a step that succeeded then fails on re-entry keeps no stale outputs",
			doc: mainSteps + getOK + `        outputs: {v: $response.body#/v}
        onSuccess: [{name: again, type: goto, stepId: get}]
        onFailure: [{name: stop, type: end}]
    outputs: {v: $steps.get.outputs.v}
`,
			script: map[string][]answer{"getItem": {{body: `{"v":"first"}`}, s500}},
			status: runtime.Failed, trace: "get:goto get get:end", outputs: `{"v":null}`,
		},
		{
			name: "retry budget resets when the step succeeds",
			doc: mainSteps + getOK + `        onSuccess: [{name: loop, type: goto, stepId: get, criteria: [{condition: $response.body#/more == true}]}]
        onFailure: [{name: again, type: retry, retryLimit: 1}]
`,
			script: map[string][]answer{"getItem": {s500, {body: `{"more":true}`}, s500, {body: `{"more":false}`}}},
			status: runtime.Succeeded, trace: "get:retry get:goto get get:retry get:next",
		},
		{
			name: "retry with stepId runs the step but not its actions",
			doc: mainSteps + `
      - stepId: login
        operationId: refreshToken
        outputs: {token: $response.body#/token}
        onSuccess: [{name: leave, type: goto, stepId: job, criteria: [{condition: $response.body#/token == 't2'}]}]
      - stepId: get
        operationId: getItem
        parameters: [{name: id, in: path, value: "1"}]
        successCriteria: [{condition: $statusCode == 200}]
        onFailure: [{name: relogin, type: retry, stepId: login}]
      - stepId: job
        operationId: getJob
        parameters: [{name: id, in: path, value: $steps.login.outputs.token}]
`,
			script: map[string][]answer{"refreshToken": {{body: `{"token":"t1"}`}, {body: `{"token":"t2"}`}}, "getItem": {{status: 401}, {body: `{}`}}},
			status: runtime.Succeeded, trace: "login:next get:retry login:return get:next job:next",
		},
		{
			name: "exhausted retry with no later action fails the workflow",
			doc: mainSteps + getOK + `        onFailure: [{name: again, type: retry, retryLimit: 2}]
      - stepId: never
        operationId: getJob
        parameters: [{name: id, in: path, value: j}]
`,
			script: map[string][]answer{"getItem": {s500}},
			status: runtime.Failed, trace: "get:retry get:retry get:fail",
		},
		{
			name: "workflow retry action is merged by name and overridden by the step",
			doc: `workflows:
  - workflowId: main
    failureActions:
      - {name: again, type: retry, retryLimit: 5}
      - {name: giveUp, type: end}
    steps:
      - stepId: get
        operationId: getItem
        parameters: [{name: id, in: path, value: "1"}]
        successCriteria: [{condition: $statusCode == 200}]
        onFailure: [{name: again, type: retry, retryLimit: 1}]
`,
			script: map[string][]answer{"getItem": {s500}},
			status: runtime.Failed, trace: "get:retry get:end",
		},
		{
			name: "end in a nested workflow after failure fails the parent step",
			doc: mainSteps + `
      - stepId: call
        workflowId: child
        onFailure: [{name: recover, type: goto, stepId: after}]
      - stepId: skipped
        operationId: createItem
      - stepId: after
        operationId: getJob
        parameters: [{name: id, in: path, value: j}]
  - workflowId: child
    steps:
      - stepId: get
        operationId: getItem
        parameters: [{name: id, in: path, value: "1"}]
        successCriteria: [{condition: $statusCode == 200}]
        onFailure: [{name: stop, type: end}]
`,
			script: map[string][]answer{"getItem": {s500}},
			status: runtime.Succeeded, trace: "get:end call:goto after after:next",
		},
		{
			name: "retry with a workflowId whose inputs are invalid fails clearly",
			doc: mainSteps + getOK + `        onFailure: [{name: refreshFirst, type: retry, workflowId: refresh}]
  - workflowId: refresh
    inputs: {type: object, properties: {scope: {type: string}}, required: [scope]}
    steps:
      - stepId: token
        operationId: refreshToken
`,
			script: map[string][]answer{"getItem": {{status: 401}, {body: `{}`}}},
			status: runtime.Failed, trace: "get:retry", errHas: "retry refreshFirst: workflow refresh",
		},
		{
			name: "workflow parameters with in do not reach a workflow step",
			doc: `workflows:
  - workflowId: main
    parameters:
      - {name: X-Trace, in: header, value: parent}
    steps:
      - stepId: call
        workflowId: child
        parameters: [{name: itemId, value: "9"}]
        outputs: {seen: $outputs.seen}
    outputs: {seen: $steps.call.outputs.seen}
  - workflowId: child
    inputs: {type: object, properties: {itemId: {type: string}}, additionalProperties: false}
    steps:
      - stepId: get
        operationId: getItem
        parameters: [{name: id, in: path, value: $inputs.itemId}]
    outputs: {seen: $inputs.itemId}
`,
			status: runtime.Succeeded, outputs: `{"seen":"9"}`,
			check: func(t *testing.T, _ *runtime.Result, reqs []*recordedRequest) {
				if reqs[0].URL != "/v1/items/9" || reqs[0].Header.Get("X-Trace") != "" {
					t.Errorf("child request %s X-Trace=%q", reqs[0].URL, reqs[0].Header.Get("X-Trace"))
				}
			},
		},
		{
			name: "the guard message counts one re-entry in the singular",
			doc: mainSteps + `
      - stepId: spin
        operationId: getJob
        parameters: [{name: id, in: path, value: j}]
        onSuccess: [{name: again, type: goto, stepId: spin}]
`,
			opts:   func(o *runtime.Options) { o.MaxSteps = 1 },
			status: runtime.Aborted, errHas: "step spin re-entered 1 time via goto again: stopped after 1 step execution (",
		},
		{
			name: "a value passed to a nested workflow's secret input is redacted",
			doc: mainSteps + `
      - stepId: login
        operationId: refreshToken
        outputs: {t: $response.body#/t}
      - stepId: call
        workflowId: child
        parameters: [{name: authToken, value: $steps.login.outputs.t}]
  - workflowId: child
    inputs: {type: object, properties: {authToken: {type: string}}}
    steps:
      - stepId: get
        operationId: getItem
        parameters:
          - {name: id, in: path, value: "1"}
          - {name: X-Trace, in: header, value: "via {$inputs.authToken}"}
`,
			script: map[string][]answer{"refreshToken": {{body: `{"t":"minted-9f8e7d"}`}}},
			status: runtime.Succeeded,
			check: func(t *testing.T, res *runtime.Result, reqs []*recordedRequest) {
				if reqs[1].Header.Get("X-Trace") != "via minted-9f8e7d" {
					t.Fatalf("sent X-Trace %q", reqs[1].Header.Get("X-Trace"))
				}
				// Also the login step's response and outputs, recorded
				// before the value became a secret input.
				if b, _ := json.Marshal(res); strings.Contains(string(b), "minted-9f8e7d") {
					t.Errorf("the nested secret input shows in the result: %s", b)
				}
			},
		},
	}
	runRuleCases(t, tests)
}
