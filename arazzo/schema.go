package arazzo

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"weak"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"gopkg.in/yaml.v3"

	"github.com/arazzo-go/arazzo/expr"
	"github.com/arazzo-go/arazzo/internal/schemamsg"
)

// The schemas are ours, written from the specification text; see the
// description inside each file for where they deliberately differ from the
// official ones.
//
//go:embed schema/arazzo-1.0.json schema/arazzo-1.1.json
var schemaFS embed.FS

// schemaMinors are the Arazzo minor versions with a schema.
var schemaMinors = []string{"1.0", "1.1"}

// schemaByMinor compiles each schema on first use only: compiling one
// (which includes checking it against the 2020-12 meta-schema) takes about
// 8 ms, a fifth of a cold `arazzo run`, and a process almost always needs
// one version only.
var schemaByMinor = func() map[string]func() (*jsonschema.Schema, error) {
	m := map[string]func() (*jsonschema.Schema, error){}
	for _, minor := range schemaMinors {
		c := &schemaCache{minor: minor}
		m[minor] = c.get
	}
	return m
}()

// schemaCache holds a compiled schema only while documents are being
// loaded. A compiled schema is ≈ 150 KB of small objects, and the collector
// marks everything that stays reachable on every cycle: kept for good, it
// made each seed run of a long-lived engine 6% slower than with the schema
// gone (docs/performance.md item 27), although only Load reads it. The
// cache points at it weakly, and every use puts a strong reference in a
// sync.Pool, which lets go of its entries over two collections: a process
// that keeps loading keeps the schema, one that loaded its documents and
// runs workflows lets it go, and compiles it again if it ever loads again.
type schemaCache struct {
	minor string
	mu    sync.Mutex
	weak  weak.Pointer[jsonschema.Schema]
	keep  sync.Pool
}

func (c *schemaCache) get() (*jsonschema.Schema, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.weak.Value()
	if s == nil {
		var err error
		if s, err = compileSchema(c.minor); err != nil {
			return nil, err
		}
		c.weak = weak.Make(s)
	}
	c.keep.Put(s)
	return s, nil
}

func compileSchema(minor string) (*jsonschema.Schema, error) {
	name := "schema/arazzo-" + minor + ".json"
	data, err := schemaFS.ReadFile(name)
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
	url := "https://arazzo-go.dev/schema/arazzo-" + minor + ".json"
	if err := c.AddResource(url, value); err != nil {
		return nil, err
	}
	return c.Compile(url)
}

// Field names whose values are free-form data (JSON Schema, payloads,
// parameter values): their scalars keep their YAML types. Elsewhere, a
// scalar is the string it was written as, since every scalar field of the
// model is a string except these numeric ones.
var (
	dataFields    = map[string]bool{"payload": true, "value": true, "inputs": true}
	numericFields = map[string]bool{"retryAfter": true, "retryLimit": true, "timeout": true}
)

// schemaInstance converts the YAML tree to the JSON value the schema sees.
func schemaInstance(n *yaml.Node, structural bool, key string, depth int) any {
	n = resolve(n)
	if n == nil || depth > 10000 {
		return nil
	}
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			kn := resolve(n.Content[i])
			k := kn.Value
			if _, dup := m[k]; dup || kn.Tag == "!!merge" {
				continue
			}
			childStructural := structural && !dataFields[k] && !isExt(k)
			if structural && k == "inputs" && key == "components" {
				childStructural = false
			}
			m[k] = schemaInstance(n.Content[i+1], childStructural, k, depth+1)
		}
		return m
	case yaml.SequenceNode:
		s := make([]any, len(n.Content))
		for i, c := range n.Content {
			s[i] = schemaInstance(c, structural, key, depth+1)
		}
		return s
	case yaml.ScalarNode:
		v := scalarValue(n)
		if f, ok := v.(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
			// Not a JSON value (.nan, .inf): the validator would refuse
			// the whole document; as the text written it is checked.
			return n.Value
		}
		if structural && v != nil && !numericFields[key] {
			if _, isStr := v.(string); !isStr {
				return n.Value
			}
		}
		return v
	}
	return nil
}

