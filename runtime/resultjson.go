package runtime

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/arazzo-go/arazzo/openapi"
)

// ResultFormatVersion is the "formatVersion" of a Result's JSON, the run
// report shape of docs/schemas/run-report.schema.json. It changes only when
// a field is removed or changes meaning; fields may be added without a new
// version, so a reader ignores the ones it does not know.
const ResultFormatVersion = 1

// The JSON of a run is one shape wherever it appears — json.Marshal of a
// Result, `arazzo run --json`, `arazzo run --report FILE` and each case of
// `arazzo test --json` — so it is defined here, on the types themselves,
// rather than by a writer beside them that a library user cannot reach.
// camelCase names, durations as milliseconds (numbers with microsecond
// precision), times as RFC 3339 in UTC, and empty collections as [] and {}
// rather than null where the schema requires them.

type resultJSON struct {
	FormatVersion int               `json:"formatVersion"`
	RunID         string            `json:"runId"`
	Labels        map[string]string `json:"labels,omitempty"`
	WorkflowID    string            `json:"workflowId"`
	Status        Status            `json:"status"`
	Error         string            `json:"error,omitempty"`
	FailedAt      string            `json:"failedAt,omitempty"`
	Inputs        map[string]any    `json:"inputs"`
	Outputs       map[string]any    `json:"outputs"`
	Started       string            `json:"started,omitempty"`
	DurationMs    float64           `json:"durationMs"`
	Steps         []*StepAttempt    `json:"steps"`
}

type attemptJSON struct {
	WorkflowID string            `json:"workflowId"`
	StepID     string            `json:"stepId"`
	Attempt    int               `json:"attempt"`
	Operation  string            `json:"operation,omitempty"`
	Request    *RequestSummary   `json:"request,omitempty"`
	Response   *ResponseSummary  `json:"response,omitempty"`
	Message    *messageJSON      `json:"message,omitempty"`
	Criteria   []CriterionResult `json:"criteria"`
	Success    bool              `json:"success"`
	Action     string            `json:"action,omitempty"`
	ActionName string            `json:"actionName,omitempty"`
	Error      string            `json:"error,omitempty"`
	// Contract: differences from the OpenAPI description (ContractCheck).
	Contract   []openapi.Violation `json:"contract,omitempty"`
	Outputs    map[string]any      `json:"outputs,omitempty"`
	Started    string              `json:"started,omitempty"`
	DurationMs float64             `json:"durationMs"`
	WaitedMs   float64             `json:"waitedMs,omitempty"`
	Summarized bool                `json:"summarized,omitempty"`
}

type requestJSON struct {
	Method      string            `json:"method"`
	URL         string            `json:"url"`
	Headers     map[string]string `json:"headers"`
	BodySize    int               `json:"bodySize"`
	BodyPreview string            `json:"bodyPreview,omitempty"`
}

type responseJSON struct {
	Status      int               `json:"status"`
	Headers     map[string]string `json:"headers"`
	BodySize    int               `json:"bodySize"`
	BodyPreview string            `json:"bodyPreview,omitempty"`
}

type criterionJSON struct {
	Action      string `json:"action,omitempty"`
	Condition   string `json:"condition"`
	Type        string `json:"type"`
	Pass        bool   `json:"pass"`
	Explanation string `json:"explanation,omitempty"`
	Error       string `json:"error,omitempty"`
}

// MarshalJSON encodes the run report shape (docs/schemas/run-report.schema.json):
// formatVersion, runId, labels, workflowId, status, error, failedAt, inputs,
// outputs, started, durationMs and steps, one per attempt. It never fails:
// values JSON cannot hold (NaN, map[any]any keys, bytes) are written as text.
func (r Result) MarshalJSON() ([]byte, error) {
	out := resultJSON{
		FormatVersion: ResultFormatVersion,
		RunID:         r.RunID,
		Labels:        r.Labels,
		WorkflowID:    r.WorkflowID,
		Status:        r.Status,
		Error:         r.Error,
		FailedAt:      r.FailedAt,
		Inputs:        jsonObject(r.Inputs),
		Outputs:       jsonObject(r.Outputs),
		Started:       timestamp(r.Started),
		DurationMs:    millis(r.Duration),
		Steps:         make([]*StepAttempt, 0, len(r.Steps)),
	}
	if out.Inputs == nil {
		out.Inputs = map[string]any{}
	}
	if out.Outputs == nil {
		out.Outputs = map[string]any{}
	}
	for _, a := range r.Steps {
		if a != nil {
			out.Steps = append(out.Steps, a)
		}
	}
	return marshal(out)
}

