package expr

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Condition is a compiled simple condition
// ("$statusCode == 200 && $response.body#/ok").
//
// Grammar (after swaggerexpert/arazzo-criterion):
//
//	condition  = or
//	or         = and *( "||" and )
//	and        = unary *( "&&" unary )
//	unary      = "!" unary / "(" or ")" / comparable [ op comparable ]
//	op         = "==" / "!=" / "<=" / ">=" / "<" / ">"      ; non-associative
//	comparable = literal / runtime-expression *( "." member / "[" index "]" )
//	literal    = true / false / null / number / 'single' ('' escapes) / "double" (with a note)
type Condition struct {
	src   string
	root  node
	refs  []*Ref
	notes []Note
}

// ParseCondition compiles a simple condition.
func ParseCondition(src string) (*Condition, error) {
	p := condParser{lex: lexer{src: src}}
	p.next()
	root, err := p.parseOr()
	if err == nil && p.tok.kind != tEOF {
		err = p.unexpected()
	}
	if err == nil && p.lex.err != nil {
		err = p.lex.err
	}
	if err != nil {
		return nil, err
	}
	c := &Condition{src: src, root: root, notes: p.lex.notes}
	walkNodes(root, func(n node) {
		if o, ok := n.(*exprOperand); ok {
			c.refs = append(c.refs, &o.e.ref)
			c.notes = append(c.notes, o.e.notes...)
		}
	})
	if b, ok := bareOperand(root); ok {
		c.notes = append(c.notes, Note{Offset: b.e.ref.Offset, End: b.e.ref.End, Rule: RuleBareOperand,
			Msg: "operand " + b.e.src + " is used as a boolean: it passes when present and not null or false"})
	}
	if len(c.notes) > 0 {
		fix := root.String()
		for i := range c.notes {
			if c.notes[i].Rule == RuleDoubleQuotes || c.notes[i].Rule == RuleEqualsTypo {
				c.notes[i].Fix = fix
			}
		}
	}
	return c, nil
}

// bareOperand finds one runtime-expression operand used as a test rather
// than compared (the first is enough for the note).
func bareOperand(n node) (*exprOperand, bool) {
	switch t := n.(type) {
	case *exprOperand:
		return t, true
	case *logicNode:
		for _, k := range t.kids {
			if o, ok := bareOperand(k); ok {
				return o, true
			}
		}
	case *notNode:
		return bareOperand(t.x)
	case *groupNode:
		return bareOperand(t.x)
	}
	return nil, false
}

// String prints the condition in standard form (single-quoted strings).
func (c *Condition) String() string { return c.root.String() }

// Source returns the condition as written.
func (c *Condition) Source() string { return c.src }

// Refs lists the runtime expressions the condition reads.
func (c *Condition) Refs() []*Ref { return c.refs }

// Notes returns dialect warnings.
func (c *Condition) Notes() []Note { return c.notes }

// Eval evaluates the condition. Absent operands make their comparison
// false; other Scope errors are returned.
func (c *Condition) Eval(s Scope) (bool, error) {
	return c.root.eval(s, nil)
}

// Explain evaluates the condition and describes the operands it read.
func (c *Condition) Explain(s Scope) (bool, string, error) {
	var ex explainer
	ok, err := c.root.eval(s, &ex)
	return ok, ex.String(), err
}

// ---- lexer ----

type tokKind uint8

const (
	tEOF tokKind = iota
	tOr
	tAnd
	tNot
	tLParen
	tRParen
	tOp
	tNumber
	tString
	tTrue
	tFalse
	tNull
	tExpr
	tQuery
)

type token struct {
	kind     tokKind
	pos, end int
	op       cmpOp
	text     string // number source, decoded string
	num      float64
	expr     *Expr
	query    *queryOperand
}

// lexer is pulled by the parser one token at a time (text/template style).
type lexer struct {
	src   string
	pos   int
	err   error
	notes []Note
	// jsonpath: operands are singular JSONPath queries ("$.a[0].b"), the
	// comparison dialect of jsonpath criteria, instead of runtime expressions.
	jsonpath bool
	// decisive: the error names what is wrong with a comparison-dialect
	// condition better than any other reading of it would.
	decisive bool
}

func (l *lexer) fail(off, end int, msg string) token {
	if l.err == nil {
		l.err = newError(off, end, msg)
	}
	l.pos = len(l.src)
	return token{kind: tEOF, pos: off, end: end}
}

