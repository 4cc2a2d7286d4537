package openapi

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
)

// The requests NewRequest builds pass kin-openapi's own request validator,
// which decodes every parameter by its declared style: a differential
// check of the serialisation against an independent implementation.
func TestRequestsPassOpenAPIFilter(t *testing.T) {
	doc := `openapi: 3.0.3
info: {title: filter, version: "1"}
servers: [{url: "https://api.example.com/v1"}]
paths:
  /things/{id}/{tags}/{obj}:
    post:
      operationId: thing
      parameters:
        - {name: id, in: path, required: true, schema: {type: integer}}
        - {name: tags, in: path, required: true, style: label, explode: true, schema: {type: array, items: {type: string}}}
        - {name: obj, in: path, required: true, style: matrix, schema: {type: object, properties: {a: {type: string}, b: {type: integer}}}}
        - {name: q, in: query, schema: {type: array, items: {type: string}}}
        - {name: p, in: query, style: pipeDelimited, explode: false, schema: {type: array, items: {type: integer}}}
        - {name: s, in: query, style: spaceDelimited, explode: false, schema: {type: array, items: {type: string}}}
        - {name: d, in: query, style: deepObject, explode: true, schema: {type: object, properties: {x: {type: string}, y: {type: number}}}}
        - {name: flag, in: query, schema: {type: boolean}}
        - {name: X-Ids, in: header, schema: {type: array, items: {type: integer}}}
        - {name: sess, in: cookie, schema: {type: string}}
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [name]
              properties: {name: {type: string}, size: {type: integer}}
      responses: {"200": {description: ok}}
`
	src, err := (&Loader{}).Parse(context.Background(), "", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	op, _ := src.Operation("thing")
	req, err := op.NewRequest(context.Background(), RequestInput{
		Params: []ParamValue{
			{Name: "id", In: "path", Value: 42},
			{Name: "tags", In: "path", Value: []any{"red", "a b"}},
			{Name: "obj", In: "path", Value: map[string]any{"a": "x/y", "b": 2}},
			{Name: "q", In: "query", Value: []any{"one", "t&wo"}},
			{Name: "p", In: "query", Value: []any{1, 2, 3}},
			{Name: "s", In: "query", Value: []any{"u", "v"}},
			{Name: "d", In: "query", Value: map[string]any{"x": "hi there", "y": 1.5}},
			{Name: "flag", In: "query", Value: true},
			{Name: "X-Ids", In: "header", Value: []any{7, 8}},
			{Name: "sess", In: "cookie", Value: "abc"},
		},
		HasBody: true,
		Body:    map[string]any{"name": "n", "size": 3},
	})
	if err != nil {
		t.Fatal(err)
	}
	in := &openapi3filter.RequestValidationInput{
		Request:    req,
		PathParams: thingPathParams(t, req),
		Route:      op.route(),
		Options:    &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
	}
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
		t.Fatalf("kin-openapi rejects %s %s: %v", req.Method, req.URL, err)
	}

	// The validator is not vacuous: a wrong item type in a pipe-delimited
	// array is caught.
	bad, err := op.NewRequest(context.Background(), RequestInput{
		Params: []ParamValue{
			{Name: "id", In: "path", Value: 42}, {Name: "tags", In: "path", Value: []any{"r"}},
			{Name: "obj", In: "path", Value: map[string]any{"a": "x"}}, {Name: "p", In: "query", Value: []any{1, "two"}},
		},
		HasBody: true, Body: map[string]any{"name": "n"},
	})
	if err != nil {
		t.Fatal(err)
	}
	// A fresh input: RequestValidationInput caches the parsed query.
	in = &openapi3filter.RequestValidationInput{
		Request:    bad,
		PathParams: thingPathParams(t, bad),
		Route:      op.route(),
		Options:    &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
	}
	if err := openapi3filter.ValidateRequest(context.Background(), in); err == nil || !strings.Contains(err.Error(), `"p"`) {
		t.Fatalf("want a validation error for p, got %v (query %s)", err, bad.URL.RawQuery)
	}
}

// thingPathParams cuts the three path parameters out of a built URL, the
// job a router would do.
func thingPathParams(t *testing.T, req *http.Request) map[string]string {
	t.Helper()
	segs := strings.Split(strings.TrimPrefix(req.URL.EscapedPath(), "/v1/things/"), "/")
	if len(segs) != 3 {
		t.Fatalf("path %s", req.URL.EscapedPath())
	}
	params := map[string]string{}
	for i, name := range []string{"id", "tags", "obj"} {
		v, err := url.PathUnescape(segs[i])
		if err != nil {
			t.Fatal(err)
		}
		params[name] = v
	}
	return params
}