// UnmarshalJSON reads the run report shape back, for a service that stores
// reports and reads them later. Durations come back to the microsecond;
// a newer formatVersion is refused, since a field may have changed meaning.
func (r *Result) UnmarshalJSON(data []byte) error {
	var in resultJSON
	if err := json.Unmarshal(data, &in); err != nil {
		return err
	}
	if err := checkFormatVersion(in.FormatVersion); err != nil {
		return err
	}
	started, err := parseTimestamp(in.Started)
	if err != nil {
		return err
	}
	*r = Result{
		RunID:      in.RunID,
		Labels:     in.Labels,
		WorkflowID: in.WorkflowID,
		Status:     in.Status,
		Inputs:     in.Inputs,
		Outputs:    in.Outputs,
		Steps:      in.Steps,
		Error:      in.Error,
		FailedAt:   in.FailedAt,
		Started:    started,
		Duration:   fromMillis(in.DurationMs),
	}
	return nil
}

func checkFormatVersion(v int) error {
	if v == 0 {
		return fmt.Errorf("not a run report: no formatVersion")
	}
	if v < 0 || v > ResultFormatVersion {
		return fmt.Errorf("run report formatVersion %d: this version reads 1 to %d", v, ResultFormatVersion)
	}
	return nil
}

// MarshalJSON encodes one attempt as in the run report's "steps".
func (a StepAttempt) MarshalJSON() ([]byte, error) {
	out := attemptJSON{
		WorkflowID: a.WorkflowID,
		StepID:     a.StepID,
		Attempt:    a.Attempt,
		Operation:  a.Operation,
		Request:    a.Request,
		Response:   a.Response,
		Message:    messageOut(a.Message),
		Criteria:   a.Criteria,
		Success:    a.Success,
		Action:     a.Action,
		ActionName: a.ActionName,
		Error:      a.Error,
		Contract:   a.Contract,
		Outputs:    jsonObject(a.Outputs()),
		Started:    timestamp(a.Started),
		DurationMs: millis(a.Duration),
		WaitedMs:   millis(a.Waited),
		Summarized: a.Summarized,
	}
	if out.Criteria == nil {
		out.Criteria = []CriterionResult{}
	}
	return marshal(out)
}

// UnmarshalJSON reads an attempt of the run report shape.
func (a *StepAttempt) UnmarshalJSON(data []byte) error {
	var in attemptJSON
	if err := json.Unmarshal(data, &in); err != nil {
		return err
	}
	started, err := parseTimestamp(in.Started)
	if err != nil {
		return err
	}
	*a = StepAttempt{
		WorkflowID: in.WorkflowID,
		StepID:     in.StepID,
		Attempt:    in.Attempt,
		Operation:  in.Operation,
		Request:    in.Request,
		Message:    messageIn(in.Message),
		Response:   in.Response,
		Criteria:   in.Criteria,
		Success:    in.Success,
		Action:     in.Action,
		ActionName: in.ActionName,
		Error:      in.Error,
		Contract:   in.Contract,
		Started:    started,
		Duration:   fromMillis(in.DurationMs),
		Waited:     fromMillis(in.WaitedMs),
		Summarized: in.Summarized,
	}
	if in.Outputs != nil {
		a.rec = &attemptRecord{outputs: namedValuesOf(in.Outputs)}
	}
	return nil
}

// MarshalJSON encodes a request summary. Body is not written (the preview
// is); a header whose name names a credential reads Redacted even in a
// summary that was not built by the engine.
func (q RequestSummary) MarshalJSON() ([]byte, error) {
	return marshal(requestJSON{Method: q.Method, URL: q.URL, Headers: maskHeaders(q.Headers()), BodySize: q.BodySize, BodyPreview: q.BodyPreview()})
}

// UnmarshalJSON reads a request of the run report shape.
func (q *RequestSummary) UnmarshalJSON(data []byte) error {
	var in requestJSON
	if err := json.Unmarshal(data, &in); err != nil {
		return err
	}
	*q = RequestSummary{Method: in.Method, URL: in.URL, BodySize: in.BodySize, rec: givenRecord(in.Headers, in.BodyPreview)}
	return nil
}

// MarshalJSON encodes a response summary; credential headers as for
// RequestSummary.
func (p ResponseSummary) MarshalJSON() ([]byte, error) {
	return marshal(responseJSON{Status: p.Status, Headers: maskHeaders(p.Headers()), BodySize: p.BodySize, BodyPreview: p.BodyPreview()})
}

