package expr

import (
	"strconv"
	"strings"
)

// dialectNotes explains, each at its own place, the parts of a
// comparison-dialect condition that are neither JSONPath nor
// simple-condition syntax: ".length" on a query, and runtime expressions
// written beside the queries.
func dialectNotes(root node, ctx *Expr) []Note {
	parent := map[*queryOperand]*cmpNode{}
	walkNodes(root, func(n node) {
		if c, ok := n.(*cmpNode); ok {
			for _, side := range []operand{c.left, c.right} {
				if q, ok := side.(*queryOperand); ok {
					parent[q] = c
				}
			}
		}
	})
	var notes []Note
	walkNodes(root, func(n node) {
		switch t := n.(type) {
		case *queryOperand:
			if t.lengthAt > 0 {
				notes = append(notes, lengthNote(t, parent[t]))
			}
		case *exprOperand:
			nt := Note{Offset: t.e.ref.Offset, End: t.e.ref.End, Rule: RuleJSONPathExpression,
				Msg: "a JSONPath cannot hold the runtime expression " + t.e.String() + "; its value is read from the run and compared, as meant"}
			if fix, ok := compatFix(root, ctx); ok {
				nt.Fix = fix
				nt.Msg += "; write the comparison as a simple condition"
			}
			notes = append(notes, nt)
		}
	})
	return notes
}

// lengthNote explains ".length" on a query: RFC 9535 has no such member
// for arrays or nodelists. The standard form exists only for "at least
// one": a jsonpath criterion passes when its query selects a node.
func lengthNote(q *queryOperand, c *cmpNode) Note {
	n := Note{Offset: q.lengthAt, End: q.lengthAt + len(".length"), Rule: RuleJSONPathLength}
	var selects string
	if q.count != nil {
		selects = strings.TrimSuffix(q.src, ".length")
		n.Msg = ".length is not JSONPath; here it is the number of nodes " + selects + " selects"
	} else {
		prefix := strings.TrimSuffix(q.src, ".length")
		selects = prefix + "[*]"
		n.Msg = ".length is not JSONPath; here it is the number of elements of the array (or characters of the string) at " + prefix + ", or its member \"length\" when it is an object"
	}
	switch countTest(q, c) {
	case 1:
		n.Fix = selects
		n.Msg += "; as an RFC 9535 jsonpath criterion on the same context, " + selects + " passes when it selects at least one node"
	case 0:
		n.Msg += "; RFC 9535 has no standard form for \"selects nothing\" (a jsonpath criterion passes when its query selects a node): test " + selects + " in the opposite branch"
	default:
		n.Msg += "; RFC 9535 JSONPath cannot count outside a filter, so there is no standard form"
	}
	return n
}

// countTest reads a comparison of q with a number: 1 for "at least one"
// (> 0, >= 1, != 0), 0 for "none" (== 0, < 1, <= 0), -1 otherwise.
func countTest(q *queryOperand, c *cmpNode) int {
	if c == nil {
		return -1
	}
	op, other := c.op, c.right
	if c.right == operand(q) {
		other = c.left
		op = mirrored(op)
	}
	lit, ok := other.(*literal)
	if !ok {
		return -1
	}
	f, ok := lit.v.(float64)
	if !ok {
		return -1
	}
	switch {
	case op == opGt && f == 0, op == opGe && f == 1, op == opNe && f == 0:
		return 1
	case op == opEq && f == 0, op == opLt && f == 1, op == opLe && f == 0:
		return 0
	}
	return -1
}

// textExpr is a runtime expression written as plain text inside a
// condition that is not a template.
type textExpr struct {
	e        *Expr
	off, end int
	// quoted is the span of the string literal holding it, quotes
	// included, when the literal is the expression and nothing else.
	quoted    [2]int
	exact     bool
	inBracket bool // inside [...] of a JSONPath (a filter)
}

