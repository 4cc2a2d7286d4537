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
	// Warnings lists problems that did not stop the load: duplicate
	// operationIds (the first in document order wins) and, with
	// Loader.Validate, kin-openapi's validation findings.
	Warnings []string
	// Repairs lists the changes made to load a damaged document (see
	// Loader.Strict); empty for a document that loads as it is.
	Repairs []Repair

	doc     *openapi3.T
	base    *url.URL // the document's location, for relative server URLs
	servers []Server // document level
	schemes map[string]SecurityScheme
	// security is the document-level security; nil when not declared.
	security []SecurityRequirement
	ops      []*Operation
	byID     map[string]*Operation
	ids      []string
	paths    map[string]*pathEntry
}

// pathEntry is one Path Item with its operations keyed by the pointer
// token that addresses them ("get", "additionalOperations/COPY").
type pathEntry struct {
	item    *openapi3.PathItem
	servers []Server // the path item's own; nil when it declares none
	ops     map[string]*Operation
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
	if s.doc == nil {
		return
	}
	s.servers = newServers(s.doc.Servers)
	s.schemes = newSecuritySchemes(s.doc)
	if s.doc.Security != nil {
		s.security = newSecurity(s.doc.Security)
	}
	if s.doc.Paths == nil {
		return
	}
	pathMap := s.doc.Paths.Map()
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
		entry := &pathEntry{item: item, servers: newServers(item.Servers), ops: map[string]*Operation{}}
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
		Source:  s,
		ID:      op.OperationID,
		Method:  strings.ToUpper(method),
		Path:    path,
		Pointer: "/paths/" + escapeToken(path) + "/" + token,
		op:      op,
		item:    entry.item,
	}
	o.Template, o.FixedQuery = splitPathKey(path)
	o.Params = mergeParams(entry.item.Parameters, op.Parameters)
	o.Servers = s.effectiveServers(entry, op)
	o.RequestBodyTypes = requestBodyTypes(op)
	switch {
	case op.Security != nil:
		o.Security, o.SecurityDeclared = newSecurity(*op.Security), true
	case s.security != nil:
		o.Security, o.SecurityDeclared = s.security, true
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

// rootServers stands in when nothing declares a server: the OpenAPI
// default, a server at "/".
var rootServers = []Server{{URL: "/"}}

// effectiveServers: the operation's servers, else the path item's, else the
// document's. The path and document lists are shared by their operations.
func (s *Source) effectiveServers(entry *pathEntry, op *openapi3.Operation) []Server {
	if op.Servers != nil {
		if own := newServers(*op.Servers); len(own) > 0 {
			return own
		}
	}
	switch {
	case len(entry.servers) > 0:
		return entry.servers
	case len(s.servers) > 0:
		return s.servers
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

// Operations lists every operation in document order. The parser does not
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
	// Params are the declared parameters: the path item's merged with
	// the operation's, which win by in+name and keep the path item's
	// position. Nil when there are none.
	Params []Param
	// Servers in effect: the operation's, else the path item's, else the
	// document's; never empty: a single "/" server when none is declared.
	Servers []Server
	// RequestBodyTypes lists the request body media types, sorted; nil
	// when the operation declares no request body.
	RequestBodyTypes []string
	// Security lists the alternatives of the security in effect: the
	// operation's, else the document's. SecurityDeclared is false when
	// neither declares security (Security is then nil, and a caller
	// decides on its own whether to send credentials); declared but empty
	// means the operation needs no credentials.
	Security         []SecurityRequirement
	SecurityDeclared bool

	op   *openapi3.Operation
	item *openapi3.PathItem
	plan requestPlan
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

// route describes the operation the way openapi3filter's validators expect
// it, without a router. The validators do not read the server, so none is
// given.
func (o *Operation) route() *routers.Route {
	return &routers.Route{
		Spec:      o.Source.doc,
		Path:      o.Template,
		PathItem:  o.item,
		Method:    o.Method,
		Operation: o.op,
	}
}
