package runtime

import (
	"time"

	"github.com/arazzo-go/arazzo/openapi"
)

// Status of a run or a step.
type Status string

// Run statuses.
const (
	Succeeded Status = "succeeded"
	Failed    Status = "failed"
	Aborted   Status = "aborted"
)

// Result is the outcome of one workflow run. It encodes to JSON as the
// documented run report (see MarshalJSON and docs/schemas/run-report.schema.json),
// the same document `arazzo run --json` prints, and decodes from it.
type Result struct {
	RunID      string            // RunOptions.ID, or a generated id
	Labels     map[string]string // RunOptions.Labels
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
	// Attempt numbers the executions of this step within one run of its
	// workflow: 1 for the first, then one more for each retry and each
	// re-entry through goto (the third poll of a loop is attempt 3).
	Attempt   int
	Operation string // operationId or "METHOD path", or workflowId for workflow steps
	Request   *RequestSummary
	Response  *ResponseSummary
	// Message is the message an AsyncAPI step sent or received.
	Message  *MessageSummary `json:",omitempty"`
	Criteria []CriterionResult
	Success  bool
	// Action is what followed: "next", "end", "goto <step>", "goto workflow
	// <id>", "retry", "fail"; also "return" for a step run by a retry's
	// stepId (its own actions are not taken) and "abort" when the run
	// stopped during the attempt.
	Action     string
	ActionName string
	Error      string
	// Contract lists how the response departs from its operation's
	// OpenAPI description, when a ContractCheck watches the run: warnings
	// that never change the step's outcome, and never quote the response.
	Contract []openapi.Violation
	Outputs  map[string]any
	Started  time.Time
	Duration time.Duration
	Waited   time.Duration // sleep before this attempt (retry/poll pacing)
	// Summarized is set on an attempt whose details were dropped. Replaced
	// by later attempts of the same step (Options.KeepDetails), it keeps
	// method, URL, status, sizes, action, timing and error, but no headers,
	// body previews, criteria or outputs. In a Lean run it keeps its
	// criteria, explained only where they fail.
	Summarized bool
	// compacted: replaced by its summary (a Lean attempt is Summarized
	// from the start but keeps its criteria until then).
	compacted bool
}

// summary returns a copy of the attempt without its details.
func (a *StepAttempt) summary() *StepAttempt {
	s := *a
	s.Summarized, s.compacted = true, true
	s.Outputs = nil
	if q := a.Request; q != nil {
		s.Request = &RequestSummary{Method: q.Method, URL: q.URL, BodySize: q.BodySize}
	}
	if p := a.Response; p != nil {
		s.Response = &ResponseSummary{Status: p.Status, BodySize: p.BodySize}
	}
	// Action says which way the criteria sent the step, and Error why it
	// failed; the criteria themselves were 40% of a summary's memory.
	s.Criteria = nil
	return &s
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
	// Action names the action whose criteria this is; "" for the step's
	// successCriteria.
	Action      string
	Condition   string
	Type        string
	Pass        bool
	Explanation string
	Error       string
}
