package runtime

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/arazzo-go/arazzo/arazzo"
	"github.com/arazzo-go/arazzo/expr"
	"github.com/arazzo-go/arazzo/openapi"
)

// previewBytes is how much of a body a summary keeps.
const previewBytes = 4096

// stepRun is one attempt of one step in progress.
type stepRun struct {
	att     *StepAttempt
	req     *RequestSummary  // where att.Request goes
	resp    *ResponseSummary // where att.Response goes
	record  *attemptRecord   // where the attempt's details come from; nil in a Lean run
	scope   *scope
	aborted string // non-empty: the run must stop (cancellation, timeout)
	// abortGuard is the guard of a nested workflow that aborted the run.
	abortGuard string
	path       string // the step's path (boundStep.path)
	// budget reads the response body against the engine's budget
	// (bodybudget.go).
	budget budgetReader
}

// attemptState is an attempt's working state in one allocation, which the
// workflow's next attempt reuses: a seed run allocated 2.2 KB of them per
// run, a share of the garbage that sets how often the collector runs
// (docs/performance.md item 27). Nothing keeps a pointer into it once the
// loop has moved past the attempt: the Result and the events hold the
// attempt's record, values read from the exchange are copies or values of
// their own, and a nested workflow has a wfState of its own.
type attemptState struct {
	run   stepRun
	scope scope
	ex    exchange
}

// retryAfter reads the Retry-After header of the attempt's response.
func (x *stepRun) retryAfter(now time.Time) (time.Duration, bool) {
	ex := x.scope.ex
	if ex == nil || !ex.hasResponse {
		return 0, false
	}
	return ParseRetryAfter(ex.respHeader.Get("Retry-After"), now)
}

