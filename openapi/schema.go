package openapi

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Schema is a read-only view of one schema of the description, for the
// questions a checker asks about the values an operation exchanges. The
// zero Schema stands for "no schema declared": it has no type, format,
// enum or members, and IsZero reports it.
type Schema struct {
	s *openapi3.Schema
}

// IsZero reports whether no schema is declared.
func (s Schema) IsZero() bool { return s.s == nil }

// Types lists the JSON types the schema declares ("object", "string",
// "integer", "null" ...); nil when it declares none.
func (s Schema) Types() []string {
	if s.s == nil || s.s.Type == nil {
		return nil
	}
	return slices.Clone(*s.s.Type)
}

// Nullable reports OpenAPI 3.0's nullable: true (3.1 lists "null" among
// the Types instead).
func (s Schema) Nullable() bool { return s.s != nil && s.s.Nullable }

// Format is the declared format ("date-time", "uuid", "int64"), or "".
func (s Schema) Format() string {
	if s.s == nil {
		return ""
	}
	return s.s.Format
}

// Enum lists the values the schema allows, as decoded from the
// description (strings, float64, bool, nil, maps, slices); nil when it
// declares no enum.
func (s Schema) Enum() []any {
	if s.s == nil {
		return nil
	}
	return slices.Clone(s.s.Enum)
}

// IsObject reports a schema for a JSON object: type object, or properties
// without a type and without items.
func (s Schema) IsObject() bool {
	if s.s == nil {
		return false
	}
	if s.s.Type == nil {
		return len(s.s.Properties) > 0 && s.s.Items == nil
	}
	return len(*s.s.Type) == 1 && (*s.s.Type)[0] == openapi3.TypeObject
}

// IsArray reports a schema whose only type is array.
func (s Schema) IsArray() bool {
	return s.s != nil && s.s.Type != nil && len(*s.s.Type) == 1 && (*s.s.Type)[0] == openapi3.TypeArray
}

// maxSchemaDepth bounds At's walk through allOf and nested members, so that
// a recursive schema ends the walk.
const maxSchemaDepth = 32

// At returns the schema of the member a JSON Pointer names in a value of
// this schema ("/items/0/name"; "" is the value itself), and false when
// the schema does not declare it. It follows properties, items (for a
// numeric token) and allOf; it does not follow oneOf, anyOf or
// additionalProperties, since the member's shape is then not declared in
// one place.
func (s Schema) At(pointer string) (Schema, bool) {
	toks, err := ParsePointer(pointer)
	if err != nil || s.s == nil {
		return Schema{}, false
	}
	sc := schemaAt(s.s, toks, 0)
	return Schema{sc}, sc != nil
}

func schemaAt(sc *openapi3.Schema, toks []string, depth int) *openapi3.Schema {
	if sc == nil || depth > maxSchemaDepth {
		return nil
	}
	if len(toks) == 0 {
		return sc
	}
	if p := sc.Properties[toks[0]]; p != nil && p.Value != nil {
		return schemaAt(p.Value, toks[1:], depth+1)
	}
	if _, err := strconv.Atoi(toks[0]); err == nil && sc.Items != nil && sc.Items.Value != nil {
		return schemaAt(sc.Items.Value, toks[1:], depth+1)
	}
	for _, part := range sc.AllOf {
		if part != nil {
			if r := schemaAt(part.Value, toks, depth+1); r != nil {
				return r
			}
		}
	}
	return nil
}

// Response is one response an operation declares.
type Response struct {
	// Status is the key it is declared under: "200", "2XX", "default".
	Status string
	// Content maps each declared media type to its schema (the zero
	// Schema when the media type declares none); nil when the response
	// has no content.
	Content map[string]Schema
}

// Responses returns the responses the operation declares for the status
// codes, in the order of codes: each code takes its own key, else its
// range key ("2XX", also spelled "2xx"), else default, and is left out
// when none is declared. With no codes, it returns every 2XX response, or
// every response when none is 2XX, ordered by key.
func (o *Operation) Responses(codes ...string) []Response {
	if o == nil || o.op == nil || o.op.Responses == nil {
		return nil
	}
	m := o.op.Responses.Map()
	var out []Response
	add := func(key string) {
		if r := m[key]; r != nil && r.Value != nil {
			out = append(out, Response{Status: key, Content: newContent(r.Value.Content)})
		}
	}
	if len(codes) > 0 {
		for _, code := range codes {
			switch {
			case m[code] != nil:
				add(code)
			case code != "" && m[code[:1]+"XX"] != nil:
				add(code[:1] + "XX")
			case code != "" && m[code[:1]+"xx"] != nil:
				add(code[:1] + "xx")
			default:
				add("default")
			}
		}
		return out
	}
	keys := slices.Sorted(maps.Keys(m))
	for _, k := range keys {
		if strings.HasPrefix(k, "2") {
			add(k)
		}
	}
	if len(out) == 0 {
		for _, k := range keys {
			add(k)
		}
	}
	return out
}

// RequestSchema returns the schema of the request body for a media type,
// matched case-insensitively and without its parameters
// ("application/json; charset=utf-8" finds "application/json"); the zero
// Schema when the operation declares no body, not that media type, or no
// schema for it.
func (o *Operation) RequestSchema(mediaType string) Schema {
	if o == nil || o.op == nil || o.op.RequestBody == nil || o.op.RequestBody.Value == nil {
		return Schema{}
	}
	base, _, _ := strings.Cut(mediaType, ";")
	base = strings.TrimSpace(base)
	for mt, m := range o.op.RequestBody.Value.Content {
		if strings.EqualFold(mt, base) && m != nil && m.Schema != nil {
			return Schema{m.Schema.Value}
		}
	}
	return Schema{}
}

func newContent(c openapi3.Content) map[string]Schema {
	if len(c) == 0 {
		return nil
	}
	out := make(map[string]Schema, len(c))
	for mt, m := range c {
		var sc Schema
		if m != nil && m.Schema != nil {
			sc.s = m.Schema.Value
		}
		out[mt] = sc
	}
	return out
}
