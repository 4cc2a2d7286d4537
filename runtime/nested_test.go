package runtime_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/arazzo-go/arazzo/arazzo"
	"github.com/arazzo-go/arazzo/runtime"
)

// childEffects run every nested workflow call as a driver runs a child
// workflow: the call and its return pass through JSON (another process),
// and a second engine of the same document runs it with RunWorkflowCall.
// Its own effects are childEffects again, so a nested workflow that calls
// another hands that call over too.
type childEffects struct {
	*callLog
	eng   *runtime.Engine
	mu    sync.Mutex
	calls []*runtime.WorkflowCall
}

func (c *childEffects) RunWorkflow(ctx context.Context, call *runtime.WorkflowCall) (*runtime.WorkflowReturn, error) {
	call = jsonCopy(call)
	c.mu.Lock()
	c.calls = append(c.calls, call)
	c.mu.Unlock()
	ret, err := c.eng.RunWorkflowCall(ctx, call, c, nil)
	if err != nil {
		return nil, err
	}
	return jsonCopy(ret), nil
}

func jsonCopy[T any](v *T) *T {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	var out T
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return &out
}

// callLog is the effects of both runs of a case: the engine's, recording
// which exchange of which step each call is, and cancelling the run at the
// exchange of cancelAt.
type callLog struct {
	runtime.Effects
	mu       sync.Mutex
	sends    []string
	cancelAt string
	cancel   context.CancelFunc
}

func (l *callLog) Send(ctx context.Context, c *runtime.Call) (*http.Response, error) {
	l.mu.Lock()
	l.sends = append(l.sends, fmt.Sprintf("%s#%d", c.Step, c.Send))
	l.mu.Unlock()
	if c.Step == l.cancelAt {
		l.cancel()
	}
	return l.Effects.Send(ctx, c)
}

type nestedCase struct {
	name     string
	doc      string // after rulesHeader
	inputs   map[string]any
	script   map[string][]answer
	opts     func(*runtime.Options)
	cancelAt string // "workflow/step" whose exchange cancels the run
	status   runtime.Status
	guard    string // of the AbortError, for an aborted run
	trace    string
	calls    int // nested calls handed to the effects, nested ones included
}