func (l *lexer) next() token {
	for l.pos < len(l.src) && (l.src[l.pos] == ' ' || l.src[l.pos] == '\t' || l.src[l.pos] == '\n' || l.src[l.pos] == '\r') {
		l.pos++
	}
	start := l.pos
	if start >= len(l.src) {
		return token{kind: tEOF, pos: start, end: start}
	}
	tok := func(k tokKind, n int) token {
		l.pos += n
		return token{kind: k, pos: start, end: l.pos}
	}
	op := func(o cmpOp, n int) token {
		t := tok(tOp, n)
		t.op = o
		return t
	}
	rest := l.src[start:]
	switch c := rest[0]; {
	case strings.HasPrefix(rest, "||"):
		return tok(tOr, 2)
	case strings.HasPrefix(rest, "&&"):
		return tok(tAnd, 2)
	case strings.HasPrefix(rest, "===") || strings.HasPrefix(rest, "!=="):
		l.notes = append(l.notes, Note{Offset: start, End: start + 3, Rule: RuleEqualsTypo,
			Msg: strconv.Quote(rest[:3]) + " is not a simple-condition operator; use " + strconv.Quote(rest[:2])})
		if c == '=' {
			return op(opEq, 3)
		}
		return op(opNe, 3)
	case strings.HasPrefix(rest, "=="):
		return op(opEq, 2)
	case strings.HasPrefix(rest, "!="):
		return op(opNe, 2)
	case strings.HasPrefix(rest, "<="):
		return op(opLe, 2)
	case strings.HasPrefix(rest, ">="):
		return op(opGe, 2)
	case c == '<':
		return op(opLt, 1)
	case c == '>':
		return op(opGt, 1)
	case c == '!':
		return tok(tNot, 1)
	case c == '(':
		return tok(tLParen, 1)
	case c == ')':
		return tok(tRParen, 1)
	case c == '=':
		return l.fail(start, start+1, "single '=' at offset "+strconv.Itoa(start)+"; use '==' to compare")
	case c == '&' || c == '|':
		return l.fail(start, start+1, "single "+strconv.Quote(string(c))+" at offset "+strconv.Itoa(start)+"; use "+strconv.Quote(string(c)+string(c)))
	case c == '\'':
		return l.quoted(start, '\'')
	case c == '"':
		return l.quoted(start, '"')
	case c == '{' && !l.jsonpath && strings.HasPrefix(rest, "{$"):
		// "{$statusCode} == 200": braces belong to templates, not to
		// simple conditions; accepted with a note.
		p := refParser{src: l.src, pos: start + 1, mode: modeEmbedded}
		e, err := p.parse()
		if err != nil {
			l.fail(start, len(l.src), "")
			l.err = err
			return token{kind: tEOF, pos: start}
		}
		if p.pos >= len(l.src) || l.src[p.pos] != '}' {
			return l.fail(start, p.pos, "missing '}' after "+strconv.Quote(l.src[start:p.pos]))
		}
		l.pos = p.pos + 1
		l.notes = append(l.notes, Note{Offset: start, End: l.pos, Rule: RuleBracedOperand,
			Msg: "simple conditions use bare runtime expressions, without {}", Fix: e.String()})
		return token{kind: tExpr, pos: start, end: l.pos, expr: e}
	case c == '$' && l.jsonpath && !knownRoot(rest[1:]):
		return l.singularQuery(start)
	case c == '$':
		p := refParser{src: l.src, pos: start, mode: modeOperand}
		e, err := p.parse()
		if err != nil {
			l.fail(start, len(l.src), "")
			l.err = err
			return token{kind: tEOF, pos: start}
		}
		l.pos = p.pos
		return token{kind: tExpr, pos: start, end: l.pos, expr: e}
	case isDigit(c) || c == '-' || c == '+' || c == '.':
		return l.number(start)
	case isAlpha(c):
		i := start
		for i < len(l.src) && (isAlpha(l.src[i]) || isDigit(l.src[i]) || l.src[i] == '_') {
			i++
		}
		switch l.src[start:i] {
		case "true":
			return tok(tTrue, 4)
		case "false":
			return tok(tFalse, 5)
		case "null":
			return tok(tNull, 4)
		}
		return l.fail(start, i, "unexpected word "+strconv.Quote(l.src[start:i])+" at offset "+strconv.Itoa(start)+"; strings need single quotes, expressions start with '$'")
	}
	// Quote the whole character: a lone UTF-8 byte reads as "\xf0".
	_, size := utf8.DecodeRuneInString(rest)
	return l.fail(start, start+size, "unexpected "+strconv.Quote(rest[:size])+" at offset "+strconv.Itoa(start))
}

func (l *lexer) number(start int) token {
	i := start
	if i < len(l.src) && (l.src[i] == '-' || l.src[i] == '+') {
		i++
	}
	for i < len(l.src) && (isDigit(l.src[i]) || l.src[i] == '.' || l.src[i] == 'e' || l.src[i] == 'E' ||
		((l.src[i] == '-' || l.src[i] == '+') && (l.src[i-1] == 'e' || l.src[i-1] == 'E'))) {
		i++
	}
	text := l.src[start:i]
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || strings.HasPrefix(text, "+") || strings.HasPrefix(text, "0x") {
		return l.fail(start, i, "invalid number "+strconv.Quote(text)+" at offset "+strconv.Itoa(start))
	}
	l.pos = i
	return token{kind: tNumber, pos: start, end: i, text: text, num: f}
}

