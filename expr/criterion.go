package expr

import (
	"errors"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/dlclark/regexp2"
)

// CriterionSpec is the source form of an Arazzo Criterion Object.
type CriterionSpec struct {
	Context   string // runtime expression; may be empty for simple
	Condition string
	Type      string // "", "simple", "regex", "jsonpath", "xpath"
	Version   string // from an Expression Type Object, e.g. "rfc9535", "draft-goessner-dispatch-jsonpath-00", "xpath-10"
}

// RegexTimeout bounds one regex match, so a catastrophic pattern fails the
// criterion instead of hanging the run.
const RegexTimeout = 100 * time.Millisecond

// Criterion is a compiled Criterion Object.
type Criterion struct {
	spec   CriterionSpec
	typ    string
	ctx    *Expr      // context (nil for simple conditions without one)
	simple *Condition // simple
	re     *regexp2.Regexp
	jp     *jsonpathQuery
	xp     *xpathQuery
	tpl    *Value // non-simple condition with embedded {$...}: compiled per evaluation
	refs   []*Ref
	notes  []Note
}

// CompileCriterion compiles a criterion. Errors are *Error with offsets into
// Condition (or Context when the message says so).
func CompileCriterion(spec CriterionSpec) (*Criterion, error) {
	c := &Criterion{spec: spec, typ: spec.Type}
	if c.typ == "" {
		c.typ = "simple"
	}
	switch c.typ {
	case "simple", "regex", "jsonpath", "xpath":
	default:
		return nil, newError(0, len(spec.Type), "unknown criterion type "+strconv.Quote(spec.Type)+"; expected simple, regex, jsonpath or xpath")
	}
	if strings.TrimSpace(spec.Condition) == "" {
		return nil, newError(0, 0, "criterion condition is empty")
	}
	if spec.Context != "" {
		e, err := Parse(spec.Context)
		if err != nil {
			var pe *Error
			if errors.As(err, &pe) {
				pe.Msg = "context: " + pe.Msg
			}
			return nil, err
		}
		c.ctx = e
		c.refs = append(c.refs, &e.ref)
		c.notes = append(c.notes, e.notes...)
	} else if c.typ != "simple" {
		// The spec requires a context here; documents that omit it mean
		// the response body.
		c.ctx = MustParse("$response.body")
		c.notes = append(c.notes, Note{Rule: RuleMissingContext,
			Msg: c.typ + " criteria need a context; using $response.body", Fix: "context: $response.body"})
	}
	if c.typ == "simple" {
		cond, err := ParseCondition(spec.Condition)
		if err != nil {
			if c.ctx != nil && (strings.Contains(spec.Condition, "$.") || strings.Contains(spec.Condition, "$[")) {
				// A JSONPath comparison written without "type: jsonpath".
				root, notes, cerr := parseComparisonDialect(spec.Condition)
				if de, ok := cerr.(decisiveError); ok {
					return nil, de.error
				}
				if cerr == nil {
					c.jp = &jsonpathQuery{src: spec.Condition, compat: root}
					n := Note{Offset: 0, End: len(spec.Condition), Rule: RuleJSONPathDialect,
						Msg: "condition compares JSONPath values but the criterion is simple; evaluated against the context"}
					if fix, ok := compatFix(root, c.ctx); ok {
						n.Fix = fix
					}
					c.notes = append(c.notes, n)
					c.notes = append(c.notes, notes...)
					c.notes = append(c.notes, c.useDialect(root)...)
					c.notes = append(c.notes, textExprNotes(spec.Condition, "jsonpath", true, c.ctx)...)
					return c, nil
				}
			}
			return nil, err
		}
		c.simple = cond
		c.refs = append(c.refs, cond.refs...)
		c.notes = append(c.notes, cond.notes...)
		c.notes = append(c.notes, textExprNotes(spec.Condition, "simple", false, nil)...)
		return c, nil
	}
	if strings.Contains(spec.Condition, "{$") {
		// 1.1: embedded expressions are substituted before the condition
		// is read, so the pattern/query can only be compiled per run.
		v := &Value{src: spec.Condition}
		if err := v.parseTemplate(false); err != nil {
			return nil, err
		}
		c.tpl = v
		c.refs = append(c.refs, v.Refs()...)
		c.notes = append(c.notes, textExprNotes(spec.Condition, c.typ, false, c.ctx)...)
		return c, nil
	}
	notes, err := c.compileCondition(spec.Condition)
	if err != nil {
		return nil, err
	}
	c.notes = append(c.notes, notes...)
	c.notes = append(c.notes, textExprNotes(spec.Condition, c.typ, c.jp != nil && c.jp.compat != nil, c.ctx)...)
	return c, nil
}

