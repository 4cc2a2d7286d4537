package expr

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"sync"

	"github.com/PaesslerAG/gval"
	goessner "github.com/PaesslerAG/jsonpath"
	"github.com/theory/jsonpath"
)

// JSONPath versions of the Expression Type Object.
const (
	JSONPathRFC9535  = "rfc9535"
	JSONPathGoessner = "draft-goessner-dispatch-jsonpath-00"
)

// goessnerLang is the draft's JSONPath with script expressions in filters
// ("[?(@.price > 10)]"); the library's bare language has no operators.
// It is built on first use: building it took 0.4 ms of every process
// start, and few documents ask for the draft dialect.
var goessnerLang = sync.OnceValue(func() gval.Language { return gval.NewLanguage(gval.Full(), goessner.Language()) })

// jsonpathQuery is one compiled JSONPath criterion condition in one of the
// three dialects.
type jsonpathQuery struct {
	src      string
	rfc      *jsonpath.Path // RFC 9535 (default)
	goessner gval.Evaluable // draft-goessner-dispatch-jsonpath-00
	compat   node           // comparison dialect: "$.a == 'x' && $.b > 1"
	rfcErr   string         // why src is not RFC 9535 (compat only)
}

// compileJSONPath picks the dialect: Goessner when asked for, RFC 9535
// when the text parses as RFC 9535, else the comparison dialect.
func compileJSONPath(src, version string) (*jsonpathQuery, []Note, error) {
	q := &jsonpathQuery{src: src}
	switch version {
	case JSONPathGoessner:
		ev, err := goessnerLang().NewEvaluable(src)
		if err != nil {
			return nil, nil, newError(0, len(src), "invalid jsonpath (draft-goessner-dispatch-jsonpath-00) "+strconv.Quote(src)+": "+err.Error())
		}
		q.goessner = ev
		return q, nil, nil
	case "", JSONPathRFC9535:
	default:
		return nil, nil, newError(0, len(src), "unsupported jsonpath version "+strconv.Quote(version)+"; expected rfc9535 or draft-goessner-dispatch-jsonpath-00")
	}
	p, err := jsonpath.Parse(src)
	if err == nil {
		q.rfc = p
		return q, nil, nil
	}
	root, notes, cerr := parseComparisonDialect(src)
	if de, ok := cerr.(decisiveError); ok {
		return nil, nil, de.error
	}
	if cerr != nil {
		return nil, nil, newError(0, len(src), "invalid jsonpath "+strconv.Quote(src)+": "+strings.TrimPrefix(err.Error(), "jsonpath: "))
	}
	q.compat = root
	q.rfcErr = err.Error()
	return q, notes, nil
}

// parseComparisonDialect parses the non-RFC form documents written for
// Redocly Respect use: singular queries compared with literals, joined by
// && and ||.
func parseComparisonDialect(src string) (node, []Note, error) {
	p := condParser{lex: lexer{src: src, jsonpath: true}}
	p.next()
	root, err := p.parseOr()
	if err == nil && p.tok.kind != tEOF {
		err = p.unexpected()
	}
	if err == nil && p.lex.err != nil {
		err = p.lex.err
	}
	if err != nil {
		if p.lex.decisive {
			return nil, nil, decisiveError{err}
		}
		return nil, nil, err
	}
	hasQuery := false
	walkNodes(root, func(n node) {
		if _, ok := n.(*queryOperand); ok {
			hasQuery = true
		}
	})
	if !hasQuery {
		return nil, nil, newError(0, len(src), "no jsonpath query in condition")
	}
	return root, p.lex.notes, nil
}

// decisiveError is a comparison-dialect error that explains a condition
// better than the RFC 9535 parser's: the condition is evidently meant as
// a comparison.
type decisiveError struct{ error }

