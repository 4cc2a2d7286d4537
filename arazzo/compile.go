package arazzo

import (
	"errors"
	"fmt"
	"github.com/arazzo-go/arazzo/asyncapi"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/arazzo-go/arazzo/expr"
)

// use is one runtime expression found in the document, with where it was
// written and in which workflow/step scope, for the reference rules.
type use struct {
	ref      *expr.Ref
	pos      Pos
	ptr      string
	wf       *Workflow
	step     *Step // nil outside steps (workflow outputs, workflow-level lists)
	stepIdx  int
	inOutput bool // in a step's outputs (where $outputs means the called workflow's)
	// inCondition is set for expressions in a criterion's condition, where
	// dot navigation is the standard operator.
	inCondition bool
}

// checker compiles every expression of one document and runs the semantic
// rules; both need the same walk and the same positions.
type checker struct {
	doc   *Document
	diags Diagnostics
	uses  []use

	lines *lineIndex // built on first use

	wf      *Workflow
	step    *Step
	stepIdx int
	inOut   bool

	// undeclaredInputs remembers which undeclared inputs were already
	// warned about, so that a token used by thirty steps warns once.
	undeclaredInputs map[undeclaredInput]bool

	// lint holds what the flow and data rules compute once per document
	// (flowcheck.go, datacheck.go).
	lint lintState

	// asyncMsgs holds the AsyncAPI messages each async step sends or
	// receives, for the $message checks (asynccheck.go).
	asyncMsgs map[*Step][]*asyncapi.Message
}

type undeclaredInput struct {
	w    *Workflow
	name string
}

func (c *checker) add(sev Severity, rule string, pos Pos, ptr, format string, args ...any) *Diagnostic {
	d := &Diagnostic{Severity: sev, Rule: rule, Msg: fmt.Sprintf(format, args...), File: c.doc.File, Pos: pos, End: pos, Pointer: ptr}
	c.diags = append(c.diags, d)
	return d
}

func (c *checker) errorf(rule string, pos Pos, ptr, format string, args ...any) *Diagnostic {
	return c.add(SeverityError, rule, pos, ptr, format, args...)
}

func (c *checker) warnf(rule string, pos Pos, ptr, format string, args ...any) *Diagnostic {
	return c.add(SeverityWarning, rule, pos, ptr, format, args...)
}

func (c *checker) lineIndex() *lineIndex {
	if c.lines == nil {
		c.lines = newLineIndex(c.doc.Src)
	}
	return c.lines
}

// endOf estimates where a one-line scalar written at pos ends.
func (c *checker) endOf(pos Pos, text string) Pos {
	return endOfScalar(c.lineIndex(), pos, text)
}

// at maps a byte range of a scalar value to positions.
func (c *checker) at(n *yaml.Node, value string, off, end int) (Pos, Pos) {
	p := scalarOffsetPos(c.lineIndex(), n, value, off)
	e := p
	if end > off {
		e = scalarOffsetPos(c.lineIndex(), n, value, end)
	}
	return p, e
}

func (c *checker) record(refs []*expr.Ref, n *yaml.Node, value, ptr string) {
	for _, r := range refs {
		if r == nil {
			continue
		}
		pos, _ := c.at(n, value, r.Offset, r.End)
		c.uses = append(c.uses, use{ref: r, pos: pos, ptr: ptr, wf: c.wf, step: c.step, stepIdx: c.stepIdx, inOutput: c.inOut})
	}
}

func (c *checker) notes(notes []expr.Note, n *yaml.Node, value, ptr string) {
	for _, nt := range notes {
		pos, end := c.at(n, value, nt.Offset, nt.End)
		rule := nt.Rule
		if rule == "" {
			rule = "expression-dialect"
		}
		d := c.warnf(rule, pos, ptr, "%s", nt.Msg)
		d.End, d.Fix = end, nt.Fix
	}
}

func (c *checker) exprError(err error, n *yaml.Node, value, ptr, what string, rule string) {
	var ee *expr.Error
	if errors.As(err, &ee) {
		pos, end := c.at(n, value, ee.Offset, ee.End)
		if ee.Rule != "" {
			rule = ee.Rule // a common mistake with a rule (and fix) of its own
		}
		d := c.errorf(rule, pos, ptr, "invalid %s: %s", what, ee.Msg)
		d.End, d.Fix = end, ee.Fix
		return
	}
	pos, _ := c.at(n, value, 0, 0)
	c.errorf(rule, pos, ptr, "invalid %s: %v", what, err)
}