// execute runs one attempt of a step: the request or the nested workflow,
// then the success criteria. Actions are chosen by the caller.
func (st *wfState) execute(ctx context.Context, bs *boundStep, attemptNo int, waited time.Duration) *stepRun {
	r := st.run
	// The attempt and its request and response summaries in one
	// allocation: every attempt of an operation step has all three. With
	// details, the record they are built from (record.go) too.
	var att *StepAttempt
	var req *RequestSummary
	var resp *ResponseSummary
	var record *attemptRecord
	if r.e.opts.Lean {
		rec := &struct {
			att  StepAttempt
			req  RequestSummary
			resp ResponseSummary
		}{}
		att, req, resp = &rec.att, &rec.req, &rec.resp
	} else {
		rec := &struct {
			att    StepAttempt
			req    RequestSummary
			resp   ResponseSummary
			record attemptRecord
		}{}
		att, req, resp, record = &rec.att, &rec.req, &rec.resp, &rec.record
	}
	*att = StepAttempt{
		WorkflowID: st.bw.wf.WorkflowID,
		StepID:     bs.step.StepID,
		Attempt:    attemptNo,
		Operation:  bs.label,
		Started:    r.fx.Now(),
		Waited:     waited,
		Summarized: r.e.opts.Lean,
	}
	// The attempt's working state, apart from the attempt's record: the
	// Result keeps the record, and must not keep the exchange (the response
	// body) with it. The previous attempt's is reused (attemptState).
	w := st.spare
	if w == nil {
		w = new(attemptState)
		st.spare = w
	} else {
		*w = attemptState{}
	}
	w.scope = scope{st: st, ex: &w.ex}
	w.run = stepRun{att: att, scope: &w.scope, req: req, resp: resp, record: record, path: bs.path}
	x := &w.run
	r.emitAttempt(EventStepStarted, att)

	stepCtx := ctx
	var cancel context.CancelFunc = func() {}
	if t := bs.step.Timeout; t != nil && *t > 0 {
		stepCtx, cancel = context.WithTimeout(ctx, time.Duration(*t)*time.Millisecond)
	}
	defer cancel()

	if bs.problem != "" {
		// The document has an error in this step (Problems.Steps): it
		// fails here, without a request, like a step whose request could
		// not be built, so onFailure actions and reports still work.
		att.Error = bs.problem
		return x
	}
	var transportOK bool
	if len(bs.listenFor) > 0 {
		if err := st.listenAhead(stepCtx, bs, x.scope); err != nil {
			att.Error = r.redact.Message(err.Error())
			return x
		}
	}
	switch {
	case bs.target != nil:
		transportOK = st.executeWorkflowStep(stepCtx, bs, x)
	case bs.async != nil:
		transportOK = st.executeMessage(stepCtx, bs, x)
	default:
		transportOK = st.executeOperation(stepCtx, bs, x)
	}
	if x.aborted != "" {
		return x
	}
	if err := ctx.Err(); err != nil {
		x.aborted = r.abortMessage(err)
		if x.att.Request != nil && !transportOK {
			// Not the transport's "context deadline exceeded".
			att.Error = fmt.Sprintf("%s %s: interrupted, %s", x.att.Request.Method, x.att.Request.URL, x.aborted)
		}
		return x
	}
	if !transportOK && stepCtx.Err() != nil && bs.step.Timeout != nil && bs.async == nil {
		att.Error = fmt.Sprintf("step timed out after %dms", *bs.step.Timeout)
	}

	ok := transportOK
	if ok {
		if len(bs.criteria) == 0 {
			if r.e.opts.Strict && bs.target == nil && bs.async == nil {
				if s := x.scope.ex.status; s < 200 || s > 299 {
					ok = false
					att.Error = fmt.Sprintf("status %d is not 2xx and the step has no successCriteria (strict mode)", s)
				}
			}
		} else {
			// Sized once for the success criteria and those of the
			// onSuccess actions, which selectAction evaluates next until
			// one matches: growing the slice cost up to three allocations
			// per attempt, and sizing it for the first action only still
			// cost a second one (and a copy) in every poll loop's last
			// attempt, where the second action ends the loop.
			n := len(bs.criteria)
			for _, a := range bs.onSuccess {
				if a.a != nil {
					n += len(a.a.Criteria)
				}
			}
			att.Criteria = make([]CriterionResult, 0, n)
			for _, c := range bs.criteria {
				res := st.evalCriterion(c, x.scope, bs, true)
				att.Criteria = append(att.Criteria, res)
				if !res.Pass {
					if ok {
						att.Error = joinMsg(att.Error, criterionFailure(res))
					}
					ok = false
				}
			}
		}
	}
	att.Success = ok
	if !ok && x.scope.ex.hasResponse && x.scope.ex.status >= 400 {
		if summary := errorSummary(x.scope.ex, r.redact); summary != "" {
			att.Error = joinMsg(att.Error, summary)
		}
	}
	return x
}

// errorSummary describes an error response for people: the usual error
// fields of a JSON body (code, message, error, title, detail), else the
// start of the body.
func errorSummary(ex *exchange, rd *redactor) string {
	prefix := fmt.Sprintf("the response was %d", ex.status)
	if m, ok := ex.responseBody().(map[string]any); ok {
		var parts []string
		for _, k := range []string{"code", "error", "title", "message", "detail", "error_description"} {
			if v, ok := m[k].(string); ok && v != "" {
				parts = append(parts, v)
			}
		}
		if len(parts) > 0 {
			// The fields are the server's text, of any size.
			return prefix + " " + rd.String(clipRunes(strings.Join(parts, ": "), 200))
		}
	}
	text := strings.TrimSpace(rd.Body(ex.respRaw, ex.respType))
	if text == "" {
		return ""
	}
	return prefix + ": " + clipRunes(text, 200)
}

// clipRunes cuts s after n characters, with "…" when cut.
func clipRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i] + "…"
		}
		n--
	}
	return s
}