// validateSchema checks the document against the schema of its minor
// version and maps every finding back to a YAML position.
func validateSchema(doc *Document) Diagnostics {
	var ds Diagnostics
	minor := doc.Minor()
	skipVersion := false
	compiled, ok := schemaByMinor[minor]
	if !ok {
		if _, ok := doc.Loc.Fields["arazzo"]; ok {
			ds = append(ds, &Diagnostic{Severity: SeverityError, Rule: RuleUnsupportedVersion, File: doc.File,
				Msg: fmt.Sprintf("arazzo version %q is not supported; use 1.0.x or 1.1.x", doc.Arazzo),
				Fix: "arazzo: 1.0.1", Pos: doc.Loc.FieldPos("arazzo"), End: doc.Loc.FieldPos("arazzo"), Pointer: "/arazzo"})
			skipVersion = true
		}
		compiled = schemaByMinor["1.1"]
	}
	schema, err := compiled()
	if err != nil {
		return Diagnostics{{Severity: SeverityError, Rule: RuleSchema, Msg: "internal error: schema does not compile: " + err.Error(), File: doc.File, Pos: doc.Loc.Pos}}
	}
	inst := schemaInstance(doc.Loc.Node, true, "", 0)
	err = schema.Validate(inst)
	var ve *jsonschema.ValidationError
	if err == nil || !errors.As(err, &ve) {
		return ds
	}
	seen := map[string]bool{}
	for _, leaf := range schemaLeaves(ve) {
		if skipVersion && slices.Equal(leaf.InstanceLocation, []string{"arazzo"}) {
			continue
		}
		for _, d := range schemaDiagnostics(doc, leaf) {
			k := d.Pointer + "\x00" + d.Msg
			if seen[k] {
				continue
			}
			seen[k] = true
			ds = append(ds, d)
		}
	}
	return ds
}

// needsOneOf is the leaf that stands for an anyOf/oneOf whose branches all
// fail only for missing fields: "needs one of workflowId, stepId" instead of
// one finding per branch.
type needsOneOf struct{ names []string }

func (*needsOneOf) KeywordPath() []string { return nil }

func (k *needsOneOf) LocalizedString(*message.Printer) string {
	return "needs one of " + quoteNames(k.names)
}

// schemaLeaves returns the most specific causes. Wrappers ($ref, allOf,
// the group of several errors at one place) give way to their causes.
func schemaLeaves(ve *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(ve.Causes) == 0 {
		return []*jsonschema.ValidationError{ve}
	}
	switch ve.ErrorKind.(type) {
	case *kind.AnyOf, *kind.OneOf:
		var names []string
		allRequired := true
		for _, c := range ve.Causes {
			for _, l := range schemaLeaves(c) {
				req, ok := l.ErrorKind.(*kind.Required)
				if !ok || !slices.Equal(l.InstanceLocation, ve.InstanceLocation) {
					allRequired = false
					break
				}
				names = append(names, req.Missing...)
			}
		}
		if allRequired {
			return []*jsonschema.ValidationError{{SchemaURL: ve.SchemaURL, InstanceLocation: ve.InstanceLocation,
				ErrorKind: &needsOneOf{names: names}}}
		}
	}
	var out []*jsonschema.ValidationError
	for _, c := range ve.Causes {
		out = append(out, schemaLeaves(c)...)
	}
	return out
}

// schemaDiagnostics turns one leaf into diagnostics: one, or one per field
// for a list of fields not allowed.
func schemaDiagnostics(doc *Document, e *jsonschema.ValidationError) []*Diagnostic {
	tokens := e.InstanceLocation
	if ap, ok := e.ErrorKind.(*kind.AdditionalProperties); ok {
		names := slices.Sorted(slices.Values(ap.Properties))
		out := make([]*Diagnostic, 0, len(names))
		for _, name := range names {
			out = append(out, unknownFieldDiagnostic(doc, append(slices.Clip(tokens), name)))
		}
		return out
	}
	if _, ok := e.ErrorKind.(*kind.FalseSchema); ok && isUnevaluatedProperties(e.SchemaURL) && len(tokens) > 0 {
		return []*Diagnostic{unknownFieldDiagnostic(doc, tokens)}
	}
	return []*Diagnostic{schemaDiagnostic(doc, e)}
}

func isUnevaluatedProperties(schemaURL string) bool {
	return strings.HasSuffix(schemaURL, "/unevaluatedProperties") || strings.HasSuffix(schemaURL, "/additionalProperties")
}

