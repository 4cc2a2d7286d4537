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

// largeDescription writes an OpenAPI 3.0 document with n operations, each
// with its own schema. With damaged set, every fourth operation has a
// dangling $ref and a Swagger-style parameter, every schema refers to one
// missing component, and four schemas have a keyword of the wrong type: the repair work grows
// with n, and must grow linearly.
func largeDescription(n int, damaged bool) []byte {
	var b strings.Builder
	b.WriteString("openapi: 3.0.3\ninfo: {title: large, version: '1'}\npaths:\n")
	for i := range n {
		fmt.Fprintf(&b, "  /things%d/{id}:\n    get:\n      operationId: getThing%d\n      parameters:\n        - {name: id, in: path, required: true, schema: {type: string}}\n", i, i)
		if damaged && i%4 == 0 {
			fmt.Fprintf(&b, "        - {name: q, in: query, type: string}\n        - $ref: '#/components/parameters/Missing%d'\n", i)
		}
		fmt.Fprintf(&b, "      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/Thing%d'}\n", i)
	}
	b.WriteString("components:\n  schemas:\n")
	for i := range n {
		fmt.Fprintf(&b, "    Thing%d:\n      type: object\n      properties:\n        id: {type: string}\n        state: {type: string, enum: [A, B]}\n", i)
		if damaged {
			b.WriteString("        price: {$ref: '#/components/schemas/Price'}\n")
			if i%(n/4) == 0 {
				// Few type errors: kin-openapi's own strict load names each
				// one by searching the whole tree (errors × size), which
				// this benchmark is not about (docs/performance.md).
				b.WriteString("        note: {type: string, required: true}\n")
			}
		}
	}
	return []byte(b.String())
}

// BenchmarkLoadDamaged loads a damaged description of growing size; the
// time per operation should stay flat (docs/performance.md). The clean
// variant is the strict load the repair comes on top of.
func BenchmarkLoadDamaged(b *testing.B) {
	for _, n := range []int{250, 2500} {
		for _, damaged := range []bool{false, true} {
			data := largeDescription(n, damaged)
			name := fmt.Sprintf("ops=%d/damaged=%v", n, damaged)
			b.Run(name, func(b *testing.B) {
				b.SetBytes(int64(len(data)))
				for b.Loop() {
					src, err := (&Loader{}).Parse(context.Background(), "", data)
					if err != nil {
						b.Fatal(err)
					}
					if damaged && len(src.Repairs) == 0 {
						b.Fatal("no repairs")
					}
				}
			})
		}
	}
}
