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
// queries.
type contextScope struct{ v any }

func (c contextScope) Lookup(*Ref) (any, error) { return c.v, nil }

// eval runs the query on a context value and says whether it passes.
func (q *jsonpathQuery) eval(v any) (bool, string, error) {
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
	ok, err := q.compat.eval(contextScope{v}, &ex)
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