// compileValue compiles one string that may hold a runtime expression.
func (c *checker) compileValue(s string, n *yaml.Node, ptr, what string) *expr.Value {
	v, err := expr.ParseValue(s)
	if err != nil {
		c.exprError(err, n, s, ptr, what, RuleInvalidExpression)
		return nil
	}
	c.notes(v.Notes(), n, s, ptr)
	c.record(v.Refs(), n, s, ptr)
	return v
}

// compileData compiles a structured value (parameter value, payload,
// replacement value). Leaves holding "$" are parsed one by one as well, so
// that errors, notes and references get the leaf's own position.
func (c *checker) compileData(v any, n *yaml.Node, ptr, what string) *expr.Data {
	data, err := expr.CompileData(v)
	before := len(c.diags)
	c.walkLeaves(n, ptr, what, 0)
	if err != nil && len(c.diags) == before {
		c.exprError(err, n, "", ptr, what, RuleInvalidExpression)
	}
	if err != nil {
		return nil
	}
	return data
}

func (c *checker) walkLeaves(n *yaml.Node, ptr, what string, depth int) {
	n = resolve(n)
	if n == nil || depth > 1000 {
		return
	}
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!str" && strings.Contains(n.Value, "$") {
			c.compileValue(n.Value, n, ptr, what)
		}
	case yaml.SequenceNode:
		for i, e := range n.Content {
			c.walkLeaves(e, fmt.Sprintf("%s/%d", ptr, i), what, depth+1)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			c.walkLeaves(n.Content[i+1], ptr+"/"+expr.EscapePointerToken(resolve(n.Content[i]).Value), what, depth+1)
		}
	}
}

func (c *checker) compileCriterion(cr *Criterion) {
	typ := cr.Type
	spec := expr.CriterionSpec{Context: cr.Context, Condition: cr.Condition, Type: typ, Version: cr.Version}
	condNode := childNode(cr.Loc.Node, "condition")
	ctxNode := childNode(cr.Loc.Node, "context")
	if cr.Context != "" {
		// The context is a runtime expression of its own; compiling it
		// separately places its errors and references exactly.
		v, err := expr.ParseValue(cr.Context)
		if err != nil {
			c.exprError(err, ctxNode, cr.Context, cr.Loc.Pointer+"/context", "criterion context", RuleInvalidExpression)
			return
		}
		c.notes(v.Notes(), ctxNode, cr.Context, cr.Loc.Pointer+"/context")
		c.record(v.Refs(), ctxNode, cr.Context, cr.Loc.Pointer+"/context")
	}
	if cr.Condition == "" {
		return // the schema reports a missing condition
	}
	comp, err := expr.CompileCriterion(spec)
	if err != nil {
		c.exprError(err, condNode, cr.Condition, cr.Loc.Pointer+"/condition", criterionKind(typ)+" condition", RuleInvalidCriterion)
		return
	}
	cr.Compiled = comp
	notes := comp.Notes()
	if cr.Context == "" && typ != "" && typ != "simple" {
		// The schema already reports the missing context as an error.
		notes = slices.DeleteFunc(slices.Clone(notes), func(n expr.Note) bool { return n.Rule == expr.RuleMissingContext })
	}
	c.notes(notes, condNode, cr.Condition, cr.Loc.Pointer+"/condition")
	var condRefs []*expr.Ref
	for _, r := range comp.Refs() {
		if r != nil && r.Offset >= 0 && r.End <= len(cr.Condition) && r.Offset < r.End && strings.HasPrefix(cr.Condition[r.Offset:], "$") {
			condRefs = append(condRefs, r)
		}
	}
	before := len(c.uses)
	c.record(condRefs, condNode, cr.Condition, cr.Loc.Pointer+"/condition")
	for i := before; i < len(c.uses); i++ {
		c.uses[i].inCondition = true
	}
}

func criterionKind(t string) string {
	if t == "" {
		return "simple"
	}
	return t
}

