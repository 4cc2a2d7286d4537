package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arazzo-go/arazzo/arazzo"
)

// Load and validate in the library: parse the Arazzo document, load and
// index its OpenAPI description, compile every expression, check the
// schema and the semantic rules. Targets: ≤ 30 ms for the seed with its
// OpenAPI, ≤ 250 ms for a ~1.5 MB OpenAPI with 1,000 operations. The cold
// process figures (fork, exec, first use of every lazily built table)
// come from TestPerfReport, which runs the arazzo binary.

func BenchmarkValidateSeed(b *testing.B) {
	path := seedPath(b)
	b.ReportAllocs()
	for b.Loop() {
		validate(b, path)
	}
}

func BenchmarkValidateLargeOpenAPI(b *testing.B) {
	path := writeLargeDocument(b, b.TempDir(), 1000)
	b.ReportAllocs()
	for b.Loop() {
		validate(b, path)
	}
}

func validate(t testing.TB, path string) {
	doc, ds, err := arazzo.Load(context.Background(), path, arazzo.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if doc == nil || ds.HasErrors() {
		t.Fatalf("%s does not validate:\n%v", path, ds)
	}
}

// writeLargeDocument writes an OpenAPI 3.1 description with n operations
// (about 1.5 KB each: path, query and header parameters, a JSON body on
// half of them, 200 and 404 responses with schemas; 1.5 MB for 1,000) and an Arazzo document
// with one step per 10 operations, and returns the Arazzo file's path.
func writeLargeDocument(t testing.TB, dir string, n int) string {
	t.Helper()
	var o strings.Builder
	o.WriteString("openapi: 3.1.0\ninfo:\n  title: generated\n  version: '1'\nservers:\n- url: https://api.example.com/v1\npaths:\n")
	for i := 0; i < n; i += 2 {
		fmt.Fprintf(&o, "  /resources%d/{id}:\n    parameters:\n    - name: id\n      in: path\n      required: true\n      schema:\n        type: string\n", i)
		for j, method := range []string{"get", "put"} {
			op := i + j
			fmt.Fprintf(&o, "    %s:\n      operationId: op%d\n      summary: Generated operation %d on resources%d\n", method, op, op, i)
			o.WriteString("      description: A generated operation.\n")
			o.WriteString("      parameters:\n      - name: limit\n        in: query\n        schema:\n          type: integer\n          minimum: 1\n      - name: X-Request-Id\n        in: header\n        schema:\n          type: string\n")
			if method == "put" {
				o.WriteString("      requestBody:\n        required: true\n        content:\n          application/json:\n            schema:\n              type: object\n              required: [name]\n              properties:\n                name:\n                  type: string\n                tags:\n                  type: array\n                  items:\n                    type: string\n")
			}
			o.WriteString("      responses:\n        '200':\n          description: The resource.\n          content:\n            application/json:\n              schema:\n                type: object\n                properties:\n                  id:\n                    type: string\n                  name:\n                    type: string\n                  state:\n                    type: string\n                  items:\n                    type: array\n                    items:\n                      type: object\n                      properties:\n                        id:\n                          type: string\n                        createdAt:\n                          type: string\n")
			o.WriteString("        '404':\n          description: Not found.\n          content:\n            application/json:\n              schema:\n                type: object\n                properties:\n                  code:\n                    type: string\n                  message:\n                    type: string\n")
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "large.openapi.yaml"), []byte(o.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	var a strings.Builder
	a.WriteString("arazzo: 1.0.1\ninfo:\n  title: large\n  version: '1'\nsourceDescriptions:\n- name: api\n  url: ./large.openapi.yaml\n  type: openapi\nworkflows:\n- workflowId: walk\n  inputs:\n    type: object\n    properties:\n      id:\n        type: string\n  steps:\n")
	for i := 0; i < n; i += 10 {
		fmt.Fprintf(&a, "  - stepId: s%d\n    operationId: op%d\n    parameters:\n    - name: id\n      in: path\n      value: $inputs.id\n    successCriteria:\n    - condition: $statusCode == 200\n    - context: $response.body\n      condition: $.state == \"ACTIVE\"\n      type: jsonpath\n    outputs:\n      first: $response.body#/items/0/id\n", i, i)
	}
	path := filepath.Join(dir, "large.arazzo.yaml")
	if err := os.WriteFile(path, []byte(a.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// The generated document must be what the benchmark claims: valid, about
// 1.5 MB of OpenAPI, 1,000 operations.
func TestLargeDocumentShape(t *testing.T) {
	dir := t.TempDir()
	path := writeLargeDocument(t, dir, 1000)
	info, err := os.Stat(filepath.Join(dir, "large.openapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if size := info.Size(); size < 1_400_000 || size > 1_600_000 {
		t.Errorf("generated OpenAPI is %d bytes, want about 1.5 MB", size)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "large.openapi.yaml"))
	if ops := strings.Count(string(data), "operationId: "); ops != 1000 {
		t.Errorf("generated OpenAPI has %d operations, want 1000", ops)
	}
	validate(t, path)
}
