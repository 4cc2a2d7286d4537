package report

import (
	"errors"
	"io"
	"time"

	"github.com/arazzo-go/arazzo/internal/jsonlimit"
	"github.com/arazzo-go/arazzo/runtime"
)

// FormatVersion is the version of the JSON report shape. It changes only
// when a field is removed or changes meaning; added fields keep it.
const FormatVersion = 1

// Run is the JSON report of one workflow run (docs/report.schema.json).
type Run struct {
	FormatVersion int            `json:"format_version"`
	Workflow      string         `json:"workflow"`
	Status        string         `json:"status"`
	Error         string         `json:"error,omitempty"`
	FailedAt      string         `json:"failedAt,omitempty"`
	Inputs        map[string]any `json:"inputs"`
	Outputs       map[string]any `json:"outputs"`
	Timings       Timings        `json:"timings"`
	Steps         []Step         `json:"steps"`
}

// Timings place a run or an attempt in time.
type Timings struct {
	Started    string  `json:"started,omitempty"` // RFC 3339, UTC
	DurationMs float64 `json:"durationMs"`
	// WaitedMs is the pacing sleep before an attempt (retry or poll).
	WaitedMs float64 `json:"waitedMs,omitempty"`
}

// Step is one step attempt.
type Step struct {
	Workflow  string         `json:"workflow"`
	Step      string         `json:"step"`
	Attempt   int            `json:"attempt"`
	Retries   int            `json:"retries"` // Attempt-1: how many times this step was retried before
	Operation string         `json:"operation,omitempty"`
	Request   *Request       `json:"request,omitempty"`
	Response  *Response      `json:"response,omitempty"`
	Criteria  []Criterion    `json:"criteria"`
	Success   bool           `json:"success"`
	Action    string         `json:"action,omitempty"`
	ActionBy  string         `json:"actionName,omitempty"`
	Error     string         `json:"error,omitempty"`
	Outputs   map[string]any `json:"outputs,omitempty"`
	Timings   Timings        `json:"timings"`
}

// Request is a sent request.
type Request struct {
	Method      string            `json:"method"`
	URL         string            `json:"url"`
	Headers     map[string]string `json:"headers"`
	BodySize    int               `json:"bodySize"`
	BodyPreview string            `json:"bodyPreview,omitempty"`
}

// Response is a received response.
type Response struct {
	Status      int               `json:"status"`
	Headers     map[string]string `json:"headers"`
	BodySize    int               `json:"bodySize"`
	BodyPreview string            `json:"bodyPreview,omitempty"`
}

// Criterion is one evaluated criterion.
type Criterion struct {
	Condition   string `json:"condition"`
	Type        string `json:"type"`
	Pass        bool   `json:"pass"`
	Explanation string `json:"explanation,omitempty"`
	Error       string `json:"error,omitempty"`
}

var errNilResult = errors.New("report: no run result")

// NewRun converts a result to its report form.
func NewRun(r *runtime.Result) (*Run, error) {
	if r == nil {
		return nil, errNilResult
	}
	out := &Run{
		FormatVersion: FormatVersion,
		Workflow:      r.WorkflowID,
		Status:        string(r.Status),
		Error:         r.Error,
		FailedAt:      r.FailedAt,
		Inputs:        jsonMap(r.Inputs),
		Outputs:       jsonMap(r.Outputs),
		Timings:       Timings{Started: timestamp(r.Started), DurationMs: millis(r.Duration)},
		Steps:         make([]Step, 0, len(r.Steps)),
	}
	if out.Inputs == nil {
		out.Inputs = map[string]any{}
	}
	if out.Outputs == nil {
		out.Outputs = map[string]any{}
	}
	for _, a := range r.Steps {
		if a == nil {
			continue
		}
		out.Steps = append(out.Steps, newStep(a))
	}
	return out, nil
}

func newStep(a *runtime.StepAttempt) Step {
	s := Step{
		Workflow:  a.WorkflowID,
		Step:      a.StepID,
		Attempt:   a.Attempt,
		Retries:   max(a.Attempt-1, 0),
		Operation: a.Operation,
		Criteria:  make([]Criterion, 0, len(a.Criteria)),
		Success:   a.Success,
		Action:    a.Action,
		ActionBy:  a.ActionName,
		Error:     a.Error,
		Outputs:   jsonMap(a.Outputs),
		Timings: Timings{
			Started:    timestamp(a.Started),
			DurationMs: millis(a.Duration),
			WaitedMs:   millis(a.Waited),
		},
	}
	if q := a.Request; q != nil {
		s.Request = &Request{Method: q.Method, URL: q.URL, Headers: redactHeaders(q.Headers), BodySize: q.BodySize, BodyPreview: q.BodyPreview}
	}
	if p := a.Response; p != nil {
		s.Response = &Response{Status: p.Status, Headers: redactHeaders(p.Headers), BodySize: p.BodySize, BodyPreview: p.BodyPreview}
	}
	for _, c := range a.Criteria {
		typ := c.Type
		if typ == "" {
			typ = "simple"
		}
		s.Criteria = append(s.Criteria, Criterion{Condition: c.Condition, Type: typ, Pass: c.Pass, Explanation: c.Explanation, Error: c.Error})
	}
	return s
}

func timestamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// WriteJSON writes the documented run report (schema in docs/report.schema.json).
func WriteJSON(w io.Writer, r *runtime.Result) error {
	run, err := NewRun(r)
	if err != nil {
		return err
	}
	// Outputs can be response bodies nested thousands of levels deep.
	return jsonlimit.Encode(w, run)
}
