package runtime

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/antchfx/xmlquery"
	"github.com/theory/jsonpath"

	"github.com/arazzo-go/arazzo/arazzo"
)

// applyReplacements applies Payload Replacement Objects to an evaluated
// payload, in order: JSON Pointer targets for JSON (a string payload of a
// JSON media type is parsed first), XPath targets for XML string payloads.
func applyReplacements(body any, contentType string, reps []*arazzo.Replacement, sc *scope) (any, error) {
	mt := mediaType(contentType)
	isXML := strings.HasSuffix(mt, "/xml") || strings.HasSuffix(mt, "+xml")
	if s, ok := body.(string); ok && !isXML {
		var v any
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			if mt == "" && strings.HasPrefix(strings.TrimSpace(s), "<") {
				isXML = true
			} else {
				return nil, fmt.Errorf("replacements need a JSON or XML payload: %v", err)
			}
		} else {
			body = v
		}
	}
	// Replacements write into the payload, which may hold values other
	// steps produced (payload: $steps.get.outputs.item): they must write
	// into a copy.
	body = cloneJSON(body)
	for _, rep := range reps {
		var v any
		var err error
		switch {
		case rep.Selector != nil && rep.Selector.Compiled != nil:
			v, err = rep.Selector.Compiled.Eval(sc)
		case rep.Compiled != nil:
			v, err = rep.Compiled.Eval(sc)
		default:
			v = rep.Value
		}
		typ := rep.TargetSelectorType
		if typ == "" {
			typ = "jsonpointer"
			if isXML {
				typ = "xpath"
			}
		}
		if err != nil && isInputAbsent(err) && typ == "jsonpointer" && rep.Compiled != nil && rep.Compiled.WholeExpression() {
			// An optional input not given: the member it would set is
			// left out, as if the payload never had it.
			if body, err = removePointer(body, rep.Target); err != nil {
				return nil, fmt.Errorf("replacement %s: %w", rep.Target, err)
			}
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("replacement %s: %w", rep.Target, notLeftOut(err, "this replacement"))
		}
		switch typ {
		case "jsonpointer":
			body, err = setPointer(body, rep.Target, v)
		case "jsonpath":
			body, err = setJSONPath(body, rep.Target, v)
		case "xpath":
			s, ok := body.(string)
			if !ok {
				return nil, fmt.Errorf("replacement %s: an XPath target needs an XML string payload", rep.Target)
			}
			body, err = setXPath(s, rep.Target, v)
		default:
			err = fmt.Errorf("target selector type %q is not supported", typ)
		}
		if err != nil {
			return nil, fmt.Errorf("replacement %s: %w", rep.Target, err)
		}
	}
	return body, nil
}

// cloneJSON copies the maps and slices of a decoded JSON value.
func cloneJSON(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[k] = cloneJSON(x)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = cloneJSON(x)
		}
		return out
	}
	return v
}

// setPointer sets the value at an RFC 6901 JSON Pointer, creating missing
// object members; a missing array index is an error, "-"
// appends.
func setPointer(doc any, pointer string, v any) (any, error) {
	if pointer == "" {
		return v, nil
	}
	if !strings.HasPrefix(pointer, "/") {
		return nil, fmt.Errorf("JSON Pointer %q must start with '/'", pointer)
	}
	tokens := strings.Split(pointer[1:], "/")
	for i, t := range tokens {
		tokens[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
	}
	return setTokens(doc, tokens, v)
}

func setTokens(node any, tokens []string, v any) (any, error) {
	if len(tokens) == 0 {
		return v, nil
	}
	t := tokens[0]
	switch n := node.(type) {
	case nil:
		child, err := setTokens(nil, tokens[1:], v)
		if err != nil {
			return nil, err
		}
		return map[string]any{t: child}, nil
	case map[string]any:
		child, err := setTokens(n[t], tokens[1:], v)
		if err != nil {
			return nil, err
		}
		n[t] = child
		return n, nil
	case []any:
		if t == "-" {
			child, err := setTokens(nil, tokens[1:], v)
			if err != nil {
				return nil, err
			}
			return append(n, child), nil
		}
		i, err := strconv.Atoi(t)
		if err != nil || i < 0 || (len(t) > 1 && t[0] == '0') {
			return nil, fmt.Errorf("%q is not an array index", t)
		}
		if i >= len(n) {
			return nil, fmt.Errorf("array index %d out of range (length %d)", i, len(n))
		}
		child, err := setTokens(n[i], tokens[1:], v)
		if err != nil {
			return nil, err
		}
		n[i] = child
		return n, nil
	}
	return nil, fmt.Errorf("cannot set %q inside a %T", t, node)
}

// setJSONPath sets every node a JSONPath (RFC 9535) query selects (1.1
// targetSelectorType jsonpath).
func setJSONPath(doc any, query string, v any) (any, error) {
	p, err := jsonpath.Parse(query)
	if err != nil {
		return nil, err
	}
	var pointers []string
	for np := range p.SelectLocated(doc).Paths() {
		pointers = append(pointers, np.Pointer())
	}
	if len(pointers) == 0 {
		return nil, errors.New("the JSONPath selects no node")
	}
	for _, ptr := range pointers {
		if doc, err = setPointer(doc, ptr, v); err != nil {
			return nil, err
		}
	}
	return doc, nil
}

// setXPath replaces the text of every node an XPath selects.
func setXPath(doc, xpath string, v any) (string, error) {
	root, err := xmlquery.Parse(strings.NewReader(doc))
	if err != nil {
		return "", fmt.Errorf("parsing the XML payload: %w", err)
	}
	nodes, err := xmlquery.QueryAll(root, xpath)
	if err != nil {
		return "", err
	}
	if len(nodes) == 0 {
		return "", errors.New("the XPath selects no node")
	}
	text := scalarText(v)
	for _, n := range nodes {
		switch n.Type {
		case xmlquery.AttributeNode:
			n.Parent.SetAttr(n.Data, text)
		default:
			for c := n.FirstChild; c != nil; {
				next := c.NextSibling
				xmlquery.RemoveFromTree(c)
				c = next
			}
			xmlquery.AddChild(n, &xmlquery.Node{Type: xmlquery.TextNode, Data: text})
		}
	}
	return root.OutputXML(false), nil
}

func scalarText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case map[string]any, []any:
		b, _ := json.Marshal(x)
		return string(b)
	}
	return fmt.Sprint(v)
}

// removePointer deletes the object member a JSON Pointer names (body is
// already a private copy). A path that does not exist is left alone: the
// member is absent either way. An array element cannot be removed without
// shifting the others, so it is an error.
func removePointer(doc any, pointer string) (any, error) {
	if pointer == "" {
		return nil, errors.New("an optional input that was not given cannot leave out the whole payload")
	}
	if !strings.HasPrefix(pointer, "/") {
		return nil, fmt.Errorf("JSON Pointer %q must start with '/'", pointer)
	}
	tokens := strings.Split(pointer[1:], "/")
	for i, t := range tokens {
		tokens[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
	}
	node := doc
	for i, t := range tokens {
		last := i == len(tokens)-1
		switch n := node.(type) {
		case map[string]any:
			if last {
				delete(n, t)
				return doc, nil
			}
			node = n[t]
		case []any:
			if last {
				return nil, fmt.Errorf("an optional input that was not given cannot leave out array element %q", pointer)
			}
			idx, err := strconv.Atoi(t)
			if err != nil || idx < 0 || idx >= len(n) {
				return doc, nil
			}
			node = n[idx]
		default:
			return doc, nil
		}
	}
	return doc, nil
}