// compatFix rewrites a comparison-dialect condition as the standard simple
// condition over the criterion's context ("$response.body#/lifecycleState
// == 'STOPPED'"); ok is false when a query has no JSON Pointer equivalent.
func compatFix(n node, ctx *Expr) (string, bool) {
	if ctx == nil {
		return "", false
	}
	ok := true
	var b strings.Builder
	var write func(n node)
	write = func(n node) {
		switch t := n.(type) {
		case *logicNode:
			sep := " && "
			if t.or {
				sep = " || "
			}
			for i, k := range t.kids {
				if i > 0 {
					b.WriteString(sep)
				}
				write(k)
			}
		case *notNode:
			b.WriteByte('!')
			write(t.x)
		case *groupNode:
			b.WriteByte('(')
			write(t.x)
			b.WriteByte(')')
		case *cmpNode:
			write(t.left)
			b.WriteString(" " + t.op.String() + " ")
			write(t.right)
		case *queryOperand:
			ptr, pok := t.pointer()
			if !pok {
				ok = false
			}
			r := ctx.ref
			if ptr != "" {
				r.HasPointer = true
				r.Pointer += ptr
			}
			b.WriteString(r.Standard())
		default:
			b.WriteString(n.String())
		}
	}
	write(n)
	return b.String(), ok
}

// queryOperand is a singular JSONPath query of the comparison dialect:
// "$.a.b", "$['a']", "$[0].state", with ".length" of arrays and strings.
type queryOperand struct {
	src  string
	segs []querySeg
	// count, when set, is a query that can select several nodes (a
	// filter, a wildcard) written with ".length": its value is the number
	// of nodes it selects. segs is then empty.
	count *jsonpath.Path
	// lengthAt is the offset of a final ".length" in the condition (0
	// when there is none: a query never starts there).
	lengthAt int
	// isSecret: a segment names a credential, so explanations hide the
	// value. Decided once when parsed, not at every evaluation.
	isSecret bool
	// steps are segs for a PathScope; lazyOK is false when only the full
	// walk can follow them.
	steps  []Step
	lazyOK bool
}

type querySeg struct {
	name  string
	index int  // when isIdx
	isIdx bool // [n], n may be negative (from the end)
	dot   bool // written .name (so .length may mean the length)
}

func (l *lexer) singularQuery(start int) token {
	if end, multi := queryExtent(l.src, start); multi && end < 0 {
		l.decisive = true
		return l.fail(start, len(l.src), "missing ']' in jsonpath "+strconv.Quote(l.src[start:]))
	} else if multi {
		return l.countQuery(start, end)
	}
	i := start + 1
	q := &queryOperand{}
	for i < len(l.src) {
		c := l.src[i]
		if c == '.' {
			j := i + 1
			for j < len(l.src) && (isStrict(l.src[j]) || l.src[j] == '$' || l.src[j] >= 0x80) {
				j++
			}
			if j == i+1 {
				return l.fail(i, i+1, "expected member name after '.' at offset "+strconv.Itoa(i))
			}
			q.segs = append(q.segs, querySeg{name: l.src[i+1 : j], dot: true})
			i = j
			continue
		}
		if c != '[' {
			break
		}
		j := i + 1
		if j < len(l.src) && (l.src[j] == '\'' || l.src[j] == '"') {
			saved := l.pos
			l.pos = j
			t := l.quoted(j, l.src[j])
			if l.err != nil {
				return t
			}
			j = l.pos
			l.pos = saved
			if j >= len(l.src) || l.src[j] != ']' {
				return l.fail(i, j, "expected ']' at offset "+strconv.Itoa(j))
			}
			q.segs = append(q.segs, querySeg{name: t.text})
			i = j + 1
			continue
		}
		k := j
		if k < len(l.src) && l.src[k] == '-' {
			k++
		}
		for k < len(l.src) && isDigit(l.src[k]) {
			k++
		}
		n, err := strconv.Atoi(l.src[j:k])
		if err != nil || k >= len(l.src) || l.src[k] != ']' {
			return l.fail(i, k, "expected [index] or ['name'] at offset "+strconv.Itoa(i))
		}
		q.segs = append(q.segs, querySeg{index: n, isIdx: true, name: l.src[j:k]})
		i = k + 1
	}
	q.src = l.src[start:i]
	for _, s := range q.segs {
		q.isSecret = q.isSecret || IsSecretName(s.name)
	}
	if n := len(q.segs); n > 0 && q.segs[n-1].dot && q.segs[n-1].name == "length" {
		q.lengthAt = i - len(".length")
	}
	q.steps, q.lazyOK = querySteps(q.segs)
	l.pos = i
	return token{kind: tQuery, pos: start, end: i, query: q}
}

