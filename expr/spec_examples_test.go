package expr

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// sharedDir finds <repo root>/../shared, where CI puts the spec material.
func sharedDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("repository root (go.mod) not found")
		}
		dir = parent
	}
	shared := filepath.Join(dir, "..", "shared", "arazzo-spec")
	if _, err := os.Stat(shared); err != nil {
		t.Skip("shared spec material not found at " + shared)
	}
	return shared
}

// knownBad are expressions of the official examples that are wrong
// (notes §13): they must be rejected.
var knownBad = map[string]bool{
	"$steps.retrieveFinalizedPaymentPlan.finalizedPaymentPlan": true, // bnpl: missing ".outputs"
	// not in the 1.1 ABNF; ".steps." only names a step for dependsOn (#557)
	"$workflows.producerWorkflow.steps.waitForEvent.outputs.userId": true,
}

// TestSpecExamples compiles every criterion and every expression-bearing
// string of the official examples and the schema "pass" fixtures.
func TestSpecExamples(t *testing.T) {
	t.Parallel()
	root := sharedDir(t)
	criteria, values := 0, 0
	for _, sub := range []string{"examples", filepath.Join("tests", "v1.0", "pass"), filepath.Join("tests", "v1.1", "pass")} {
		_ = filepath.WalkDir(filepath.Join(root, sub), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.Contains(path, "arazzo") || !(strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) {
				return nil
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return nil
			}
			var doc any
			if yaml.Unmarshal(data, &doc) != nil {
				return nil
			}
			var visit func(v any, key string)
			visit = func(v any, key string) {
				switch x := v.(type) {
				case map[string]any:
					if cond, ok := x["condition"].(string); ok {
						spec := CriterionSpec{Condition: cond}
						spec.Context, _ = x["context"].(string)
						switch typ := x["type"].(type) {
						case string:
							spec.Type = typ
						case map[string]any:
							spec.Type, _ = typ["type"].(string)
							spec.Version, _ = typ["version"].(string)
						}
						if _, err := CompileCriterion(spec); err != nil {
							t.Errorf("%s: criterion %+v: %v", path, spec, err)
						}
						criteria++
					}
					for k, y := range x {
						if k != "condition" && k != "description" && k != "summary" {
							visit(y, k)
						}
					}
				case []any:
					for _, y := range x {
						visit(y, key)
					}
				case string:
					if strings.Contains(x, "$") && key != "context" && key != "$ref" && key != "pattern" {
						values++
						_, err := ParseValue(x)
						if knownBad[x] {
							if err == nil {
								t.Errorf("%s: %s: ParseValue(%q) succeeded; it is a known error of the example", path, key, x)
							}
							return
						}
						if err != nil {
							t.Errorf("%s: %s: ParseValue(%q): %v", path, key, x, err)
						}
					}
				}
			}
			visit(doc, "")
			return nil
		})
	}
	if criteria == 0 || values == 0 {
		t.Errorf("found %d criteria and %d expression values; the examples moved?", criteria, values)
	}
	t.Logf("%d criteria, %d expression values", criteria, values)
}

// TestBNPLExampleTrap: the bnpl example's RFC 9535 criteria on an object
// body behave as RFC 9535 says, not as the author meant (notes §7.3, §13).
func TestBNPLExampleTrap(t *testing.T) {
	t.Parallel()
	b := body(t, `{"eligibilityCheckRequired":true,"products":[{"productCode":"p1"}]}`)
	found := mustCriterion(t, CriterionSpec{Context: "$response.body", Condition: "$[?count(@.products) > 0]", Type: "jsonpath"})
	notFound := mustCriterion(t, CriterionSpec{Context: "$response.body", Condition: "$[?count(@.products) == 0]", Type: "jsonpath"})
	s := MapScope{"$response.body": b}
	if out := found.Eval(s); out.Pass {
		t.Errorf("qualifyingProductsFound on an object body passed: %s", out.Explanation)
	}
	if out := notFound.Eval(s); !out.Pass || out.Explanation != "jsonpath $[?count(@.products) == 0] selected 2 nodes" {
		t.Errorf("qualifyingProductsNotFound = %+v", out)
	}
}
