// Package arazzo is the Arazzo 1.0.x / 1.1.x document model, its loader
// (YAML and JSON, every object keeping its line and column), structural
// validation against our own JSON Schemas, semantic validation, and
// diagnostics with file:line:col, rule ids and fixes.
package arazzo

// CONTRACT FILE: the model below is shared by the loader, validation and
// runtime/. Fields may be added; do not rename or remove without updating
// every caller.

import (
	"gopkg.in/yaml.v3"

	"github.com/arazzo-go/arazzo/asyncapi"
	"github.com/arazzo-go/arazzo/expr"
	"github.com/arazzo-go/arazzo/openapi"
)

// Pos is a 1-based position in a source file. Col counts runes.
type Pos struct {
	Line, Col int
}

// Loc records where an object was written: its own position, its JSON
// Pointer in the document, the positions of its fields' values, and the YAML
// node itself (for nested payloads).
type Loc struct {
	Pos     Pos
	Pointer string         // "/workflows/0/steps/1"
	Fields  map[string]Pos // field name -> position of the value node
	Keys    map[string]Pos // field name -> position of the key node
	Node    *yaml.Node
}

// FieldPos returns the position of field's value, or the object's own
// position when the field is absent.
func (l Loc) FieldPos(field string) Pos {
	if p, ok := l.Fields[field]; ok {
		return p
	}
	return l.Pos
}

// Extensions holds x- fields, decoded.
type Extensions map[string]any

// Document is one Arazzo document.
type Document struct {
	Arazzo             string // spec version, e.g. "1.0.1"
	Self               string // 1.1 $self
	Info               Info
	SourceDescriptions []*SourceDescription
	Workflows          []*Workflow
	Components         *Components
	Extensions         Extensions
	Loc                Loc

	// File is the path or URL the document was read from ("-" for stdin);
	// Src its bytes (for diagnostics snippets).
	File string
	Src  []byte

	// Diagnostics are the findings of the Load (or LoadBytes) that read
	// the document, its source descriptions included, sorted. The runtime
	// reads them to decide which errors stop a run and which only stop
	// the steps they belong to; nil for a document built another way.
	Diagnostics Diagnostics

	// calls are the ways its workflows start workflows on every run, set
	// by validation for the recursion check across documents.
	calls []callEdge
}

// Documents returns d and every Arazzo document its source descriptions
// loaded, directly or through other Arazzo sources, each once (a cycle of
// documents ends), depth first in source order with d first. Nil for a nil
// Document.
func (d *Document) Documents() []*Document {
	var out []*Document
	seen := map[*Document]bool{}
	var walk func(*Document)
	walk = func(d *Document) {
		if d == nil || seen[d] {
			return
		}
		seen[d] = true
		out = append(out, d)
		for _, s := range d.SourceDescriptions {
			if s != nil {
				walk(s.Arazzo)
			}
		}
	}
	walk(d)
	return out
}

// Minor returns "1.0" or "1.1" (the feature set), from Arazzo.
func (d *Document) Minor() string {
	if len(d.Arazzo) >= 3 {
		return d.Arazzo[:3]
	}
	return d.Arazzo
}

// Workflow returns the workflow with the given id.
func (d *Document) Workflow(id string) *Workflow {
	for _, w := range d.Workflows {
		if w.WorkflowID == id {
			return w
		}
	}
	return nil
}

