package arazzo

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arazzo-go/arazzo/internal/testutil"
)

// posOf returns where the n-th (1-based) occurrence of mark sits in the
// line holding the n-th occurrence of line.
func posOf(t *testing.T, src, line, mark string) (Pos, Pos) {
	t.Helper()
	for i, l := range strings.Split(src, "\n") {
		if !strings.Contains(l, line) {
			continue
		}
		c := strings.Index(l, mark)
		if c < 0 {
			t.Fatalf("line %q does not hold %q", l, mark)
		}
		return Pos{Line: i + 1, Col: c + 1}, Pos{Line: i + 1, Col: c + 1 + len(mark)}
	}
	t.Fatalf("no line holds %q", line)
	return Pos{}, Pos{}
}

type wantDiag struct {
	rule, line, mark string
	fix              string // "" = not checked; "-" = none
}

// checkDiags asserts that each wanted diagnostic is there with its exact
// start and end, and that the document has no errors besides those wanted.
func checkDiags(t *testing.T, src string, ds Diagnostics, want []wantDiag) {
	t.Helper()
	for _, w := range want {
		pos, end := posOf(t, src, w.line, w.mark)
		found := false
		for _, d := range ds {
			if d.Rule != w.rule || d.Pos != pos {
				continue
			}
			found = true
			if w.rule != "unknown-step-output" && d.End != end {
				t.Errorf("%s at %v ends at %v, want %v (%q)", w.rule, pos, d.End, end, w.mark)
			}
			switch {
			case w.fix == "-" && d.Fix != "":
				t.Errorf("%s at %v: fix %q, want none", w.rule, pos, d.Fix)
			case w.fix != "" && w.fix != "-" && d.Fix != w.fix:
				t.Errorf("%s at %v: fix %q, want %q", w.rule, pos, d.Fix, w.fix)
			}
		}
		if !found {
			t.Errorf("no %s at %d:%d (%q in %q); got:\n%v", w.rule, pos.Line, pos.Col, w.mark, w.line, ds)
		}
	}
}

// TestDialectFixturePositions: the dialect fixture loads without errors
// (before issue 11 two of its forms were invalid-criterion errors) and
// each form is reported at the exact part that is not standard.
func TestDialectFixturePositions(t *testing.T) {
	file := filepath.Join(testutil.RepoRoot(t), "workflows", "testdata", "realworld", "dialect", "dialect.arazzo.yaml")
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	_, ds, err := Load(context.Background(), file, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ds.HasErrors() {
		t.Fatalf("errors:\n%v", ds)
	}
	checkDiags(t, string(src), ds, []wantDiag{
		{"jsonpath-length", "condition: $.data.length > 0", ".length", "$.data[*]"},
		{"jsonpath-length", "condition: $.data[?(@.id == 'ord-1')].length == 0", ".length", "-"},
		{"jsonpath-comparison-dialect", "condition: $.data[?(@.id == 'ord-1')].length == 0", "$.data[?(@.id == 'ord-1')].length == 0", "-"},
		{"jsonpath-runtime-expression", "condition: $.input_tokens <= $inputs.budget", "$inputs.budget", "$response.body#/input_tokens <= $inputs.budget"},
		{"jsonpath-runtime-expression", "condition: $.owner == $steps.me.outputs.id", "$steps.me.outputs.id", "$response.body#/owner == $steps.me.outputs.id"},
		{"runtime-expression-in-literal", "condition: $.items[?(@.name == '$inputs.name')]", "$inputs.name", "$.items[?(@.name == '{$inputs.name}')]"},
	})
}

// TestDialectReferencesAreChecked: runtime expressions beside a JSONPath
// query and text that only looks like one are told apart: the first are
// references that validation checks, the second are not.
func TestDialectReferencesAreChecked(t *testing.T) {
	dir := filepath.Join(testutil.RepoRoot(t), "workflows", "testdata", "realworld", "dialect")
	src := `arazzo: 1.1.0
info: {title: refs, version: "1"}
sourceDescriptions:
  - {name: orders, url: ./orders.openapi.yaml, type: openapi}
workflows:
  - workflowId: w
    inputs: {type: object, additionalProperties: false, properties: {name: {type: string}}}
    steps:
      - stepId: me
        operationId: getMe
        successCriteria:
          - {context: $response.body, condition: $.id == $steps.nope.outputs.x, type: jsonpath}
          - {context: $response.body, condition: $.id == $inputs.name, type: jsonpath}
          - {context: $response.body, condition: "^$inputs.other", type: regex}
          - {context: $response.body, condition: "//pet[name='$steps.nope.outputs.y']", type: xpath}
          - {context: $response.body, condition: "$.id == '$inputs.name'"}
          - {condition: "$response.body#/id == '$inputs.name'"}
`
	_, ds := LoadBytes(context.Background(), filepath.Join(dir, "inline.arazzo.yaml"), []byte(src), LoadOptions{})
	checkDiags(t, src, ds, []wantDiag{
		{"unknown-step-output", "condition: $.id == $steps.nope.outputs.x", "$steps.nope.outputs.x", ""},
		{"jsonpath-runtime-expression", "condition: $.id == $steps.nope.outputs.x", "$steps.nope.outputs.x", ""},
		{"runtime-expression-in-literal", `"^$inputs.other"`, "$inputs.other", "^{$inputs.other}"},
		{"runtime-expression-in-literal", `//pet[name='$steps.nope.outputs.y']`, "$steps.nope.outputs.y", "//pet[name='{$steps.nope.outputs.y}']"},
		{"runtime-expression-in-literal", `"$.id == '$inputs.name'"`, "$inputs.name", "$response.body#/id == $inputs.name"},
		{"runtime-expression-in-literal", `"$response.body#/id == '$inputs.name'"`, "$inputs.name", "$response.body#/id == $inputs.name"},
	})
	// Text in literals and patterns is not a reference: "$inputs.other"
	// (undeclared in a closed schema) and "$steps.nope.outputs.y" give no
	// reference errors; the one real reference does.
	var refErrs []string
	for _, d := range ds {
		if d.Severity == SeverityError {
			refErrs = append(refErrs, d.String())
		}
	}
	if len(refErrs) != 1 || !strings.Contains(refErrs[0], "unknown-step-output") || !strings.Contains(refErrs[0], `"nope"`) && !strings.Contains(refErrs[0], "nope") {
		t.Errorf("errors = %v, want exactly the unknown-step-output of $steps.nope.outputs.x", refErrs)
	}
}
