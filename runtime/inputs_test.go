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