// Source returns the source description with the given name.
func (d *Document) Source(name string) *SourceDescription {
	for _, s := range d.SourceDescriptions {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// Info is the Info Object.
type Info struct {
	Title, Summary, Description, Version string
	Extensions                           Extensions
	Loc                                  Loc
}

// SourceDescription is a Source Description Object. After loading, exactly
// one of OpenAPI, AsyncAPI or Arazzo is set when the source could be read.
type SourceDescription struct {
	Name, URL, Type string
	Extensions      Extensions
	Loc             Loc

	// Resolved is the absolute location URL resolved to (file path or URL).
	Resolved string
	OpenAPI  *openapi.Source
	AsyncAPI *asyncapi.Document // 1.1: type asyncapi
	Arazzo   *Document
	LoadErr  error // why the source could not be loaded, if it could not
}

// Workflow is a Workflow Object.
type Workflow struct {
	WorkflowID, Summary, Description string
	// Inputs is the JSON Schema, decoded (map[string]any), or nil.
	Inputs         any
	DependsOn      []string
	Steps          []*Step
	SuccessActions []*Action
	FailureActions []*Action
	Outputs        []*Output
	Parameters     []*Parameter
	Extensions     Extensions
	Loc            Loc

	Doc *Document // the document the workflow belongs to
}

// Step returns the step with the given id and its index, or nil, -1.
func (w *Workflow) Step(id string) (*Step, int) {
	for i, s := range w.Steps {
		if s.StepID == id {
			return s, i
		}
	}
	return nil, -1
}

// Step is a Step Object.
type Step struct {
	StepID, Description                    string
	OperationID, OperationPath, WorkflowID string
	ChannelPath, Action, CorrelationID     string // 1.1 AsyncAPI
	Timeout                                *int64 // 1.1, milliseconds
	DependsOn                              []string
	Parameters                             []*Parameter
	RequestBody                            *RequestBody
	SuccessCriteria                        []*Criterion
	OnSuccess, OnFailure                   []*Action
	Outputs                                []*Output
	Extensions                             Extensions
	Loc                                    Loc
	// Async is set by Load for a step whose target resolved in an
	// AsyncAPI source: what it sends or receives, for the runtime.
	Async *AsyncTarget
}

// Parameter is a Parameter Object, or a Reusable Object pointing at one
// (Reference set; Value then overrides the component's value when HasValue).
type Parameter struct {
	Name, In   string
	Value      any // decoded YAML value (string, int, float64, bool, nil, []any, map[string]any)
	HasValue   bool
	Selector   *Selector // 1.1: value given as a Selector Object
	Reference  string    // Reusable Object: "$components.parameters.x"
	Extensions Extensions
	Loc        Loc

	// Compiled is set by Compile: Value compiled as data.
	Compiled *expr.Data
}

// Action is a Success or Failure Action Object, or a Reusable Object pointing
// at one (Reference set).
type Action struct {
	Name, Type         string // type: end, goto, retry
	WorkflowID, StepID string
	RetryAfter         *float64 // seconds
	RetryLimit         *int64
	Criteria           []*Criterion
	Parameters         []*Parameter // 1.1
	Reference          string
	Extensions         Extensions
	Loc                Loc
}

// Criterion is a Criterion Object.
type Criterion struct {
	Context   string
	Condition string
	// Type is "simple", "regex", "jsonpath", "xpath" or "" (simple). When the
	// document used an Expression Type Object, Type is its type and Version
	// its version, and TypeObject is true.
	Type       string
	Version    string
	TypeObject bool
	Extensions Extensions
	Loc        Loc

	Compiled *expr.Criterion // set by Compile
}

// RequestBody is a Request Body Object.
type RequestBody struct {
	ContentType  string
	Payload      any
	HasPayload   bool
	Replacements []*Replacement
	Extensions   Extensions
	Loc          Loc

	Compiled *expr.Data // payload, set by Compile
}

// Replacement is a Payload Replacement Object.
type Replacement struct {
	Target             string
	TargetSelectorType string // 1.1: jsonpointer, jsonpath, xpath ("" = by content type)
	Value              any
	Selector           *Selector
	Extensions         Extensions
	Loc                Loc

	Compiled *expr.Data // set by Compile
}

// Output is one entry of an outputs map, in document order.
type Output struct {
	Name     string
	Expr     string    // the runtime expression (when not a Selector)
	Selector *Selector // 1.1
	// Loc.Pos is the value's position; Loc.Keys["name"] is the key's and
	// Loc.Fields["value"] the value's.
	Loc Loc

	Compiled *expr.Value // set by Compile (nil when Selector is used)
}

// Selector is a 1.1 Selector Object.
type Selector struct {
	Context, Selector, Type, Version string
	Extensions                       Extensions
	Loc                              Loc

	Compiled *expr.Selector // set by Compile
}

// Components is the Components Object.
type Components struct {
	Inputs         map[string]any
	Parameters     map[string]*Parameter
	SuccessActions map[string]*Action
	FailureActions map[string]*Action
	Extensions     Extensions
	Loc            Loc
}

// AsyncTarget is what an AsyncAPI step (1.1) sends or receives, as Load
// resolved it: the operation (nil for a channelPath step), the channel the
// step's messages travel on (the reply channel when the step receives an
// operation's reply) and those messages.
type AsyncTarget struct {
	Source    *SourceDescription
	Operation *asyncapi.Operation
	Channel   *asyncapi.Channel
	Messages  []*asyncapi.Message
}

// ExecutionOrder returns the steps in the order a run takes them: list
// order, except that a step listing dependsOn (1.1) comes after the steps
// it names. A dependsOn cycle (a validation error) keeps list order.
func (w *Workflow) ExecutionOrder() []*Step {
	hasDeps := false
	for _, s := range w.Steps {
		hasDeps = hasDeps || len(s.DependsOn) > 0
	}
	if !hasDeps {
		return w.Steps
	}
	placed, visiting := map[string]bool{}, map[string]bool{}
	out := make([]*Step, 0, len(w.Steps))
	var visit func(s *Step)
	visit = func(s *Step) {
		if placed[s.StepID] || visiting[s.StepID] {
			return
		}
		visiting[s.StepID] = true
		for _, d := range s.DependsOn {
			if dep, _ := w.Step(d); dep != nil {
				visit(dep)
			}
		}
		visiting[s.StepID] = false
		placed[s.StepID] = true
		out = append(out, s)
	}
	for _, s := range w.Steps {
		visit(s)
	}
	return out
}
