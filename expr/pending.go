package expr

import "errors"

var errTODO = errors.New("expr: not implemented yet")

// CriterionSpec is the source form of an Arazzo Criterion Object.
type CriterionSpec struct {
	Context   string // runtime expression; may be empty for simple
	Condition string
	Type      string // "", "simple", "regex", "jsonpath", "xpath"
	Version   string // from an Expression Type Object, e.g. "rfc9535", "draft-goessner-dispatch-jsonpath-00", "xpath-10"
}

// Criterion is a compiled Criterion Object.
type Criterion struct{}

// CompileCriterion compiles a criterion.
func CompileCriterion(spec CriterionSpec) (*Criterion, error) { return nil, errTODO }

// Outcome is the result of evaluating one criterion.
type Outcome struct {
	Pass        bool
	Explanation string
	Err         error
}

// Eval evaluates the criterion.
func (c *Criterion) Eval(s Scope) Outcome { return Outcome{Err: errTODO} }

// Refs lists the runtime expressions the criterion reads.
func (c *Criterion) Refs() []*Ref { return nil }

// Notes returns dialect warnings.
func (c *Criterion) Notes() []Note { return nil }

// String returns the condition as written.
func (c *Criterion) String() string { return "" }

// Selector is a compiled 1.1 Selector Object.
type Selector struct{}

// CompileSelector compiles a Selector Object.
func CompileSelector(context, selector, typ, version string) (*Selector, error) {
	return nil, errTODO
}

// Eval returns the selected value.
func (s *Selector) Eval(sc Scope) (any, error) { return nil, errTODO }

// Refs lists the runtime expressions the selector reads.
func (s *Selector) Refs() []*Ref { return nil }
