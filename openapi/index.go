package openapi

import (
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
)

// Source is one loaded OpenAPI description with its operation index.
type Source struct {
	Location string
	Version  string // "2.0", "3.0.x", "3.1.x"
	Doc      *openapi3.T
	// Warnings lists problems that did not stop the load: duplicate
	// operationIds (the first in document order wins) and, with
	// Loader.Validate, kin-openapi's validation findings.
	Warnings []string
	// Repairs lists the changes made to load a damaged document (see
	// Loader.Strict); empty for a document that loads as it is.
	Repairs []Repair

	base  *url.URL // the document's location, for relative server URLs
	ops   []*Operation
	byID  map[string]*Operation
	ids   []string
	paths map[string]*pathEntry
}

// pathEntry is one Path Item with its operations keyed by the pointer
// token that addresses them ("get", "additionalOperations/COPY").
type pathEntry struct {
	item *openapi3.PathItem
	ops  map[string]*Operation
}

// methodOrder is the Path Item Object's field order in the specification,
// which is also the order Operations lists a path's operations in.
var methodOrder = []string{
	http.MethodGet, http.MethodPut, http.MethodPost, http.MethodDelete,
	http.MethodOptions, http.MethodHead, http.MethodPatch, http.MethodTrace,
	openapi3.MethodQuery,
}