// quoted reads 'it”s' or, leniently, "double" (with \" and \\ escapes).
func (l *lexer) quoted(start int, q byte) token {
	var b strings.Builder
	i := start + 1
	for {
		if i >= len(l.src) {
			return l.fail(start, len(l.src), "unterminated string starting at offset "+strconv.Itoa(start))
		}
		c := l.src[i]
		switch {
		case c == q && q == '\'' && i+1 < len(l.src) && l.src[i+1] == '\'':
			b.WriteByte('\'')
			i += 2
			continue
		case c == '\\' && (q == '"' || l.jsonpath) && i+1 < len(l.src) && (l.src[i+1] == q || l.src[i+1] == '\\'):
			b.WriteByte(l.src[i+1])
			i += 2
			continue
		case c == q:
			i++
			l.pos = i
			if q == '"' && !l.jsonpath {
				l.notes = append(l.notes, Note{Offset: start, End: i, Rule: RuleDoubleQuotes,
					Msg: "string literals in simple conditions are single-quoted"})
			}
			return token{kind: tString, pos: start, end: i, text: b.String()}
		}
		b.WriteByte(c)
		i++
	}
}

// ---- parser ----

type condParser struct {
	lex lexer
	tok token
}

func (p *condParser) next() { p.tok = p.lex.next() }

func (p *condParser) unexpected() error {
	if p.lex.err != nil {
		return p.lex.err
	}
	t := p.tok
	if t.kind == tEOF {
		return newError(len(p.lex.src), len(p.lex.src), "unexpected end of condition "+strconv.Quote(p.lex.src))
	}
	return newError(t.pos, t.end, "unexpected "+strconv.Quote(p.lex.src[t.pos:t.end])+" at offset "+strconv.Itoa(t.pos))
}

func (p *condParser) parseOr() (node, error) {
	return p.parseLogic(tOr, p.parseAnd)
}

func (p *condParser) parseAnd() (node, error) {
	return p.parseLogic(tAnd, p.parseUnary)
}

func (p *condParser) parseLogic(kind tokKind, sub func() (node, error)) (node, error) {
	first, err := sub()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != kind {
		return first, nil
	}
	n := &logicNode{or: kind == tOr, kids: []node{first}}
	for p.tok.kind == kind {
		p.next()
		k, err := sub()
		if err != nil {
			return nil, err
		}
		n.kids = append(n.kids, k)
	}
	return n, nil
}

func (p *condParser) parseUnary() (node, error) {
	switch p.tok.kind {
	case tNot:
		pos := p.tok.pos
		p.next()
		x, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		if _, isCmp := x.(*cmpNode); isCmp {
			return nil, newError(pos, pos+1, "'!' at offset "+strconv.Itoa(pos)+" applies to one operand; write !( ... ) to negate a comparison")
		}
		return &notNode{x: x}, nil
	case tLParen:
		p.next()
		x, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if p.tok.kind != tRParen {
			if p.tok.kind == tEOF && p.lex.err == nil {
				return nil, newError(len(p.lex.src), len(p.lex.src), "missing ')' in condition "+strconv.Quote(p.lex.src))
			}
			return nil, p.unexpected()
		}
		p.next()
		return p.maybeCompare(&groupNode{x: x})
	}
	left, err := p.operand()
	if err != nil {
		return nil, err
	}
	return p.maybeCompare(left)
}

func (p *condParser) maybeCompare(left node) (node, error) {
	if p.tok.kind != tOp {
		return left, nil
	}
	if _, ok := left.(*groupNode); ok {
		return nil, newError(p.tok.pos, p.tok.end, "cannot compare a parenthesised condition at offset "+strconv.Itoa(p.tok.pos))
	}
	op := p.tok.op
	p.next()
	right, err := p.operand()
	if err != nil {
		return nil, err
	}
	if p.tok.kind == tOp {
		return nil, newError(p.tok.pos, p.tok.end, "comparisons do not chain: "+strconv.Quote(p.lex.src[p.tok.pos:p.tok.end])+" at offset "+strconv.Itoa(p.tok.pos)+"; use && between comparisons")
	}
	return &cmpNode{left: left.(operand), op: op, right: right.(operand)}, nil
}