// UnmarshalJSON reads a response of the run report shape.
func (p *ResponseSummary) UnmarshalJSON(data []byte) error {
	var in responseJSON
	if err := json.Unmarshal(data, &in); err != nil {
		return err
	}
	*p = ResponseSummary{Status: in.Status, BodySize: in.BodySize, rec: givenRecord(in.Headers, in.BodyPreview)}
	return nil
}

// MarshalJSON encodes a criterion. An empty Type is written "simple", the
// type Arazzo gives a criterion without one.
func (c CriterionResult) MarshalJSON() ([]byte, error) {
	typ := c.Type
	if typ == "" {
		typ = "simple"
	}
	return marshal(criterionJSON{Action: c.Action, Condition: c.Condition, Type: typ, Pass: c.Pass, Explanation: c.Explanation(), Error: c.Error})
}

// UnmarshalJSON reads a criterion of the run report shape.
func (c *CriterionResult) UnmarshalJSON(data []byte) error {
	var in criterionJSON
	if err := json.Unmarshal(data, &in); err != nil {
		return err
	}
	*c = CriterionResult{Action: in.Action, Condition: in.Condition, Type: in.Type, Pass: in.Pass, explanation: in.Explanation, Error: in.Error}
	return nil
}

// maskHeaders returns h with the values of credential-named headers
// replaced, and {} for no headers. The engine has redacted them already;
// this is the second line of defence for a report uploaded as a CI
// artifact.
func maskHeaders(h map[string]string) map[string]string {
	out := make(map[string]string, len(h))
	for k, v := range h {
		if v != "" && v != Redacted && IsSecretName(k) {
			v = Redacted
		}
		out[k] = v
	}
	return out
}

// marshal is json.Marshal without HTML escaping: a report reads
// "<redacted>" and "a && b", not "\u003credacted\u003e". An encoder that
// escapes (json.Marshal) still escapes the result; one that does not
// (json.Encoder with SetEscapeHTML(false)) keeps it as written here.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func timestamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func parseTimestamp(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339Nano, s)
}

// millis is d in milliseconds with microsecond precision, the unit HAR and
// most dashboards use.
func millis(d time.Duration) float64 {
	return float64(d.Microseconds()) / 1000
}

func fromMillis(ms float64) time.Duration {
	return time.Duration(math.Round(ms*1000)) * time.Microsecond
}

// jsonObject is m with every value in a form encoding/json writes without
// error, nil for nil.
func jsonObject(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	return jsonSafe(m).(map[string]any)
}

// jsonSafe returns v in shapes encoding/json always encodes: outputs hold
// whatever a response or an expression produced, and a report must still
// be written when one of them is a NaN or a YAML map with non-string keys.
func jsonSafe(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = jsonSafe(e)
		}
		return out
	case map[any]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[fmt.Sprint(k)] = jsonSafe(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonSafe(e)
		}
		return out
	case time.Time:
		return JSONValue(x)
	case []byte:
		return string(x)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Sprint(x) // JSON has no NaN or Infinity
		}
		return x
	case float32:
		return jsonSafe(float64(x))
	case nil, string, bool, int, int8, int16, int32, int64,
		uint, uint8, uint16, uint32, uint64:
		return x
	case json.Number:
		if json.Valid([]byte(x)) {
			return x
		}
		return string(x)
	case json.RawMessage:
		if json.Valid(x) {
			return x
		}
		return string(x)
	case fmt.Stringer:
		return x.String()
	}
	if b, err := json.Marshal(v); err == nil {
		return json.RawMessage(b)
	}
	return fmt.Sprintf("%v", v)
}

// messageJSON is an AsyncAPI step's message in the run report.
type messageJSON struct {
	Action         string            `json:"action"`
	Address        string            `json:"address"`
	CorrelationID  string            `json:"correlationId,omitempty"`
	Headers        map[string]string `json:"headers,omitempty"`
	PayloadSize    int               `json:"payloadSize"`
	PayloadPreview string            `json:"payloadPreview,omitempty"`
}

func messageOut(m *MessageSummary) *messageJSON {
	if m == nil {
		return nil
	}
	return &messageJSON{Action: m.Action, Address: m.Address, CorrelationID: m.CorrelationID, Headers: m.Headers, PayloadSize: m.PayloadSize, PayloadPreview: m.PayloadPreview}
}

func messageIn(m *messageJSON) *MessageSummary {
	if m == nil {
		return nil
	}
	return &MessageSummary{Action: m.Action, Address: m.Address, CorrelationID: m.CorrelationID, Headers: m.Headers, PayloadSize: m.PayloadSize, PayloadPreview: m.PayloadPreview}
}
