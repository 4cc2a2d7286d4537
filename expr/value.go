package expr

import (
	"encoding/json"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ValueKind says how a string value is to be read.
type ValueKind int

const (
	Literal    ValueKind = iota // plain text, returned as is ("$100", "$.items[*]")
	Expression                  // the whole string is one runtime expression: typed value
	Template                    // text with embedded {$...}: always a string
)

// String names the kind.
func (k ValueKind) String() string {
	switch k {
	case Literal:
		return "literal"
	case Expression:
		return "expression"
	case Template:
		return "template"
	}
	return "ValueKind(" + strconv.Itoa(int(k)) + ")"
}

// Value is a compiled string value: a literal, a whole expression or a template.
type Value struct {
	src   string
	kind  ValueKind
	expr  *Expr     // Expression
	parts []tplPart // Template
	notes []Note
}

// tplPart is either literal text or one embedded expression.
type tplPart struct {
	lit  string
	expr *Expr
}

// ParseValue classifies and compiles a string that may hold a runtime
// expression (parameter values, payload leaves, outputs, replacement values).
//
// The rule: a string that parses entirely as a runtime
// expression is an Expression and keeps the referenced type; a string
// containing "{$" is a Template; an unbraced expression after a boundary
// ("Bearer $inputs.token") also makes a Template, with a Note whose Fix is
// the braced form; anything else ("$100", "$.items[*]") is a Literal.
// "$" followed by a known root but not a valid expression ("$steps.x") is an
// error, since the author evidently meant an expression.
func ParseValue(src string) (*Value, error) {
	v := &Value{src: src}
	if strings.IndexByte(src, '$') < 0 {
		return v, nil
	}
	if src[0] == '$' {
		if e, err := Parse(src); err == nil {
			v.kind, v.expr, v.notes = Expression, e, e.notes
			return v, nil
		}
	}
	if err := v.parseTemplate(true); err != nil {
		return nil, err
	}
	return v, nil
}

// parseTemplate splits v.src into text and expressions. unbraced: also
// accept "$inputs.x" without braces (values only, never conditions).
func (v *Value) parseTemplate(unbracedOK bool) error {
	src := v.src
	litStart := 0
	unbraced := false
	flush := func(end int) {
		if end > litStart {
			v.parts = append(v.parts, tplPart{lit: src[litStart:end]})
		}
	}
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '{' && i+1 < len(src) && src[i+1] == '$':
			p := refParser{src: src, pos: i + 1, mode: modeEmbedded}
			e, err := p.parse()
			if err != nil {
				return err
			}
			if p.pos >= len(src) || src[p.pos] != '}' {
				end := p.pos
				if end >= len(src) {
					return newError(i, len(src), "missing '}' after embedded expression "+strconv.Quote(src[i:]))
				}
				_, size := utf8.DecodeRuneInString(src[end:])
				return newError(end, end+size, "unexpected "+strconv.Quote(src[end:end+size])+" in embedded expression "+strconv.Quote(src[i:end+size]))
			}
			flush(i)
			v.parts = append(v.parts, tplPart{expr: e})
			v.notes = append(v.notes, e.notes...)
			i = p.pos + 1
			litStart = i
		case unbracedOK && c == '$' && (i == 0 || !isStrict(src[i-1]) && src[i-1] != '$' && src[i-1] != '}') && knownRoot(src[i+1:]):
			p := refParser{src: src, pos: i, mode: modeUnbraced}
			e, err := p.parse()
			if err != nil {
				if i == 0 {
					return err // "$steps.x": evidently meant as an expression
				}
				// Inside prose ("see $steps.x") it stays text, with a warning.
				msg := err.Error()
				if pe, ok := err.(*Error); ok {
					msg = pe.Msg
				}
				v.notes = append(v.notes, Note{Offset: i, End: p.pos, Rule: RuleUnbracedExpression,
					Msg: "text looks like a runtime expression but is not one (" + msg + "); kept as text"})
				i++
				continue
			}
			flush(i)
			v.parts = append(v.parts, tplPart{expr: e})
			v.notes = append(v.notes, e.notes...)
			unbraced = true
			i = p.pos
			litStart = i
		default:
			i++
		}
	}
	flush(len(src))
	for _, p := range v.parts {
		if p.expr != nil {
			v.kind = Template
			break
		}
	}
	if v.kind != Template {
		v.parts = nil
		return nil
	}
	if unbraced {
		v.notes = append(v.notes, Note{Offset: 0, End: len(src), Rule: RuleUnbracedExpression,
			Msg: "runtime expressions inside text must be wrapped in {}", Fix: v.String()})
	}
	return nil
}

