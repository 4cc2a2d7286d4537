package runtime

import (
	"net/http"
	"slices"
	"strings"

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
	// extras holds what most attempts do not have: details given as they
	// are, the preview of a large body, late redactors. One pointer for
	// the three keeps an attempt with its summaries in the 576-byte size
	// class (docs/performance.md item 27).
	extras *recordExtras

	// The request as the engine built it, before it was sent.
	reqHeader   headerPairs
	sent        []byte
	reqRedactor *redactor // the run's redactor when the request was recorded

	respHeader   headerPairs
	respRaw      []byte // nil when longer than a preview: see recordExtras.respPreview
	respRedactor *redactor

	// The rest of the exchange, for criteria explained when read.
	url, method string // the request's query is read from url (rawQuery)
	reqPath     []namedValue
	reqBody     any
	status      int
	hasResponse bool
	hasReqBody  bool

	// outputs are the step's outputs as evaluated (not changed
	// afterwards), redacted when read by outputsRedactor, the run's
	// redactor of that moment; given outputs have none.
	outputs         []namedValue
	outputsRedactor *redactor
}

// recordExtras are the rarely present parts of a record (attemptRecord.extras).
type recordExtras struct {
	given *givenDetails
	// respPreview is the preview of a body longer than previewBytes, made
	// at once, so that the record does not keep a large body alive.
	respPreview *string
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
	return &attemptRecord{extras: &recordExtras{given: &givenDetails{headers: headers, preview: bodyPreview}}}
}

func (rec *attemptRecord) headers(response bool) map[string]string {
	if g := rec.ext().given; g != nil {
		return g.headers
	}
	var h map[string]string
	if response {
		if !rec.hasResponse {
			return nil
		}
		h = rec.respHeader.redacted(rec.respRedactor)
	} else {
		h = rec.reqHeader.redacted(rec.reqRedactor)
	}
	if len(rec.ext().late) > 0 {
		for k, v := range h {
			h[k] = rec.redactLate(v)
		}
	}
	return h
}

func (rec *attemptRecord) preview(response bool) string {
	var p string
	switch {
	case rec.ext().given != nil:
		return rec.ext().given.preview
	case !response:
		p = rec.reqRedactor.Body(rec.sent, rec.reqHeader.get("Content-Type"))
	case !rec.hasResponse:
		return ""
	case rec.ext().respPreview != nil:
		p = *rec.ext().respPreview
	default:
		p = rec.respRedactor.Body(rec.respRaw, rec.respHeader.get("Content-Type"))
	}
	return rec.redactLate(p)
}

func (rec *attemptRecord) redactLate(s string) string {
	for _, r := range rec.ext().late {
		s = r.String(s)
	}
	return s
}

// noExtras stands for the extras of a record that has none.
var noExtras recordExtras

// ext returns the record's extras, empty ones when it has none: read
// only; withExtras gives ones to change.
func (rec *attemptRecord) ext() *recordExtras {
	if rec.extras == nil {
		return &noExtras
	}
	return rec.extras
}

// withExtras returns a copy of the record's extras to change: a copied
// record (WithOutputs) shares the old ones.
func (rec *attemptRecord) withExtras() *recordExtras {
	e := &recordExtras{}
	if rec.extras != nil {
		*e = *rec.extras
		e.late = slices.Clip(e.late)
	}
	rec.extras = e
	return e
}

// rawQuery is the query of the request's URL: url is the request URL as
// String wrote it, whose first "?" starts the query (the path's own are
// escaped) and which has no fragment.
func (rec *attemptRecord) rawQuery() string {
	_, q, _ := strings.Cut(rec.url, "?")
	return q
}

// redactLater makes the record hide what r hides too, for secrets learned
// after the attempt ran: given details at once, the rest when read.
func (rec *attemptRecord) redactLater(r *redactor) {
	if g := rec.ext().given; g != nil {
		for k, v := range g.headers {
			g.headers[k] = r.String(v)
		}
		g.preview = r.String(g.preview)
	}
	late := rec.ext().late
	if n := len(late); n > 0 && late[n-1] == r {
		return // the request, response and attempt share one record
	}
	e := rec.withExtras()
	e.late = append(e.late, r)
}

