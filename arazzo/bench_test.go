package arazzo

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arazzo-go/arazzo/internal/testutil"
)

// Target: a cold Load of the seed workflow and its OpenAPI description in
// at most 30 ms on the project machine (2 cores).
func BenchmarkLoadSeed(b *testing.B) {
	root := testutil.RepoRoot(b)
	seed := filepath.Join(root, "workflows", "oracle", "oracle-create-custom-image-from-instance-workflow.yml")
	if _, err := os.Stat(filepath.Join(root, "workflows", "openapi", "oci-compute-api-openapi.yml")); err != nil {
		b.Skipf("the seed's OpenAPI description is not in this checkout yet: %v", err)
	}
	for b.Loop() {
		if _, _, err := Load(context.Background(), seed, LoadOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// Target: a cold Load of a document whose source is a ~1.5 MB OpenAPI
// description with 1,000 operations in at most 250 ms.
func BenchmarkLoadLargeOpenAPI(b *testing.B) {
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "big.openapi.yaml"), generateOpenAPI(1000), 0o644); err != nil {
		b.Fatal(err)
	}
	var steps strings.Builder
	for i := 0; i < 1000; i += 10 {
		fmt.Fprintf(&steps, "      - stepId: s%d\n        operationId: op%d\n        parameters:\n          - {name: id, in: path, value: $inputs.id}\n        successCriteria:\n          - condition: $statusCode == 200\n        outputs:\n          v: $response.body#/items/0/name\n", i, i)
	}
	doc := "arazzo: 1.0.1\ninfo: {title: big, version: '1'}\nsourceDescriptions:\n  - {name: big, url: ./big.openapi.yaml, type: openapi}\n" +
		"workflows:\n  - workflowId: w\n    inputs: {type: object, properties: {id: {type: string}}}\n    steps:\n" + steps.String()
	path := filepath.Join(dir, "big.arazzo.yaml")
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, _, err := Load(context.Background(), path, LoadOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// generateOpenAPI writes an OpenAPI 3.1 description with n operations on
// n/2 paths, each with parameters and a response schema, ~1.5 KB each.
func generateOpenAPI(n int) []byte {
	var b strings.Builder
	b.WriteString("openapi: 3.1.0\ninfo: {title: big, version: '1'}\nservers: [{url: 'https://api.example.com'}]\npaths:\n")
	for i := 0; i < n; i += 2 {
		fmt.Fprintf(&b, "  /things%d/{id}:\n    parameters:\n      - {name: id, in: path, required: true, schema: {type: string}}\n", i)
		for j, method := range []string{"get", "put"} {
			fmt.Fprintf(&b, "    %s:\n      operationId: op%d\n      summary: Operation number %d on things%d\n", method, i+j, i+j, i)
			b.WriteString("      description: A generated operation used to measure how long loading a large description takes, with enough text to look real.\n")
			b.WriteString("      parameters:\n        - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 100}}\n        - {name: X-Request-Id, in: header, schema: {type: string}}\n")
			if method == "put" {
				b.WriteString("      requestBody:\n        content:\n          application/json:\n            schema: {type: object, properties: {name: {type: string}, tags: {type: array, items: {type: string}}}}\n")
			}
			b.WriteString("      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema:\n                type: object\n                properties:\n")
			b.WriteString("                  items: {type: array, items: {type: object, properties: {id: {type: string}, name: {type: string}, createdAt: {type: string, format: date-time}}}}\n")
			b.WriteString("                  next: {type: string}\n        '404':\n          description: not found\n          content:\n            application/json:\n              schema: {type: object, properties: {code: {type: string}, message: {type: string}}}\n")
		}
	}
	return []byte(b.String())
}

// BenchmarkLongTemplate loads a document whose one output value is a
// template with n references on a single line (issue 12, defect 4): the
// cost must grow linearly with n (it was quadratic: every reference's
// position was found by re-reading the value and the line from the start).
func BenchmarkLongTemplate(b *testing.B) {
	for _, n := range []int{2000, 20000} {
		var sb strings.Builder
		sb.WriteString("arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nsourceDescriptions:\n  - {name: s, url: s.yaml, type: openapi}\nworkflows:\n  - workflowId: w\n    steps:\n      - stepId: a\n        operationId: s.x\n        outputs:\n          big: \"")
		for i := range n {
			fmt.Fprintf(&sb, "{$inputs.x%d} ", i)
		}
		sb.WriteString("\"\n")
		src := []byte(sb.String())
		b.Run(fmt.Sprintf("refs=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				LoadBytes(context.Background(), "long.arazzo.yaml", src, LoadOptions{})
			}
		})
	}
}