// Kind reports how the value is read.
func (v *Value) Kind() ValueKind { return v.kind }

// Expr returns the expression of an Expression value (nil otherwise).
func (v *Value) Expr() *Expr { return v.expr }

// Source returns the text as written.
func (v *Value) Source() string { return v.src }

// String prints the value in standard form (templates with braces).
func (v *Value) String() string {
	switch v.kind {
	case Expression:
		return v.expr.String()
	case Template:
		var b strings.Builder
		for _, p := range v.parts {
			if p.expr == nil {
				b.WriteString(p.lit)
				continue
			}
			b.WriteByte('{')
			b.WriteString(p.expr.String())
			b.WriteByte('}')
		}
		return b.String()
	}
	return v.src
}

// Eval evaluates the value. An Expression keeps the referenced type; a
// Template yields a string (objects/arrays as JSON, null as ""); a Literal
// yields its text.
func (v *Value) Eval(s Scope) (any, error) {
	switch v.kind {
	case Expression:
		return v.expr.Eval(s)
	case Template:
		return v.render(s)
	}
	return v.src, nil
}

func (v *Value) render(s Scope) (string, error) {
	var b strings.Builder
	for _, p := range v.parts {
		if p.expr == nil {
			b.WriteString(p.lit)
			continue
		}
		x, err := p.expr.Eval(s)
		if err != nil {
			return "", err
		}
		writeText(&b, x)
	}
	return b.String(), nil
}

// Refs lists every runtime expression the value uses.
func (v *Value) Refs() []*Ref {
	switch v.kind {
	case Expression:
		return []*Ref{&v.expr.ref}
	case Template:
		var refs []*Ref
		for _, p := range v.parts {
			if p.expr != nil {
				refs = append(refs, &p.expr.ref)
			}
		}
		return refs
	}
	return nil
}

// Notes returns dialect warnings.
func (v *Value) Notes() []Note { return v.notes }

// Stringify renders a value the way an embedded expression does: strings
// as is, numbers and booleans in their JSON form, null as "", objects and
// arrays as JSON.
func Stringify(x any) string {
	switch t := x.(type) {
	case string:
		return t
	case nil:
		return ""
	}
	var b strings.Builder
	writeText(&b, x)
	return b.String()
}

func writeText(b *strings.Builder, x any) {
	switch t := x.(type) {
	case nil:
	case string:
		b.WriteString(t)
	case []byte:
		b.Write(t)
	case bool:
		b.WriteString(strconv.FormatBool(t))
	case json.Number:
		b.WriteString(t.String())
	case float64:
		b.WriteString(formatFloat(t))
	case float32:
		b.WriteString(formatFloat(float64(t)))
	case int:
		b.WriteString(strconv.Itoa(t))
	case int64:
		b.WriteString(strconv.FormatInt(t, 10))
	case int32:
		b.WriteString(strconv.FormatInt(int64(t), 10))
	case int16:
		b.WriteString(strconv.FormatInt(int64(t), 10))
	case int8:
		b.WriteString(strconv.FormatInt(int64(t), 10))
	case uint:
		b.WriteString(strconv.FormatUint(uint64(t), 10))
	case uint64:
		b.WriteString(strconv.FormatUint(t, 10))
	case uint32:
		b.WriteString(strconv.FormatUint(uint64(t), 10))
	case uint16:
		b.WriteString(strconv.FormatUint(uint64(t), 10))
	case uint8:
		b.WriteString(strconv.FormatUint(uint64(t), 10))
	default:
		data, err := json.Marshal(x)
		if err != nil {
			b.WriteString("<unprintable " + typeName(x) + ">")
			return
		}
		b.Write(data)
	}
}

