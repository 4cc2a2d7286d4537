package runtime

import (
	"time"

	"github.com/arazzo-go/arazzo/expr"
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

	// rec is what the attempt's details are built from when read,
	// including its outputs; nil when it has none.
	rec *attemptRecord
}

// Outputs returns the step's outputs after this attempt, secrets hidden;
// nil when the step failed or the attempt kept no details. The map is
// shared with the run (and with other calls) unless a secret had to be
// hidden in it: do not modify it.
func (a *StepAttempt) Outputs() map[string]any {
	if a == nil || a.rec == nil {
		return nil
	}
	return a.rec.redactedOutputs()
}

// WithOutputs returns a copy of a whose Outputs are the ones given, taken
// as they are: for an attempt built outside the engine.
func (a StepAttempt) WithOutputs(outputs map[string]any) *StepAttempt {
	rec := &attemptRecord{}
	if a.rec != nil {
		// A copy: the record may be shared with a's request and response.
		*rec = *a.rec
	}
	rec.outputs, rec.outputsRedactor = namedValuesOf(outputs), nil
	a.rec = rec
	return &a
}

// summary returns a copy of the attempt without its details.
func (a *StepAttempt) summary() *StepAttempt {
	s := *a
	s.Summarized, s.compacted = true, true
	s.rec = nil
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
//
// Its headers and body preview are methods: the engine keeps what it sent
// and builds them, redacted, when they are read, so that a run nobody
// prints does not pay for them. A summary is safe to read from several
// goroutines.
type RequestSummary struct {
	Method, URL string
	BodySize    int
	Body        []byte `json:"-"` // exact bytes, for tests (not in reports)

	rec *attemptRecord // what Headers and BodyPreview are built from
}

// Headers returns the request's headers, one text per name (repeated
// values joined by ", "), with credentials hidden; nil when the attempt
// kept no details (Lean, Summarized). A summary the engine recorded
// returns a new map on each call.
func (q *RequestSummary) Headers() map[string]string {
	if q == nil || q.rec == nil {
		return nil
	}
	return q.rec.headers(false)
}

// BodyPreview returns the start of the request body as text (at most 4
// KB, "…" when cut) with secrets hidden, a note for binary data, or ""
// for no body or no details.
func (q *RequestSummary) BodyPreview() string {
	if q == nil || q.rec == nil {
		return ""
	}
	return q.rec.preview(false)
}

// WithDetails returns a copy of q whose Headers and BodyPreview are the
// ones given, taken as they are: for a summary built outside the engine
// (a test, an importer). Hide credentials first; the JSON encoding masks
// only credential-named headers.
func (q RequestSummary) WithDetails(headers map[string]string, bodyPreview string) *RequestSummary {
	q.rec = givenRecord(headers, bodyPreview)
	return &q
}

// ResponseSummary describes a received response (secrets redacted). Its
// headers and body preview are built when read, as for RequestSummary.
type ResponseSummary struct {
	Status   int
	BodySize int

	rec *attemptRecord // what Headers and BodyPreview are built from
}

// Headers returns the response's headers as RequestSummary.Headers does.
func (p *ResponseSummary) Headers() map[string]string {
	if p == nil || p.rec == nil {
		return nil
	}
	return p.rec.headers(true)
}

// BodyPreview returns the start of the response body as
// RequestSummary.BodyPreview does.
func (p *ResponseSummary) BodyPreview() string {
	if p == nil || p.rec == nil {
		return ""
	}
	return p.rec.preview(true)
}

// WithDetails returns a copy of p whose Headers and BodyPreview are the
// ones given, as RequestSummary.WithDetails.
func (p ResponseSummary) WithDetails(headers map[string]string, bodyPreview string) *ResponseSummary {
	p.rec = givenRecord(headers, bodyPreview)
	return &p
}

// CriterionResult is one evaluated criterion.
type CriterionResult struct {
	// Action names the action whose criteria this is; "" for the step's
	// successCriteria.
	Action    string
	Condition string
	Type      string
	Pass      bool
	Error     string

	explanation string
	// lazy, when set, explains a passing criterion when asked: it reads
	// only the attempt's own request and response, which do not change.
	lazy *expr.Criterion
	rec  *attemptRecord
}

// Explanation says why the criterion passed or failed, with the values it
// compared ("$statusCode is 200"), secrets hidden. The engine explains a
// passing criterion that reads only the attempt's request and response
// when asked, from what the attempt recorded.
func (c CriterionResult) Explanation() string {
	if c.lazy != nil && c.rec != nil {
		return c.rec.explain(c.lazy)
	}
	return c.explanation
}

// WithExplanation returns a copy of c whose Explanation is the text given:
// for a result built outside the engine.
func (c CriterionResult) WithExplanation(explanation string) CriterionResult {
	c.explanation, c.lazy, c.rec = explanation, nil, nil
	return c
}
