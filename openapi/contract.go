package openapi

// Contract checks: does a response match what the operation's description
// declares? kin-openapi's openapi3filter does the schema work; this file
// turns its errors into Violations that name where the response departs
// from the description and never quote the response's values (a body may
// hold tokens; kin-openapi's Reason texts are written not to include them).

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// Violation kinds.
const (
	ViolationStatus      = "status"       // the status code is not declared for the operation
	ViolationContentType = "content-type" // the media type is not among the declared ones
	ViolationHeader      = "header"       // a declared response header is missing or invalid
	ViolationBody        = "body"         // the body does not match the response schema
)

// maxViolations bounds the list one response yields.
const maxViolations = 20

// Violation is one way a response departs from its operation's description.
// Its JSON is the "contract" entry of the run report
// (docs/schemas/run-report.schema.json).
type Violation struct {
	Kind string `json:"kind"` // one of the Violation* constants
	// Pointer is the JSON Pointer of the failing value in the body ("" for
	// the body as a whole and for the other kinds).
	Pointer string `json:"path,omitempty"`
	// Keyword is the schema keyword that failed ("type", "required",
	// "enum", ...), "" when not a schema check.
	Keyword string `json:"keyword,omitempty"`
	// Schema is the JSON Pointer, in the OpenAPI description, of the
	// response object or schema that was checked
	// ("/paths/~1pets~1{id}/get/responses/200/content/application~1json/schema"):
	// where a reader looks to see what was expected. "" for a status that
	// is not declared.
	Schema string `json:"schema,omitempty"`
	// Msg says what the description expects; it never quotes the
	// response's values.
	Msg string `json:"message"`
}

func (v Violation) String() string {
	var b strings.Builder
	b.WriteString(v.Kind)
	if v.Pointer != "" {
		b.WriteString(" ")
		b.WriteString(v.Pointer)
	}
	b.WriteString(": ")
	b.WriteString(v.Msg)
	return b.String()
}

// CheckResponse compares a response with the operation's description: the
// status code is declared (or a default response is), the Content-Type is
// one of the declared media types, declared required headers are present
// and valid, and the body matches the response schema. It returns nil for
// a response that matches. A response whose status has no declared
// content is not checked further than its status and headers.
func (o *Operation) CheckResponse(ctx context.Context, status int, header http.Header, body []byte) []Violation {
	if o == nil || o.op == nil || o.op.Responses == nil || o.op.Responses.Len() == 0 {
		return nil
	}
	if o.op.Responses.Status(status) == nil && o.op.Responses.Default() == nil {
		return []Violation{{Kind: ViolationStatus, Msg: fmt.Sprintf("status %d is not declared for %s (declared: %s)", status, o.label(), strings.Join(o.declaredStatuses(), ", "))}}
	}
	req, err := http.NewRequestWithContext(ctx, o.Method, "http://contract.invalid/", nil)
	if err != nil {
		return nil
	}
	if header == nil {
		header = http.Header{}
	}
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: req,
			Route:   o.route(),
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
		},
		Status:  status,
		Header:  header,
		Options: &openapi3filter.Options{MultiError: true, IncludeResponseStatus: true},
	}
	input.SetBodyBytes(body)
	err = openapi3filter.ValidateResponse(ctx, input)
	if err == nil {
		return nil
	}
	var out []Violation
	collectViolations(err, status, header, o, &out)
	if len(out) > maxViolations {
		out = append(out[:maxViolations], Violation{Kind: ViolationBody, Msg: fmt.Sprintf("… and %d more", len(out)-maxViolations)})
	}
	o.locate(out, status, header)
	return out
}