func (*queryOperand) sealed()            {}
func (q *queryOperand) String() string   { return q.src }
func (q *queryOperand) describe() string { return q.src }
func (q *queryOperand) secret() bool     { return q.isSecret }

// pointer returns the JSON Pointer equivalent of the query.
func (q *queryOperand) pointer() (string, bool) {
	if q.count != nil {
		return "", false
	}
	var b strings.Builder
	for _, s := range q.segs {
		if (s.isIdx && s.index < 0) || (s.dot && s.name == "length") {
			return "", false
		}
		b.WriteByte('/')
		b.WriteString(EscapePointerToken(s.name))
	}
	return b.String(), true
}

func (q *queryOperand) eval(s Scope, ex *explainer) (bool, error) {
	v, ok, reason, err := q.value(s)
	if err != nil {
		return false, err
	}
	if ex != nil {
		if ok {
			ex.clause(q.src + " was " + formatValue(v, q.secret()))
		} else {
			ex.clause(q.src + " selected nothing (" + reason + ")")
		}
	}
	return ok && truthy(v), nil
}

// value walks the query over the context value, which the contextScope
// hands out for any ref.
func (q *queryOperand) value(s Scope) (any, bool, string, error) {
	if lc, ok := s.(*lazyContext); ok {
		return lc.query(q)
	}
	v, err := s.Lookup(nil)
	if err != nil {
		return nil, false, "", err
	}
	if q.count != nil {
		return len(q.count.Select(v)), true, "", nil
	}
	for i, seg := range q.segs {
		if seg.dot && seg.name == "length" {
			switch t := v.(type) {
			case []any:
				v = len(t)
				continue
			case string:
				v = len([]rune(t))
				continue
			}
		}
		if seg.isIdx {
			arr, isArr := v.([]any)
			if !isArr {
				return nil, false, "no array at " + q.prefix(i), nil
			}
			n := seg.index
			if n < 0 {
				n += len(arr)
			}
			if n < 0 || n >= len(arr) {
				return nil, false, "index " + seg.name + " out of range at " + q.prefix(i), nil
			}
			v = arr[n]
			continue
		}
		m, isObj := v.(map[string]any)
		if !isObj {
			return nil, false, "no object at " + q.prefix(i), nil
		}
		x, found := m[seg.name]
		if !found {
			return nil, false, "member " + strconv.Quote(seg.name) + " not found at " + q.prefix(i), nil
		}
		v = x
	}
	return v, true, "", nil
}

func (q *queryOperand) prefix(i int) string {
	if i == 0 {
		return "$"
	}
	var b strings.Builder
	b.WriteByte('$')
	for _, s := range q.segs[:i] {
		if s.isIdx {
			b.WriteString("[" + s.name + "]")
		} else {
			b.WriteString("." + s.name)
		}
	}
	return b.String()
}

// contextScope hands the criterion's context value to comparison-dialect
// queries (which ask for a nil Ref) and passes the runtime expressions
// written beside them ($.used <= $inputs.budget) to the criterion's scope.
type contextScope struct {
	v     any
	outer Scope
}

func (c contextScope) Lookup(ref *Ref) (any, error) {
	if ref == nil {
		return c.v, nil
	}
	if c.outer == nil {
		return nil, &AbsentError{Reason: "no scope for runtime expressions"}
	}
	return c.outer.Lookup(ref)
}

