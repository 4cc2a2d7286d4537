package expr

import (
	"errors"
	"strings"
)

// Step is one step of a lookup inside a JSON value.
type Step struct {
	// Name is the member name, or for a StepPointer token also the array
	// index text ("0"), chosen by the container as RFC 6901 says.
	Name string
	// Index is the array index of a StepIndex; of a StepPointer, the index
	// its token reads as (RFC 6901: decimal, no leading zero), or -1 when
	// it reads as none and selects only object members.
	Index int
	Kind  StepKind
}

// StepKind says how a Step selects.
type StepKind uint8

// Step kinds.
const (
	StepPointer StepKind = iota // a JSON Pointer token: a member of an object, an index of an array
	StepMember                  // a member of an object only (JSONPath .name, ['name'])
	StepIndex                   // an index of an array only (JSONPath [n], n >= 0)
)

// PathScope is a Scope that can find a value inside another without
// producing the whole outer value: the runtime reads one member of a JSON
// response body without decoding the rest of it. Expressions with a JSON
// Pointer ($response.body#/id) and comparison-dialect JSONPath criteria on
// such a context ask it first.
//
// LookupPath returns the value at path inside the value ref names (ref's
// own Pointer and Path are already part of path). ok false means only "not
// found this way": the caller then looks the whole value up and walks it
// itself, so a miss is explained exactly as without a PathScope. A value it
// returns must be the one that walk would find.
type PathScope interface {
	Scope
	LookupPath(ref *Ref, path []Step) (v any, ok bool)
}

// MediaScope is a Scope that knows the media type of the values it hands
// out (a response body's Content-Type, lower case, without parameters; ""
// when it has none). Criteria and selectors name it when a JSONPath or a
// JSON Pointer meets a value that is not JSON, or an XPath one that is not
// XML.
type MediaScope interface {
	Scope
	MediaType(ref *Ref) string
}

// mediaTypeOf returns " (media/type)" for the value e names, when the
// scope knows it.
func mediaTypeOf(s Scope, e *Expr) string {
	if ms, ok := s.(MediaScope); ok && e != nil {
		if mt := ms.MediaType(&e.ref); mt != "" {
			return " (" + mt + ")"
		}
	}
	return ""
}

// notJSONError says that the context of a JSONPath or JSON Pointer is not
// JSON, naming its media type and, for XML, the XPath way to read it.
func notJSONError(what string, s Scope, ctx *Expr) error {
	mt := mediaTypeOf(s, ctx)
	msg := what + ": context " + ctx.String() + mt + " is not JSON"
	if strings.Contains(mt, "xml") {
		msg += "; read XML with type: xpath"
	}
	return &notJSON{msg: msg}
}

// notJSON is an evaluation error wrapping ErrNotJSON.
type notJSON struct{ msg string }

func (e *notJSON) Error() string { return e.msg }
func (e *notJSON) Unwrap() error { return ErrNotJSON }

// pointerSteps turns pointer (and dotted path) tokens into Steps.
func pointerSteps(toks ...[]string) []Step {
	var out []Step
	for _, ts := range toks {
		for _, t := range ts {
			i, ok := parseArrayIndex(t)
			if !ok {
				i = -1
			}
			out = append(out, Step{Name: t, Index: i, Kind: StepPointer})
		}
	}
	return out
}

// querySteps turns comparison-dialect segments into Steps; ok is false
// for a segment only the full walk can follow (a negative index, .length).
func querySteps(segs []querySeg) ([]Step, bool) {
	out := make([]Step, 0, len(segs))
	for _, s := range segs {
		switch {
		case s.isIdx && s.index >= 0:
			out = append(out, Step{Name: s.name, Index: s.index, Kind: StepIndex})
		case s.isIdx, s.dot && s.name == "length":
			return nil, false
		default:
			out = append(out, Step{Name: s.name, Kind: StepMember})
		}
	}
	return out, true
}

// errNotLazy abandons a lazy evaluation: the criterion is evaluated again
// the ordinary way.
var errNotLazy = errors.New("not evaluated lazily")

// lazyContext is the context of a comparison-dialect criterion that is not
// produced: each query asks the PathScope for its value inside it.
type lazyContext struct {
	ps   PathScope
	ctx  *Expr
	hits int // queries answered
}

// Lookup hands runtime expressions written beside the queries to the
// scope; the context itself is not produced (nil ref).
func (lc *lazyContext) Lookup(ref *Ref) (any, error) {
	if ref == nil {
		return nil, errNotLazy
	}
	return lc.ps.Lookup(ref)
}

func (lc *lazyContext) query(q *queryOperand) (any, bool, string, error) {
	// An empty path would hand out the whole context, which the ordinary
	// evaluation first checks for null and JSON-ness.
	if !q.lazyOK || len(q.steps) == 0 {
		return nil, false, "", errNotLazy
	}
	steps := q.steps
	if len(lc.ctx.steps) > 0 {
		steps = append(append(make([]Step, 0, len(lc.ctx.steps)+len(q.steps)), lc.ctx.steps...), q.steps...)
	}
	v, ok := lc.ps.LookupPath(&lc.ctx.ref, steps)
	if !ok {
		return nil, false, "", errNotLazy
	}
	lc.hits++
	return v, true, "", nil
}

// evalLazy evaluates a comparison-dialect criterion through a PathScope.
// ok is false when some query could not be answered that way. When it is
// true, every query the evaluation reached (at least one) found its value
// inside the context, so the context exists, is JSON and is not null, and
// the outcome is the one the ordinary evaluation gives.
func (c *Criterion) evalLazy(run *Criterion, ps PathScope, explain bool) (Outcome, bool) {
	var ex *explainer
	if explain {
		ex = &explainer{}
	}
	lc := &lazyContext{ps: ps, ctx: c.ctx}
	pass, err := run.jp.compat.eval(lc, ex)
	if errors.Is(err, errNotLazy) || lc.hits == 0 {
		// A condition that reads no query ("1 == 1") still needs the
		// ordinary checks of its context.
		return Outcome{}, false
	}
	out := Outcome{Pass: pass && err == nil, Err: err}
	if ex != nil {
		out.Explanation = ex.String() + " (jsonpath comparison dialect)"
	}
	return out, true
}