// useDialect records the runtime expressions a comparison-dialect
// condition reads, which validation checks like any other, and returns
// the notes on its parts.
func (c *Criterion) useDialect(root node) []Note {
	notes := dialectNotes(root, c.ctx)
	walkNodes(root, func(n node) {
		if o, ok := n.(*exprOperand); ok {
			c.refs = append(c.refs, &o.e.ref)
			notes = append(notes, o.e.notes...)
		}
	})
	return notes
}

// compileCondition compiles a regex/jsonpath/xpath condition text.
func (c *Criterion) compileCondition(cond string) ([]Note, error) {
	switch c.typ {
	case "regex":
		re, err := compileRegex(cond)
		if err != nil {
			return nil, err
		}
		c.re = re
		return nil, nil
	case "jsonpath":
		jp, notes, err := compileJSONPath(cond, c.spec.Version)
		if err != nil {
			return nil, err
		}
		c.jp = jp
		if jp.compat != nil {
			n := Note{Offset: 0, End: len(cond), Rule: RuleJSONPathDialect,
				Msg: "condition is not RFC 9535 JSONPath (" + jp.rfcErr + "); evaluated as a comparison of JSONPath values"}
			if fix, ok := compatFix(jp.compat, c.ctx); ok {
				n.Fix = fix
				n.Msg += "; write it as a simple condition"
			}
			notes = append(append([]Note{n}, notes...), c.useDialect(jp.compat)...)
		}
		return notes, nil
	case "xpath":
		xp, notes, err := compileXPath(cond, c.spec.Version)
		if err != nil {
			return nil, err
		}
		c.xp = xp
		return notes, nil
	}
	return nil, nil
}

func compileRegex(src string) (re *regexp2.Regexp, err error) {
	defer func() {
		if r := recover(); r != nil {
			re, err = nil, newError(0, len(src), "invalid regex "+strconv.Quote(src))
		}
	}()
	re, err = regexp2.Compile(src, regexp2.ECMAScript)
	if err != nil {
		return nil, newError(0, len(src), "invalid regex "+strconv.Quote(src)+": "+err.Error())
	}
	re.MatchTimeout = RegexTimeout
	return re, nil
}

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
// Absent values (a missing member, an empty body) fail the criterion with
// an explanation but no Err; Err is for broken evaluation (scope failures,
// invalid substituted patterns, non-JSON or non-XML context).
func (c *Criterion) Eval(s Scope) (out Outcome) {
	defer func() {
		if r := recover(); r != nil {
			if re, ok := r.(runtime.Error); ok {
				out = Outcome{Err: errors.New("criterion " + strconv.Quote(c.spec.Condition) + " failed: " + re.Error())}
			} else {
				out = Outcome{Err: errors.New("criterion " + strconv.Quote(c.spec.Condition) + " failed unexpectedly")}
			}
		}
		if out.Err != nil {
			out.Pass = false
			if out.Explanation == "" {
				out.Explanation = "evaluation failed: " + out.Err.Error()
			}
		}
	}()
	if c.simple != nil {
		pass, why, err := c.simple.Explain(s)
		return Outcome{Pass: pass && err == nil, Explanation: why, Err: err}
	}
	run := c
	if c.tpl != nil {
		text, err := c.tpl.render(s)
		if err != nil {
			if isAbsent(err) {
				return Outcome{Explanation: "condition " + strconv.Quote(c.spec.Condition) + " needs " + err.Error()}
			}
			return Outcome{Err: err}
		}
		run = &Criterion{spec: c.spec, typ: c.typ, ctx: c.ctx}
		if _, err := run.compileCondition(text); err != nil {
			return Outcome{Explanation: "substituted condition " + quoteClipped(hideSecretText(text)) + " is invalid", Err: err}
		}
	}
	if run.jp != nil && run.jp.compat != nil {
		if ps, ok := s.(PathScope); ok {
			if out, ok := c.evalLazy(run, ps, true); ok {
				return out
			}
		}
	}
	v, err := c.ctx.Eval(s)
	if err != nil {
		if isAbsent(err) {
			return Outcome{Explanation: "context is absent: " + err.Error()}
		}
		return Outcome{Err: err}
	}
	if v == nil {
		return Outcome{Explanation: "context " + c.ctx.String() + " is null"}
	}
	switch {
	case run.re != nil:
		return run.evalRegex(v)
	case run.jp != nil:
		jv, ok := jsonContext(v)
		if !ok {
			err := notJSONError("jsonpath criterion", s, c.ctx)
			return Outcome{Explanation: "context " + c.ctx.String() + mediaTypeOf(s, c.ctx) + " is not JSON", Err: err}
		}
		pass, why, err := run.jp.eval(jv, s)
		return Outcome{Pass: pass && err == nil, Explanation: why, Err: err}
	case run.xp != nil:
		doc, why := xmlDocument(v)
		if doc == nil {
			why = strings.Replace(why, "context", "context "+c.ctx.String()+mediaTypeOf(s, c.ctx), 1)
			return Outcome{Explanation: why, Err: errors.New("xpath criterion: " + why)}
		}
		pass, why := run.xp.evalBool(doc)
		return Outcome{Pass: pass, Explanation: why}
	}
	return Outcome{Err: errors.New("criterion was not compiled")}
}

