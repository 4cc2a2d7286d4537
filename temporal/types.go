package temporal

import (
	"net/http"
	"time"

	"github.com/arazzo-go/arazzo/runtime"
)

// Names under which a Worker registers its workflow, activity and query.
const (
	WorkflowName     = "arazzo.Run"
	SendActivityName = "arazzo.Send"
	// The activities of AsyncAPI steps (docs/temporal.md).
	PublishActivityName = "arazzo.Publish"
	ListenActivityName  = "arazzo.Listen"
	ReceiveActivityName = "arazzo.Receive"
	ProgressQuery       = "arazzo.progress"
)

// RunInput starts one Arazzo run: the document (by the name a worker
// serves it under, and optionally the hash of its content, so that a run
// is never interpreted by another version of the document), the workflow
// and its inputs.
type RunInput struct {
	Document   string         `json:"document"`
	Hash       string         `json:"hash,omitempty"`
	WorkflowID string         `json:"workflowId"`
	Inputs     map[string]any `json:"inputs,omitempty"`
	// Call is set on the child workflow that runs a nested workflow of
	// another run: the call names the workflow, its inputs and the
	// calling run's state, so Inputs is not used (WorkflowID repeats the
	// called workflow's id, for people reading the history).
	Call *runtime.WorkflowCall `json:"call,omitempty"`
}

// RunResult is the outcome of a run, the library's runtime.Result in a
// stable, serialisable shape: status, outputs, error, and one summary per
// step attempt.
type RunResult struct {
	RunID      string         `json:"runId"`
	WorkflowID string         `json:"workflowId"`
	Status     runtime.Status `json:"status"`
	Outputs    map[string]any `json:"outputs,omitempty"`
	Error      string         `json:"error,omitempty"`
	FailedAt   string         `json:"failedAt,omitempty"`
	Steps      []StepSummary  `json:"steps,omitempty"`
	Started    time.Time      `json:"started"`
	Duration   time.Duration  `json:"duration"`
	// Return is set by a child workflow that ran a nested workflow call
	// (RunInput.Call): what the calling run merges, values unredacted
	// (its outputs feed the calling step). Outputs and Error are then
	// left empty; Return's outcome has them.
	Return *runtime.WorkflowReturn `json:"return,omitempty"`
}

// StepSummary is one step attempt of a RunResult.
type StepSummary struct {
	WorkflowID string        `json:"workflowId"`
	StepID     string        `json:"stepId"`
	Attempt    int           `json:"attempt"`
	Method     string        `json:"method,omitempty"`
	URL        string        `json:"url,omitempty"`
	Status     int           `json:"status,omitempty"`
	Success    bool          `json:"success"`
	Action     string        `json:"action,omitempty"`
	Error      string        `json:"error,omitempty"`
	Waited     time.Duration `json:"waited,omitempty"`
}

// Progress is what ProgressQuery returns: where the run is.
type Progress struct {
	WorkflowID string `json:"workflowId,omitempty"` // of the current step
	StepID     string `json:"stepId,omitempty"`
	Attempt    int    `json:"attempt,omitempty"`
	// LastStatus is the HTTP status of the latest response, 0 before one.
	LastStatus int `json:"lastStatus,omitempty"`
	// Waiting is the wait the run is parked in ("" when not waiting) and
	// WaitUntil its end, in workflow time.
	Waiting   string    `json:"waiting,omitempty"`
	WaitUntil time.Time `json:"waitUntil,omitzero"`
	// Attempts counts the step attempts finished so far.
	Attempts int `json:"attempts"`
	// Steps are the finished attempts from the query's argument on (an
	// index into all the run's attempts), at most the latest
	// maxProgressSteps: what a follower has not printed yet.
	Steps []StepSummary `json:"steps,omitempty"`
}

// maxProgressSteps bounds what the progress query keeps, so a run that
// polls for a day holds a fixed amount for it.
const maxProgressSteps = 100

// Request is the input of the send activity: a request the interpreter
// built, with everything it needs and nothing of the worker's credentials,
// which the activity adds (so they never enter the history).
type Request struct {
	Document  string               `json:"document"`
	Operation runtime.OperationKey `json:"operation"`
	Step      string               `json:"step"`
	Method    string               `json:"method"`
	URL       string               `json:"url"`
	Header    http.Header          `json:"header,omitempty"`
	Body      []byte               `json:"body,omitempty"`
	// Timeout bounds the exchange, body included.
	Timeout time.Duration `json:"timeout"`
}

// Response is the result of the send activity; Body holds at most the
// worker's MaxBodyBytes plus one byte, so that the interpreter sees that a
// larger body was cut.
type Response struct {
	Status int         `json:"status"`
	Header http.Header `json:"header,omitempty"`
	Body   []byte      `json:"body,omitempty"`
}

// callResult is the RunResult of a child workflow that ran call; its run
// id is the calling run's, which the call continues.
func callResult(call *runtime.WorkflowCall, ret *runtime.WorkflowReturn, started, now time.Time) *RunResult {
	return &RunResult{
		RunID: call.RunID, WorkflowID: call.Workflow.WorkflowID, Status: ret.Outcome.Status, FailedAt: ret.Outcome.FailedAt,
		Steps: stepSummaries(ret.Steps), Started: started.UTC(), Duration: now.Sub(started), Return: ret,
	}
}

func summarize(res *runtime.Result) *RunResult {
	return &RunResult{
		RunID: res.RunID, WorkflowID: res.WorkflowID, Status: res.Status, Outputs: res.Outputs,
		Error: res.Error, FailedAt: res.FailedAt, Steps: stepSummaries(res.Steps), Started: res.Started.UTC(), Duration: res.Duration,
	}
}

func stepSummaries(as []*runtime.StepAttempt) []StepSummary {
	var out []StepSummary
	for _, a := range as {
		out = append(out, stepSummary(a))
	}
	return out
}

func stepSummary(a *runtime.StepAttempt) StepSummary {
	s := StepSummary{WorkflowID: a.WorkflowID, StepID: a.StepID, Attempt: a.Attempt, Success: a.Success,
		Action: a.Action, Error: a.Error, Waited: a.Waited}
	if a.Request != nil {
		s.Method, s.URL = a.Request.Method, a.Request.URL
	}
	if a.Response != nil {
		s.Status = a.Response.Status
	}
	return s
}