func unknownFieldDiagnostic(doc *Document, tokens []string) *Diagnostic {
	node, keyNode := nodeAt(doc.Loc.Node, tokens)
	d := &Diagnostic{Severity: SeverityError, Rule: RuleUnknownField, File: doc.File, Pointer: jsonPointer(tokens), Pos: doc.Loc.Pos}
	switch {
	case keyNode != nil:
		d.Pos = nodePos(keyNode)
	case node != nil:
		d.Pos = nodePos(node)
	}
	field := tokens[len(tokens)-1]
	d.Msg = fmt.Sprintf("unknown field %q in %s", field, objectName(tokens[:len(tokens)-1]))
	d.Fix = "remove it, or prefix it with x- to make it an extension"
	if doc.Minor() == "1.0" && fieldsOf11[field] {
		d.Msg += " (it is an Arazzo 1.1 field)"
		d.Fix = "arazzo: 1.1.0"
	}
	d.End = d.Pos
	return d
}

func schemaDiagnostic(doc *Document, e *jsonschema.ValidationError) *Diagnostic {
	tokens := e.InstanceLocation
	ptr := jsonPointer(tokens)
	node, _ := nodeAt(doc.Loc.Node, tokens)
	d := &Diagnostic{Severity: SeverityError, Rule: RuleSchema, File: doc.File, Pointer: ptr}
	if node != nil {
		d.Pos = nodePos(node)
	} else {
		d.Pos = doc.Loc.Pos
	}
	switch k := e.ErrorKind.(type) {
	case *kind.Required:
		d.Rule = RuleMissingField
		d.Msg = fmt.Sprintf("%s is missing required field %s", objectName(tokens), quoteNames(k.Missing))
		d.Fix = missingFieldFix(k.Missing)
	case *needsOneOf:
		d.Rule = RuleMissingField
		d.Msg = fmt.Sprintf("%s needs one of %s", objectName(tokens), quoteNames(k.names))
	case *kind.Pattern:
		if ptr == "/arazzo" && node != nil {
			// `arazzo: 1.0` is the common slip (YAML even reads it as a
			// number): say what the version must look like, not the regex.
			d.Rule = RuleUnsupportedVersion
			d.Msg = fmt.Sprintf("arazzo version %q must be a full version major.minor.patch", node.Value)
			d.Fix = "arazzo: " + doc.Minor() + ".1"
			if doc.Minor() == "1.1" {
				d.Fix = "arazzo: 1.1.0"
			}
			break
		}
		d.Msg = fmt.Sprintf("%s: %q does not match the pattern '%s'", describeField(tokens), k.Got, k.Want)
	case *kind.Type:
		d.Msg = fmt.Sprintf("%s: expected %s, but got %s", describeField(tokens), strings.Join(k.Want, " or "), k.Got)
	case *kind.MinItems:
		if k.Got == 0 {
			d.Msg = fmt.Sprintf("%s must not be empty", describeField(tokens))
		} else {
			d.Msg = fmt.Sprintf("%s must have at least %d entries, but has %d", describeField(tokens), k.Want, k.Got)
		}
	case *kind.UniqueItems:
		i, j := k.Duplicates[0], k.Duplicates[1]
		d.Msg = fmt.Sprintf("%s must not repeat entries (items at index %d and %d are equal)", describeField(tokens), i, j)
		// Point at the repetition, not at the start of the list.
		if list := resolve(node); list != nil && list.Kind == yaml.SequenceNode && j < len(list.Content) {
			d.Pos = nodePos(list.Content[j])
			d.Pointer = ptr + "/" + strconv.Itoa(j)
		}
	case *kind.Minimum:
		d.Msg = fmt.Sprintf("%s: must be >= %s but found %s", describeField(tokens), schemamsg.Number(k.Want), schemamsg.Number(k.Got))
	case *kind.Enum:
		d.Msg = fmt.Sprintf("%s: value must be one of %s", describeField(tokens), schemamsg.Values(k.Want))
	case *kind.Const:
		d.Msg = fmt.Sprintf("%s: value must be %s", describeField(tokens), schemamsg.Values([]any{k.Want}))
	case *kind.Not:
		if strings.Contains(e.SchemaURL, "Action") {
			d.Msg = fmt.Sprintf("%s sets both workflowId and stepId; use one", objectName(tokens))
			break
		}
		d.Msg = fmt.Sprintf("%s: %s", describeField(tokens), k.LocalizedString(schemaPrinter))
	default:
		d.Msg = fmt.Sprintf("%s: %s", describeField(tokens), k.LocalizedString(schemaPrinter))
	}
	d.End = d.Pos
	return d
}