// redactedOutputs returns the outputs with secrets hidden.
func (rec *attemptRecord) redactedOutputs() map[string]any {
	if rec.outputs == nil {
		return nil
	}
	m := make(map[string]any, len(rec.outputs))
	for _, o := range rec.outputs {
		m[o.name] = o.value
	}
	v := any(m)
	if rec.outputsRedactor != nil {
		v = redactValue(v, rec.outputsRedactor)
	}
	for _, r := range rec.ext().late {
		v = redactValue(v, r)
	}
	out, _ := v.(map[string]any)
	return out
}

// namedValuesOf lists a map's members (outputs given as a map).
func namedValuesOf(m map[string]any) []namedValue {
	if m == nil {
		return nil
	}
	out := make([]namedValue, 0, len(m))
	for k, v := range m {
		out = append(out, namedValue{k, v})
	}
	return out
}

// recordResponse keeps the received response in the record.
func (rec *attemptRecord) recordResponse(ex *exchange, rd *redactor) {
	rec.hasResponse, rec.respHeader, rec.respRedactor = true, flattenHeader(ex.respHeader), rd
	if len(ex.respRaw) > previewBytes {
		p := rd.Body(ex.respRaw, ex.respHeader.Get("Content-Type"))
		rec.withExtras().respPreview = &p
	} else {
		rec.respRaw = ex.respRaw
	}
	rec.url, rec.method = ex.url, ex.method
	rec.reqPath, rec.reqBody, rec.hasReqBody = ex.reqPath, ex.reqBody, ex.hasReqBody
	rec.status = ex.status
}

// canExplainLater reports whether a passing criterion can be explained
// when read, from the record alone, exactly as when it was evaluated: it
// reads only the attempt's request and response (not inputs or outputs,
// which change as the run goes on), the record kept the whole body, and
// its evaluation has no deadline that a busy reader could miss (regex).
func (rec *attemptRecord) canExplainLater(c *expr.Criterion) bool {
	if rec == nil || !rec.hasResponse || rec.ext().respPreview != nil {
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
		url: rec.url, method: rec.method, reqHeader: rec.reqHeader.header(), rawQuery: rec.rawQuery(),
		reqPath: rec.reqPath, reqBody: rec.reqBody, hasReqBody: rec.hasReqBody,
		hasResponse: true, status: rec.status, respHeader: rec.respHeader.header(), respRaw: rec.respRaw, respType: mediaType(rec.respHeader.get("Content-Type")),
	}
	// No workflow state: a criterion that reads only the exchange needs
	// none (and the record must not keep the document alive).
	o := c.Eval(&scope{ex: ex})
	return rec.redactLate(rec.respRedactor.Message(o.Explanation))
}

// headerPairs is a header kept by a record: name, value, name, value...,
// one pair per value in the header's order. A copy, so that a cookie jar
// or a transport that edits the request's map afterwards changes nothing
// here, and smaller than the map (whose values are one slice each).
type headerPairs []string

func flattenHeader(h http.Header) headerPairs {
	if len(h) == 0 {
		return nil
	}
	// One walk of the map: a header almost always has one value per name
	// (a name with more grows the slice).
	p := make(headerPairs, 0, 2*len(h))
	for k, vs := range h {
		for _, v := range vs {
			p = append(p, k, v)
		}
	}
	if len(p) == 0 {
		return nil
	}
	return p
}

// header rebuilds the map, for the expressions that read it.
func (p headerPairs) header() http.Header {
	h := make(http.Header, len(p)/2)
	for i := 0; i < len(p); i += 2 {
		h[p[i]] = append(h[p[i]], p[i+1])
	}
	return h
}

// get is http.Header.Get: the first value of the canonical name.
func (p headerPairs) get(name string) string {
	name = http.CanonicalHeaderKey(name)
	for i := 0; i < len(p); i += 2 {
		if p[i] == name {
			return p[i+1]
		}
	}
	return ""
}

// redacted is redactor.Header of the header the pairs were made from.
func (p headerPairs) redacted(r *redactor) map[string]string {
	if len(p) == 0 {
		return nil
	}
	h := p.header()
	return r.Header(h)
}