// index builds every lookup structure once, at load time.
func (s *Source) index() {
	s.byID = map[string]*Operation{}
	s.paths = map[string]*pathEntry{}
	if s.Doc == nil || s.Doc.Paths == nil {
		return
	}
	pathMap := s.Doc.Paths.Map()
	// kin-openapi keeps paths in a map, so the document's own order is
	// gone; sorted keys keep every listing deterministic.
	keys := make([]string, 0, len(pathMap))
	for k := range pathMap {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, path := range keys {
		item := pathMap[path]
		if item == nil {
			continue
		}
		entry := &pathEntry{item: item, ops: map[string]*Operation{}}
		s.paths[path] = entry
		for _, method := range methodOrder {
			if op := item.GetOperation(method); op != nil {
				s.add(entry, path, method, strings.ToLower(method), op)
			}
		}
		extra := make([]string, 0, len(item.AdditionalOperations))
		for m, op := range item.AdditionalOperations {
			if op != nil && item.GetOperation(m) == nil {
				extra = append(extra, m)
			}
		}
		sort.Strings(extra)
		for _, m := range extra {
			s.add(entry, path, m, "additionalOperations/"+escapeToken(m), item.AdditionalOperations[m])
		}
	}
	s.ids = make([]string, 0, len(s.byID))
	for id := range s.byID {
		s.ids = append(s.ids, id)
	}
	sort.Strings(s.ids)
}

func (s *Source) add(entry *pathEntry, path, method, token string, op *openapi3.Operation) {
	o := &Operation{
		Source:   s,
		ID:       op.OperationID,
		Method:   strings.ToUpper(method),
		Path:     path,
		Pointer:  "/paths/" + escapeToken(path) + "/" + token,
		Op:       op,
		PathItem: entry.item,
	}
	o.Template, o.FixedQuery = splitPathKey(path)
	o.Params = mergeParams(entry.item.Parameters, op.Parameters)
	o.Servers = effectiveServers(s.Doc, entry.item, op)
	o.RequestBodyTypes = requestBodyTypes(op)
	switch {
	case op.Security != nil:
		o.Security = op.Security
	case s.Doc.Security != nil:
		o.Security = &s.Doc.Security
	}
	o.compile()
	entry.ops[token] = o
	s.ops = append(s.ops, o)
	if o.ID == "" {
		return
	}
	if first, dup := s.byID[o.ID]; dup {
		s.Warnings = append(s.Warnings, "duplicate operationId "+quote(o.ID)+" on "+o.Method+" "+o.Path+" (also on "+first.Method+" "+first.Path+"); using the first")
		return
	}
	s.byID[o.ID] = o
}

// mergeParams overlays operation-level parameters on path-level ones: the
// operation's definition replaces the path item's for the same in+name and
// keeps its position.
func mergeParams(pathLevel, opLevel openapi3.Parameters) openapi3.Parameters {
	out := make(openapi3.Parameters, 0, len(pathLevel)+len(opLevel))
	for _, p := range pathLevel {
		if p != nil && p.Value != nil {
			out = append(out, p)
		}
	}
next:
	for _, p := range opLevel {
		if p == nil || p.Value == nil {
			continue
		}
		for i, q := range out {
			if sameParam(q.Value, p.Value.In, p.Value.Name) {
				out[i] = p
				continue next
			}
		}
		out = append(out, p)
	}
	return out
}

// sameParam matches a parameter by location and name; header names are
// case-insensitive in HTTP, so they are compared that way.
func sameParam(p *openapi3.Parameter, in, name string) bool {
	if p.In != in {
		return false
	}
	if in == openapi3.ParameterInHeader {
		return strings.EqualFold(p.Name, name)
	}
	return p.Name == name
}

var rootServers = openapi3.Servers{{URL: "/"}}

func effectiveServers(doc *openapi3.T, item *openapi3.PathItem, op *openapi3.Operation) openapi3.Servers {
	switch {
	case op.Servers != nil && len(*op.Servers) > 0:
		return *op.Servers
	case len(item.Servers) > 0:
		return item.Servers
	case len(doc.Servers) > 0:
		return doc.Servers
	}
	return rootServers
}

// requestBodyTypes lists the media types sorted: kin-openapi stores them
// in a map, so the document's order is not available.
func requestBodyTypes(op *openapi3.Operation) []string {
	if op.RequestBody == nil || op.RequestBody.Value == nil {
		return nil
	}
	content := op.RequestBody.Value.Content
	out := make([]string, 0, len(content))
	for mt := range content {
		out = append(out, mt)
	}
	sort.Strings(out)
	return out
}

// Operation finds an operation by operationId.
func (s *Source) Operation(operationID string) (*Operation, bool) {
	o, ok := s.byID[operationID]
	return o, ok
}

// OperationIDs lists every operationId, sorted (for "did you mean").
func (s *Source) OperationIDs() []string { return s.ids }

// Operations lists every operation in document order. kin-openapi does not
// keep the order of paths, so "document order" is paths sorted by key, then
// methods in the Path Item Object's field order (get, put, post, delete,
// options, head, patch, trace, query, then additional operations).
func (s *Source) Operations() []*Operation { return s.ops }

// Operation is one indexed operation.
type Operation struct {
	Source *Source
	ID     string // operationId, may be empty
	Method string // upper case
	// Path is the path key as written in the description,
	// "/instances/{instanceId}" or "/?Action=RunInstances&Version=2016-11-15";
	// Pointer and operationPath lookups use it.
	Path string
	// Template is the request path: Path up to its first "?" or "#"
	// ("/" for "/?Action=..."); equal to Path for ordinary keys.
	Template string
	// FixedQuery holds the query pairs the path key fixes, in key order;
	// they are sent on every request before the step's query parameters.
	// Nil for ordinary keys.
	FixedQuery []QueryPair
	Pointer    string // "/paths/~1instances~1{instanceId}/get"
	Op         *openapi3.Operation
	PathItem   *openapi3.PathItem
	// Params: path-level merged with operation-level (operation wins by in+name).
	Params openapi3.Parameters
	// Servers in effect: operation > path item > document (never empty: "/" when none).
	Servers openapi3.Servers
	// RequestBodyTypes lists the request body media types, sorted.
	RequestBodyTypes []string
	// Security in effect: operation-level, else document-level (nil = none declared).
	Security *openapi3.SecurityRequirements

	plan requestPlan
}

// Param finds a declared parameter by in and name (header names
// case-insensitively).
func (o *Operation) Param(in, name string) *openapi3.Parameter {
	for _, p := range o.Params {
		if sameParam(p.Value, in, name) {
			return p.Value
		}
	}
	return nil
}

// String names the operation for messages: "getPet (GET /pets/{id})".
func (o *Operation) String() string {
	if o.ID == "" {
		return o.Method + " " + o.Path
	}
	return o.ID + " (" + o.Method + " " + o.Path + ")"
}

// DefaultContentType is the media type a request body gets when the Arazzo
// step names none: the operation's only media type, else application/json
// when declared, else the first JSON-like one, else the first declared;
// application/json when the operation declares no body.
func (o *Operation) DefaultContentType() string {
	return o.plan.contentType
}

func defaultContentType(types []string) string {
	switch {
	case len(types) == 0:
		return "application/json"
	case len(types) == 1:
		return concreteType(types[0])
	}
	for _, t := range types {
		if t == "application/json" {
			return t
		}
	}
	for _, t := range types {
		if isJSONType(t) {
			return t
		}
	}
	return concreteType(types[0])
}

// concreteType replaces a media type range ("*/*", "application/*"), which
// cannot be sent as a Content-Type, with JSON.
func concreteType(t string) string {
	if strings.Contains(t, "*") {
		return "application/json"
	}
	return t
}

func quote(s string) string { return `"` + s + `"` }

// isJSONType reports whether a media type is JSON: application/json,
// any "+json" suffix, or text/json.
func isJSONType(mediaType string) bool {
	mt := strings.ToLower(strings.TrimSpace(mediaType))
	if i := strings.IndexByte(mt, ';'); i >= 0 {
		mt = strings.TrimSpace(mt[:i])
	}
	return mt == "application/json" || mt == "text/json" || strings.HasSuffix(mt, "+json")
}

// SuggestOperationID returns the operationId nearest to id, for a "did you
// mean" hint, or "" when none is close.
func (s *Source) SuggestOperationID(id string) string {
	return nearest(id, s.ids)
}

// Route describes the operation the way kin-openapi's openapi3filter
// expects it, so requests and responses can be validated against the
// description without a router:
// openapi3filter.ValidateRequest(ctx, &openapi3filter.RequestValidationInput{Request: req, PathParams: p, Route: op.Route()}).
func (o *Operation) Route() *routers.Route {
	return &routers.Route{
		Spec:      o.Source.Doc,
		Server:    o.Servers[0],
		Path:      o.Template,
		PathItem:  o.PathItem,
		Method:    o.Method,
		Operation: o.Op,
	}
}