func (p *condParser) operand() (node, error) {
	t := p.tok
	var n node
	switch t.kind {
	case tExpr:
		n = &exprOperand{e: t.expr, isSecret: isSecretRef(&t.expr.ref)}
	case tQuery:
		n = t.query
	case tNumber:
		n = &literal{v: t.num, src: t.text}
	case tString:
		n = &literal{v: t.text, src: quoteSingle(t.text)}
	case tTrue:
		n = &literal{v: true, src: "true"}
	case tFalse:
		n = &literal{v: false, src: "false"}
	case tNull:
		n = &literal{v: nil, src: "null"}
	default:
		if t.kind == tEOF && p.lex.err == nil {
			return nil, newError(len(p.lex.src), len(p.lex.src), "expected an operand at the end of condition "+strconv.Quote(p.lex.src))
		}
		return nil, p.unexpected()
	}
	p.next()
	return n, nil
}

func quoteSingle(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// ---- AST ----

// node is sealed: every implementation is in this package.
type node interface {
	String() string
	eval(s Scope, ex *explainer) (bool, error)
	sealed()
}

// operand is a node that also has a value.
type operand interface {
	node
	value(s Scope) (v any, present bool, reason string, err error)
	describe() string
	secret() bool
}

type logicNode struct {
	or   bool
	kids []node
}

type notNode struct{ x node }

type groupNode struct{ x node }

type cmpNode struct {
	left  operand
	op    cmpOp
	right operand
}

type literal struct {
	v   any
	src string
}

type exprOperand struct {
	e        *Expr
	isSecret bool // decided when parsed (isSecretRef)
}

func (*logicNode) sealed()   {}
func (*notNode) sealed()     {}
func (*groupNode) sealed()   {}
func (*cmpNode) sealed()     {}
func (*literal) sealed()     {}
func (*exprOperand) sealed() {}

func (n *logicNode) String() string {
	sep := " && "
	if n.or {
		sep = " || "
	}
	parts := make([]string, len(n.kids))
	for i, k := range n.kids {
		parts[i] = k.String()
	}
	return strings.Join(parts, sep)
}

func (n *notNode) String() string   { return "!" + n.x.String() }
func (n *groupNode) String() string { return "(" + n.x.String() + ")" }
func (n *cmpNode) String() string {
	return n.left.String() + " " + n.op.String() + " " + n.right.String()
}
func (n *literal) String() string     { return n.src }
func (n *exprOperand) String() string { return n.e.String() }

func walkNodes(n node, f func(node)) {
	f(n)
	switch t := n.(type) {
	case *logicNode:
		for _, k := range t.kids {
			walkNodes(k, f)
		}
	case *notNode:
		walkNodes(t.x, f)
	case *groupNode:
		walkNodes(t.x, f)
	case *cmpNode:
		walkNodes(t.left, f)
		walkNodes(t.right, f)
	}
}

func (n *logicNode) eval(s Scope, ex *explainer) (bool, error) {
	for _, k := range n.kids {
		ok, err := k.eval(s, ex)
		if err != nil {
			return false, err
		}
		if ok == n.or { // short-circuit: true in ||, false in &&
			return ok, nil
		}
	}
	return !n.or, nil
}

func (n *notNode) eval(s Scope, ex *explainer) (bool, error) {
	ok, err := n.x.eval(s, ex)
	if err != nil {
		return false, err
	}
	return !ok, nil
}

func (n *groupNode) eval(s Scope, ex *explainer) (bool, error) { return n.x.eval(s, ex) }

func (n *cmpNode) eval(s Scope, ex *explainer) (bool, error) {
	a, aok, areason, err := n.left.value(s)
	if err != nil {
		return false, err
	}
	b, bok, breason, err := n.right.value(s)
	if err != nil {
		return false, err
	}
	ok := aok && bok && compare(a, n.op, b)
	if ex != nil {
		ex.comparison(n, a, aok, areason, b, bok, breason)
	}
	return ok, nil
}

func (n *literal) eval(_ Scope, ex *explainer) (bool, error) {
	if ex != nil {
		ex.clause(n.src)
	}
	return truthy(n.v), nil
}

func (n *exprOperand) eval(s Scope, ex *explainer) (bool, error) {
	v, ok, reason, err := n.value(s)
	if err != nil {
		return false, err
	}
	if ex != nil {
		if ok {
			ex.clause(n.describe() + " was " + formatValue(v, n.secret()))
		} else {
			ex.clause(n.describe() + " is absent (" + reason + ")")
		}
	}
	return ok && truthy(v), nil
}

func (n *literal) value(Scope) (any, bool, string, error) { return n.v, true, "", nil }
func (n *literal) describe() string                       { return n.src }
func (n *literal) secret() bool                           { return false }

func (n *exprOperand) value(s Scope) (any, bool, string, error) {
	v, err := n.e.Eval(s)
	if err != nil {
		if isAbsent(err) {
			return nil, false, absentReason(err, n.e), nil
		}
		return nil, false, "", err
	}
	return v, true, "", nil
}
func (n *exprOperand) describe() string { return n.e.String() }
func (n *exprOperand) secret() bool     { return n.isSecret }
