package runtime

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/arazzo-go/arazzo/expr"
	"github.com/arazzo-go/arazzo/internal/jsonlimit"
)

// exchange is what one step attempt sent and received: the values of
// $url, $method, $statusCode, $request.* and $response.*.
type exchange struct {
	url, method string
	reqHeader   http.Header
	rawQuery    string
	reqPath     []namedValue // path parameters as sent (a step has a handful)
	reqBody     any
	hasReqBody  bool

	hasResponse bool
	status      int
	respHeader  http.Header
	respRaw     []byte
	respType    string // media type, lower case, no parameters

	// A receive step's message ($message).
	hasMessage bool
	msgHeaders map[string]string
	msgRaw     []byte
	msgType    string

	parseOnce  sync.Once
	respBody   any
	respIsJSON bool    // respBody was decoded from JSON
	raw        rawBody // whether the body can be read in place (LookupPath)

	// rec is the attempt's record, from which its details are built when
	// read; nil in a Lean run.
	rec *attemptRecord
}

// namedValue is one parameter value by name.
type namedValue struct {
	name  string
	value any
}

// lookupNamed finds the last value of that name, as a map would keep it.
func lookupNamed(vs []namedValue, name string) (any, bool) {
	for i := len(vs) - 1; i >= 0; i-- {
		if vs[i].name == name {
			return vs[i].value, true
		}
	}
	return nil, false
}

// responseBody parses the response body by media type once: JSON (and
// +json) into values, anything else as text. An empty body is null.
func (x *exchange) responseBody() any {
	x.parseOnce.Do(func() {
		x.respBody, x.respIsJSON = decodeBody(x.respType, x.respRaw)
	})
	return x.respBody
}

// notJSON reports whether a JSON Pointer cannot read the response body:
// it is there, was not decoded as JSON, and is not JSON text under another
// media type either (a JSON object served as text/plain is still read, as
// expressions read JSON held in strings).
func (x *exchange) notJSON() bool {
	x.responseBody()
	if x.respIsJSON || len(bytes.TrimSpace(x.respRaw)) == 0 {
		return false
	}
	return !looksLikeJSON(x.respRaw) || !json.Valid(x.respRaw)
}

// notJSONError is the evaluation error of a JSON Pointer (or dotted
// navigation) into a response body that is not JSON. It names the media
// type and how the document can read such a body.
func (s *scope) notJSONError() error {
	x := s.ex
	mt := x.respType
	var what string
	var depthErr *jsonlimit.DepthError
	switch {
	case looksLikeJSON(x.respRaw) && errors.As(jsonlimit.CheckDepth(x.respRaw), &depthErr):
		what = "the response body is " + depthErr.Error() + ", the limit"
	case mt == "":
		what = "the response body has no Content-Type and is not JSON"
	case isJSONType(mt):
		what = "the response body is declared " + mt + " but does not parse as JSON"
	default:
		what = "the response body is " + mt + ", not JSON"
	}
	var how string
	switch {
	case isXMLType(mt) && s.st != nil && s.st.bw.doc.Minor() == "1.0":
		how = "; Arazzo 1.0 reads XML only with xpath criteria (type: xpath, context: $response.body)"
	case isXMLType(mt):
		how = "; read XML with XPath: an xpath criterion, or in outputs a selector with type: xpath (context: $response.body)"
	default:
		how = "; test text with a regex criterion (type: regex, context: $response.body)"
	}
	return &notJSONBody{msg: what + ", so a JSON Pointer cannot read it" + how}
}

// notJSONBody is the error of a JSON Pointer into a body that is not
// JSON; it wraps expr.ErrNotJSON, which fails the step that reads it.
type notJSONBody struct{ msg string }

func (e *notJSONBody) Error() string { return e.msg }
func (e *notJSONBody) Unwrap() error { return expr.ErrNotJSON }

func isXMLType(mt string) bool {
	return mt == "application/xml" || mt == "text/xml" || strings.HasSuffix(mt, "+xml")
}

// MediaType implements expr.MediaScope: the response body's media type.
func (s *scope) MediaType(ref *expr.Ref) string {
	if ref.Kind == expr.KindResponse && ref.Field == "body" && s.ex != nil && s.ex.hasResponse {
		return s.ex.respType
	}
	return ""
}

// parseBody decodes a body by media type.
func parseBody(mediaType string, raw []byte) any {
	v, _ := decodeBody(mediaType, raw)
	return v
}