// findTextExprs finds runtime expressions written as text: inside string
// literals ('$inputs.name') when quotedOnly, anywhere otherwise (regex and
// XPath patterns). Embedded {$...} expressions, which 1.1 substitutes,
// are not reported. backslash: strings have \ escapes (JSONPath; simple
// conditions only double single quotes).
func findTextExprs(src string, quotedOnly, backslash bool) []textExpr {
	var out []textExpr
	var quote byte
	qstart, depth := 0, 0
	for i := 0; i < len(src); i++ {
		c := src[i]
		if quotedOnly {
			switch {
			case quote == 0 && (c == '\'' || c == '"'):
				quote, qstart = c, i
				continue
			case quote == 0 && c == '[':
				depth++
				continue
			case quote == 0 && c == ']':
				depth--
				continue
			case quote == 0:
				continue
			case c == '\\' && backslash:
				i++
				continue
			case c == quote && i+1 < len(src) && src[i+1] == quote && quote == '\'':
				i++ // '' inside a single-quoted simple-condition string
				continue
			case c == quote:
				quote = 0
				continue
			}
		}
		if c != '$' || (i > 0 && src[i-1] == '{') || !knownRoot(src[i+1:]) {
			continue
		}
		p := refParser{src: src, pos: i, mode: modeUnbraced}
		e, err := p.parse()
		if err != nil || p.pos <= i {
			continue
		}
		t := textExpr{e: e, off: i, end: p.pos, inBracket: depth > 0}
		if quotedOnly && qstart == i-1 && p.pos < len(src) && src[p.pos] == quote {
			t.exact, t.quoted = true, [2]int{qstart, p.pos + 1}
		}
		out = append(out, t)
		i = p.pos - 1
	}
	return out
}

// textExprNotes reports runtime expressions written as text in a
// condition of the given type: they are matched as written. The fix
// substitutes the expression: a simple condition (or, for a JSONPath
// comparison, the simple condition over ctx) compares with the
// expression itself; elsewhere Arazzo 1.1's embedded {$...} form does.
func textExprNotes(src, typ string, compat bool, ctx *Expr) []Note {
	found := findTextExprs(src, typ == "simple" || typ == "jsonpath", typ == "jsonpath")
	if len(found) == 0 {
		return nil
	}
	what := map[string]string{
		"simple":   "a string literal is compared as written",
		"jsonpath": "a JSONPath is not a template: its string literal is compared as written",
		"regex":    "a regex is not a template: the pattern is matched as written ('$' is the end-of-input anchor)",
		"xpath":    "an XPath is not a template: it is evaluated as written",
	}[typ]
	notes := make([]Note, 0, len(found))
	for _, t := range found {
		e := t.e.String()
		n := Note{Offset: t.off, End: t.end, Rule: RuleExpressionInText,
			Msg: what + ", so " + strconv.Quote(src[t.off:t.end]) + " is not replaced by the value of " + e}
		if t.exact && !t.inBracket && (typ == "simple" || compat) {
			fixed := src[:t.quoted[0]] + e + src[t.quoted[1]:]
			n.Fix = fixed
			if compat {
				if root, _, err := parseComparisonDialect(fixed); err == nil {
					if f, ok := compatFix(root, ctx); ok {
						n.Fix = f
					}
				}
			}
			n.Msg += "; to compare with the value, write the expression without quotes in a simple condition"
		} else if typ == "simple" {
			// Simple conditions have no templates, braced or not.
			n.Msg += "; a simple condition can compare with an expression, but not build text from one"
		} else {
			n.Fix = src[:t.off] + "{" + src[t.off:t.end] + "}" + src[t.end:]
			n.Msg += "; Arazzo 1.1 substitutes an expression written in braces, {" + e + "}"
		}
		notes = append(notes, n)
	}
	return notes
}

// mirrored is the operator with its operands swapped: 0 < n is n > 0.
func mirrored(op cmpOp) cmpOp {
	switch op {
	case opLt:
		return opGt
	case opGt:
		return opLt
	case opLe:
		return opGe
	case opGe:
		return opLe
	}
	return op
}
