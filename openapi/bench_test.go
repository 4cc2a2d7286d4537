package openapi

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// BenchmarkNewRequest builds the seed's most frequent request: a GET with
// a path parameter and an Authorization header. Target: well under 2 µs
// and about 15 allocations on this machine, most of them net/http's own
// (URL parsing, the header map).
func BenchmarkNewRequest(b *testing.B) {
	src := mustLoad(b, "compute31.yaml")
	op, _ := src.Operation("getInstance")
	in := RequestInput{Params: []ParamValue{
		{Name: "instanceId", In: "path", Value: "ocid1.instance.oc1.phx.abcdefghijklmnop"},
		{Name: "Authorization", In: "header", Value: "Signature version=\"1\",keyId=\"x\""},
	}}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := op.NewRequest(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNewRequestJSONBody adds a small JSON body and a base URL
// override, as the seed's createImage step does. Target: under 5 µs.
func BenchmarkNewRequestJSONBody(b *testing.B) {
	src := mustLoad(b, "compute31.yaml")
	op, _ := src.Operation("createImage")
	in := RequestInput{
		BaseURL: "http://127.0.0.1:8080/20160918",
		Params:  []ParamValue{{Name: "Authorization", In: "header", Value: "token"}},
		HasBody: true,
		Body:    map[string]any{"compartmentId": "ocid1.compartment.oc1..c", "displayName": "img", "instanceId": "ocid1.instance.oc1..i"},
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := op.NewRequest(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}

// syntheticDescription writes an OpenAPI document with n operations, each
// with a path parameter, two query parameters and a JSON body.
func syntheticDescription(n int) []byte {
	var b strings.Builder
	b.WriteString("openapi: 3.0.3\ninfo: {title: synthetic, version: '1'}\nservers: [{url: 'https://api.example.com/v1'}]\npaths:\n")
	for i := range n {
		fmt.Fprintf(&b, `  /resources%d/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string}}
    get:
      operationId: getResource%d
      parameters:
        - {name: limit, in: query, schema: {type: integer}}
        - {name: fields, in: query, style: form, explode: false, schema: {type: array, items: {type: string}}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: object, properties: {id: {type: string}, name: {type: string}, state: {type: string, enum: [A, B, C]}}}
    put:
      operationId: putResource%d
      requestBody:
        content:
          application/json:
            schema: {type: object, properties: {name: {type: string}, tags: {type: array, items: {type: string}}}}
      responses:
        "204": {description: updated}
`, i, i, i)
	}
	return []byte(b.String())
}

// BenchmarkLoadSynthetic loads and indexes a description with 1,000 path
// items (2,000 operations, ~0.9 MB of YAML). Target: under 200 ms; nearly
// all of it is kin-openapi's YAML decoding, the index is a few percent.
func BenchmarkLoadSynthetic(b *testing.B) {
	data := syntheticDescription(1000)
	b.SetBytes(int64(len(data)))
	ctx := context.Background()
	for b.Loop() {
		src, err := (&Loader{}).Parse(ctx, "", data)
		if err != nil {
			b.Fatal(err)
		}
		if len(src.Operations()) != 2000 {
			b.Fatalf("%d operations", len(src.Operations()))
		}
	}
}

func TestSyntheticIndex(t *testing.T) {
	src, err := (&Loader{}).Parse(context.Background(), "", syntheticDescription(50))
	if err != nil {
		t.Fatal(err)
	}
	if got := len(src.OperationIDs()); got != 100 {
		t.Fatalf("%d operationIds, want 100", got)
	}
	op, ok := src.Operation("getResource42")
	if !ok || op.Pointer != "/paths/~1resources42~1{id}/get" {
		t.Fatalf("getResource42 = %v", op)
	}
	req, err := op.NewRequest(context.Background(), RequestInput{Params: []ParamValue{
		{Name: "id", In: "path", Value: "r1"},
		{Name: "fields", In: "query", Value: []any{"id", "name"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if want := "https://api.example.com/v1/resources42/r1?fields=id,name"; req.URL.String() != want {
		t.Errorf("URL = %s, want %s", req.URL, want)
	}
}