// TestNestedWorkflowsRunElsewhereAsInline runs each document twice, with
// its nested workflows inline and then handed to WorkflowEffects that run
// them on a second engine, and requires the same Result, the same error,
// the same exchanges (numbered alike) and the same requests.
func TestNestedWorkflowsRunElsewhereAsInline(t *testing.T) {
	tests := []nestedCase{
		{
			name: "outputs workflows dependencies and secrets",
			doc: `  - {name: child, url: ./child.arazzo.yaml, type: arazzo}
workflows:
  - workflowId: main
    inputs: {type: object, properties: {token: {type: string, format: password}}}
    dependsOn: [dep]
    steps:
      - stepId: call
        workflowId: inner
        parameters: [{name: itemId, value: "7"}, {name: authToken, value: $inputs.token}]
        outputs: {state: $outputs.state, dep: $workflows.dep.outputs.v, innerIn: $workflows.inner.inputs.itemId}
      - stepId: viaSource
        workflowId: $sourceDescriptions.child.fetchJob
        parameters: [{name: tag, value: $steps.call.outputs.state}]
        outputs: {tag: $outputs.tag}
      - stepId: after
        operationId: getJob
        parameters: [{name: id, in: path, value: $steps.viaSource.outputs.tag}]
    outputs: {state: $steps.call.outputs.state, dep: $steps.call.outputs.dep, innerIn: $steps.call.outputs.innerIn, tag: $steps.viaSource.outputs.tag}
  - workflowId: inner
    inputs: {type: object, properties: {itemId: {type: string}, authToken: {type: string}}}
    dependsOn: [dep]
    steps:
      - stepId: get
        operationId: getItem
        parameters:
          - {name: id, in: path, value: $inputs.itemId}
          - {name: Authorization, in: header, value: $inputs.authToken}
        outputs: {state: $response.body#/state, echo: $response.body#/echo}
    outputs: {state: $steps.get.outputs.state, echo: $steps.get.outputs.echo}
  - workflowId: dep
    steps:
      - stepId: job
        operationId: getJob
        parameters: [{name: id, in: path, value: dep}]
        outputs: {v: $response.body#/state}
    outputs: {v: $steps.job.outputs.v}
`,
			inputs: map[string]any{"token": "s3cret-token-value"},
			script: map[string][]answer{
				"getItem": {{body: `{"state":"ready","echo":"s3cret-token-value"}`}},
				"getJob":  {{body: `{"state":"done"}`}},
			},
			status: runtime.Succeeded,
			trace:  "job:next get:next call:next job:next viaSource:next after:next",
			calls:  2,
		},
		{
			name: "a value the nested workflow takes as a secret input",
			doc: `workflows:
  - workflowId: main
    inputs: {type: object, properties: {tok: {type: string}}}
    steps:
      - stepId: first
        operationId: getJob
        parameters: [{name: id, in: path, value: $inputs.tok}]
      - stepId: call
        workflowId: inner
        parameters: [{name: authToken, value: $inputs.tok}]
        outputs: {echo: $outputs.echo}
    outputs: {echo: $steps.call.outputs.echo}
  - workflowId: inner
    inputs: {type: object, properties: {authToken: {type: string}}}
    steps:
      - stepId: get
        operationId: getItem
        parameters: [{name: id, in: path, value: $inputs.authToken}]
        outputs: {echo: $response.body#/echo}
    outputs: {echo: $steps.get.outputs.echo}
`,
			inputs: map[string]any{"tok": "s3cret-token-value"},
			script: map[string][]answer{"getItem": {{body: `{"echo":"s3cret-token-value"}`}}},
			status: runtime.Succeeded,
			trace:  "first:next get:next call:next",
			calls:  1,
		},
		{
			name: "step budget spent inside the nested workflow",
			doc: `workflows:
  - workflowId: main
    steps:
      - stepId: first
        operationId: getItem
        parameters: [{name: id, in: path, value: "1"}]
      - stepId: call
        workflowId: poller
  - workflowId: poller
    steps:
      - stepId: poll
        operationId: getJob
        parameters: [{name: id, in: path, value: j}]
        onSuccess: [{name: again, type: goto, stepId: poll, criteria: [{condition: $response.body#/state != "done"}]}]
`,
			script: map[string][]answer{"getJob": {{body: `{"state":"pending"}`}}},
			opts:   func(o *runtime.Options) { o.MaxSteps = 5 },
			status: runtime.Aborted, guard: runtime.GuardMaxSteps,
			trace: "first:next poll:goto poll poll:goto poll poll:goto poll call:abort",
			calls: 1,
		},
		{
			name: "a nested workflow called in a loop",
			doc: `workflows:
  - workflowId: main
    steps:
      - stepId: call
        workflowId: inner
        parameters: [{name: itemId, value: "7"}]
        outputs: {state: $outputs.state}
      - stepId: check
        operationId: getJob
        parameters: [{name: id, in: path, value: $workflows.inner.outputs.state}]
        onSuccess: [{name: loop, type: goto, stepId: call, criteria: [{condition: $response.body#/state != "done"}]}]
    outputs: {state: $steps.call.outputs.state}
  - workflowId: inner
    inputs: {type: object, properties: {itemId: {type: string}}}
    steps:
      - stepId: get
        operationId: getItem
        parameters: [{name: id, in: path, value: $inputs.itemId}]
        outputs: {state: $response.body#/state}
    outputs: {state: $steps.get.outputs.state}
`,
			script: map[string][]answer{
				"getItem": {{body: `{"state":"a"}`}, {body: `{"state":"b"}`}, {body: `{"state":"c"}`}},
				"getJob":  {{body: `{"state":"pending"}`}, {body: `{"state":"pending"}`}, {body: `{"state":"done"}`}},
			},
			opts:   func(o *runtime.Options) { o.KeepDetails = 1 },
			status: runtime.Succeeded,
			trace:  "get:next call:next check:goto call get:next call:next check:goto call get:next call:next check:next",
			calls:  3,
		},
		{
			name: "nesting too deep inside the nested workflow",
			doc: `workflows:
  - workflowId: main
    steps:
      - stepId: call
        workflowId: a
  - workflowId: a
    steps:
      - stepId: get
        operationId: getItem
        parameters: [{name: id, in: path, value: "1"}]
      - stepId: deeper
        workflowId: b
  - workflowId: b
    steps:
      - stepId: get
        operationId: getItem
        parameters: [{name: id, in: path, value: "2"}]
`,
			opts:   func(o *runtime.Options) { o.MaxDepth = 1 },
			status: runtime.Aborted, guard: runtime.GuardMaxDepth,
			trace: "get:next deeper:abort call:abort",
			calls: 1,
		},
		{
			name: "cancelled inside the nested workflow",
			doc: `workflows:
  - workflowId: main
    steps:
      - stepId: call
        workflowId: inner
      - stepId: never
        operationId: getItem
        parameters: [{name: id, in: path, value: "2"}]
  - workflowId: inner
    steps:
      - stepId: first
        operationId: getJob
        parameters: [{name: id, in: path, value: j}]
      - stepId: get
        operationId: getItem
        parameters: [{name: id, in: path, value: "1"}]
`,
			cancelAt: "inner/get",
			status:   runtime.Aborted, guard: runtime.GuardCancelled,
			trace: "first:next get:abort call:abort",
			calls: 1,
		},
		{
			name: "a failed nested workflow takes the step's failure action",
			doc: `workflows:
  - workflowId: main
    steps:
      - stepId: call
        workflowId: inner
        onFailure: [{name: recover, type: goto, stepId: recover}]
      - stepId: recover
        operationId: getJob
        parameters: [{name: id, in: path, value: r}]
  - workflowId: inner
    steps:
      - stepId: get
        operationId: getItem
        parameters: [{name: id, in: path, value: "1"}]
        successCriteria: [{condition: $statusCode == 200}]
        onFailure: [{name: again, type: retry, retryLimit: 1, retryAfter: 0}]
`,
			script: map[string][]answer{"getItem": {{status: 500, body: `{"message":"broken"}`}}},
			status: runtime.Succeeded,
			trace:  "get:retry get:fail call:goto recover recover:next",
			calls:  1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := loadDoc(t, "testdata/rules/nested-"+strings.ReplaceAll(tc.name, " ", "-")+".arazzo.yaml", rulesHeader+tc.doc)
			inline := runNestedCase(t, tc, doc, false)
			elsewhere := runNestedCase(t, tc, doc, true)
			if inline.res.Status != tc.status {
				t.Errorf("inline status %s, want %s (%s)", inline.res.Status, tc.status, inline.res.Error)
			}
			if got := trace(inline.res); got != tc.trace {
				t.Errorf("inline trace:\n got %s\nwant %s", got, tc.trace)
			}
			var ae *runtime.AbortError
			if tc.guard != "" && (!errors.As(inline.err, &ae) || ae.Guard != tc.guard) {
				t.Errorf("inline error %v, want an AbortError with guard %s", inline.err, tc.guard)
			}
			if elsewhere.calls != tc.calls {
				t.Errorf("%d calls handed to the effects, want %d", elsewhere.calls, tc.calls)
			}
			if a, b := inline.report, elsewhere.report; a != b {
				t.Errorf("results differ:\ninline    %s\nelsewhere %s", a, b)
			}
			if a, b := fmt.Sprint(inline.err), fmt.Sprint(elsewhere.err); a != b {
				t.Errorf("errors differ:\ninline    %s\nelsewhere %s", a, b)
			}
			if a, b := errorGuard(inline.err), errorGuard(elsewhere.err); a != b {
				t.Errorf("guards differ: inline %q, elsewhere %q", a, b)
			}
			if !reflect.DeepEqual(inline.sends, elsewhere.sends) {
				t.Errorf("exchanges differ:\ninline    %v\nelsewhere %v", inline.sends, elsewhere.sends)
			}
			if a, b := requestsText(inline.requests), requestsText(elsewhere.requests); a != b {
				t.Errorf("requests differ:\ninline    %s\nelsewhere %s", a, b)
			}
			for _, a := range elsewhere.res.Steps {
				if b, _ := json.Marshal(a); strings.Contains(string(b), "s3cret-token-value") {
					t.Errorf("the secret shows in an attempt: %s", b)
				}
			}
			if b, _ := json.Marshal(elsewhere.res.Outputs); strings.Contains(string(b), "s3cret-token-value") {
				t.Errorf("the secret shows in the outputs: %s", b)
			}
		})
	}
}

