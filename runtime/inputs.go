package runtime

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/arazzo-go/arazzo/arazzo"
	"github.com/arazzo-go/arazzo/expr"
	"github.com/arazzo-go/arazzo/internal/jsonlimit"
	"github.com/arazzo-go/arazzo/internal/schemamsg"
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
	// UnmarshalJSON keeps numbers exact (json.Number), as the compiler wants.
	value, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	// Inputs schemas rarely name their dialect, and an input declared
	// format: email or date should be one; jsonschema v5 asserted formats
	// for such schemas, v6 only when asked.
	c.AssertFormat()
	c.UseLoader(localOnlyLoader{})
	if err := c.AddResource(schemaBase, value); err != nil {
		return nil, err
	}
	return c.Compile(schemaBase + "#/x-workflow-inputs")
}

// localOnlyLoader refuses every reference that leaves the document: a
// workflow's inputs must not depend on what some server answers.
type localOnlyLoader struct{}

func (localOnlyLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("reference to %s: only references inside the Arazzo document are resolved", url)
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
	// The validator wants values as encoding/json decodes them. Inputs
	// made only of such values (the CLI's, and most callers') are
	// validated as they are: the JSON round trip was the largest part of
	// what the engine adds to a short run.
	var inst any = out
	decoded := isDecodedJSON(out, 0)
	if !decoded {
		data, err := json.Marshal(out)
		if err != nil {
			return nil, &InputError{WorkflowID: bw.wf.WorkflowID, Problems: []InputProblem{{Msg: "inputs are not JSON values: " + err.Error()}}}
		}
		if err := jsonlimit.CheckDepth(data); err != nil {
			return nil, &InputError{WorkflowID: bw.wf.WorkflowID, Problems: []InputProblem{{Msg: "inputs are " + err.Error()}}}
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		if err := dec.Decode(&inst); err != nil {
			return nil, err
		}
	}
	if decoded && bw.plain != nil && bw.plain.accepts(out) {
		return out, nil
	}
	if err := bw.schema.Validate(inst); err != nil {
		var ve *jsonschema.ValidationError
		if errors.As(err, &ve) {
			return nil, &InputError{WorkflowID: bw.wf.WorkflowID, Problems: inputProblems(ve, bw.isSecretField)}
		}
		return nil, &InputError{WorkflowID: bw.wf.WorkflowID, Problems: []InputProblem{{Msg: err.Error()}}}
	}
	return out, nil
}

// isSecretField reports whether an input, or a value inside one (tokens of
// its location), must not be shown: a secret input, or anything under a
// credential-like name.
func (bw *boundWorkflow) isSecretField(tokens []string) bool {
	if len(tokens) > 0 && bw.secretInputs[tokens[0]] {
		return true
	}
	for _, t := range tokens {
		if IsSecretName(t) {
			return true
		}
	}
	return false
}

// isDecodedJSON reports whether v holds only values that a JSON round
// trip would give back unchanged for validation: nil, booleans, valid UTF-8
// strings, finite float64 and int values, and []any and map[string]any of
// them. Anything else (other Go types, json.Number, invalid UTF-8, which
// Marshal would replace, nesting deeper than 32) takes the round trip.
func isDecodedJSON(v any, depth int) bool {
	if depth > 32 {
		return false
	}
	switch x := v.(type) {
	case nil, bool, int, int64:
		return true
	case string:
		return utf8.ValidString(x)
	case float64:
		return !math.IsNaN(x) && !math.IsInf(x, 0)
	case []any:
		for _, e := range x {
			if !isDecodedJSON(e, depth+1) {
				return false
			}
		}
		return true
	case map[string]any:
		for k, e := range x {
			if !utf8.ValidString(k) || !isDecodedJSON(e, depth+1) {
				return false
			}
		}
		return true
	}
	return false
}

// inputProblems flattens a validation error into per-field problems,
// keeping only the leaf findings. The messages are ours: those of the
// validator often quote the value ("'hunter2' does not match ..."), and a
// value of a secret input must never be shown, even when shorter than the
// redactor can hide inside text.
func inputProblems(ve *jsonschema.ValidationError, secret func([]string) bool) []InputProblem {
	var out []InputProblem
	seen := map[InputProblem]bool{}
	add := func(p InputProblem) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	var walk func(v *jsonschema.ValidationError)
	walk = func(v *jsonschema.ValidationError) {
		field := fieldPointer(v.InstanceLocation)
		switch k := v.ErrorKind.(type) {
		case *kind.Required:
			for _, name := range k.Missing {
				add(InputProblem{Field: joinField(field, fieldPointer([]string{name})), Msg: "missing required input"})
			}
			return
		case *kind.AdditionalProperties:
			for _, name := range k.Properties {
				add(InputProblem{Field: joinField(field, fieldPointer([]string{name})), Msg: "not allowed (the inputs schema has additionalProperties: false)"})
			}
			return
		case *kind.AnyOf, *kind.OneOf:
			// "expected string or integer, but got boolean" beats one
			// problem per alternative.
			if types, got, ok := alternativeTypes(v); ok {
				add(InputProblem{Field: field, Msg: fmt.Sprintf("expected %s, but got %s", strings.Join(types, " or "), got)})
				return
			}
		}
		if len(v.Causes) > 0 {
			for _, c := range v.Causes {
				walk(c)
			}
			return
		}
		add(InputProblem{Field: field, Msg: inputMessage(v.ErrorKind, secret(v.InstanceLocation))})
	}
	walk(ve)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}

// alternativeTypes reports whether every alternative of an anyOf/oneOf
// failed only for its type, at the same place, and which types they want.
func alternativeTypes(v *jsonschema.ValidationError) (types []string, got string, ok bool) {
	var leaves func(e *jsonschema.ValidationError) bool
	leaves = func(e *jsonschema.ValidationError) bool {
		if len(e.Causes) > 0 {
			for _, c := range e.Causes {
				if !leaves(c) {
					return false
				}
			}
			return true
		}
		t, isType := e.ErrorKind.(*kind.Type)
		if !isType || !slices.Equal(e.InstanceLocation, v.InstanceLocation) {
			return false
		}
		got = t.Got
		for _, w := range t.Want {
			if !slices.Contains(types, w) {
				types = append(types, w)
			}
		}
		return true
	}
	return types, got, len(v.Causes) > 0 && leaves(v)
}

// inputMessage words one finding. With secret set it never includes the
// value, nor its length.
func inputMessage(k jsonschema.ErrorKind, secret bool) string {
	found := func(format string, args ...any) string {
		if secret {
			return ""
		}
		return fmt.Sprintf(format, args...)
	}
	switch k := k.(type) {
	case *kind.Type:
		return fmt.Sprintf("expected %s, but got %s", strings.Join(k.Want, " or "), k.Got)
	case *kind.Enum:
		return "value must be one of " + schemamsg.Values(k.Want)
	case *kind.Const:
		return "value must be " + schemamsg.Values([]any{k.Want})
	case *kind.Pattern:
		return fmt.Sprintf("does not match pattern '%s'", k.Want)
	case *kind.Format:
		if secret {
			return fmt.Sprintf("value is not valid '%s'", k.Want)
		}
		return fmt.Sprintf("%s is not valid '%s'", schemamsg.Values([]any{k.Got}), k.Want)
	case *kind.MinLength:
		return fmt.Sprintf("length must be >= %d", k.Want) + found(", but got %d", k.Got)
	case *kind.MaxLength:
		return fmt.Sprintf("length must be <= %d", k.Want) + found(", but got %d", k.Got)
	case *kind.Minimum:
		return "must be >= " + schemamsg.Number(k.Want) + found(" but found %s", schemamsg.Number(k.Got))
	case *kind.Maximum:
		return "must be <= " + schemamsg.Number(k.Want) + found(" but found %s", schemamsg.Number(k.Got))
	case *kind.ExclusiveMinimum:
		return "must be > " + schemamsg.Number(k.Want) + found(" but found %s", schemamsg.Number(k.Got))
	case *kind.ExclusiveMaximum:
		return "must be < " + schemamsg.Number(k.Want) + found(" but found %s", schemamsg.Number(k.Got))
	case *kind.MultipleOf:
		return "must be a multiple of " + schemamsg.Number(k.Want) + found(" but found %s", schemamsg.Number(k.Got))
	case *kind.MinItems:
		return fmt.Sprintf("must have at least %s, but has %d", items(k.Want), k.Got)
	case *kind.MaxItems:
		return fmt.Sprintf("must have at most %s, but has %d", items(k.Want), k.Got)
	case *kind.UniqueItems:
		return fmt.Sprintf("items at index %d and %d are equal", k.Duplicates[0], k.Duplicates[1])
	case *kind.FalseSchema:
		return "not allowed"
	case *kind.Not:
		return "must not match the schema under 'not'"
	case *kind.OneOf:
		if len(k.Subschemas) == 2 {
			return fmt.Sprintf("matches more than one alternative of oneOf (%d and %d)", k.Subschemas[0], k.Subschemas[1])
		}
	}
	if secret {
		// The validator's wording of the rarer keywords may quote the
		// value; name the keyword only.
		if path := k.KeywordPath(); len(path) > 0 {
			return fmt.Sprintf("does not satisfy '%s'", path[0])
		}
		return "invalid value"
	}
	return k.LocalizedString(inputPrinter)
}

func items(n int) string {
	if n == 1 {
		return "1 item"
	}
	return strconv.Itoa(n) + " items"
}

var inputPrinter = message.NewPrinter(language.English)

// fieldPointer renders a location inside the inputs as a JSON Pointer
// without its leading slash (customer/id).
func fieldPointer(tokens []string) string {
	esc := make([]string, len(tokens))
	for i, t := range tokens {
		esc[i] = expr.EscapePointerToken(t)
	}
	return strings.Join(esc, "/")
}

func joinField(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "/" + name
}

// RequiredInputs returns the names a workflow's inputs schema lists as
// required (through $ref), in the order written.
func RequiredInputs(doc *arazzo.Document, wf *arazzo.Workflow) []string {
	m, _ := resolveInputRef(doc, wf.Inputs).(map[string]any)
	list, _ := m["required"].([]any)
	var names []string
	for _, x := range list {
		if s, ok := x.(string); ok {
			names = append(names, s)
		}
	}
	return names
}

// plainInputs is an inputs schema of the commonest shape: an object whose
// properties are strings or booleans, some of them required, and nothing
// else that constrains (descriptions, titles, examples, defaults and x-
// extensions are annotations). Inputs that conform to it pass without the
// validator, whose ≈ 20 allocations per run were the largest part of
// starting a short run (docs/performance.md item 28). Inputs that do not
// conform, and every other schema, go to jsonschema, whose answer and
// problems stand: accepts never says yes where the validator says no.
type plainInputs struct {
	required []string
	types    map[string]string // property → "string" or "boolean"; absent: any value
}

// plainInputsOf returns schema as plainInputs, or nil when it is not of
// that shape.
func plainInputsOf(schema any) *plainInputs {
	m, ok := schema.(map[string]any)
	if !ok || m["type"] != "object" {
		return nil
	}
	p := &plainInputs{types: map[string]string{}}
	for k, v := range m {
		switch k {
		case "type":
		case "required":
			list, ok := v.([]any)
			if !ok {
				return nil
			}
			for _, r := range list {
				name, ok := r.(string)
				if !ok {
					return nil
				}
				p.required = append(p.required, name)
			}
		case "properties":
			props, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			for name, ps := range props {
				typ, ok := plainProperty(ps)
				if !ok {
					return nil
				}
				if typ != "" {
					p.types[name] = typ
				}
			}
		default:
			if !annotation(k) {
				return nil
			}
		}
	}
	return p
}

// plainProperty returns the type of a property schema that only says
// "string" or "boolean" (or nothing) besides annotations.
func plainProperty(schema any) (typ string, ok bool) {
	m, ok := schema.(map[string]any)
	if !ok {
		return "", false
	}
	for k, v := range m {
		switch {
		case k == "type":
			if v != "string" && v != "boolean" {
				return "", false
			}
			typ = v.(string)
		case !annotation(k):
			return "", false
		}
	}
	return typ, true
}

// annotation reports whether a JSON Schema keyword constrains nothing.
func annotation(keyword string) bool {
	switch keyword {
	case "title", "description", "$comment", "examples", "default", "deprecated", "readOnly", "writeOnly":
		return true
	}
	return strings.HasPrefix(keyword, "x-")
}

// accepts reports whether in certainly conforms.
func (p *plainInputs) accepts(in map[string]any) bool {
	for _, name := range p.required {
		if _, ok := in[name]; !ok {
			return false
		}
	}
	for name, typ := range p.types {
		v, ok := in[name]
		if !ok {
			continue
		}
		switch v.(type) {
		case string:
			if typ != "string" {
				return false
			}
		case bool:
			if typ != "boolean" {
				return false
			}
		default:
			return false
		}
	}
	return true
}
