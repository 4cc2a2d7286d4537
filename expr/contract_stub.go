package expr

// CONTRACT STUBS: the expr helper replaces these bodies (and this file) with
// the real implementation; the signatures are the contract.

import "errors"

// ErrAbsent is wrapped by errors that mean "no such value" (a step that has
// not run, a missing JSON member, an unset input). Callers test it with
// errors.Is.
var ErrAbsent = errors.New("value is absent")

var errTODO = errors.New("expr: not implemented yet")

// Expr is one compiled runtime expression ("$response.body#/id").
type Expr struct{}

// Parse compiles a whole runtime expression. Lenient real-world forms
// ($response.headers.X, $response.body.a.b) are accepted and reported through
// Notes.
func Parse(src string) (*Expr, error) { return nil, errTODO }

// Eval returns the referenced value with its type preserved.
func (e *Expr) Eval(s Scope) (any, error) { return nil, errTODO }

// Ref returns what the expression refers to.
func (e *Expr) Ref() *Ref { return nil }

// Notes returns the dialect warnings found while parsing.
func (e *Expr) Notes() []Note { return nil }

// String prints the expression in source form.
func (e *Expr) String() string { return "" }

// ValueKind says how a string value is to be read.
type ValueKind int

const (
	Literal    ValueKind = iota // plain text, returned as is ("$100", "$.items[*]")
	Expression                  // the whole string is one runtime expression: typed value
	Template                    // text with embedded {$...}: always a string
)

// Value is a compiled string value: a literal, a whole expression or a template.
type Value struct{}

// ParseValue classifies and compiles a string that may hold a runtime
// expression (parameter values, payload leaves, outputs, replacement values).
// Rule: a string that parses entirely as a runtime expression is an
// Expression; a string containing "{$" is a Template; a string with an
// unbraced "$inputs."-style expression after other text ("Bearer
// $inputs.token") is treated as a Template with a Note; anything else is a
// Literal.
func ParseValue(src string) (*Value, error) { return nil, errTODO }

// Kind reports how the value is read.
func (v *Value) Kind() ValueKind { return Literal }

// Eval evaluates the value. An Expression keeps the referenced type; a
// Template yields a string (objects/arrays as JSON, null as ""); a Literal
// yields its text.
func (v *Value) Eval(s Scope) (any, error) { return nil, errTODO }

// Refs lists every runtime expression the value uses.
func (v *Value) Refs() []*Ref { return nil }

// Notes returns dialect warnings.
func (v *Value) Notes() []Note { return nil }

// Data is a compiled structured value (a payload or a parameter value that
// may be a map or list): every string leaf is compiled with ParseValue; map
// keys are never evaluated.
type Data struct{}

// CompileData compiles a decoded YAML/JSON value (map[string]any, []any,
// scalars).
func CompileData(v any) (*Data, error) { return nil, errTODO }

// Eval returns a fresh evaluated copy of the value.
func (d *Data) Eval(s Scope) (any, error) { return nil, errTODO }

// Refs lists every runtime expression in the value.
func (d *Data) Refs() []*Ref { return nil }

// Notes returns dialect warnings of all leaves.
func (d *Data) Notes() []Note { return nil }

// CriterionSpec is the source form of an Arazzo Criterion Object.
type CriterionSpec struct {
	Context   string // runtime expression; may be empty for simple
	Condition string
	Type      string // "", "simple", "regex", "jsonpath", "xpath"
	Version   string // from an Expression Type Object, e.g. "rfc9535", "draft-goessner-dispatch-jsonpath-00", "xpath-10"
}

// Criterion is a compiled Criterion Object.
type Criterion struct{}

// CompileCriterion compiles a criterion. Errors are *Error with offsets into
// Condition (or Context when the message says so).
func CompileCriterion(spec CriterionSpec) (*Criterion, error) { return nil, errTODO }

// Outcome is the result of evaluating one criterion.
type Outcome struct {
	Pass bool
	// Explanation is for people: the evaluated operands and the operator
	// (`$response.body#/lifecycleState` was "PROVISIONING", expected == 'AVAILABLE'),
	// or the JSONPath and how many nodes it selected.
	Explanation string
	// Err is set when evaluation failed (the criterion then fails).
	Err error
}

// Eval evaluates the criterion. It never panics; errors make it fail.
func (c *Criterion) Eval(s Scope) Outcome { return Outcome{Err: errTODO} }

// Refs lists the runtime expressions the criterion reads.
func (c *Criterion) Refs() []*Ref { return nil }

// Notes returns dialect warnings (comparison-style JSONPath, double quotes).
func (c *Criterion) Notes() []Note { return nil }

// String returns the condition as written.
func (c *Criterion) String() string { return "" }

// Selector is a compiled 1.1 Selector Object: it extracts a value from the
// context with a JSONPath (first node), an XPath, or a JSON Pointer.
type Selector struct{}

// CompileSelector compiles a Selector Object. typ is "jsonpath", "xpath" or
// "jsonpointer"; version as in CriterionSpec.
func CompileSelector(context, selector, typ, version string) (*Selector, error) {
	return nil, errTODO
}

// Eval returns the selected value (ErrAbsent-wrapped error when nothing is selected).
func (s *Selector) Eval(sc Scope) (any, error) { return nil, errTODO }

// Refs lists the runtime expressions the selector reads.
func (s *Selector) Refs() []*Ref { return nil }