// schemaPrinter renders the messages of jsonschema for the kinds of
// finding without a message of ours.
var schemaPrinter = message.NewPrinter(language.English)

// quoteNames renders field names as "a", "b".
func quoteNames(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return strings.Join(q, ", ")
}

// jsonPointer renders instance location tokens as an RFC 6901 pointer.
func jsonPointer(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(expr.EscapePointerToken(t))
	}
	return b.String()
}

// fieldsOf11 are the fields Arazzo 1.1 added; in a 1.0 document they get a
// hint to declare 1.1.
var fieldsOf11 = map[string]bool{"$self": true, "channelPath": true, "action": true, "correlationId": true,
	"timeout": true, "dependsOn": true, "parameters": true, "targetSelectorType": true}

func splitPointer(p string) []string {
	if p == "" {
		return nil
	}
	parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
	for i, s := range parts {
		parts[i] = strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
	}
	return parts
}

// nodeAt follows reference tokens through the YAML tree, returning the value
// node and, for a mapping member, its key node.
func nodeAt(n *yaml.Node, tokens []string) (val, key *yaml.Node) {
	val = resolve(n)
	for _, t := range tokens {
		if val == nil {
			return nil, nil
		}
		switch val.Kind {
		case yaml.MappingNode:
			var next *yaml.Node
			for i := 0; i+1 < len(val.Content); i += 2 {
				if resolve(val.Content[i]).Value == t {
					key, next = val.Content[i], val.Content[i+1]
					break
				}
			}
			val = resolve(next)
		case yaml.SequenceNode:
			i, err := strconv.Atoi(t)
			if err != nil || i < 0 || i >= len(val.Content) {
				return nil, nil
			}
			key, val = nil, resolve(val.Content[i])
		default:
			return nil, nil
		}
	}
	return val, key
}

// objectName describes the object at a pointer for messages: "step
// workflows[0].steps[1]" reads better than a raw pointer.
func objectName(tokens []string) string {
	if len(tokens) == 0 {
		return "the document"
	}
	kinds := map[string]string{
		"info": "info", "components": "components", "requestBody": "requestBody",
		"sourceDescriptions": "source description", "workflows": "workflow", "steps": "step",
		"parameters": "parameter", "successCriteria": "criterion", "criteria": "criterion",
		"onSuccess": "success action", "successActions": "success action",
		"onFailure": "failure action", "failureActions": "failure action",
		"replacements": "replacement", "outputs": "output",
	}
	last := tokens[len(tokens)-1]
	kind := ""
	if _, err := strconv.Atoi(last); err == nil && len(tokens) > 1 {
		kind = kinds[tokens[len(tokens)-2]]
	} else if len(tokens) > 1 && (tokens[len(tokens)-2] == "outputs") {
		kind = "output"
	} else if k, ok := kinds[last]; ok {
		kind = k
	}
	if kind == "" {
		kind = "object"
	}
	if path := pathString(tokens); path != kind {
		return kind + " " + path
	}
	return kind
}

func describeField(tokens []string) string {
	if len(tokens) == 0 {
		return "the document"
	}
	return pathString(tokens)
}

// pathString renders tokens as workflows[0].steps[1].operationId.
func pathString(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		if _, err := strconv.Atoi(t); err == nil {
			b.WriteString("[" + t + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(t)
	}
	return b.String()
}

// missingFieldExamples are the fix lines for required fields whose shape is
// not obvious from their name.
var missingFieldExamples = map[string]string{
	"sourceDescriptions": "sourceDescriptions: [{name: api, url: ./openapi.yaml, type: openapi}]",
	"workflows":          "workflows: [{workflowId: main, steps: [...]}]",
	"info":               "info: {title: My workflows, version: 1.0.0}",
	"version":            "version: 1.0.0",
	"arazzo":             "arazzo: 1.0.1",
	"steps":              "steps: [{stepId: first, operationId: ...}]",
	"context":            "context: $response.body",
}

func missingFieldFix(names []string) string {
	var fixes []string
	for _, n := range names {
		if ex, ok := missingFieldExamples[strings.TrimSpace(n)]; ok {
			fixes = append(fixes, ex)
		}
	}
	if len(fixes) == 0 {
		return "add " + strings.Join(names, ", ")
	}
	return strings.Join(fixes, "; ")
}
