package runtime

import (
	"net/http"

	"github.com/arazzo-go/arazzo/expr"
)

// An attempt's details (redacted headers, body previews, the explanations
// of passing criteria, its outputs) are built when they are read, not when
// the attempt runs: a run that nobody prints paid ≈ 10 µs of CPU per seed
// run for them, a tenth of its cost. The attempt keeps what they are built
// from instead: the header maps and bodies the run sent and received, which
// do not change afterwards, and the redactor of that moment, so that each
// read gives exactly what building them eagerly gave.

// attemptRecord is what an attempt's details are built from. The engine
// fills it while the attempt runs and never changes it afterwards, except
// late, which only the run's own goroutine appends to before the Result
// is returned; reading it builds everything anew, so readers share
// nothing they could race on.
type attemptRecord struct {
	// given: headers and preview set as they are (WithDetails, a decoded
	// report) rather than recorded by the engine.
	given        bool
	givenHeaders map[string]string
	givenPreview string

	bw *boundWorkflow // for the scope that explains criteria

	// The request as sent: the engine built the header map and nothing
	// changes it afterwards (a cookie jar would: then it is a copy).
	reqHeader   http.Header
	sent        []byte
	reqRedactor *redactor // the run's redactor when the request was recorded

	hasResponse  bool
	respHeader   http.Header
	respRaw      []byte // nil when longer than a preview: see respPreview
	respRedactor *redactor
	// respPreview is the preview of a body longer than previewBytes, made
	// at once, so that the record does not keep a large body alive.
	respPreview    string
	respPreviewSet bool

	// The rest of the exchange, for criteria explained when read.
	url, method, rawQuery string
	reqPath               []namedValue
	reqBody               any
	hasReqBody            bool
	status                int
	respType              string

	// outputs are the step's outputs as evaluated (not changed
	// afterwards), redacted when read by outputsRedactor, the run's
	// redactor of that moment; given outputs have none.
	outputs         map[string]any
	outputsRedactor *redactor

	// late are redactors of secrets learned after the attempt ran
	// (redactor.attempt), applied after the one of its time.
	late []*redactor
}

// givenDetails is the record of a summary's headers and preview given as
// they are.
func givenDetails(headers map[string]string, bodyPreview string) *attemptRecord {
	return &attemptRecord{given: true, givenHeaders: headers, givenPreview: bodyPreview}
}

func (rec *attemptRecord) headers(response bool) map[string]string {
	if rec.given {
		return rec.givenHeaders
	}
	var h map[string]string
	if response {
		if !rec.hasResponse {
			return nil
		}
		h = rec.respRedactor.Header(rec.respHeader)
	} else {
		h = rec.reqRedactor.Header(rec.reqHeader)
	}
	for _, r := range rec.late {
		for k, v := range h {
			h[k] = r.String(v)
		}
	}
	return h
}

func (rec *attemptRecord) preview(response bool) string {
	var p string
	switch {
	case rec.given:
		return rec.givenPreview
	case !response:
		p = rec.reqRedactor.Body(rec.sent, rec.reqHeader.Get("Content-Type"))
	case !rec.hasResponse:
		return ""
	case rec.respPreviewSet:
		p = rec.respPreview
	default:
		p = rec.respRedactor.Body(rec.respRaw, rec.respHeader.Get("Content-Type"))
	}
	return rec.redactLate(p)
}

func (rec *attemptRecord) redactLate(s string) string {
	for _, r := range rec.late {
		s = r.String(s)
	}
	return s
}

// redactLater makes the record hide what r hides too, for secrets learned
// after the attempt ran: given details at once, the rest when read.
func (rec *attemptRecord) redactLater(r *redactor) {
	if rec.given {
		for k, v := range rec.givenHeaders {
			rec.givenHeaders[k] = r.String(v)
		}
		rec.givenPreview = r.String(rec.givenPreview)
	}
	if n := len(rec.late); n > 0 && rec.late[n-1] == r {
		return // the request, response and attempt share one record
	}
	rec.late = append(rec.late, r)
}

// redactedOutputs returns the outputs with secrets hidden.
func (rec *attemptRecord) redactedOutputs() map[string]any {
	if rec.outputs == nil {
		return nil
	}
	v := any(rec.outputs)
	if rec.outputsRedactor != nil {
		v = redactValue(v, rec.outputsRedactor)
	}
	for _, r := range rec.late {
		v = redactValue(v, r)
	}
	m, _ := v.(map[string]any)
	return m
}

// recordResponse keeps the received response in the record.
func (rec *attemptRecord) recordResponse(ex *exchange, rd *redactor) {
	rec.hasResponse, rec.respHeader, rec.respRedactor = true, ex.respHeader, rd
	if len(ex.respRaw) > previewBytes {
		rec.respPreview, rec.respPreviewSet = rd.Body(ex.respRaw, ex.respHeader.Get("Content-Type")), true
	} else {
		rec.respRaw = ex.respRaw
	}
	rec.url, rec.method, rec.rawQuery = ex.url, ex.method, ex.rawQuery
	rec.reqPath, rec.reqBody, rec.hasReqBody = ex.reqPath, ex.reqBody, ex.hasReqBody
	rec.status, rec.respType = ex.status, ex.respType
}

// canExplainLater reports whether a passing criterion can be explained
// when read, from the record alone, exactly as when it was evaluated: it
// reads only the attempt's request and response (not inputs or outputs,
// which change as the run goes on), the record kept the whole body, and
// its evaluation has no deadline that a busy reader could miss (regex).
func (rec *attemptRecord) canExplainLater(c *expr.Criterion) bool {
	if rec == nil || !rec.hasResponse || rec.respPreviewSet {
		return false
	}
	switch c.Spec().Type {
	case "", "simple", "jsonpath":
	default:
		return false
	}
	for _, ref := range c.Refs() {
		switch ref.Kind {
		case expr.KindURL, expr.KindMethod, expr.KindStatusCode, expr.KindRequest, expr.KindResponse:
		default:
			return false
		}
	}
	return true
}

// explain evaluates c again on a fresh exchange made of the record (its
// own caches, so concurrent readers share nothing mutable) and returns the
// explanation as the run would have recorded it.
func (rec *attemptRecord) explain(c *expr.Criterion) string {
	ex := &exchange{
		url: rec.url, method: rec.method, reqHeader: rec.reqHeader, rawQuery: rec.rawQuery,
		reqPath: rec.reqPath, reqBody: rec.reqBody, hasReqBody: rec.hasReqBody,
		hasResponse: true, status: rec.status, respHeader: rec.respHeader, respRaw: rec.respRaw, respType: rec.respType,
	}
	o := c.Eval(&scope{st: &wfState{bw: rec.bw}, ex: ex})
	return rec.redactLate(rec.respRedactor.Message(o.Explanation))
}
