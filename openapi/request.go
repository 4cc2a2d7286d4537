package openapi

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// ParamValue is one evaluated Arazzo parameter to send.
type ParamValue struct {
	Name, In string
	Value    any // nil means omit
}

// RequestInput is everything needed to build one request.
type RequestInput struct {
	// BaseURL overrides the operation's servers (e.g. --server). Empty: the
	// first server of the operation, with variables from ServerVars or the
	// defaults.
	BaseURL    string
	ServerVars map[string]string
	Params     []ParamValue
	// Body is the evaluated payload; HasBody tells "no body" from null.
	Body        any
	HasBody     bool
	ContentType string // "" -> from the operation (application/json preferred)
}

// requestPlan is what NewRequest needs, computed once at load.
type requestPlan struct {
	contentType string
	segments    []pathSegment
	// baseURL is the first server's URL with its default variables,
	// resolved against the document location when relative; baseErr says
	// why there is none.
	baseURL string
	baseErr error
}

// pathSegment is a literal run of the path template or one {param}.
type pathSegment struct {
	text    string
	isParam bool
	// greedy marks an S3-style {Key+}: the value may span segments, so
	// its "/" stay unescaped.
	greedy bool
}

func (o *Operation) compile() {
	o.plan.contentType = defaultContentType(o.RequestBodyTypes)
	o.plan.segments = parsePathTemplate(o.Template)
	o.plan.baseURL, o.plan.baseErr = o.serverURL(nil)
}

// parsePathTemplate splits "/a/{b}/c" into literal and parameter segments.
// An unclosed "{" stays literal text.
func parsePathTemplate(path string) []pathSegment {
	var segs []pathSegment
	for path != "" {
		open := strings.IndexByte(path, '{')
		if open < 0 {
			break
		}
		end := strings.IndexByte(path[open:], '}')
		if end < 0 {
			break
		}
		if open > 0 {
			segs = append(segs, pathSegment{text: path[:open]})
		}
		name := path[open+1 : open+end]
		greedy := strings.HasSuffix(name, "+") && len(name) > 1
		segs = append(segs, pathSegment{text: strings.TrimSuffix(name, "+"), isParam: true, greedy: greedy})
		path = path[open+end+1:]
	}
	if path != "" {
		segs = append(segs, pathSegment{text: path})
	}
	return segs
}

// serverURL expands the operation's first server with vars over the
// variables' defaults. A variable override that the server does not
// declare is ignored (one set of overrides serves a whole source), and an
// override outside a declared enum is accepted: the user asked for it, and
// APIs add regions faster than descriptions list them.
func (o *Operation) serverURL(vars map[string]string) (string, error) {
	srv := o.Servers[0]
	raw := srv.URL
	var b strings.Builder
	for {
		open := strings.IndexByte(raw, '{')
		if open < 0 {
			break
		}
		end := strings.IndexByte(raw[open:], '}')
		if end < 0 {
			break
		}
		name := raw[open+1 : open+end]
		b.WriteString(raw[:open])
		value, ok := vars[name]
		if !ok {
			if v, declared := srv.Variables[name]; declared {
				value, ok = v.Default, true
			}
		}
		if !ok {
			return "", fmt.Errorf("server URL %q of %s uses variable {%s}, which has no default; set the server variable or a base URL", srv.URL, o, name)
		}
		b.WriteString(value)
		raw = raw[open+end+1:]
	}
	b.WriteString(raw)
	expanded := b.String()
	if hasHTTPScheme(expanded) {
		return expanded, nil
	}
	if base := o.Source.base; isRemote(base) {
		ref, err := url.Parse(expanded)
		if err != nil {
			return "", fmt.Errorf("server URL %q of %s: %v", srv.URL, o, err)
		}
		return base.ResolveReference(ref).String(), nil
	}
	return "", fmt.Errorf("server URL %q of %s is relative and the description is not served from a URL; give this source a base URL (arazzo run --server SOURCE=URL)", expanded, o)
}

func hasHTTPScheme(s string) bool {
	return len(s) >= 7 && strings.EqualFold(s[:7], "http://") || len(s) >= 8 && strings.EqualFold(s[:8], "https://")
}

// NewRequest builds the HTTP request for the operation. It fails when a
// required path parameter is missing or a server variable is unknown.
//
// A parameter whose Value is nil is omitted, and so is a header whose
// value renders empty. A parameter the operation
// does not declare is still sent, with the default style of its location.
// An explicit Content-Type header parameter wins over the body's media type.
func (o *Operation) NewRequest(ctx context.Context, in RequestInput) (*http.Request, error) {
	req, _, err := o.NewRequestBody(ctx, in)
	return req, err
}