// decodeBody decodes a body by media type: JSON (and +json) into values,
// anything else as text; isJSON says which it was.
func decodeBody(mediaType string, raw []byte) (v any, isJSON bool) {
	if len(raw) == 0 {
		return nil, false
	}
	if isJSONBody(mediaType, raw) {
		// Unmarshal decodes the bytes in place (a Decoder would copy the
		// whole body into its own buffer first) and rejects anything but
		// whitespace after the value, which Decoder.More let through when
		// it was a closing bracket. Text nested deeper than MaxJSONDepth
		// stays text.
		if err := jsonlimit.Unmarshal(raw, &v); err == nil {
			return v, true
		}
	}
	return string(raw), false
}

// isJSONBody reports whether a body is to be read as JSON: by its media
// type, or without one by its first character.
func isJSONBody(mediaType string, raw []byte) bool {
	return isJSONType(mediaType) || (mediaType == "" && looksLikeJSON(raw))
}

func isJSONType(mt string) bool {
	return mt == "application/json" || strings.HasSuffix(mt, "+json") || mt == "text/json"
}

func looksLikeJSON(raw []byte) bool {
	t := bytes.TrimSpace(raw)
	return len(t) > 0 && (t[0] == '{' || t[0] == '[')
}

func mediaType(contentType string) string {
	// Almost every Content-Type is a bare lower-case type/subtype; parsing
	// it with mime allocated on every request and response.
	if isPlainMediaType(contentType) {
		return contentType
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt, _, _ = strings.Cut(contentType, ";")
	}
	return strings.ToLower(strings.TrimSpace(mt))
}

// isPlainMediaType reports whether s is "type/subtype" in lower-case
// letters, digits and the punctuation media types use, with no parameters.
func isPlainMediaType(s string) bool {
	slash := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '.', c == '+', c == '-':
		case c == '/':
			slash++
			if i == 0 || i == len(s)-1 {
				return false
			}
		default:
			return false
		}
	}
	return slash == 1
}

// scope implements expr.Scope for one evaluation point of a run.
type scope struct {
	st *wfState
	ex *exchange // nil before the step sent anything
	// outputs is $outputs: the called workflow's outputs in a workflow
	// step, otherwise nil.
	outputs map[string]any
}

func absent(format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), expr.ErrAbsent)
}

// inputAbsentError is an optional input that the caller did not give and
// that has no default (required ones are refused before the run). A value
// that is wholly this input is left out; see leaveOut.
type inputAbsentError struct{ name string }

func (e *inputAbsentError) Error() string {
	return fmt.Sprintf("optional input %q was not given and has no default", e.name)
}

func (e *inputAbsentError) Unwrap() error { return expr.ErrAbsent }

// isInputAbsent reports whether err is an optional input that was not given.
func isInputAbsent(err error) bool {
	var ia *inputAbsentError
	return errors.As(err, &ia)
}

// notLeftOut explains an absent optional input where it cannot be left out.
func notLeftOut(err error, where string) error {
	if isInputAbsent(err) {
		return fmt.Errorf("%w; it is used inside %s, which cannot leave it out (give the input, a default, or make it the whole value)", err, where)
	}
	return err
}

// Lookup returns the base value named by ref.
func (s *scope) Lookup(ref *expr.Ref) (any, error) {
	switch ref.Kind {
	case expr.KindURL, expr.KindMethod, expr.KindStatusCode, expr.KindRequest, expr.KindResponse:
		return s.lookupExchange(ref)
	case expr.KindInputs:
		v, ok := s.st.inputs[ref.Name]
		if !ok {
			return nil, &inputAbsentError{name: ref.Name}
		}
		return v, nil
	case expr.KindOutputs:
		if s.outputs == nil {
			return nil, absent("no workflow outputs here ($outputs is the called workflow's outputs in a workflow step)")
		}
		v, ok := s.outputs[ref.Name]
		if !ok {
			return nil, absent("workflow output %q is not defined", ref.Name)
		}
		return v, nil
	case expr.KindSteps:
		i, exists := s.st.bw.index[ref.Step]
		if !exists {
			return nil, absent("no step %q in workflow %s", ref.Step, s.st.bw.wf.WorkflowID)
		}
		outs := s.st.stepOutputs[i]
		if outs == nil {
			return nil, absent("step %q has not run successfully", ref.Step)
		}
		v, ok := lookupNamed(outs, ref.Name)
		if !ok {
			return nil, absent("step %q has no output %q", ref.Step, ref.Name)
		}
		return v, nil
	case expr.KindWorkflows:
		rec := s.st.run.workflowRecord(ref.Workflow)
		if rec == nil {
			return nil, absent("workflow %q has not run", ref.Workflow)
		}
		var m map[string]any
		switch ref.Field {
		case "inputs":
			m = rec.inputs
		case "outputs":
			if !rec.finished {
				return nil, absent("workflow %q has not finished", ref.Workflow)
			}
			m = rec.outputs
		default:
			return nil, absent("workflow field %q is not supported", ref.Field)
		}
		v, ok := m[ref.Name]
		if !ok {
			return nil, absent("workflow %q has no %s %q", ref.Workflow, strings.TrimSuffix(ref.Field, "s"), ref.Name)
		}
		return v, nil
	case expr.KindSourceDescriptions:
		src := s.st.bw.doc.Source(ref.Name)
		if src == nil {
			return nil, absent("no source description %q", ref.Name)
		}
		switch ref.Member {
		case "url":
			return src.URL, nil
		case "name":
			return src.Name, nil
		case "type":
			return src.Type, nil
		}
		return nil, absent("source description %q has no field %q", ref.Name, ref.Member)
	case expr.KindComponents:
		return s.lookupComponent(ref)
	case expr.KindSelf:
		if s.st.bw.doc.Self == "" {
			return nil, absent("the document has no $self")
		}
		return s.st.bw.doc.Self, nil
	case expr.KindMessage:
		return s.messageValue(ref)
	}
	return nil, absent("unsupported expression kind %d", ref.Kind)
}

