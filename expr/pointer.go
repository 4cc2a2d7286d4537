package expr

import (
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// splitPointer turns an escaped RFC 6901 pointer ("/a~1b/0") into unescaped
// tokens. Tokens without escapes share memory with the pointer.
func splitPointer(ptr string) []string {
	if ptr == "" {
		return nil
	}
	toks := strings.Split(ptr[1:], "/")
	for i, t := range toks {
		if strings.IndexByte(t, '~') >= 0 {
			toks[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
		}
	}
	return toks
}

// EscapePointerToken escapes one JSON Pointer reference token (RFC 6901:
// "~" as "~0", "/" as "~1").
func EscapePointerToken(s string) string {
	if strings.IndexByte(s, '~') < 0 && strings.IndexByte(s, '/') < 0 {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// Pointer is a compiled RFC 6901 JSON Pointer.
type Pointer struct {
	src  string
	toks []string
}

// ParsePointer compiles a JSON Pointer; a leading '#' (URI fragment form) is
// accepted.
func ParsePointer(src string) (*Pointer, error) {
	s := strings.TrimPrefix(src, "#")
	if s != "" && s[0] != '/' {
		return nil, newError(0, len(src), "json pointer "+strconv.Quote(src)+" must be empty or start with '/'")
	}
	for i := 0; i < len(s); i++ {
		if s[i] == '~' && (i+1 >= len(s) || (s[i+1] != '0' && s[i+1] != '1')) {
			return nil, newError(i, i+1, "'~' in json pointer "+strconv.Quote(src)+" must be followed by 0 or 1")
		}
	}
	return &Pointer{src: s, toks: splitPointer(s)}, nil
}

// String returns the pointer in escaped form.
func (p *Pointer) String() string { return p.src }

// Steps returns the pointer as the path a PathScope is asked for.
func (p *Pointer) Steps() []Step { return pointerSteps(p.toks) }

// Tokens returns the unescaped reference tokens.
func (p *Pointer) Tokens() []string { return p.toks }

// Get applies the pointer to v. A miss returns an error wrapping ErrAbsent.
func (p *Pointer) Get(v any) (any, error) {
	out, miss := walk(v, p.toks, 0)
	if miss != nil {
		return nil, &AbsentError{Expr: p.src, Reason: miss.reason(p.toks)}
	}
	return out, nil
}

// walkMiss records where a walk stopped; the message is built only on demand.
type walkMiss struct {
	at   int // index of the token that failed
	kind missKind
	got  string // type name of the value that could not be entered
}

type missKind uint8

const (
	missMember missKind = iota
	missIndex
	missBadIndex
	missScalar
	missNull
)

func (m *walkMiss) reason(toks []string) string {
	at := "/" + strings.Join(escapeAll(toks[:m.at]), "/")
	if m.at == 0 {
		at = "the root"
	}
	tok := strconv.Quote(toks[m.at])
	switch m.kind {
	case missMember:
		return "member " + tok + " not found at " + at
	case missIndex:
		return "index " + tok + " out of range at " + at
	case missBadIndex:
		return "token " + tok + " is not an array index at " + at
	case missNull:
		return "cannot read " + tok + ": value at " + at + " is null"
	default:
		return "cannot read " + tok + ": value at " + at + " is a " + m.got
	}
}

func escapeAll(toks []string) []string {
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = EscapePointerToken(t)
	}
	return out
}

// walk applies toks[from:] to v. It allocates nothing on the hit path for
// the JSON-like types decoders produce.
func walk(v any, toks []string, from int) (any, *walkMiss) {
	for i := from; i < len(toks); i++ {
		tok := toks[i]
		switch t := v.(type) {
		case map[string]any:
			x, ok := t[tok]
			if !ok {
				return nil, &walkMiss{at: i, kind: missMember}
			}
			v = x
		case []any:
			n, kind := arrayIndex(tok, len(t))
			if kind != 0 {
				return nil, &walkMiss{at: i, kind: kind}
			}
			v = t[n]
		case nil:
			return nil, &walkMiss{at: i, kind: missNull}
		case string:
			parsed, ok := parseJSONText(t)
			if !ok {
				return nil, &walkMiss{at: i, kind: missScalar, got: "string"}
			}
			v = parsed
			i--
		case []byte:
			parsed, ok := parseJSONText(string(t))
			if !ok {
				return nil, &walkMiss{at: i, kind: missScalar, got: "byte string"}
			}
			v = parsed
			i--
		case map[string]string:
			x, ok := t[tok]
			if !ok {
				return nil, &walkMiss{at: i, kind: missMember}
			}
			v = x
		case []string:
			n, kind := arrayIndex(tok, len(t))
			if kind != 0 {
				return nil, &walkMiss{at: i, kind: kind}
			}
			v = t[n]
		default:
			x, miss := walkReflect(v, tok, i)
			if miss != nil {
				return nil, miss
			}
			v = x
		}
	}
	return v, nil
}

// walkReflect covers other map and slice types (map[string]int, []map[string]any...).
func walkReflect(v any, tok string, i int) (any, *walkMiss) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return nil, &walkMiss{at: i, kind: missScalar, got: rv.Type().String()}
		}
		x := rv.MapIndex(reflect.ValueOf(tok).Convert(rv.Type().Key()))
		if !x.IsValid() {
			return nil, &walkMiss{at: i, kind: missMember}
		}
		return x.Interface(), nil
	case reflect.Slice, reflect.Array:
		n, kind := arrayIndex(tok, rv.Len())
		if kind != 0 {
			return nil, &walkMiss{at: i, kind: kind}
		}
		return rv.Index(n).Interface(), nil
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return nil, &walkMiss{at: i, kind: missNull}
		}
		return walkReflect(rv.Elem().Interface(), tok, i)
	}
	return nil, &walkMiss{at: i, kind: missScalar, got: typeName(v)}
}

