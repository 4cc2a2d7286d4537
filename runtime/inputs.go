package runtime

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/arazzo-go/arazzo/arazzo"
)

// InputError lists every problem of the inputs given to a workflow.
type InputError struct {
	WorkflowID string
	Problems   []InputProblem
}

// InputProblem is one invalid or missing input.
type InputProblem struct {
	Field string // input name or JSON Pointer inside it; "" for the whole object
	Msg   string
}

func (e *InputError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "invalid inputs for workflow %s", e.WorkflowID)
	for i, p := range e.Problems {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		if p.Field != "" {
			b.WriteString(p.Field)
			b.WriteString(": ")
		}
		b.WriteString(p.Msg)
	}
	return b.String()
}

const schemaBase = "arazzo:///document.json"

// compileInputs compiles the workflow's inputs schema with the document's
// components available, so that $ref: '#/components/inputs/x' resolves.
func compileInputs(doc *arazzo.Document, wf *arazzo.Workflow) (*jsonschema.Schema, error) {
	if wf.Inputs == nil {
		return nil, nil
	}
	res := map[string]any{"x-workflow-inputs": wf.Inputs}
	if doc.Components != nil && len(doc.Components.Inputs) > 0 {
		res["components"] = map[string]any{"inputs": doc.Components.Inputs}
	}
	data, err := json.Marshal(res)
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	c.LoadURL = func(s string) (io.ReadCloser, error) {
		return nil, fmt.Errorf("reference to %s: only references inside the Arazzo document are resolved", s)
	}
	if err := c.AddResource(schemaBase, bytes.NewReader(data)); err != nil {
		return nil, err
	}
	return c.Compile(schemaBase + "#/x-workflow-inputs")
}

// inputDefaultsAndSecrets reads the top-level defaults of an inputs schema
// and the names of secret inputs (format: password or a credential-like
// name). A $ref to #/components/inputs/x is followed one level.
func inputDefaultsAndSecrets(doc *arazzo.Document, schema any) (map[string]any, map[string]bool) {
	defaults := map[string]any{}
	secrets := map[string]bool{}
	props := inputProperties(doc, schema)
	for name, p := range props {
		pm, _ := resolveInputRef(doc, p).(map[string]any)
		if d, ok := pm["default"]; ok {
			defaults[name] = d
		}
		if f, _ := pm["format"].(string); f == "password" || IsSecretName(name) {
			secrets[name] = true
		}
		if w, _ := pm["writeOnly"].(bool); w {
			secrets[name] = true
		}
	}
	return defaults, secrets
}

// inputProperties returns the properties map of an inputs schema.
func inputProperties(doc *arazzo.Document, schema any) map[string]any {
	m, _ := resolveInputRef(doc, schema).(map[string]any)
	props, _ := m["properties"].(map[string]any)
	return props
}

// InputNames returns the names of a workflow's declared inputs (the
// properties of its inputs schema, through $ref), sorted.
func InputNames(doc *arazzo.Document, wf *arazzo.Workflow) []string {
	props := inputProperties(doc, wf.Inputs)
	names := make([]string, 0, len(props))
	for name := range props {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// InputType returns the JSON Schema type declared for a workflow input
// ("string", "integer", "number", "boolean", "object", "array"), or "".
func InputType(doc *arazzo.Document, wf *arazzo.Workflow, name string) string {
	p, _ := resolveInputRef(doc, inputProperties(doc, wf.Inputs)[name]).(map[string]any)
	switch t := p["type"].(type) {
	case string:
		return t
	case []any:
		for _, x := range t {
			if s, _ := x.(string); s != "" && s != "null" {
				return s
			}
		}
	}
	return ""
}

func resolveInputRef(doc *arazzo.Document, schema any) any {
	for range 8 {
		m, ok := schema.(map[string]any)
		if !ok {
			return schema
		}
		ref, _ := m["$ref"].(string)
		key, ok := strings.CutPrefix(ref, "#/components/inputs/")
		if !ok || doc.Components == nil {
			return schema
		}
		schema = doc.Components.Inputs[key]
	}
	return schema
}

// prepareInputs applies defaults and validates the inputs.
func (bw *boundWorkflow) prepareInputs(inputs map[string]any) (map[string]any, error) {
	out := make(map[string]any, len(inputs)+len(bw.defaults))
	for k, v := range bw.defaults {
		out[k] = v
	}
	for k, v := range inputs {
		out[k] = v
	}
	if bw.schema == nil {
		return out, nil
	}
	// The validator wants values as encoding/json decodes them.
	data, err := json.Marshal(out)
	if err != nil {
		return nil, &InputError{WorkflowID: bw.wf.WorkflowID, Problems: []InputProblem{{Msg: "inputs are not JSON values: " + err.Error()}}}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var inst any
	if err := dec.Decode(&inst); err != nil {
		return nil, err
	}
	if err := bw.schema.Validate(inst); err != nil {
		var ve *jsonschema.ValidationError
		if errors.As(err, &ve) {
			return nil, &InputError{WorkflowID: bw.wf.WorkflowID, Problems: inputProblems(ve)}
		}
		return nil, &InputError{WorkflowID: bw.wf.WorkflowID, Problems: []InputProblem{{Msg: err.Error()}}}
	}
	return out, nil
}

// inputProblems flattens a validation error into per-field problems,
// keeping only the leaf messages.
func inputProblems(ve *jsonschema.ValidationError) []InputProblem {
	var out []InputProblem
	seen := map[string]bool{}
	var walk func(v *jsonschema.ValidationError)
	walk = func(v *jsonschema.ValidationError) {
		if len(v.Causes) > 0 {
			for _, c := range v.Causes {
				walk(c)
			}
			return
		}
		field := strings.TrimPrefix(v.InstanceLocation, "/")
		msg := v.Message
		if rest, ok := strings.CutPrefix(msg, "missing properties: "); ok {
			for _, name := range strings.Split(rest, ", ") {
				name = strings.Trim(name, "'")
				p := InputProblem{Field: joinField(field, name), Msg: "missing required input"}
				if !seen[p.Field+p.Msg] {
					seen[p.Field+p.Msg] = true
					out = append(out, p)
				}
			}
			return
		}
		p := InputProblem{Field: field, Msg: msg}
		if !seen[p.Field+p.Msg] {
			seen[p.Field+p.Msg] = true
			out = append(out, p)
		}
	}
	walk(ve)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}

func joinField(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "/" + name
}
