package runtime_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/arazzo-go/arazzo/runtime"
)

// answer is one scripted response of the rules API.
type answer struct {
	status  int
	headers map[string]string
	body    string // JSON unless a Content-Type header says otherwise
	delay   time.Duration
}

// scriptedAPI answers the operations of testdata/rules/openapi.yaml from
// per-operation scripts (the last answer repeats; none means 200 {}).
type scriptedAPI struct {
	mu       sync.Mutex
	script   map[string][]answer
	calls    map[string]int
	requests []*recordedRequest
}

type recordedRequest struct {
	Op, Method, URL string
	Header          http.Header
	Body            string
}

func newScriptedAPI(t *testing.T, script map[string][]answer) (*scriptedAPI, *httptest.Server) {
	a := &scriptedAPI{script: script, calls: map[string]int{}}
	srv := httptest.NewServer(a)
	t.Cleanup(srv.Close)
	return a, srv
}

func routeOf(r *http.Request) string {
	p := strings.TrimPrefix(r.URL.Path, "/v1")
	switch {
	case r.Method == "GET" && strings.HasPrefix(p, "/items/"):
		return "getItem"
	case r.Method == "POST" && p == "/items":
		return "createItem"
	case r.Method == "POST" && p == "/tokens":
		return "refreshToken"
	case r.Method == "GET" && strings.HasPrefix(p, "/jobs/"):
		return "getJob"
	}
	return ""
}

func (a *scriptedAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	op := routeOf(r)
	a.mu.Lock()
	a.requests = append(a.requests, &recordedRequest{op, r.Method, r.URL.String(), r.Header.Clone(), string(body)})
	n := a.calls[op]
	a.calls[op]++
	answers := a.script[op]
	a.mu.Unlock()
	ans := answer{status: 200, body: "{}"}
	if len(answers) > 0 {
		ans = answers[min(n, len(answers)-1)]
	}
	if ans.delay > 0 {
		select {
		case <-time.After(ans.delay):
		case <-r.Context().Done():
			return
		}
	}
	if ans.status == 0 {
		ans.status = 200
	}
	w.Header().Set("Content-Type", "application/json")
	for k, v := range ans.headers {
		w.Header().Set(k, v)
	}
	w.WriteHeader(ans.status)
	io.WriteString(w, ans.body)
}

func (a *scriptedAPI) Requests() []*recordedRequest {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]*recordedRequest(nil), a.requests...)
}

const rulesHeader = `arazzo: 1.1.0
info: {title: rules, version: "1"}
sourceDescriptions:
  - {name: api, url: ./openapi.yaml, type: openapi}
`

type ruleCase struct {
	name     string
	doc      string // workflows (and components) after rulesHeader
	workflow string // default "main"
	inputs   map[string]any
	script   map[string][]answer
	opts     func(*runtime.Options)
	status   runtime.Status
	trace    string
	outputs  string // JSON; "" = not checked
	waits    []time.Duration
	errHas   string
	check    func(t *testing.T, res *runtime.Result, reqs []*recordedRequest)
}

func runRuleCase(t *testing.T, tc ruleCase) {
	t.Helper()
	doc := loadDoc(t, "testdata/rules/"+strings.ReplaceAll(tc.name, " ", "-")+".arazzo.yaml", rulesHeader+tc.doc)
	api, srv := newScriptedAPI(t, tc.script)
	sl := &sleepRecorder{}
	opts := runtime.Options{Servers: map[string]string{"api": srv.URL + "/v1"}, Sleep: sl.Sleep, LoopDelay: zeroDelay()}
	if tc.opts != nil {
		tc.opts(&opts)
	}
	eng, err := runtime.New(doc, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	wf := tc.workflow
	if wf == "" {
		wf = "main"
	}
	res, err := eng.Run(context.Background(), wf, tc.inputs)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if res.Status != tc.status {
		t.Errorf("status %s, want %s (error: %s)", res.Status, tc.status, res.Error)
	}
	if tc.trace != "" {
		if got := trace(res); got != tc.trace {
			t.Errorf("trace:\n got %s\nwant %s", got, tc.trace)
		}
	}
	if tc.outputs != "" {
		var want any
		if err := json.Unmarshal([]byte(tc.outputs), &want); err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(res.Outputs)
		var got any
		json.Unmarshal(b, &got)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("outputs %s, want %s", b, tc.outputs)
		}
	}
	if tc.waits != nil && !reflect.DeepEqual(sl.Waits(), tc.waits) {
		t.Errorf("waits %v, want %v", sl.Waits(), tc.waits)
	}
	if tc.errHas != "" && !strings.Contains(res.Error, tc.errHas) {
		t.Errorf("error %q does not contain %q", res.Error, tc.errHas)
	}
	if tc.check != nil {
		tc.check(t, res, api.Requests())
	}
}