func criterionFailure(res CriterionResult) string {
	msg := fmt.Sprintf("successCriteria not met: %s", res.Condition)
	if e := res.Explanation(); e != "" && e != "evaluation failed: "+res.Error {
		msg += " (" + e + ")"
	}
	if res.Error != "" {
		msg += ": " + res.Error
	}
	return msg
}

// executeWorkflowStep runs the step's workflow with the step's parameters
// (those without "in") as inputs; $outputs is then the called workflow's
// outputs.
func (st *wfState) executeWorkflowStep(ctx context.Context, bs *boundStep, x *stepRun) bool {
	r := st.run
	in := map[string]any{}
	for _, p := range bs.params {
		if p.In != "" {
			continue // inherited operation parameters do not become inputs
		}
		v, omit, err := evalParam(p, x.scope)
		if err != nil {
			x.att.Error = r.redact.Message(fmt.Sprintf("parameter %s: %v", p.Name, err))
			return false
		}
		if !omit {
			in[p.Name] = v
		}
	}
	prepared, err := bs.target.prepareInputs(in)
	if err != nil {
		x.att.Error = r.redact.Message(err.Error())
		return false
	}
	sub := st.runNested(ctx, bs, prepared)
	x.scope.outputs = sub.outputs
	if x.scope.outputs == nil {
		x.scope.outputs = map[string]any{}
	}
	switch sub.status {
	case Aborted:
		if r.root.Err() != nil || ctx.Err() == nil {
			x.aborted, x.abortGuard = sub.err, sub.guard
		} else {
			x.att.Error = fmt.Sprintf("workflow %s: %s", bs.target.wf.WorkflowID, sub.err)
		}
		return false
	case Failed:
		x.att.Error = fmt.Sprintf("workflow %s failed: %s", bs.target.wf.WorkflowID, sub.err)
		return false
	}
	return true
}

// evalParam evaluates a parameter value. A value that refers to something
// absent (an input not given) is omitted, as is null.
func evalParam(p *arazzo.Parameter, sc *scope) (v any, omit bool, err error) {
	switch {
	case p.Selector != nil && p.Selector.Compiled != nil:
		v, err = p.Selector.Compiled.Eval(sc)
	case p.Compiled != nil:
		v, err = p.Compiled.Eval(sc)
		if err != nil && isInputAbsent(err) && !p.Compiled.WholeExpression() {
			// "{$inputs.x}-suffix": leaving out only the input would
			// send a different value than the author wrote.
			return nil, false, notLeftOut(err, "a template or structure")
		}
	default:
		v = p.Value
	}
	if err != nil {
		if errors.Is(err, expr.ErrAbsent) {
			return nil, true, nil
		}
		return nil, false, err
	}
	return v, v == nil, nil
}

// operationKeyType keys the OperationKey in a request context.
type operationKeyType struct{}

