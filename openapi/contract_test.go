package openapi

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

const contractDoc = `openapi: 3.0.3
info: {title: pets, version: "1"}
paths:
  /pets/{id}:
    get:
      operationId: getPet
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        '200':
          description: a pet
          headers:
            X-Rate-Limit: {required: true, schema: {type: integer}}
          content:
            application/json:
              schema:
                type: object
                required: [id, status]
                properties:
                  id: {type: string}
                  status: {type: string, enum: [available, sold]}
                  tags: {type: array, items: {type: string}}
        '404':
          description: not found
`

func contractOp(t *testing.T) *Operation {
	t.Helper()
	src, err := (&Loader{}).Parse(context.Background(), "", []byte(contractDoc))
	if err != nil {
		t.Fatal(err)
	}
	op, ok := src.Operation("getPet")
	if !ok {
		t.Fatal("getPet missing")
	}
	return op
}

func TestCheckResponse(t *testing.T) {
	op := contractOp(t)
	jsonHdr := func(extra ...string) http.Header {
		h := http.Header{"Content-Type": {"application/json"}, "X-Rate-Limit": {"10"}}
		for i := 0; i+1 < len(extra); i += 2 {
			h.Set(extra[i], extra[i+1])
		}
		return h
	}
	tests := []struct {
		name   string
		status int
		header http.Header
		body   string
		want   []string // substrings of the violations, in order; none = clean
	}{
		{"clean", 200, jsonHdr(), `{"id":"p1","status":"sold"}`, nil},
		{"declared status without content", 404, http.Header{}, `whatever`, nil},
		{"undeclared status", 500, jsonHdr(), `{}`, []string{"status: status 500 is not declared for getPet (declared: 200, 404)"}},
		{"media type", 200, jsonHdr("Content-Type", "text/html"), `<p>`, []string{`content-type: media type "text/html" is not declared for status 200 of getPet (declared: application/json)`}},
		{"missing required member", 200, jsonHdr(), `{"id":"p1"}`, []string{"body", "status"}},
		{"enum and type", 200, jsonHdr(), `{"id":7,"status":"gone"}`, []string{"body /id", "body /status"}},
		{"missing required header", 200, http.Header{"Content-Type": {"application/json"}}, `{"id":"p1","status":"sold"}`, []string{"header", "X-Rate-Limit"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := op.CheckResponse(context.Background(), tt.status, tt.header, []byte(tt.body))
			if len(tt.want) == 0 {
				if len(got) != 0 {
					t.Fatalf("violations %v, want none", got)
				}
				return
			}
			var all []string
			for _, v := range got {
				all = append(all, v.String())
			}
			joined := strings.Join(all, "\n")
			for _, w := range tt.want {
				if !strings.Contains(joined, w) {
					t.Errorf("violations\n%s\ndo not mention %q", joined, w)
				}
			}
		})
	}
}

// A violation never quotes the response's values: a token in the body
// must not reach the message.
func TestCheckResponseQuotesNoValues(t *testing.T) {
	op := contractOp(t)
	secret := "sk_live_abcdefghijklmnop"
	got := op.CheckResponse(context.Background(), 200, http.Header{"Content-Type": {"application/json"}, "X-Rate-Limit": {secret}},
		[]byte(`{"id":{"token":"`+secret+`"},"status":"`+secret+`","tags":["`+secret+`",1]}`))
	if len(got) == 0 {
		t.Fatal("no violations")
	}
	for _, v := range got {
		if strings.Contains(v.String(), secret) || strings.Contains(v.String(), "sk_live") {
			t.Errorf("violation quotes a value: %s", v)
		}
	}
}

// Each violation names where the description says what was expected: the
// media type's schema for the body, the response object for headers.
func TestCheckResponseSchemaLocation(t *testing.T) {
	op := contractOp(t)
	// kin-openapi stops at a failing header, so two responses.
	got := op.CheckResponse(context.Background(), 200, http.Header{"Content-Type": {"application/json"}}, []byte(`{"id":"p","status":"sold"}`))
	got = append(got, op.CheckResponse(context.Background(), 200, http.Header{"Content-Type": {"application/json"}, "X-Rate-Limit": {"1"}}, []byte(`{"id":7,"status":"sold"}`))...)
	want := map[string]string{
		ViolationBody:   "/paths/~1pets~1{id}/get/responses/200/content/application~1json/schema",
		ViolationHeader: "/paths/~1pets~1{id}/get/responses/200",
	}
	seen := map[string]bool{}
	for _, v := range got {
		if w, ok := want[v.Kind]; ok {
			seen[v.Kind] = true
			if v.Schema != w {
				t.Errorf("%s: Schema %q, want %q", v, v.Schema, w)
			}
		}
	}
	if len(seen) != len(want) {
		t.Fatalf("violations %v: want a body and a header violation", got)
	}
	if got := op.CheckResponse(context.Background(), 500, http.Header{}, nil); len(got) != 1 || got[0].Schema != "" {
		t.Errorf("undeclared status: %+v, want one violation without a schema location", got)
	}
}