// eval runs the query on a context value and says whether it passes;
// outer is the scope of runtime expressions in a comparison.
func (q *jsonpathQuery) eval(v any, outer Scope) (bool, string, error) {
	switch {
	case q.rfc != nil:
		nodes := q.rfc.Select(v)
		return len(nodes) > 0, "jsonpath " + q.src + " selected " + countNodes(len(nodes)), nil
	case q.goessner != nil:
		res, err := q.goessner(context.Background(), v)
		if err != nil {
			return false, "jsonpath " + q.src + " (goessner) selected nothing: " + err.Error(), nil
		}
		switch t := res.(type) {
		case bool:
			return t, "jsonpath " + q.src + " (goessner) evaluated to " + strconv.FormatBool(t), nil
		case []any:
			return len(t) > 0, "jsonpath " + q.src + " (goessner) selected " + countNodes(len(t)), nil
		case nil:
			return false, "jsonpath " + q.src + " (goessner) selected null", nil
		}
		return true, "jsonpath " + q.src + " (goessner) selected 1 node", nil
	}
	var ex explainer
	ok, err := q.compat.eval(contextScope{v: v, outer: outer}, &ex)
	return ok, ex.String() + " (jsonpath comparison dialect)", err
}

func countNodes(n int) string {
	if n == 1 {
		return "1 node"
	}
	return strconv.Itoa(n) + " nodes"
}

// jsonContext prepares a context value for JSONPath: JSON text is decoded
// (numbers kept exact); other values are used as they are.
func jsonContext(v any) (any, bool) {
	var text string
	switch t := v.(type) {
	case string:
		text = t
	case []byte:
		text = string(t)
	default:
		return v, true
	}
	var out any
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil || dec.More() {
		return nil, false
	}
	return out, true
}

// queryExtent finds where the JSONPath query starting at src[start] ('$')
// ends, and whether it can select several nodes (a filter, a wildcard, a
// slice, a union or descendants); end is -1 when a '[' is not closed.
// Brackets nest and quoted names may hold anything, so a filter's own
// comparisons stay inside the query.
func queryExtent(src string, start int) (end int, multi bool) {
	i := start + 1
	for i < len(src) {
		switch src[i] {
		case '.':
			i++
			if i < len(src) && src[i] == '.' { // descendants: "$..id", "$..[0]"
				multi = true
				i++
			}
			if i < len(src) && src[i] == '*' {
				multi = true
				i++
				continue
			}
			for i < len(src) && (isStrict(src[i]) || src[i] == '$' || src[i] >= 0x80) {
				i++
			}
		case '[':
			j, m := bracketEnd(src, i)
			multi = multi || m
			if j < 0 {
				return -1, multi
			}
			i = j
		default:
			return i, multi
		}
	}
	return i, multi
}

// bracketEnd returns the offset after the ']' closing src[open] and
// whether the bracket selects several nodes; -1 when it is not closed.
func bracketEnd(src string, open int) (int, bool) {
	depth, multi := 0, false
	for i := open; i < len(src); i++ {
		c := src[i]
		switch {
		case c == '\'' || c == '"':
			for i++; i < len(src) && src[i] != c; i++ {
				if src[i] == '\\' {
					i++
				}
			}
		case c == '[':
			depth++
		case c == ']':
			depth--
			if depth == 0 {
				return i + 1, multi
			}
		case depth == 1 && (c == '?' || c == '*' || c == ':' || c == ','):
			multi = true
		}
	}
	return -1, multi
}

// countQuery reads a query that can select several nodes. In the
// comparison dialect such a query only has a value when counted:
// "$.data[?(@.id == 'x')].length" is the number of matching nodes.
func (l *lexer) countQuery(start, end int) token {
	text := l.src[start:end]
	path, ok := strings.CutSuffix(text, ".length")
	if !ok {
		l.decisive = true
		return l.fail(start, end, "jsonpath "+strconv.Quote(text)+" can select several nodes and cannot be compared; count them with .length, or use the query alone as an RFC 9535 jsonpath criterion")
	}
	p, err := jsonpath.Parse(path)
	if err != nil {
		return l.fail(start, start+len(path), "invalid jsonpath "+strconv.Quote(path)+": "+strings.TrimPrefix(err.Error(), "jsonpath: "))
	}
	l.pos = end
	return token{kind: tQuery, pos: start, end: end, query: &queryOperand{src: text, count: p, lengthAt: start + len(path)}}
}

// isJSONText reports whether a context a JSON Pointer walks is JSON: text
// (string, []byte) must parse as JSON; decoded values always are.
func isJSONText(v any) bool {
	switch t := v.(type) {
	case string:
		return json.Valid([]byte(t))
	case []byte:
		return json.Valid(t)
	}
	return true
}