// Check is Eval for callers that show only failures: a criterion that
// passes comes back without an Explanation, which spares building one. A
// simple condition or a JSONPath comparison is first evaluated without
// explaining; anything else, and every failure, goes through Eval, so a
// failing criterion is explained exactly as Eval explains it.
func (c *Criterion) Check(s Scope) Outcome {
	if c.quickPass(s) {
		return Outcome{Pass: true}
	}
	out := c.Eval(s)
	if out.Pass {
		out.Explanation = ""
	}
	return out
}

// Decide evaluates the criterion without an explanation where that is
// possible. certain reports that Eval would give an Outcome with Pass ==
// pass and no error (its explanation aside); false means "ask Eval". A
// caller that can explain later (from a record of what the criterion
// read) skips building explanations nobody may read.
func (c *Criterion) Decide(s Scope) (pass, certain bool) {
	defer func() {
		if recover() != nil {
			pass, certain = false, false // Eval reports it
		}
	}()
	switch {
	case c.simple != nil:
		ok, err := c.simple.Eval(s)
		return ok, err == nil
	case c.tpl == nil && c.jp != nil && c.jp.compat != nil && c.ctx != nil:
		if ps, ok := s.(PathScope); ok {
			if out, ok := c.evalLazy(c, ps, false); ok {
				return out.Pass, out.Err == nil
			}
		}
	}
	return false, false
}

// quickPass reports whether the criterion certainly passes, evaluating
// it without an explanation where that is possible; false means "ask
// Eval", never "fails".
func (c *Criterion) quickPass(s Scope) (pass bool) {
	defer func() {
		if recover() != nil {
			pass = false // Eval reports it
		}
	}()
	switch {
	case c.simple != nil:
		ok, err := c.simple.Eval(s)
		return ok && err == nil
	case c.tpl == nil && c.jp != nil && c.jp.compat != nil && c.ctx != nil:
		if ps, ok := s.(PathScope); ok {
			if out, ok := c.evalLazy(c, ps, false); ok {
				return out.Pass
			}
		}
		v, err := c.ctx.Eval(s)
		if err != nil || v == nil {
			return false
		}
		jv, ok := jsonContext(v)
		if !ok {
			return false
		}
		ok, err = c.jp.compat.eval(contextScope{v: jv, outer: s}, nil)
		return ok && err == nil
	}
	return false
}

func (c *Criterion) evalRegex(v any) Outcome {
	text := Stringify(v)
	shown := formatValue(text, isSecretRef(&c.ctx.ref))
	ok, err := c.re.MatchString(text)
	if err != nil {
		// regexp2's error quotes the whole input, which may be a body of
		// any size holding credentials: say what happened instead.
		pattern := clipPattern(c.re.String())
		return Outcome{Explanation: c.ctx.String() + " was " + shown + ", regex /" + pattern + "/ did not finish",
			Err: errors.New("regex /" + pattern + "/ did not finish within " + RegexTimeout.String() + " on a " + strconv.Itoa(len(text)) + "-byte value")}
	}
	verb := " does not match /"
	if ok {
		verb = " matches /"
	}
	return Outcome{Pass: ok, Explanation: c.ctx.String() + " was " + shown + ", which" + verb + clipPattern(c.re.String()) + "/"}
}

// Refs lists the runtime expressions the criterion reads.
func (c *Criterion) Refs() []*Ref { return c.refs }

// Notes returns dialect warnings (comparison-style JSONPath, double quotes).
func (c *Criterion) Notes() []Note { return c.notes }

// String returns the condition as written.
func (c *Criterion) String() string { return c.spec.Condition }

// Spec returns the source form the criterion was compiled from.
func (c *Criterion) Spec() CriterionSpec { return c.spec }
