package openapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v4"
)

// errRepairTooLarge: writing the repaired tree out would exceed the
// budget, as a document of YAML aliases expanded in place can.
var errRepairTooLarge = errors.New("the repaired document would be too large (YAML aliases?)")

// nodeYAML writes a repaired YAML tree for kin-openapi to read: block
// style with JSON-quoted scalars, and JSON (flow style) below blockDepth.
// Neither yaml's own emitter nor one long JSON line is linear for large
// documents (both queue the whole document); this is, and it bounds the
// output by budget bytes.
func nodeYAML(n *yaml.Node, budget int) ([]byte, error) {
	w := &jsonWriter{budget: budget}
	// A first line that is a comment keeps kin-openapi from trying the
	// copy as JSON first (it starts with a quote).
	w.buf.WriteString("# repaired copy\n")
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return []byte("null\n"), nil
		}
		n = n.Content[0]
	}
	if err := w.block(n, 0, 0); err != nil {
		return nil, err
	}
	w.buf.WriteByte('\n')
	return w.buf.Bytes(), nil
}

// blockDepth is how deep the block layout goes; deeper subtrees are
// written as JSON, so indentation cannot grow with the square of depth.
const blockDepth = 48

// block writes n, which starts on a line of its own at indent (or follows
// "key:" / "-" when it is a scalar or an empty collection).
func (w *jsonWriter) block(n *yaml.Node, indent, depth int) error {
	if w.buf.Len() > w.budget {
		return errRepairTooLarge
	}
	for n.Kind == yaml.AliasNode && n.Alias != nil && depth < maxJSONDepth {
		n = n.Alias
		depth++
	}
	if depth >= blockDepth || (n.Kind != yaml.MappingNode && n.Kind != yaml.SequenceNode) || len(n.Content) == 0 {
		return w.node(n, depth)
	}
	pad := strings.Repeat(" ", indent)
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if i > 0 {
				w.buf.WriteByte('\n')
			}
			w.buf.WriteString(pad)
			w.str(n.Content[i].Value)
			w.buf.WriteByte(':')
			if err := w.child(n.Content[i+1], indent, depth); err != nil {
				return err
			}
		}
		return nil
	}
	for i, c := range n.Content {
		if i > 0 {
			w.buf.WriteByte('\n')
		}
		w.buf.WriteString(pad)
		w.buf.WriteByte('-')
		if err := w.child(c, indent, depth); err != nil {
			return err
		}
	}
	return nil
}

// child writes the value after "key:" or "-": inline when it is a scalar
// or flow, else on the next lines, indented.
func (w *jsonWriter) child(c *yaml.Node, indent, depth int) error {
	t := c
	if t.Kind == yaml.AliasNode && t.Alias != nil {
		t = t.Alias
	}
	if depth+1 >= blockDepth || (t.Kind != yaml.MappingNode && t.Kind != yaml.SequenceNode) || len(t.Content) == 0 {
		w.buf.WriteByte(' ')
		return w.node(c, depth+1)
	}
	w.buf.WriteByte('\n')
	return w.block(c, indent+2, depth+1)
}

type jsonWriter struct {
	buf     bytes.Buffer
	budget  int
	offsets []offsetNode // recorded by located only
}

func itoa(i int) string { return strconv.Itoa(i) }

// jsonScalar writes a scalar as strict JSON (encoding/json reads it), a
// number JSON cannot hold as a string.
func (w *jsonWriter) jsonScalar(n *yaml.Node) {
	switch n.ShortTag() {
	case "!!null":
		w.buf.WriteString("null")
		return
	case "!!bool":
		var b bool
		if n.Decode(&b) == nil {
			w.buf.WriteString(strconv.FormatBool(b))
			return
		}
	case "!!int", "!!float":
		var f float64
		if n.Decode(&f) == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			if isJSONNumber(n.Value) {
				w.buf.WriteString(n.Value)
			} else {
				w.buf.WriteString(strconv.FormatFloat(f, 'g', -1, 64))
			}
			return
		}
	}
	w.str(n.Value)
}

const maxJSONDepth = 10000

// node writes n as JSON (flow style).
func (w *jsonWriter) node(n *yaml.Node, depth int) error {
	return w.located(nodeAt{node: n}, depth)
}

// scalar writes a scalar by its resolved tag.
func (w *jsonWriter) scalar(n *yaml.Node) {
	// A plain number, boolean or null is written as read: the same parser
	// reads it back with the same tag (.inf, 0x1F and 1_000 included).
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) == 0 &&
		n.Value != "" && !strings.ContainsAny(n.Value, ",[]{}#:\"'\n") {
		switch n.ShortTag() {
		case "!!int", "!!float", "!!bool", "!!null":
			w.buf.WriteString(n.Value)
			return
		}
	}
	w.jsonScalar(n)
}

func isJSONNumber(s string) bool {
	if s == "" || strings.ContainsAny(s, "_xXoObB") || strings.HasPrefix(s, "+") || strings.HasPrefix(s, ".") {
		return false
	}
	return json.Valid([]byte(s))
}

func (w *jsonWriter) str(s string) {
	b, _ := json.Marshal(s) // a string always marshals
	w.buf.Write(b)
}
