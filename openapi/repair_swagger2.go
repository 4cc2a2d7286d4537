package openapi

// Damaged Swagger 2.0 files. kin-openapi decodes them with encoding/json
// (through a YAML-to-JSON conversion), which reports a type error by byte
// offset into that JSON and stops at the first one; dangling $refs fail the
// conversion to OpenAPI 3. The repairer walks the same trees as for
// OpenAPI 3 (the object structure is close enough, with definitions,
// parameters and responses at the root); type errors are found by writing
// each fragment as JSON with the offset of every node and decoding it into
// kin-openapi's Swagger types.

import (
	"encoding/json"
	"errors"
	"regexp"
	"strings"

	"github.com/getkin/kin-openapi/openapi2"
	"go.yaml.in/yaml/v4"
)

// swaggerRootKinds are the Swagger 2.0 root maps of reusable objects.
var swaggerRootKinds = map[string]kind{"definitions": kSchema, "parameters": kParameter, "responses": kResponse}

// offsetNode is where one node's JSON starts and ends in a fragment's
// rendering.
type offsetNode struct {
	start, end int
	at         nodeAt
}

// decodeSwagger decodes a fragment into its Swagger 2.0 type and returns
// the node the first type error points at (nil when there is none or it
// cannot be placed) and the error.
func decodeSwagger(fr fragment) (*nodeAt, string, error) {
	w := &jsonWriter{budget: 1 << 30, offsets: []offsetNode{}}
	root := nodeAt{node: fr.node, parent: fr.parent, key: fr.key, ptr: fr.ptr}
	if err := w.located(root, 0); err != nil {
		return nil, "", err
	}
	var v any
	switch fr.kind {
	case kDoc:
		v = &openapi2.T{}
	case kPathItem:
		v = &openapi2.PathItem{}
	case kSchema:
		v = &openapi2.SchemaRef{}
	case kParameter:
		v = &openapi2.Parameter{}
	case kResponse:
		v = &openapi2.Response{}
	default:
		return nil, "", nil
	}
	err := json.Unmarshal(w.buf.Bytes(), v)
	if err == nil {
		return nil, "", nil
	}
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) {
		// kin-openapi's Swagger types re-word the error as text: find the
		// field it names, holding a value of the kind it names.
		m := swaggerTypeError.FindStringSubmatch(err.Error())
		if m == nil {
			return nil, "", err
		}
		field := m[2]
		if i := strings.LastIndexByte(field, '.'); i >= 0 {
			field = field[i+1:]
		}
		if at := findField(root, field, m[1]); at != nil {
			return at, "cannot unmarshal " + m[1] + " into " + m[3], err
		}
		return nil, "", err
	}
	// The offset is just past the value that did not fit: the innermost
	// node whose rendering contains it.
	var best *offsetNode
	for i := range w.offsets {
		o := &w.offsets[i]
		if o.start < int(te.Offset) && int(te.Offset) <= o.end && (best == nil || o.start >= best.start && o.end <= best.end) {
			best = o
		}
	}
	if best == nil {
		return nil, "", err
	}
	return &best.at, "cannot unmarshal " + te.Value + " into " + te.Type.String(), err
}

// located writes at.node as JSON; with offsets recording (non-nil) it
// notes the span of every node, for placing encoding/json's errors.
func (w *jsonWriter) located(at nodeAt, depth int) error {
	if w.buf.Len() > w.budget {
		return errRepairTooLarge
	}
	if depth > maxJSONDepth {
		return errors.New("the document nests too deeply")
	}
	n := at.node
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			w.buf.WriteString("null")
			return nil
		}
		n = n.Content[0]
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	record := w.offsets != nil
	child := func(c, key *yaml.Node, tok func() string) nodeAt {
		if !record {
			return nodeAt{node: c}
		}
		return nodeAt{node: c, parent: n, key: key, ptr: appendPtr(at.ptr, tok())}
	}
	start := w.buf.Len()
	switch n.Kind {
	case yaml.MappingNode:
		w.buf.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			if i > 0 {
				w.buf.WriteByte(',')
			}
			k := n.Content[i]
			w.str(k.Value)
			w.buf.WriteByte(':')
			if err := w.located(child(n.Content[i+1], k, func() string { return k.Value }), depth+1); err != nil {
				return err
			}
		}
		w.buf.WriteByte('}')
	case yaml.SequenceNode:
		w.buf.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				w.buf.WriteByte(',')
			}
			if err := w.located(child(c, nil, func() string { return itoa(i) }), depth+1); err != nil {
				return err
			}
		}
		w.buf.WriteByte(']')
	case yaml.AliasNode:
		w.buf.WriteString("null")
	default:
		if record {
			w.jsonScalar(n) // encoding/json reads it
		} else {
			w.scalar(n) // the YAML parser reads it
		}
	}
	if record {
		w.offsets = append(w.offsets, offsetNode{start: start, end: w.buf.Len(), at: at})
	}
	return nil
}

var swaggerTypeError = regexp.MustCompile(`cannot unmarshal (\w+) into (?:Go struct )?field ([\w.]+) of type (\S+)`)

// findField returns the first value (in document order) under a key named
// field whose JSON kind is kind ("string", "number", "bool", "object",
// "array").
func findField(root nodeAt, field, kind string) *nodeAt {
	var found *nodeAt
	eachNode(root, func(cur nodeAt) bool {
		if cur.key == nil || cur.key.Value != field {
			return true
		}
		if jsonKind(cur.node) == kind {
			found = &cur
			return false
		}
		return true
	})
	return found
}

// jsonKind names a node's kind as encoding/json's type errors do.
func jsonKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "object"
	case yaml.SequenceNode:
		return "array"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!int", "!!float":
			return "number"
		case "!!bool":
			return "bool"
		case "!!str":
			return "string"
		}
	}
	return ""
}