// formatFloat prints integral floats without exponent or fraction (200, not 2e+02).
func formatFloat(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e21 {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// Data is a compiled structured value (a payload or a parameter value that
// may be a map or list): every string leaf is compiled with ParseValue; map
// keys are never evaluated.
type Data struct {
	root  any // the input tree with non-literal string leaves replaced by *Value
	refs  []*Ref
	notes []Note
}

// CompileData compiles a decoded YAML/JSON value (map[string]any, []any,
// scalars).
func CompileData(v any) (*Data, error) {
	d := &Data{}
	root, err := d.compile(v, "")
	if err != nil {
		return nil, err
	}
	d.root = root
	return d, nil
}

func (d *Data) compile(v any, at string) (any, error) {
	switch t := v.(type) {
	case string:
		val, err := ParseValue(t)
		if err != nil {
			if e, ok := err.(*Error); ok && at != "" {
				e.Msg = "at " + at + ": " + e.Msg
			}
			return nil, err
		}
		if val.kind == Literal {
			return t, nil
		}
		d.refs = append(d.refs, val.Refs()...)
		d.notes = append(d.notes, val.notes...)
		return val, nil
	case map[string]any:
		out := make(map[string]any, len(t))
		for _, k := range slices.Sorted(maps.Keys(t)) { // sorted: Refs and Notes in a stable order
			x := t[k]
			c, err := d.compile(x, at+"/"+EscapePointerToken(k))
			if err != nil {
				return nil, err
			}
			out[k] = c
		}
		return out, nil
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			c, err := d.compile(x, at+"/"+strconv.Itoa(i))
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case map[any]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			ks := Stringify(k)
			c, err := d.compile(x, at+"/"+EscapePointerToken(ks))
			if err != nil {
				return nil, err
			}
			out[ks] = c
		}
		return out, nil
	}
	return v, nil
}

// Eval returns a fresh evaluated copy of the value.
func (d *Data) Eval(s Scope) (any, error) { return evalData(d.root, s) }

func evalData(v any, s Scope) (any, error) {
	switch t := v.(type) {
	case *Value:
		return t.Eval(s)
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			c, err := evalData(x, s)
			if err != nil {
				return nil, err
			}
			out[k] = c
		}
		return out, nil
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			c, err := evalData(x, s)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	}
	return v, nil
}

// EvalLeavingOut is Eval, except that an object member whose whole value
// is one runtime expression is left out when evaluating it fails with an
// error for which leaveOut reports true (an optional input that was not
// given). Such an error anywhere else (an array element, a template, the
// root) is returned: dropping an element would shift the others, and a
// template cannot render a value that does not exist.
func (d *Data) EvalLeavingOut(s Scope, leaveOut func(error) bool) (any, error) {
	return evalDataLeavingOut(d.root, s, leaveOut)
}

// WholeExpression reports whether the value is one runtime expression
// (not a template, a literal or a structure).
func (d *Data) WholeExpression() bool {
	v, ok := d.root.(*Value)
	return ok && v.kind == Expression
}

func evalDataLeavingOut(v any, s Scope, leaveOut func(error) bool) (any, error) {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			c, err := evalDataLeavingOut(x, s, leaveOut)
			if err != nil {
				if xv, ok := x.(*Value); ok && xv.kind == Expression && leaveOut(err) {
					continue
				}
				return nil, err
			}
			out[k] = c
		}
		return out, nil
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			c, err := evalDataLeavingOut(x, s, leaveOut)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	}
	return evalData(v, s)
}

// Refs lists every runtime expression in the value.
func (d *Data) Refs() []*Ref { return d.refs }

// Notes returns dialect warnings of all leaves.
func (d *Data) Notes() []Note { return d.notes }