func (c *checker) compileSelector(s *Selector) {
	if s == nil || s.Selector == "" || s.Type == "" {
		return // the schema reports missing fields
	}
	ctxNode := childNode(s.Loc.Node, "context")
	if s.Context != "" && c.compileValue(s.Context, ctxNode, s.Loc.Pointer+"/context", "selector context") == nil {
		return
	}
	sel, err := expr.CompileSelector(s.Context, s.Selector, s.Type, s.Version)
	if err != nil {
		c.exprError(err, childNode(s.Loc.Node, "selector"), s.Selector, s.Loc.Pointer+"/selector", s.Type+" selector", RuleInvalidSelector)
		return
	}
	s.Compiled = sel
}

func (c *checker) compileParameter(p *Parameter) {
	if p.Selector != nil {
		c.compileSelector(p.Selector)
		return
	}
	if p.HasValue {
		p.Compiled = c.compileData(p.Value, childNode(p.Loc.Node, "value"), p.Loc.Pointer+"/value", "parameter value")
	}
}

func (c *checker) compileAction(a *Action) {
	for _, cr := range a.Criteria {
		c.compileCriterion(cr)
	}
	for _, p := range a.Parameters {
		c.compileParameter(p)
	}
}

func (c *checker) compileOutputs(outs []*Output) {
	for _, o := range outs {
		if o.Selector != nil {
			c.compileSelector(o.Selector)
			continue
		}
		if o.Expr == "" {
			continue
		}
		v := c.compileValue(o.Expr, o.Loc.Node, o.Loc.Pointer, "output expression")
		if v == nil {
			continue
		}
		o.Compiled = v
		if v.Kind() == expr.Literal && strings.HasPrefix(o.Expr, "$") {
			// An output is always meant to be an expression: "$respons.body"
			// is a typo, not the constant text.
			if _, err := expr.Parse(o.Expr); err != nil {
				c.exprError(err, o.Loc.Node, o.Expr, o.Loc.Pointer, "output expression", RuleInvalidExpression)
				o.Compiled = nil
				continue
			}
		}
		if v.Kind() == expr.Literal {
			c.warnf(RuleOutputLiteral, o.Loc.Pos, o.Loc.Pointer, "output %q is the constant text %q, not a runtime expression", o.Name, o.Expr)
		}
	}
}

// compile fills every Compiled field of the document.
func (c *checker) compile() {
	doc := c.doc
	for _, w := range doc.Workflows {
		c.wf, c.step, c.stepIdx, c.inOut = w, nil, -1, false
		for _, p := range w.Parameters {
			c.compileParameter(p)
		}
		for _, a := range w.SuccessActions {
			c.compileAction(a)
		}
		for _, a := range w.FailureActions {
			c.compileAction(a)
		}
		for i, s := range w.Steps {
			c.step, c.stepIdx = s, i
			for _, p := range s.Parameters {
				c.compileParameter(p)
			}
			if b := s.RequestBody; b != nil {
				if b.HasPayload {
					b.Compiled = c.compileData(b.Payload, childNode(b.Loc.Node, "payload"), b.Loc.Pointer+"/payload", "payload")
				}
				for _, r := range b.Replacements {
					if r.Selector != nil {
						c.compileSelector(r.Selector)
					} else {
						r.Compiled = c.compileData(r.Value, childNode(r.Loc.Node, "value"), r.Loc.Pointer+"/value", "replacement value")
					}
				}
			}
			for _, cr := range s.SuccessCriteria {
				c.compileCriterion(cr)
			}
			for _, a := range s.OnSuccess {
				c.compileAction(a)
			}
			for _, a := range s.OnFailure {
				c.compileAction(a)
			}
			c.inOut = true
			c.compileOutputs(s.Outputs)
			c.inOut = false
		}
		c.step, c.stepIdx = nil, len(w.Steps)
		c.compileOutputs(w.Outputs)
	}
	c.wf, c.step = nil, nil
	if comp := doc.Components; comp != nil {
		for _, k := range sortedKeys(comp.Parameters) {
			c.compileParameter(comp.Parameters[k])
		}
		for _, k := range sortedKeys(comp.SuccessActions) {
			c.compileAction(comp.SuccessActions[k])
		}
		for _, k := range sortedKeys(comp.FailureActions) {
			c.compileAction(comp.FailureActions[k])
		}
	}
}