// executeOperation builds, sends and records the request of an operation
// step. It returns whether a response was received.
func (st *wfState) executeOperation(ctx context.Context, bs *boundStep, x *stepRun) bool {
	r := st.run
	opts := &r.e.opts
	ex := x.scope.ex
	in := openapi.RequestInput{
		BaseURL:    r.baseURL(bs.source.Name),
		ServerVars: r.serverVars(bs.source.Name),
	}
	// NewRequest does not keep the parameter list, and a run builds one
	// request at a time: the run's list is reused.
	in.Params = r.paramBuf[:0]
	for _, p := range bs.params {
		v, omit, err := evalParam(p, x.scope)
		if err != nil {
			x.att.Error = r.redact.Message(fmt.Sprintf("parameter %s (in %s): %v", p.Name, p.In, err))
			return false
		}
		if omit {
			continue
		}
		if p.In == "" {
			x.att.Error = fmt.Sprintf("parameter %s has no \"in\"", p.Name)
			return false
		}
		in.Params = append(in.Params, openapi.ParamValue{Name: p.Name, In: p.In, Value: v})
		if p.In == "path" {
			ex.reqPath = append(ex.reqPath, namedValue{p.Name, v})
		}
	}
	r.paramBuf = in.Params[:0]
	if rb := bs.body; rb != nil {
		in.ContentType = rb.ContentType
		if rb.HasPayload {
			var body any
			var err error
			hasBody := true
			if rb.Compiled != nil {
				// Object members (JSON members, form fields, multipart
				// parts) that are wholly an optional input not given
				// are left out, like an absent parameter.
				body, err = rb.Compiled.EvalLeavingOut(x.scope, isInputAbsent)
				if err != nil && isInputAbsent(err) && rb.Compiled.WholeExpression() {
					body, err, hasBody = nil, nil, false // payload: $inputs.x, not given
				} else {
					err = notLeftOut(err, "a template or an array")
				}
			} else {
				body = rb.Payload
			}
			if err == nil && hasBody && len(rb.Replacements) > 0 {
				body, err = applyReplacements(body, rb.ContentType, rb.Replacements, x.scope)
			}
			if err != nil {
				x.att.Error = r.redact.Message(fmt.Sprintf("requestBody: %v", err))
				return false
			}
			if hasBody {
				in.Body, in.HasBody = body, true
				ex.reqBody, ex.hasReqBody = body, true
			}
		}
	}

	reqCtx := r.deadlines.arm(ctx, opts.RequestTimeout, bs.opKeyValue)
	defer r.deadlines.disarm(reqCtx)
	// sent is what the request sends, for the record: NewRequestBody's
	// encoded body, not a copy read back from it.
	req, sent, err := bs.op.NewRequestBody(reqCtx, in)
	if err != nil {
		x.att.Error = r.redact.Message(fmt.Sprintf("building the %s request: %v", bs.label, err))
		return false
	}
	call := r.newCall(bs, req)
	ex.url, ex.method = req.URL.String(), req.Method
	// The header map is ours and a RoundTripper must not modify it, so it
	// is not copied; the query is parsed only if an expression asks.
	ex.reqHeader, ex.rawQuery = req.Header, req.URL.RawQuery
	if !ex.hasReqBody && len(sent) > 0 {
		ex.reqBody, ex.hasReqBody = parseBody(mediaType(req.Header.Get("Content-Type")), sent), true
	}
	*x.req = RequestSummary{Method: req.Method, URL: r.redact.urlText(req.URL, ex.url), BodySize: len(sent)}
	x.att.Request = x.req
	rec := x.record
	if rec != nil {
		// The details are built from this record when read (record.go).
		rec.reqHeader, rec.sent, rec.reqRedactor = flattenHeader(req.Header), sent, r.redact
		x.att.Request.Body = sent
		x.att.Request.rec, x.att.rec, ex.rec = rec, rec, rec
	}
	r.emitAttempt(EventRequestSent, x.att)

	resp, err := r.fx.Send(reqCtx, call)
	r.learnCredentials() // before anything that could show a credential is recorded
	if err != nil {
		if ctx.Err() == nil && reqCtx.Err() != nil {
			x.att.Error = fmt.Sprintf("%s %s: no response within %s", req.Method, x.att.Request.URL, opts.RequestTimeout)
		} else {
			x.att.Error = r.redact.Message(transportError(err, req.Method, x.att.Request.URL))
		}
		return false
	}
	defer resp.Body.Close()
	raw, err := r.readBody(resp, opts.MaxBodyBytes, &x.budget) // counted against MaxBodyBytesTotal (bodybudget.go)
	ex.hasResponse = true
	ex.status = resp.StatusCode
	ex.respHeader = resp.Header
	ex.respRaw = raw
	ex.respType = mediaType(resp.Header.Get("Content-Type"))
	*x.resp = ResponseSummary{Status: resp.StatusCode, BodySize: len(raw)}
	x.att.Response = x.resp
	if rec != nil {
		rec.recordResponse(ex, r.redact)
		x.att.Response.rec = rec
	}
	r.emitAttempt(EventResponseReceived, x.att)
	if err != nil {
		if ctx.Err() == nil && reqCtx.Err() != nil {
			x.att.Error = fmt.Sprintf("%s %s: the response body did not arrive within %s", req.Method, x.att.Request.URL, opts.RequestTimeout)
		} else {
			x.att.Error = r.redact.Message(fmt.Sprintf("reading the response: %v", err))
		}
		return false
	}
	return true
}

