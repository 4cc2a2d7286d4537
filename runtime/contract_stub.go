// Package runtime executes Arazzo workflows: it builds requests from the
// OpenAPI operations, sends them, evaluates success criteria, selects and
// performs actions (end, goto, retry), computes outputs and reports every
// step attempt. One Engine serves many concurrent runs of a loaded document.
package runtime

// CONTRACT STUBS: the runtime helper replaces these bodies; the exported
// signatures are the contract used by cmd/.

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/arazzo-go/arazzo/arazzo"
)

var errTODO = errors.New("runtime: not implemented yet")

// Options configure an Engine. The zero value means defaults.
type Options struct {
	// Client sends requests; nil -> a client with its own pooled transport.
	// Transport, when set, replaces the client's transport (mocks, auth).
	Client    *http.Client
	Transport http.RoundTripper
	// Servers overrides the base URL per source description name.
	Servers map[string]string
	// ServerVars sets server variables per source: {"ociComputeApi": {"region": "us-phoenix-1"}}.
	ServerVars map[string]map[string]string
	Observer   Observer

	MaxSteps       int           // step executions per run; default 1000
	MaxDepth       int           // nested workflow depth; default 32
	RequestTimeout time.Duration // per request; default 30s
	Timeout        time.Duration // whole run; 0 = none
	MaxBodyBytes   int64         // response body cap; default 32 MiB

	// LoopDelay is the first wait before a step re-entered by goto runs
	// again; it doubles up to MaxLoopDelay. nil -> 1s; pointer to 0 disables.
	LoopDelay    *time.Duration
	MaxLoopDelay time.Duration // default 30s
	// MaxRetryAfter caps Retry-After/retryAfter waits; default 5m.
	MaxRetryAfter time.Duration

	// Sleep waits; tests inject a recorder. nil -> a timer honouring ctx.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock; nil -> time.Now.
	Now func() time.Time
	// Strict makes "no matching success action" on a step with onSuccess
	// criteria... reserved; see docs/decisions.md.
	Strict bool
}

// Engine runs the workflows of one loaded document.
type Engine struct{}

// New prepares an engine for a loaded, validated document (arazzo.Load).
// It binds every step to its operation or workflow once.
func New(doc *arazzo.Document, opts Options) (*Engine, error) { return nil, errTODO }

// Status of a run or a step.
type Status string

// Run statuses.
const (
	Succeeded Status = "succeeded"
	Failed    Status = "failed"
	Aborted   Status = "aborted"
)

// Result is the outcome of one workflow run.
type Result struct {
	WorkflowID string
	Status     Status
	Inputs     map[string]any // secrets redacted
	Outputs    map[string]any
	Steps      []*StepAttempt
	// Error says why the run failed or aborted (nil on success).
	Error    string
	FailedAt string // stepId where it failed, if any
	Started  time.Time
	Duration time.Duration
}

// StepAttempt is one execution of one step.
type StepAttempt struct {
	WorkflowID string
	StepID     string
	Attempt    int    // 1 for the first try, 2 for the first retry...
	Operation  string // operationId or "METHOD path", or workflowId for workflow steps
	Request    *RequestSummary
	Response   *ResponseSummary
	Criteria   []CriterionResult
	Success    bool
	Action     string // "next", "end", "goto <step>", "goto workflow <id>", "retry", "fail"
	ActionName string
	Error      string
	Outputs    map[string]any
	Started    time.Time
	Duration   time.Duration
	Waited     time.Duration // sleep before this attempt (retry/poll pacing)
}

// RequestSummary describes a sent request (secrets redacted).
type RequestSummary struct {
	Method, URL string
	Headers     map[string]string
	BodySize    int
	BodyPreview string
	Body        []byte `json:"-"` // exact bytes, for tests (not in reports)
}

// ResponseSummary describes a received response (secrets redacted).
type ResponseSummary struct {
	Status      int
	Headers     map[string]string
	BodySize    int
	BodyPreview string
}

// CriterionResult is one evaluated criterion.
type CriterionResult struct {
	Condition   string
	Type        string
	Pass        bool
	Explanation string
	Error       string
}

// Run executes the workflow with the given inputs. The error is for
// problems before the run starts (unknown workflow, invalid inputs: then an
// *InputError); a workflow that fails is a Result with Status Failed.
func (e *Engine) Run(ctx context.Context, workflowID string, inputs map[string]any) (*Result, error) {
	return nil, errTODO
}

// Observer receives events as a run progresses. Implementations must be
// safe for concurrent use when the engine runs concurrently.
type Observer interface {
	Observe(ev Event)
}

// ObserverFunc adapts a function to Observer.
type ObserverFunc func(Event)

// Observe calls f(ev).
func (f ObserverFunc) Observe(ev Event) { f(ev) }

// EventKind names an event.
type EventKind string

// Event kinds.
const (
	EventWorkflowStarted    EventKind = "workflow-started"
	EventStepStarted        EventKind = "step-started"
	EventRequestSent        EventKind = "request-sent"
	EventResponseReceived   EventKind = "response-received"
	EventCriterionEvaluated EventKind = "criterion-evaluated"
	EventActionTaken        EventKind = "action-taken"
	EventWaiting            EventKind = "waiting" // retry or poll pacing sleep
	EventStepFinished       EventKind = "step-finished"
	EventWorkflowFinished   EventKind = "workflow-finished"
)

// Event is one thing that happened during a run. Fields beyond Kind,
// WorkflowID and StepID are set per kind.
type Event struct {
	Kind       EventKind
	Time       time.Time
	WorkflowID string
	StepID     string
	Attempt    *StepAttempt     // step-started.. step-finished
	Request    *RequestSummary  // request-sent
	Response   *ResponseSummary // response-received
	Criterion  *CriterionResult // criterion-evaluated
	Action     string           // action-taken: as StepAttempt.Action
	Wait       time.Duration    // waiting
	Reason     string           // waiting: "retry" or "poll"; workflow-finished: error text
	Result     *Result          // workflow-finished
}
