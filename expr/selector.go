package expr

import (
	"context"
	"strconv"
	"strings"

	"github.com/theory/jsonpath"
)

// Selector is a compiled 1.1 Selector Object: it extracts a value from the
// context with a JSONPath (first node), an XPath, or a JSON Pointer.
type Selector struct {
	ctx  *Expr
	typ  string
	src  string
	jp   *jsonpathQuery
	xp   *xpathQuery
	ptr  *Pointer
	note []Note
}

// CompileSelector compiles a Selector Object. typ is "jsonpath", "xpath" or
// "jsonpointer"; version as in CriterionSpec.
func CompileSelector(context, selector, typ, version string) (*Selector, error) {
	ctx, err := Parse(context)
	if err != nil {
		if pe, ok := err.(*Error); ok {
			pe.Msg = "selector context: " + pe.Msg
		}
		return nil, err
	}
	s := &Selector{ctx: ctx, typ: typ, src: selector, note: ctx.notes}
	switch typ {
	case "jsonpath":
		s.jp = &jsonpathQuery{src: selector}
		switch version {
		case JSONPathGoessner:
			q, _, err := compileJSONPath(selector, version)
			if err != nil {
				return nil, err
			}
			s.jp = q
		case "", JSONPathRFC9535:
			p, err := jsonpath.Parse(selector)
			if err != nil {
				return nil, newError(0, len(selector), "invalid jsonpath selector "+strconv.Quote(selector)+": "+err.Error())
			}
			s.jp.rfc = p
		default:
			return nil, newError(0, len(version), "unsupported jsonpath version "+strconv.Quote(version))
		}
	case "xpath":
		q, notes, err := compileXPath(selector, version)
		if err != nil {
			return nil, err
		}
		s.xp = q
		s.note = append(s.note, notes...)
	case "jsonpointer":
		p, err := ParsePointer(selector)
		if err != nil {
			return nil, err
		}
		s.ptr = p
	default:
		return nil, newError(0, len(typ), "unknown selector type "+strconv.Quote(typ)+"; expected jsonpath, xpath or jsonpointer")
	}
	return s, nil
}

// Eval returns the selected value (ErrAbsent-wrapped error when nothing is selected).
func (s *Selector) Eval(sc Scope) (out any, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, &AbsentError{Expr: s.src, Reason: "selector failed"}
		}
	}()
	v, err := s.ctx.Eval(sc)
	if err != nil {
		return nil, err
	}
	switch {
	case s.ptr != nil:
		if len(s.ptr.toks) > 0 {
			if !isJSONText(v) {
				return nil, notJSONError("jsonpointer selector "+strconv.Quote(s.src), sc, s.ctx)
			}
		}
		x, miss := walk(v, s.ptr.toks, 0)
		if miss != nil {
			return nil, &AbsentError{Expr: s.ctx.String() + " " + s.src, Reason: miss.reason(s.ptr.toks)}
		}
		return x, nil
	case s.xp != nil:
		doc, why := xmlDocument(v)
		if doc == nil {
			why = strings.Replace(why, "context", "context "+s.ctx.String()+mediaTypeOf(sc, s.ctx), 1)
			return nil, &Error{Msg: "xpath selector " + strconv.Quote(s.src) + ": " + why}
		}
		x, ok := s.xp.evalValue(doc)
		if !ok {
			return nil, &AbsentError{Expr: s.src, Reason: "xpath selected no node in " + s.ctx.String()}
		}
		return x, nil
	}
	jv, ok := jsonContext(v)
	if !ok {
		return nil, notJSONError("jsonpath selector "+strconv.Quote(s.src), sc, s.ctx)
	}
	if s.jp.rfc != nil {
		nodes := s.jp.rfc.Select(jv)
		if len(nodes) == 0 {
			return nil, &AbsentError{Expr: s.src, Reason: "jsonpath selected no node in " + s.ctx.String()}
		}
		return nodes[0], nil
	}
	res, gerr := s.jp.goessner(context.Background(), jv)
	if gerr != nil {
		return nil, &AbsentError{Expr: s.src, Reason: gerr.Error()}
	}
	if list, ok := res.([]any); ok {
		if len(list) == 0 {
			return nil, &AbsentError{Expr: s.src, Reason: "jsonpath selected no node in " + s.ctx.String()}
		}
		return list[0], nil
	}
	return res, nil
}

// Refs lists the runtime expressions the selector reads.
func (s *Selector) Refs() []*Ref { return []*Ref{&s.ctx.ref} }

// Notes returns dialect warnings.
func (s *Selector) Notes() []Note { return s.note }