type nestedRun struct {
	res      *runtime.Result
	err      error
	report   string
	sends    []string
	requests []*recordedRequest
	calls    int
}

func runNestedCase(t *testing.T, tc nestedCase, doc *arazzo.Document, elsewhere bool) nestedRun {
	t.Helper()
	api, srv := newScriptedAPI(t, tc.script)
	opts := runtime.Options{Servers: map[string]string{"api": srv.URL + "/v1"}, Clock: &sleepRecorder{}, LoopDelay: runtime.Off}
	if tc.opts != nil {
		tc.opts(&opts)
	}
	eng, err := runtime.New(doc, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	log := &callLog{Effects: eng.EngineEffects(), cancelAt: tc.cancelAt, cancel: cancel}
	var fx runtime.Effects = log
	var child *childEffects
	if elsewhere {
		second, err := runtime.New(doc, opts)
		if err != nil {
			t.Fatal(err)
		}
		child = &childEffects{callLog: log, eng: second}
		fx = child
	}
	res, err := eng.RunWith(ctx, "main", tc.inputs, runtime.RunOptions{ID: "run-1", Effects: fx})
	if res == nil {
		t.Fatalf("run refused: %v", err)
	}
	// Times and durations differ from run to run; everything else must not.
	res.Started, res.Duration = time.Time{}, 0
	for _, a := range res.Steps {
		a.Started, a.Duration = time.Time{}, 0
	}
	b, jerr := json.Marshal(res)
	if jerr != nil {
		t.Fatal(jerr)
	}
	// Each run has its own API server, whose address and clock show.
	report := dateHeader.ReplaceAllString(strings.ReplaceAll(string(b), srv.URL, "http://api"), "")
	reqs := api.Requests()
	for _, r := range reqs {
		r.URL = strings.ReplaceAll(r.URL, srv.URL, "http://api")
	}
	out := nestedRun{res: res, err: err, report: report, sends: log.sends, requests: reqs}
	if child != nil {
		out.calls = len(child.calls)
	}
	return out
}

var dateHeader = regexp.MustCompile(`"Date":"[^"]*",?`)

func errorGuard(err error) string {
	var ae *runtime.AbortError
	if errors.As(err, &ae) {
		return ae.Guard
	}
	return ""
}

func requestsText(reqs []*recordedRequest) string {
	var b strings.Builder
	for _, r := range reqs {
		fmt.Fprintf(&b, "%s %s %v %s\n", r.Method, r.URL, r.Header.Get("Authorization"), r.Body)
	}
	return b.String()
}

// scriptedWorkflowEffects answer every nested workflow call with ret, err.
type scriptedWorkflowEffects struct {
	runtime.Effects
	ret   *runtime.WorkflowReturn
	err   error
	calls int
}

func (s *scriptedWorkflowEffects) RunWorkflow(context.Context, *runtime.WorkflowCall) (*runtime.WorkflowReturn, error) {
	s.calls++
	return s.ret, s.err
}

func TestNestedWorkflowEffectsThatDoNotRunIt(t *testing.T) {
	doc := loadDoc(t, "testdata/rules/nested-effects-errors.arazzo.yaml", rulesHeader+`workflows:
  - workflowId: main
    steps:
      - stepId: call
        workflowId: inner
  - workflowId: inner
    steps:
      - stepId: get
        operationId: getItem
        parameters: [{name: id, in: path, value: "1"}]
`)
	_, srv := newScriptedAPI(t, nil)
	eng, err := runtime.New(doc, runtime.Options{Servers: map[string]string{"api": srv.URL + "/v1"}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		fx     *scriptedWorkflowEffects
		status runtime.Status
		trace  string
		errHas string
	}{
		{"ErrInline runs it inline", &scriptedWorkflowEffects{err: runtime.ErrInline}, runtime.Succeeded, "get:next call:next", ""},
		{"an error fails the step", &scriptedWorkflowEffects{err: errors.New("no worker")}, runtime.Failed, "call:fail", "workflow inner failed: running it elsewhere: no worker"},
		{"no outcome fails the step", &scriptedWorkflowEffects{}, runtime.Failed, "call:fail", "the effects returned no outcome"},
		{"an unknown completed workflow fails the step", &scriptedWorkflowEffects{ret: &runtime.WorkflowReturn{
			Outcome: runtime.WorkflowOutcome{Status: runtime.Succeeded},
			Shared:  runtime.SharedState{Completed: []runtime.WorkflowOutcome{{Workflow: runtime.WorkflowRef{Sources: []string{"nowhere"}, WorkflowID: "x"}}}},
		}}, runtime.Failed, "call:fail", "completed workflow nowhere.x: unknown workflow"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fx.Effects = eng.EngineEffects()
			res, _ := eng.RunWith(t.Context(), "main", nil, runtime.RunOptions{Effects: tc.fx})
			if res.Status != tc.status || trace(res) != tc.trace || !strings.Contains(res.Error, tc.errHas) {
				t.Errorf("status %s, trace %q, error %q; want %s, %q, one containing %q", res.Status, trace(res), res.Error, tc.status, tc.trace, tc.errHas)
			}
			if tc.fx.calls != 1 {
				t.Errorf("%d calls of RunWorkflow, want 1", tc.fx.calls)
			}
		})
	}
}

func TestRunWorkflowCallRefusesWhatItCannotRun(t *testing.T) {
	doc := loadDoc(t, "testdata/rules/nested-refused.arazzo.yaml", rulesHeader+"workflows:\n  - workflowId: main\n    steps:"+getOK)
	eng, err := runtime.New(doc, runtime.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eng.RunWorkflowCall(t.Context(), nil, nil, nil); err == nil {
		t.Error("no error for a nil call")
	}
	_, err = eng.RunWorkflowCall(t.Context(), &runtime.WorkflowCall{Workflow: runtime.WorkflowRef{WorkflowID: "other"}}, nil, nil)
	if !errors.Is(err, runtime.ErrUnknownWorkflow) || !strings.Contains(err.Error(), "no workflow other") {
		t.Errorf("unknown workflow: %v", err)
	}
}
