package openapi

import (
	"context"
	"encoding/json"
	"go.yaml.in/yaml/v4"
	"net/url"
	"strings"
	"testing"
)

func FuzzParsePointer(f *testing.F) {
	for _, s := range []string{"/paths/~1pets~1{id}/get", "#/paths/~1a~0b/post", "%2Fpaths%2F~1x", "/paths/%7Bx%7D", "/~", "/~2", "%", "", "/", "//", "/paths/additionalOperations/X"} {
		f.Add(s)
	}
	src := mustLoad(f, "petstore30/openapi.yaml")
	f.Fuzz(func(t *testing.T, pointer string) {
		tokens, err := ParsePointer(pointer)
		_, _ = src.OperationByPointer(pointer)
		if err != nil {
			return
		}
		// Re-escaping the tokens gives a pointer that parses to the same
		// tokens, unless a token holds a "%" that would be decoded again.
		var b strings.Builder
		for _, tok := range tokens {
			if strings.Contains(tok, "%") {
				return
			}
			b.WriteString("/" + escapeToken(tok))
		}
		again, err := ParsePointer(b.String())
		if err != nil {
			t.Fatalf("re-escaped pointer %q: %v", b.String(), err)
		}
		if strings.Join(again, "\x00") != strings.Join(tokens, "\x00") || len(again) != len(tokens) {
			t.Fatalf("round trip %q -> %q -> %q", pointer, tokens, again)
		}
	})
}

// FuzzPathExpansion checks that any string value stays inside its path
// segment and query value, and decodes back to itself.
func FuzzPathExpansion(f *testing.F) {
	for _, s := range []string{"blue", "a/b", "a b", "%2F", "..", "?x=1#f", "ü", ";,=", ""} {
		f.Add(s)
	}
	pathOp := styleOp(f, "path", "", "")
	queryOp := styleOp(f, "query", "", "")
	labelOp := styleOp(f, "path", "label", "true")
	f.Fuzz(func(t *testing.T, value string) {
		req, err := pathOp.NewRequest(context.Background(), RequestInput{Params: []ParamValue{{Name: "color", In: "path", Value: value}}})
		if err != nil {
			t.Fatal(err)
		}
		seg, ok := strings.CutPrefix(req.URL.EscapedPath(), "/items/")
		if !ok || strings.Contains(seg, "/") {
			t.Fatalf("value %q escaped its segment: %q", value, req.URL.EscapedPath())
		}
		if back, err := url.PathUnescape(seg); err != nil || back != value {
			t.Fatalf("segment %q decodes to %q (%v), want %q", seg, back, err, value)
		}
		req, err = queryOp.NewRequest(context.Background(), RequestInput{Params: []ParamValue{{Name: "color", In: "query", Value: value}}})
		if err != nil {
			t.Fatal(err)
		}
		if got := req.URL.Query()["color"]; len(got) != 1 || got[0] != value {
			t.Fatalf("query %q decodes to %q, want %q", req.URL.RawQuery, got, value)
		}
		if _, err := labelOp.NewRequest(context.Background(), RequestInput{Params: []ParamValue{{Name: "color", In: "path", Value: map[string]any{value: value}}}}); err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzLoaderParse(f *testing.F) {
	f.Add([]byte("openapi: 3.1.0\ninfo: {title: x, version: '1'}\npaths:\n  /a/{b}:\n    get:\n      operationId: a\n"))
	f.Add([]byte(`{"swagger":"2.0","info":{"title":"x","version":"1"},"paths":{"/a":{"get":{"responses":{"200":{"description":"ok"}}}}}}`))
	f.Add([]byte("openapi: 3.0.0\npaths:\n  /x:\n    $ref: '#/paths/~1x'\n"))
	f.Add([]byte("arazzo: 1.0.0\n"))
	f.Add([]byte("openapi: 3.0.0\ncomponents:\n  schemas:\n    A: {$ref: '#/components/schemas/A'}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		src, err := (&Loader{MaxBytes: 1 << 16}).Parse(context.Background(), "", data)
		if err != nil {
			return
		}
		for _, op := range src.Operations() {
			_, _ = src.OperationByPointer(op.Pointer)
			_, _ = op.NewRequest(context.Background(), RequestInput{BaseURL: "http://127.0.0.1", HasBody: true, Body: map[string]any{"a": 1}})
		}
	})
}

func FuzzEncodeBody(f *testing.F) {
	f.Add("application/json", `{"a":[1,{"b":null}]}`)
	f.Add("application/x-www-form-urlencoded", `{"a":{"b":[1,{"c":"d"}]}}`)
	f.Add("multipart/form-data; boundary=x", `{"f":"v","g":[1,2]}`)
	f.Add("text/plain", `"x"`)
	f.Add("application/json; =", `1`)
	f.Fuzz(func(t *testing.T, contentType, payload string) {
		var v any
		if json.Unmarshal([]byte(payload), &v) != nil {
			v = payload
		}
		_, _, _ = EncodeBody(contentType, v)
	})
}

// FuzzRepair drives the repairer directly (Parse recovers from panics, so
// it would hide one): any input is either refused or repaired, without a
// panic, and the repaired copy is YAML that parses.
func FuzzRepair(f *testing.F) {
	f.Add([]byte("openapi: 3.0.0\ninfo: {title: x, version: 1.0}\npaths:\n  /a:\n    get:\n      parameters:\n        - $ref: '#/components/parameters/P'\n        - {name: q, in: query, type: string}\n      responses:\n        '200': {description: ok, schema: {type: string}}\n"))
	f.Add([]byte("openapi: 3.0.0\ncomponents:\n  schemas:\n    A: {type: object, required: true, enum: x, properties: {b: {$ref: 'other.yaml#/B'}}}\n"))
	f.Add([]byte("openapi: 3.1.0\npaths:\n  /x:\n    post:\n      parameters: [{name: f, in: formData, type: file}, {name: b, in: body, schema: {}}]\n"))
	f.Add([]byte("a: &a [*a]\n"))
	f.Add([]byte("swagger: '2.0'\ninfo: {version: 1}\npaths:\n  /a:\n    get:\n      parameters: [{$ref: '#/parameters/X'}]\n      responses: {'200': {description: ok, schema: {enum: x}}}\ndefinitions:\n  A: {$ref: 'b.yaml#/B'}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		l := &Loader{MaxBytes: 1 << 16}
		r := l.newReader(context.Background(), nil)
		out, rp, ok := l.repairLoad(context.Background(), r, nil, data)
		if !ok {
			return
		}
		var v any
		if err := yaml.Unmarshal(out, &v); err != nil {
			t.Fatalf("repaired copy is not YAML: %v\n%s", err, out)
		}
		_ = rp.repairs
	})
}