// locate sets the Schema pointer of each violation: the response object
// that matched the status, and for body violations the schema of the
// response's media type.
func (o *Operation) locate(vs []Violation, status int, header http.Header) {
	key := o.responseKey(status)
	if key == "" || o.Pointer == "" {
		return
	}
	resp := o.Pointer + "/responses/" + escapeToken(key)
	body := resp
	if ref := o.op.Responses.Value(key); ref != nil && ref.Value != nil {
		mt, _, _ := mime.ParseMediaType(header.Get("Content-Type"))
		if mtKey := ref.Value.Content.Get(mt); mtKey != nil {
			for name, m := range ref.Value.Content {
				if m == mtKey {
					body = resp + "/content/" + escapeToken(name) + "/schema"
					break
				}
			}
		}
	}
	for i := range vs {
		switch vs[i].Kind {
		case ViolationBody:
			vs[i].Schema = body
		case ViolationHeader, ViolationContentType:
			vs[i].Schema = resp
		}
	}
}

// responseKey is the key of the response object openapi3 picks for a
// status: the exact code, its range ("2XX"), else "default".
func (o *Operation) responseKey(status int) string {
	code := strconv.Itoa(status)
	if o.op.Responses.Value(code) != nil {
		return code
	}
	if status >= 100 && status < 600 {
		if r := code[:1] + "XX"; o.op.Responses.Value(r) != nil {
			return r
		}
	}
	if o.op.Responses.Default() != nil {
		return "default"
	}
	return ""
}

func (o *Operation) label() string {
	if o.ID != "" {
		return o.ID
	}
	return o.Method + " " + o.Path
}

func (o *Operation) declaredStatuses() []string {
	var out []string
	for code := range o.op.Responses.Map() {
		out = append(out, code)
	}
	slices.Sort(out)
	return out
}

// collectViolations flattens openapi3filter's nested errors.
func collectViolations(err error, status int, header http.Header, o *Operation, out *[]Violation) {
	if len(*out) > maxViolations {
		return
	}
	var multi openapi3.MultiError
	if errors.As(err, &multi) {
		for _, e := range multi {
			collectViolations(e, status, header, o, out)
		}
		return
	}
	var re *openapi3filter.ResponseError
	if errors.As(err, &re) && re.Err != nil {
		var inner openapi3.MultiError
		if errors.As(re.Err, &inner) {
			for _, e := range inner {
				collectViolations(e, status, header, o, out)
			}
			return
		}
	}
	var se *openapi3.SchemaError
	if errors.As(err, &se) {
		v := Violation{Kind: ViolationBody, Keyword: se.SchemaField, Msg: boundedReason(se.Reason)}
		if p := se.JSONPointer(); len(p) > 0 {
			v.Pointer = pointerOf(p)
		}
		if re != nil && strings.Contains(re.Reason, "header") {
			v.Kind = ViolationHeader
			v.Msg = boundedReason(re.Reason) + ": " + v.Msg
		}
		*out = append(*out, v)
		return
	}
	reason := err.Error()
	if re != nil {
		reason = re.Reason
		if re.Err != nil && reason == "" {
			reason = re.Err.Error()
		}
	}
	switch {
	case strings.Contains(reason, "Content-Type"):
		mt, _, _ := mime.ParseMediaType(header.Get("Content-Type"))
		*out = append(*out, Violation{Kind: ViolationContentType, Msg: fmt.Sprintf("media type %q is not declared for status %d of %s (declared: %s)", mt, status, o.label(), strings.Join(o.responseMediaTypes(status), ", "))})
	case strings.Contains(reason, "header"):
		*out = append(*out, Violation{Kind: ViolationHeader, Msg: boundedReason(reason)})
	case strings.Contains(reason, "status is not supported"):
		*out = append(*out, Violation{Kind: ViolationStatus, Msg: "status " + strconv.Itoa(status) + " is not declared for " + o.label()})
	default:
		*out = append(*out, Violation{Kind: ViolationBody, Msg: boundedReason(reason)})
	}
}

func (o *Operation) responseMediaTypes(status int) []string {
	ref := o.op.Responses.Status(status)
	if ref == nil {
		ref = o.op.Responses.Default()
	}
	if ref == nil || ref.Value == nil {
		return nil
	}
	var out []string
	for mt := range ref.Value.Content {
		out = append(out, mt)
	}
	slices.Sort(out)
	return out
}

// boundedReason keeps a reason to one short line.
func boundedReason(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	const max = 300
	if len(s) > max {
		s = s[:max] + "…"
	}
	return s
}
