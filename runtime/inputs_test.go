package runtime

import (
	"errors"
	"strings"
	"testing"

	"github.com/arazzo-go/arazzo/arazzo"
)

func inputsDoc() (*arazzo.Document, *arazzo.Workflow) {
	wf := &arazzo.Workflow{
		WorkflowID: "w",
		Inputs: map[string]any{
			"type":     "object",
			"required": []any{"name", "count"},
			"properties": map[string]any{
				"name":     map[string]any{"type": "string"},
				"count":    map[string]any{"type": "integer", "minimum": 1},
				"mode":     map[string]any{"type": "string", "default": "fast", "enum": []any{"fast", "slow"}},
				"pin":      map[string]any{"type": "string", "format": "password"},
				"apiKey":   map[string]any{"type": "string"},
				"customer": map[string]any{"$ref": "#/components/inputs/customer"},
			},
		},
	}
	doc := &arazzo.Document{
		Workflows: []*arazzo.Workflow{wf},
		Components: &arazzo.Components{Inputs: map[string]any{
			"customer": map[string]any{
				"type":       "object",
				"required":   []any{"id"},
				"properties": map[string]any{"id": map[string]any{"type": "string"}},
			},
		}},
	}
	wf.Doc = doc
	return doc, wf
}

func boundInputs(t *testing.T) *boundWorkflow {
	t.Helper()
	doc, wf := inputsDoc()
	schema, err := compileInputs(doc, wf)
	if err != nil {
		t.Fatalf("compileInputs: %v", err)
	}
	bw := &boundWorkflow{wf: wf, doc: doc, schema: schema}
	bw.defaults, bw.secretInputs = inputDefaultsAndSecrets(doc, wf.Inputs)
	return bw
}

func TestPrepareInputsAppliesDefaults(t *testing.T) {
	bw := boundInputs(t)
	got, err := bw.prepareInputs(map[string]any{"name": "n", "count": int64(2), "customer": map[string]any{"id": "c1"}})
	if err != nil {
		t.Fatal(err)
	}
	if got["mode"] != "fast" || got["count"] != int64(2) {
		t.Errorf("inputs = %v", got)
	}
	got, err = bw.prepareInputs(map[string]any{"name": "n", "count": 1, "mode": "slow"})
	if err != nil || got["mode"] != "slow" {
		t.Errorf("explicit value must win over the default: %v %v", got, err)
	}
}

func TestPrepareInputsListsEveryProblem(t *testing.T) {
	bw := boundInputs(t)
	_, err := bw.prepareInputs(map[string]any{"count": 0, "mode": "medium", "customer": map[string]any{}})
	var ie *InputError
	if !errors.As(err, &ie) {
		t.Fatalf("err = %v, want *InputError", err)
	}
	fields := map[string]string{}
	for _, p := range ie.Problems {
		fields[p.Field] = p.Msg
	}
	for _, f := range []string{"name", "count", "mode", "customer/id"} {
		if fields[f] == "" {
			t.Errorf("no problem reported for %q; got %v", f, ie.Problems)
		}
	}
	if fields["name"] != "missing required input" {
		t.Errorf("name: %q", fields["name"])
	}
	if !strings.HasPrefix(ie.Error(), "invalid inputs for workflow w: ") {
		t.Errorf("Error() = %q", ie.Error())
	}
}

func TestInputSecretsAndTypes(t *testing.T) {
	doc, wf := inputsDoc()
	_, secrets := inputDefaultsAndSecrets(doc, wf.Inputs)
	if !secrets["pin"] || !secrets["apiKey"] || secrets["name"] {
		t.Errorf("secrets = %v", secrets)
	}
	for name, want := range map[string]string{"name": "string", "count": "integer", "customer": "object", "nope": ""} {
		if got := InputType(doc, wf, name); got != want {
			t.Errorf("InputType(%s) = %q, want %q", name, got, want)
		}
	}
}

func TestCompileInputsRefusesOutsideReferences(t *testing.T) {
	wf := &arazzo.Workflow{WorkflowID: "w", Inputs: map[string]any{"$ref": "https://example.com/schema.json"}}
	if _, err := compileInputs(&arazzo.Document{}, wf); err == nil {
		t.Fatal("an external $ref was followed")
	}
	if s, err := compileInputs(&arazzo.Document{}, &arazzo.Workflow{}); s != nil || err != nil {
		t.Fatalf("no inputs: %v %v", s, err)
	}
}

// TestInputProblemWording pins the wording of each kind of finding, one
// problem per field (an unknown input is named as the field, alternatives
// that differ only in type become one "expected a or b").
func TestInputProblemWording(t *testing.T) {
	wf := &arazzo.Workflow{WorkflowID: "w", Inputs: map[string]any{
		"type": "object", "required": []any{"name"}, "additionalProperties": false,
		"properties": map[string]any{
			"name":   map[string]any{"type": "string", "minLength": 3, "pattern": "^[a-z]+$"},
			"count":  map[string]any{"type": "integer", "maximum": 10, "multipleOf": 2},
			"ratio":  map[string]any{"type": "number", "exclusiveMinimum": 0.5},
			"mode":   map[string]any{"enum": []any{"fast", "slow"}},
			"email":  map[string]any{"type": "string", "format": "email"},
			"tags":   map[string]any{"type": "array", "uniqueItems": true, "minItems": 3},
			"either": map[string]any{"oneOf": []any{map[string]any{"type": "string"}, map[string]any{"type": "integer"}}},
			"not":    map[string]any{"not": map[string]any{"type": "string"}},
			"a/b":    map[string]any{"type": "object", "required": []any{"c~d"}},
		},
	}}
	doc := &arazzo.Document{Workflows: []*arazzo.Workflow{wf}}
	wf.Doc = doc
	schema, err := compileInputs(doc, wf)
	if err != nil {
		t.Fatal(err)
	}
	bw := &boundWorkflow{wf: wf, doc: doc, schema: schema}
	_, err = bw.prepareInputs(map[string]any{"name": "AB", "count": 11, "ratio": 0.25, "mode": "medium", "email": "nope",
		"tags": []any{"a", "a"}, "either": true, "not": "s", "a/b": map[string]any{}, "extra": 1})
	var ie *InputError
	if !errors.As(err, &ie) {
		t.Fatalf("err = %v, want *InputError", err)
	}
	var got []string
	for _, p := range ie.Problems {
		got = append(got, p.Field+": "+p.Msg)
	}
	want := []string{
		`a~1b/c~0d: missing required input`,
		`count: must be <= 10 but found 11`,
		`count: must be a multiple of 2 but found 11`,
		`either: expected string or integer, but got boolean`,
		`email: "nope" is not valid 'email'`,
		`extra: not allowed (the inputs schema has additionalProperties: false)`,
		`mode: value must be one of "fast", "slow"`,
		`name: length must be >= 3, but got 2`,
		`name: does not match pattern '^[a-z]+$'`,
		`not: must not match the schema under 'not'`,
		`ratio: must be > 0.5 but found 0.25`,
		`tags: must have at least 3 items, but has 2`,
		`tags: items at index 0 and 1 are equal`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
