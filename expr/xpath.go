package expr

import (
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/antchfx/xmlquery"
	"github.com/antchfx/xpath"
)

// xpathQuery is a compiled XPath 1.0 expression. antchfx/xpath expressions
// keep iteration state, so evaluations are serialised.
type xpathQuery struct {
	src string
	mu  sync.Mutex
	x   *xpath.Expr
}

// compileXPath accepts XPath 1.0; for 2.0/3.x it evaluates the 1.0 subset
// with a note (no Go engine implements the later versions).
func compileXPath(src, version string) (*xpathQuery, []Note, error) {
	var notes []Note
	switch version {
	case "", "xpath-10", "xpath-1.0", "1.0":
	case "xpath-20", "xpath-30", "xpath-31", "xpath-2.0", "xpath-3.0", "xpath-3.1", "2.0", "3.0", "3.1":
		notes = append(notes, Note{Offset: 0, End: len(src), Rule: RuleXPathVersion,
			Msg: "xpath version " + version + " is evaluated with an XPath 1.0 engine; constructs beyond 1.0 fail to compile"})
	default:
		return nil, nil, newError(0, len(src), "unsupported xpath version "+strconv.Quote(version)+"; expected xpath-10, xpath-20, xpath-30 or xpath-31")
	}
	x, err := compileXPathExpr(src)
	if err != nil {
		return nil, nil, err
	}
	return &xpathQuery{src: src, x: x}, notes, nil
}

func compileXPathExpr(src string) (x *xpath.Expr, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = newError(0, len(src), "invalid xpath "+strconv.Quote(src))
		}
	}()
	x, err = xpath.Compile(src)
	if err != nil {
		return nil, newError(0, len(src), "invalid xpath "+strconv.Quote(src)+": "+err.Error())
	}
	return x, nil
}

// xmlDocument parses an XML context (string or []byte).
func xmlDocument(v any) (*xmlquery.Node, string) {
	var text string
	switch t := v.(type) {
	case string:
		text = t
	case []byte:
		text = string(t)
	default:
		article := "a "
		if tn := typeName(v); strings.IndexByte("aeiou", tn[0]) >= 0 {
			article = "an "
		}
		return nil, "context is " + article + typeName(v) + ", not XML text"
	}
	doc, err := xmlquery.Parse(strings.NewReader(text))
	if err != nil {
		return nil, "context is not well-formed XML: " + err.Error()
	}
	return doc, ""
}

// evalBool applies the Effective Boolean Value: true, a non-zero number, a
// non-empty string, a non-empty node-set.
func (q *xpathQuery) evalBool(doc *xmlquery.Node) (bool, string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	res := q.x.Evaluate(xmlquery.CreateXPathNavigator(doc))
	switch t := res.(type) {
	case bool:
		return t, "xpath " + q.src + " evaluated to " + strconv.FormatBool(t)
	case float64:
		return t != 0 && !math.IsNaN(t), "xpath " + q.src + " evaluated to " + formatFloat(t)
	case string:
		return t != "", "xpath " + q.src + " evaluated to " + formatValue(t, false)
	case *xpath.NodeIterator:
		n := 0
		for n < 1000 && t.MoveNext() {
			n++
		}
		return n > 0, "xpath " + q.src + " selected " + countNodes(n)
	}
	return false, "xpath " + q.src + " gave an unexpected result"
}

// evalValue returns the string value of the first selected node, or the
// scalar result.
func (q *xpathQuery) evalValue(doc *xmlquery.Node) (any, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	res := q.x.Evaluate(xmlquery.CreateXPathNavigator(doc))
	if it, ok := res.(*xpath.NodeIterator); ok {
		if !it.MoveNext() {
			return nil, false
		}
		return it.Current().Value(), true
	}
	return res, true
}