const getOK = `
      - stepId: get
        operationId: getItem
        parameters: [{name: id, in: path, value: "1"}]
        successCriteria: [{condition: $statusCode == 200}]
`

func TestActionAndRetryRules(t *testing.T) {
	s500 := answer{status: 500, body: `{"error":"boom"}`}
	s200 := answer{status: 200, body: `{"state":"ok"}`}
	tests := []ruleCase{
		{
			name: "no criteria succeeds on any status",
			doc: `workflows:
  - workflowId: main
    steps:
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
			doc: `workflows:
  - workflowId: main
    steps:
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
			doc:    "workflows:\n  - workflowId: main\n    steps:" + getOK + "      - stepId: never\n        operationId: getJob\n        parameters: [{name: id, in: path, value: j}]\n",
			script: map[string][]answer{"getItem": {s500}},
			status: runtime.Failed, trace: "get:fail", errHas: "step get failed",
		},
		{
			name:   "retryLimit defaults to one retry",
			doc:    "workflows:\n  - workflowId: main\n    steps:" + getOK + "        onFailure: [{name: again, type: retry}]\n",
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
			doc:    "workflows:\n  - workflowId: main\n    steps:" + getOK + "        onFailure: [{name: again, type: retry, retryLimit: 3, retryAfter: 1.5}]\n",
			script: map[string][]answer{"getItem": {s500, s500, s200}},
			status: runtime.Succeeded, trace: "get:retry get:retry get:next",
			waits: []time.Duration{1500 * time.Millisecond, 1500 * time.Millisecond},
		},
		{
			name:   "retryLimit zero means no retry",
			doc:    "workflows:\n  - workflowId: main\n    steps:" + getOK + "        onFailure: [{name: again, type: retry, retryLimit: 0}]\n",
			script: map[string][]answer{"getItem": {s500, s200}},
			status: runtime.Failed, trace: "get:fail",
		},
		{
			name: "exhausted retry falls through to later failure actions",
			doc: "workflows:\n  - workflowId: main\n    steps:" + getOK + `        onFailure:
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
			doc: "workflows:\n  - workflowId: main\n    steps:" + getOK + `        onFailure:
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
			doc:    "workflows:\n  - workflowId: main\n    steps:" + getOK + "        onFailure: [{name: again, type: retry, retryAfter: 1}]\n",
			script: map[string][]answer{"getItem": {{status: 429, headers: map[string]string{"Retry-After": "4"}}, s200}},
			status: runtime.Succeeded, trace: "get:retry get:next", waits: []time.Duration{4 * time.Second},
		},
		{
			name:   "Retry-After date overrides retryAfter",
			doc:    "workflows:\n  - workflowId: main\n    steps:" + getOK + "        onFailure: [{name: again, type: retry, retryAfter: 1}]\n",
			script: map[string][]answer{"getItem": {{status: 503, headers: map[string]string{"Retry-After": "Thu, 26 Nov 2026 12:00:09 GMT"}}, s200}},
			opts: func(o *runtime.Options) {
				o.Now = func() time.Time { return time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC) }
			},
			status: runtime.Succeeded, trace: "get:retry get:next", waits: []time.Duration{9 * time.Second},
		},
		{
			name:   "Retry-After is capped by MaxRetryAfter",
			doc:    "workflows:\n  - workflowId: main\n    steps:" + getOK + "        onFailure: [{name: again, type: retry}]\n",
			script: map[string][]answer{"getItem": {{status: 429, headers: map[string]string{"Retry-After": "86400"}}, s200}},
			opts:   func(o *runtime.Options) { o.MaxRetryAfter = time.Minute },
			status: runtime.Succeeded, waits: []time.Duration{time.Minute},
		},
		{
			name: "failure action criteria select the first match",
			doc: "workflows:\n  - workflowId: main\n    steps:" + getOK + `        onFailure:
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
			doc: "workflows:\n  - workflowId: main\n    steps:" + getOK + `        outputs: {x: $statusCode}
        onFailure: [{name: stop, type: end}]
    outputs: {never: $steps.get.outputs.x, input: $inputs.who}
`,
			inputs: map[string]any{"who": "me"},
			script: map[string][]answer{"getItem": {s500}},
			status: runtime.Failed, trace: "get:end", outputs: `{"never":null,"input":"me"}`, errHas: "ended by failure action stop",
		},
		{
			name: "retry with stepId runs that step first",
			doc: `workflows:
  - workflowId: main
    steps:
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
			doc: `workflows:
  - workflowId: main
    steps:
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
			doc: `workflows:
  - workflowId: main
    steps:
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
			doc: `workflows:
  - workflowId: main
    steps:
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
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { runRuleCase(t, tc) })
	}
}
