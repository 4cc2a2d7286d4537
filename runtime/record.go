package runtime

import (
	"net/http"

	"github.com/arazzo-go/arazzo/expr"
)

// An attempt's details (redacted headers, body previews, the explanations
// of passing criteria, its outputs) are built when they are read, not when
// the attempt runs: a run that nobody prints paid ≈ 10 µs of CPU per seed
// run for them, a tenth of its cost. The attempt keeps what they are built
// from instead: copies of the headers and the bodies the run sent and
// received, which do not change afterwards, and the redactor of that
// moment, so that each read gives exactly what building them eagerly gave.

// attemptRecord is what an attempt's details are built from. The engine
// fills it while the attempt runs and never changes it afterwards, except
// late, which only the run's own goroutine appends to before the Result
// is returned; reading it builds everything anew, so readers share
// nothing they could race on. It is made to be small: a parked run keeps
// the records of its latest attempts (Options.KeepDetails).
type attemptRecord struct {
	// given: headers and preview set as they are (WithDetails, a decoded
	// report) rather than recorded by the engine.
	given *givenDetails

	// The request as the engine built it, before it was sent.
	reqHeader   http.Header // the request's own (a copy when a cookie jar may add to it)
	sent        []byte
	reqRedactor *redactor // the run's redactor when the request was recorded

	respHeader   http.Header // the response's own: nothing changes it once received
	respRaw      []byte      // nil when longer than a preview: see respPreview
	respRedactor *redactor
	// respPreview is the preview of a body longer than previewBytes, made
	// at once, so that the record does not keep a large body alive.
	respPreview *string

	// The rest of the exchange, for criteria explained when read.
	url, method, rawQuery string
	reqPath               []namedValue
	reqBody               any
	status                int
	respType              string
	hasResponse           bool
	hasReqBody            bool

	// outputs are the step's outputs as evaluated (not changed
	// afterwards), redacted when read by outputsRedactor, the run's
	// redactor of that moment; given outputs have none.
	outputs         map[string]any
	outputsRedactor *redactor

	// late are redactors of secrets learned after the attempt ran
	// (redactor.attempt), applied after the one of its time.
	late []*redactor
}

// givenDetails are a summary's headers and body preview given as they are.
type givenDetails struct {
	headers map[string]string
	preview string
}

// givenRecord is the record of a summary's headers and preview given as
// they are.
func givenRecord(headers map[string]string, bodyPreview string) *attemptRecord {
	return &attemptRecord{given: &givenDetails{headers: headers, preview: bodyPreview}}
}

func (rec *attemptRecord) headers(response bool) map[string]string {
	if rec.given != nil {
		return rec.given.headers
	}
	var h map[string]string
	if response {
		if !rec.hasResponse {
			return nil
		}
		h = redactedHeader(rec.respHeader, rec.respRedactor)
	} else {
		h = redactedHeader(rec.reqHeader, rec.reqRedactor)
	}
	if len(rec.late) > 0 {
		for k, v := range h {
			h[k] = rec.redactLate(v)
		}
	}
	return h
}

func (rec *attemptRecord) preview(response bool) string {
	var p string
	switch {
	case rec.given != nil:
		return rec.given.preview
	case !response:
		p = rec.reqRedactor.Body(rec.sent, rec.reqHeader.Get("Content-Type"))
	case !rec.hasResponse:
		return ""
	case rec.respPreview != nil:
		p = *rec.respPreview
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
	if g := rec.given; g != nil {
		for k, v := range g.headers {
			g.headers[k] = r.String(v)
		}
		g.preview = r.String(g.preview)
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
		p := rd.Body(ex.respRaw, ex.respHeader.Get("Content-Type"))
		rec.respPreview = &p
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
	if rec == nil || !rec.hasResponse || rec.respPreview != nil {
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
	// No workflow state: a criterion that reads only the exchange needs
	// none (and the record must not keep the document alive).
	o := c.Eval(&scope{ex: ex})
	return rec.redactLate(rec.respRedactor.Message(o.Explanation))
}

// redactedHeader is r.Header of a recorded header; nil for none.
//
// A record keeps the header maps themselves: copying them (as name/value
// pairs) was 2 allocations and 1.5 µs of CPU per seed attempt, for maps
// nothing changes afterwards (docs/performance.md item 27). Explaining a
// criterion later only reads them.
func redactedHeader(h http.Header, r *redactor) map[string]string {
	if len(h) == 0 {
		return nil
	}
	return r.Header(h)
}