func (s *scope) lookupExchange(ref *expr.Ref) (any, error) {
	x := s.ex
	if x == nil || x.method == "" {
		return nil, absent("no request was sent by this step")
	}
	switch ref.Kind {
	case expr.KindURL:
		return x.url, nil
	case expr.KindMethod:
		return x.method, nil
	case expr.KindStatusCode:
		if !x.hasResponse {
			return nil, absent("no response was received")
		}
		return x.status, nil
	case expr.KindRequest:
		switch ref.Field {
		case "header":
			return headerValue(x.reqHeader, ref.Name, "request")
		case "query":
			q, _ := url.ParseQuery(x.rawQuery)
			vs, ok := q[ref.Name]
			if !ok || len(vs) == 0 {
				return nil, absent("request has no query parameter %q", ref.Name)
			}
			return vs[0], nil
		case "path":
			v, ok := lookupNamed(x.reqPath, ref.Name)
			if !ok {
				return nil, absent("request has no path parameter %q", ref.Name)
			}
			return v, nil
		case "body":
			if !x.hasReqBody {
				return nil, absent("request has no body")
			}
			return x.reqBody, nil
		}
	case expr.KindResponse:
		if !x.hasResponse {
			return nil, absent("no response was received")
		}
		switch ref.Field {
		case "header":
			return headerValue(x.respHeader, ref.Name, "response")
		case "body":
			if readsInto(ref) && x.notJSON() {
				return nil, s.notJSONError()
			}
			return x.responseBody(), nil
		}
	}
	return nil, absent("unsupported field %q", ref.Field)
}

// readsInto reports whether an expression reads inside the value it
// names (a JSON Pointer, or navigation other than the length of a text:
// $response.body.length).
func readsInto(ref *expr.Ref) bool {
	if ref.HasPointer && ref.Pointer != "" {
		return true
	}
	return len(ref.Path) > 1 || len(ref.Path) == 1 && ref.Path[0] != "length"
}

// headerValue returns the first value of a header, by case-insensitive name.
func headerValue(h http.Header, name, which string) (any, error) {
	if vs := h.Values(name); len(vs) > 0 {
		return vs[0], nil
	}
	for k, vs := range h {
		if strings.EqualFold(k, name) && len(vs) > 0 {
			return vs[0], nil
		}
	}
	return nil, absent("%s has no header %q", which, name)
}

func (s *scope) lookupComponent(ref *expr.Ref) (any, error) {
	c := s.st.bw.doc.Components
	if c == nil {
		return nil, absent("the document has no components")
	}
	switch ref.Field {
	case "inputs":
		if v, ok := c.Inputs[ref.Name]; ok {
			return v, nil
		}
	case "parameters":
		if p, ok := c.Parameters[ref.Name]; ok {
			if p.Compiled != nil {
				return p.Compiled.Eval(s)
			}
			return p.Value, nil
		}
	case "successActions":
		if a, ok := c.SuccessActions[ref.Name]; ok {
			return map[string]any{"name": a.Name, "type": a.Type}, nil
		}
	case "failureActions":
		if a, ok := c.FailureActions[ref.Name]; ok {
			return map[string]any{"name": a.Name, "type": a.Type}, nil
		}
	}
	return nil, absent("no component %s.%s", ref.Field, ref.Name)
}