// transportError replaces the URL that url.Error prints as sent (with
// credential-like query values) by the redacted one, and keeps the cause,
// which names the host ("dial tcp 127.0.0.1:9: connect: connection refused").
func transportError(err error, method, redactedURL string) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Sprintf("%s %s: %v", method, redactedURL, ue.Err)
	}
	return strings.TrimSpace(err.Error())
}

// readBody reads a response body of at most limit bytes. With a known
// Content-Length it reads into a buffer of exactly that size, where
// io.ReadAll would start small and grow (and copy) several times.
func readBody(resp *http.Response, limit int64) ([]byte, error) {
	// A HEAD response declares the length of a body it does not have.
	if n := resp.ContentLength; n > 0 && n <= limit && n <= 1<<20 && resp.Body != http.NoBody {
		buf := make([]byte, n)
		if k, err := io.ReadFull(resp.Body, buf); err != nil {
			if k == 0 && errors.Is(err, io.EOF) {
				return nil, nil // a body the transport does not deliver (HEAD, 204 from a mock)
			}
			return buf[:k], fmt.Errorf("response body shorter than its Content-Length %d: %w", n, err)
		}
		// Reading on to EOF lets the transport reuse the connection (net/http
		// usually reports EOF with the last bytes already), and notices a
		// transport that sends more than it declared.
		var extra [1]byte
		if k, _ := resp.Body.Read(extra[:]); k > 0 {
			more, err := io.ReadAll(io.LimitReader(resp.Body, limit-n))
			buf = append(append(buf, extra[0]), more...)
			if err == nil && int64(len(buf)) > limit {
				err = fmt.Errorf("response body larger than %d bytes", limit)
			}
			return buf, err
		}
		return buf, nil
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err == nil && int64(len(raw)) > limit {
		err = fmt.Errorf("response body larger than %d bytes", limit)
	}
	return raw, err
}

// preview returns the start of a body as text, or a note for binary data.
// A whole body that fits is returned without a copy, so b must not be
// modified afterwards: the engine passes only bodies it owns and keeps
// unchanged (sent, received, or re-encoded for redaction).
func preview(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) <= previewBytes && utf8.Valid(b) {
		return unsafe.String(unsafe.SliceData(b), len(b))
	}
	cut := b
	if len(cut) > previewBytes {
		cut = cut[:previewBytes]
		// Do not split a UTF-8 sequence (at most 3 trailing bytes).
		for i := 0; i < 3 && len(cut) > 0 && !utf8.Valid(cut); i++ {
			cut = cut[:len(cut)-1]
		}
	}
	if !utf8.Valid(cut) {
		return fmt.Sprintf("(%d bytes of binary data)", len(b))
	}
	if len(cut) < len(b) {
		return string(cut) + "…"
	}
	return string(cut)
}

// OperationFromContext returns the operation the engine attached to an
// outgoing request's context.
func OperationFromContext(req *http.Request) (OperationKey, bool) {
	k, ok := req.Context().Value(operationKeyType{}).(OperationKey)
	return k, ok
}

// OperationKey identifies the operation a request was built for.
type OperationKey struct {
	Source      string // source description name
	OperationID string // may be empty
	Method      string
	Path        string // path key as written ("/{Bucket}?lifecycle" keeps its fixed query)
}

// String returns the operationId, or "METHOD path" for an operation without
// one. It does not name the source: compare keys, not strings, when two
// sources may share an operationId.
func (k OperationKey) String() string {
	if k.OperationID != "" {
		return k.OperationID
	}
	return k.Method + " " + k.Path
}