// arrayIndex parses an RFC 6901 array index into an array of n elements.
func arrayIndex(tok string, n int) (int, missKind) {
	i, ok := parseArrayIndex(tok)
	if !ok {
		return 0, missBadIndex
	}
	if i >= n {
		return 0, missIndex
	}
	return i, 0
}

// parseArrayIndex reads an RFC 6901 array index: decimal, no leading
// zeros (and at most 9 digits, so it fits any int).
func parseArrayIndex(tok string) (int, bool) {
	if tok == "" || len(tok) > 9 || (len(tok) > 1 && tok[0] == '0') || !isIndex(tok) {
		return 0, false
	}
	i := 0
	for j := 0; j < len(tok); j++ {
		i = i*10 + int(tok[j]-'0')
	}
	return i, true
}

// parseJSONText decodes a string that holds a JSON object or array: bodies
// stored unparsed are navigated lazily.
func parseJSONText(s string) (any, bool) {
	t := strings.TrimSpace(s)
	if t == "" || (t[0] != '{' && t[0] != '[') {
		return nil, false
	}
	var v any
	if err := json.Unmarshal([]byte(t), &v); err != nil {
		return nil, false
	}
	return v, true
}

func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	}
	if _, ok := toNumber(v); ok {
		return "number"
	}
	return reflect.TypeOf(v).String()
}

// Eval returns the referenced value with its type preserved.
func (e *Expr) Eval(s Scope) (any, error) {
	if s == nil {
		return nil, &AbsentError{Expr: e.src, Reason: "no scope to evaluate in"}
	}
	if e.steps != nil {
		if ps, ok := s.(PathScope); ok {
			if v, ok := ps.LookupPath(&e.ref, e.steps); ok {
				return v, nil
			}
		}
	}
	v, err := s.Lookup(&e.ref)
	if err != nil {
		if errors.Is(err, ErrAbsent) {
			if fv, ok := e.dottedFallback(s); ok {
				return fv, nil
			}
		}
		return nil, &scopedError{expr: e.src, err: err}
	}
	return e.navigate(v)
}

// navigate applies the pointer, then the navigation path.
func (e *Expr) navigate(v any) (any, error) {
	if len(e.ptr) > 0 {
		out, miss := walk(v, e.ptr, 0)
		if miss != nil {
			return nil, &AbsentError{Expr: e.src, Reason: "json pointer: " + miss.reason(e.ptr)}
		}
		v = out
	}
	if len(e.ref.Path) > 0 {
		out, miss := walk(v, e.ref.Path, 0)
		if miss != nil {
			if n, ok := lengthOf(v, e.ref.Path, miss); ok {
				return n, nil
			}
			return nil, &AbsentError{Expr: e.src, Reason: miss.reason(e.ref.Path)}
		}
		v = out
	}
	return v, nil
}

// lengthOf gives a trailing ".length" segment its JavaScript meaning when
// the value has no such member: the length of an array or a string.
// Documents written for JS-based tools use it ($response.body.items.length > 0).
func lengthOf(v any, path []string, miss *walkMiss) (int, bool) {
	last := len(path) - 1
	if miss.at != last || path[last] != "length" {
		return 0, false
	}
	parent, m := walk(v, path[:last], 0)
	if m != nil {
		return 0, false
	}
	switch t := parent.(type) {
	case []any:
		return len(t), true
	case string:
		return utf8.RuneCountInString(t), true
	}
	return 0, false
}

// dottedFallback implements the decision for names with dots: the Scope is
// asked for the exact name ("a.b") first; when that is absent, expr asks for
// ever shorter prefixes ("a") and navigates into the value with the rest
// ("b"), as if the author had written "$inputs.a#/b".
func (e *Expr) dottedFallback(s Scope) (any, bool) {
	switch e.ref.Kind {
	case KindInputs, KindOutputs, KindSteps, KindWorkflows:
	default:
		return nil, false
	}
	name := e.ref.Name
	for cut := strings.LastIndexByte(name, '.'); cut > 0; cut = strings.LastIndexByte(name[:cut], '.') {
		r := e.ref
		r.Name = name[:cut]
		v, err := s.Lookup(&r)
		if err != nil {
			continue
		}
		rest := strings.Split(name[cut+1:], ".")
		out, miss := walk(v, rest, 0)
		if miss != nil {
			return nil, false
		}
		alt := Expr{ref: e.ref, ptr: e.ptr}
		out, err = alt.navigate(out)
		if err != nil {
			return nil, false
		}
		return out, true
	}
	return nil, false
}