// NewRequestBody is NewRequest, and also returns the encoded body the
// request sends (nil without one), for a record of the exchange that does
// not read the body back. The bytes must not be modified. The request's
// Body stays what http.NewRequest makes of a *bytes.Reader, which net/http
// writes in the same packet as the headers.
func (o *Operation) NewRequestBody(ctx context.Context, in RequestInput) (*http.Request, []byte, error) {
	base, err := o.base(in)
	if err != nil {
		return nil, nil, err
	}
	var u strings.Builder
	u.Grow(len(base) + len(o.Template) + 32)
	u.WriteString(strings.TrimRight(base, "/"))
	if len(o.Template) == 0 || o.Template[0] != '/' {
		u.WriteByte('/')
	}
	for _, seg := range o.plan.segments {
		if !seg.isParam {
			u.WriteString(seg.text)
			continue
		}
		pv := findParam(in.Params, openapi3.ParameterInPath, seg.text)
		if pv == nil || pv.Value == nil {
			state := "missing"
			if pv != nil {
				state = "null"
			}
			return nil, nil, fmt.Errorf("%s: path parameter %q is %s", o, seg.text, state)
		}
		v := pathValue(seg.text, pv.Value, o.styleOf(openapi3.ParameterInPath, seg.text))
		if seg.greedy {
			v = strings.ReplaceAll(v, "%2F", "/")
		}
		u.WriteString(v)
	}

	var query strings.Builder
	writeFixedQuery(&query, o.FixedQuery)
	var cookies strings.Builder
	for i := range in.Params {
		p := &in.Params[i]
		if p.Value == nil {
			continue
		}
		switch p.In {
		case openapi3.ParameterInPath, openapi3.ParameterInHeader:
		case openapi3.ParameterInQuery:
			if o.FixesQuery(p.Name) {
				// The path key's pair wins: it selects the
				// operation (Action=RunInstances).
				continue
			}
			appendQuery(&query, p.Name, p.Value, o.styleOf(p.In, p.Name))
		case "querystring":
			// OpenAPI 3.2 / Arazzo 1.1: the value is the whole, already
			// encoded query string.
			if s := formatText(p.Value); s != "" {
				if query.Len() > 0 {
					query.WriteByte('&')
				}
				query.WriteString(strings.TrimPrefix(s, "?"))
			}
		case openapi3.ParameterInCookie:
			if cookies.Len() > 0 {
				cookies.WriteString("; ")
			}
			cookies.WriteString(cookiePairs(p.Name, p.Value, o.styleOf(p.In, p.Name)))
		default:
			return nil, nil, fmt.Errorf("%s: parameter %q has unsupported location in: %q (want path, query, header or cookie)", o, p.Name, p.In)
		}
	}
	if query.Len() > 0 {
		u.WriteByte('?')
		u.WriteString(query.String())
	}

	var data []byte
	var body io.Reader
	var contentType string
	if in.HasBody {
		ct := in.ContentType
		if ct == "" {
			ct = o.plan.contentType
		}
		var err error
		data, contentType, err = EncodeBody(ct, in.Body)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: request body: %w", o, err)
		}
		body = bytes.NewReader(data)
	}

	req, err := http.NewRequestWithContext(ctx, o.Method, u.String(), body)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: build request: %v", o, unwrapURLError(err))
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := range in.Params {
		p := &in.Params[i]
		if p.In != openapi3.ParameterInHeader || p.Value == nil {
			continue
		}
		if !validHeaderName(p.Name) {
			return nil, nil, fmt.Errorf("%s: invalid header name %q", o, p.Name)
		}
		value := headerValue(p.Value, o.styleOf(p.In, p.Name))
		// The value is not quoted in the error: headers carry credentials.
		if strings.ContainsAny(value, "\r\n\x00") {
			return nil, nil, fmt.Errorf("%s: header %q: value contains a line break or NUL", o, p.Name)
		}
		// An empty header is worse than none: an empty Authorization
		// header fails differently from a missing one.
		if value == "" {
			continue
		}
		if strings.EqualFold(p.Name, "Host") {
			req.Host = value
			continue
		}
		req.Header.Set(p.Name, value)
	}
	if cookies.Len() > 0 {
		if prev := req.Header.Get("Cookie"); prev != "" {
			req.Header.Set("Cookie", prev+"; "+cookies.String())
		} else {
			req.Header.Set("Cookie", cookies.String())
		}
	}
	return req, data, nil
}

// base picks the URL the path is appended to.
func (o *Operation) base(in RequestInput) (string, error) {
	if in.BaseURL != "" {
		if !hasHTTPScheme(in.BaseURL) {
			return "", fmt.Errorf("base URL %q for %s must be an absolute http(s) URL", redactURL(in.BaseURL), o)
		}
		if i := strings.IndexAny(in.BaseURL, "?#"); i >= 0 {
			return in.BaseURL[:i], nil
		}
		return in.BaseURL, nil
	}
	if len(in.ServerVars) == 0 {
		return o.plan.baseURL, o.plan.baseErr
	}
	return o.serverURL(in.ServerVars)
}

func redactURL(s string) string {
	if u, err := url.Parse(s); err == nil {
		return u.Redacted()
	}
	return "(unparsable URL)"
}

func findParam(params []ParamValue, in, name string) *ParamValue {
	for i := range params {
		if params[i].In == in && params[i].Name == name {
			return &params[i]
		}
	}
	return nil
}

// validHeaderName checks the RFC 9110 token grammar.
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		// tchar: ALPHA, DIGIT and these symbols.
		if isUnreserved(c) || strings.IndexByte("!#$%&'*+^`|", c) >= 0 {
			continue
		}
		return false
	}
	return true
}
