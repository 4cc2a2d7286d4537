package runtime_test

import (
	"strings"
	"testing"
	"time"

	"github.com/arazzo-go/arazzo/runtime"
)

func TestActionAndRetryRules(t *testing.T) {
	s500 := answer{status: 500, body: `{"error":"boom"}`}
	s200 := answer{status: 200, body: `{"state":"ok"}`}
	tests := []ruleCase{
		{
			name: "no criteria succeeds on any status",
			doc: mainSteps + `
      - stepId: get
        operationId: getItem
        parameters: [{name: id, in: path, value: "1"}]
        outputs: {code: $statusCode}
    outputs: {code: $steps.get.outputs.code}
`,
			script: map[string][]answer{"getItem": {s500}},
			status: runtime.Succeeded, trace: "get:next", outputs: `{"code":500}`,
		},
		{
			name: "strict no criteria fails on non-2xx",
			doc: mainSteps + `
      - stepId: get
        operationId: getItem
        parameters: [{name: id, in: path, value: "1"}]
`,
			script: map[string][]answer{"getItem": {s500}},
			opts:   func(o *runtime.Options) { o.Strict = true },
			status: runtime.Failed, trace: "get:fail", errHas: "status 500",
		},
		{
			name:   "no failure action fails the workflow",
			doc:    mainSteps + getOK + "      - stepId: never\n        operationId: getJob\n        parameters: [{name: id, in: path, value: j}]\n",
			script: map[string][]answer{"getItem": {s500}},
			status: runtime.Failed, trace: "get:fail", errHas: "step get failed",
		},
		{
			name:   "retryLimit defaults to one retry",
			doc:    mainSteps + getOK + "        onFailure: [{name: again, type: retry}]\n",
			script: map[string][]answer{"getItem": {s500, s500, s200}},
			status: runtime.Failed, trace: "get:retry get:fail",
			check: func(t *testing.T, res *runtime.Result, reqs []*recordedRequest) {
				if res.Steps[1].Attempt != 2 {
					t.Errorf("second attempt numbered %d", res.Steps[1].Attempt)
				}
			},
		},
		{
			name:   "retryLimit counts retries",
			doc:    mainSteps + getOK + "        onFailure: [{name: again, type: retry, retryLimit: 3, retryAfter: 1.5}]\n",
			script: map[string][]answer{"getItem": {s500, s500, s200}},
			status: runtime.Succeeded, trace: "get:retry get:retry get:next",
			waits: []time.Duration{1500 * time.Millisecond, 1500 * time.Millisecond},
		},
		{
			name:   "retryLimit zero means no retry",
			doc:    mainSteps + getOK + "        onFailure: [{name: again, type: retry, retryLimit: 0}]\n",
			script: map[string][]answer{"getItem": {s500, s200}},
			status: runtime.Failed, trace: "get:fail",
		},
		{
			name: "exhausted retry falls through to later failure actions",
			doc: mainSteps + getOK + `        onFailure:
          - {name: again, type: retry, retryLimit: 2}
          - {name: fallback, type: goto, stepId: job}
      - stepId: skipped
        operationId: createItem
      - stepId: job
        operationId: getJob
        parameters: [{name: id, in: path, value: j1}]
`,
			script: map[string][]answer{"getItem": {s500}},
			status: runtime.Succeeded, trace: "get:retry get:retry get:goto job job:next",
		},
		{
			name: "retry budget resets when goto re-enters the step",
			doc: mainSteps + getOK + `        onFailure:
          - {name: again, type: retry}
          - {name: elsewhere, type: goto, stepId: job}
      - stepId: job
        operationId: getJob
        parameters: [{name: id, in: path, value: j1}]
        onSuccess: [{name: back, type: goto, stepId: get, criteria: [{condition: $response.body#/more == true}]}]
`,
			script: map[string][]answer{"getItem": {s500}, "getJob": {{body: `{"more":true}`}, {body: `{"more":false}`}}},
			status: runtime.Succeeded,
			trace:  "get:retry get:goto job job:goto get get:retry get:goto job job:next",
		},
		{
			name:   "Retry-After seconds overrides retryAfter",
			doc:    mainSteps + getOK + "        onFailure: [{name: again, type: retry, retryAfter: 1}]\n",
			script: map[string][]answer{"getItem": {{status: 429, headers: map[string]string{"Retry-After": "4"}}, s200}},
			status: runtime.Succeeded, trace: "get:retry get:next", waits: []time.Duration{4 * time.Second},
		},
		{
			name:   "Retry-After date overrides retryAfter",
			doc:    mainSteps + getOK + "        onFailure: [{name: again, type: retry, retryAfter: 1}]\n",
			script: map[string][]answer{"getItem": {{status: 503, headers: map[string]string{"Retry-After": "Thu, 26 Nov 2026 12:00:09 GMT"}}, s200}},
			opts: func(o *runtime.Options) {
				o.Clock.(*sleepRecorder).now = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
			},
			status: runtime.Succeeded, trace: "get:retry get:next", waits: []time.Duration{9 * time.Second},
		},
		{
			name:   "Retry-After is capped by MaxRetryAfter",
			doc:    mainSteps + getOK + "        onFailure: [{name: again, type: retry}]\n",
			script: map[string][]answer{"getItem": {{status: 429, headers: map[string]string{"Retry-After": "86400"}}, s200}},
			opts:   func(o *runtime.Options) { o.MaxRetryAfter = time.Minute },
			status: runtime.Succeeded, waits: []time.Duration{time.Minute},
		},
		{
			name: "failure action criteria select the first match",
			doc: mainSteps + getOK + `        onFailure:
          - {name: onNotFound, type: end, criteria: [{condition: $statusCode == 404}]}
          - {name: onServerError, type: goto, stepId: job, criteria: [{condition: $statusCode >= 500}]}
          - {name: catchAll, type: end}
      - stepId: job
        operationId: getJob
        parameters: [{name: id, in: path, value: j1}]
`,
			script: map[string][]answer{"getItem": {s500}},
			status: runtime.Succeeded, trace: "get:goto job job:next",
			check: func(t *testing.T, res *runtime.Result, _ []*recordedRequest) {
				if res.Steps[0].ActionName != "onServerError" {
					t.Errorf("action %q", res.Steps[0].ActionName)
				}
			},
		},
		{
			name: "failure end fails the workflow but computes outputs",
			doc: mainSteps + getOK + `        outputs: {x: $statusCode}
        onFailure: [{name: stop, type: end}]
    outputs: {never: $steps.get.outputs.x, input: $inputs.who}
`,
			inputs: map[string]any{"who": "me"},
			script: map[string][]answer{"getItem": {s500}},
			status: runtime.Failed, trace: "get:end", outputs: `{"never":null,"input":"me"}`, errHas: "ended by failure action stop",
		},
		{
			name: "retry with stepId runs that step first",
			doc: mainSteps + `
      - stepId: login
        operationId: refreshToken
        outputs: {token: $response.body#/token}
      - stepId: get
        operationId: getItem
        parameters:
          - {name: id, in: path, value: "1"}
          - {name: Authorization, in: header, value: "Bearer {$steps.login.outputs.token}"}
        successCriteria: [{condition: $statusCode == 200}]
        onFailure: [{name: relogin, type: retry, stepId: login, criteria: [{condition: $statusCode == 401}]}]
`,
			script: map[string][]answer{"refreshToken": {{body: `{"token":"t1"}`}, {body: `{"token":"t2"}`}}, "getItem": {{status: 401}, s200}},
			status: runtime.Succeeded, trace: "login:next get:retry login:return get:next",
			check: func(t *testing.T, res *runtime.Result, reqs []*recordedRequest) {
				if got := reqs[len(reqs)-1].Header.Get("Authorization"); got != "Bearer t2" {
					t.Errorf("retried request used Authorization %q, want the refreshed token", got)
				}
			},
		},
		{
			name: "retry with workflowId runs that workflow first",
			doc: mainSteps + `
      - stepId: get
        operationId: getItem
        parameters:
          - {name: id, in: path, value: "1"}
          - {name: X-Trace, in: header, value: $workflows.refresh.outputs.token}
        successCriteria: [{condition: $statusCode == 200}]
        onFailure: [{name: refreshFirst, type: retry, workflowId: refresh, parameters: [{name: scope, value: items}]}]
  - workflowId: refresh
    inputs: {type: object, properties: {scope: {type: string}}, required: [scope]}
    steps:
      - stepId: token
        operationId: refreshToken
        outputs: {token: $response.body#/token}
    outputs: {token: $steps.token.outputs.token, scope: $inputs.scope}
`,
			script: map[string][]answer{"refreshToken": {{body: `{"token":"fresh"}`}}, "getItem": {{status: 401}, s200}},
			status: runtime.Succeeded, trace: "get:retry token:next get:next",
			check: func(t *testing.T, res *runtime.Result, reqs []*recordedRequest) {
				if got := reqs[len(reqs)-1].Header.Get("X-Trace"); got != "fresh" {
					t.Errorf("retried request X-Trace = %q, want the refresh workflow's output", got)
				}
				if _, ok := reqs[0].Header["X-Trace"]; ok {
					t.Errorf("first request sent X-Trace before the refresh workflow ran")
				}
			},
		},
		{
			name: "goto workflowId is a tail call with parameters as inputs",
			doc: mainSteps + `
      - stepId: get
        operationId: getItem
        parameters: [{name: id, in: path, value: "1"}]
        onSuccess: [{name: handOver, type: goto, workflowId: other, parameters: [{name: jobId, value: $response.body#/job}]}]
      - stepId: notRun
        operationId: createItem
        outputs: {x: $statusCode}
    outputs: {got: $steps.notRun.outputs.x, other: $workflows.other.outputs.state}
  - workflowId: other
    inputs: {type: object, properties: {jobId: {type: string}}, required: [jobId]}
    steps:
      - stepId: job
        operationId: getJob
        parameters: [{name: id, in: path, value: $inputs.jobId}]
        successCriteria: [{condition: $statusCode == 200}]
        outputs: {state: $response.body#/state}
    outputs: {state: $steps.job.outputs.state}
`,
			script: map[string][]answer{"getItem": {{body: `{"job":"j42"}`}}, "getJob": {{body: `{"state":"done"}`}}},
			status: runtime.Succeeded, trace: "get:goto workflow other job:next", outputs: `{"got":null,"other":"done"}`,
			check: func(t *testing.T, res *runtime.Result, reqs []*recordedRequest) {
				if !strings.HasSuffix(reqs[1].URL, "/jobs/j42") {
					t.Errorf("target got %s", reqs[1].URL)
				}
			},
		},
		{
			name: "goto workflowId takes the target's failure",
			doc: mainSteps + `
      - stepId: get
        operationId: getItem
        parameters: [{name: id, in: path, value: "1"}]
        onSuccess: [{name: handOver, type: goto, workflowId: other}]
  - workflowId: other
    steps:
      - stepId: job
        operationId: getJob
        parameters: [{name: id, in: path, value: x}]
        successCriteria: [{condition: $statusCode == 200}]
`,
			script: map[string][]answer{"getJob": {s500}},
			status: runtime.Failed, trace: "get:goto workflow other job:fail", errHas: "workflow other",
		},
	}
	runRuleCases(t, tests)
}
