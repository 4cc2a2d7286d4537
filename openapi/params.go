package openapi

import (
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// paramStyle is the serialisation in effect for one parameter.
type paramStyle struct {
	style         string
	explode       bool
	allowReserved bool
	// asContent is set for a parameter declared with content instead of a
	// schema: the value travels as one JSON text.
	asContent bool
}

func (st paramStyle) shape(v any) valueShape {
	if st.asContent {
		if s, ok := v.(string); ok {
			return valueShape{kind: shapeScalar, scalar: s}
		}
		return valueShape{kind: shapeScalar, scalar: formatText(v)}
	}
	return shapeOf(v)
}

// pathValue expands a path parameter by style simple, label or matrix
// (RFC 6570 {x}, {.x}, {;x}), percent-encoded so that it stays inside its
// segment.
func pathValue(name string, v any, st paramStyle) string {
	sh := st.shape(v)
	esc := escapeStrict
	switch st.style {
	case openapi3.SerializationLabel:
		sep := ","
		if st.explode {
			sep = "."
		}
		return "." + joinShape(sh, sep, st.explode, esc)
	case openapi3.SerializationMatrix:
		return matrixValue(escapeStrict(name), sh, st.explode)
	default:
		return joinShape(sh, ",", st.explode, esc)
	}
}

// joinShape renders a value for the simple and label styles: elements and
// members separated by sep; exploded members as key=value, unexploded ones
// as key,value (always joined by ",").
func joinShape(sh valueShape, sep string, explode bool, esc func(string) string) string {
	switch sh.kind {
	case shapeList:
		parts := make([]string, len(sh.list))
		for i, e := range sh.list {
			parts[i] = esc(e)
		}
		return strings.Join(parts, sep)
	case shapeObject:
		var b strings.Builder
		for i, m := range sh.members {
			if explode {
				if i > 0 {
					b.WriteString(sep)
				}
				b.WriteString(esc(m.key))
				b.WriteByte('=')
				b.WriteString(esc(m.value))
				continue
			}
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(esc(m.key))
			b.WriteByte(',')
			b.WriteString(esc(m.value))
		}
		return b.String()
	}
	return esc(sh.scalar)
}

func matrixValue(name string, sh valueShape, explode bool) string {
	var b strings.Builder
	switch {
	case sh.kind == shapeList && explode:
		for _, e := range sh.list {
			b.WriteByte(';')
			b.WriteString(name)
			b.WriteByte('=')
			b.WriteString(escapeStrict(e))
		}
	case sh.kind == shapeObject && explode:
		for _, m := range sh.members {
			b.WriteByte(';')
			b.WriteString(escapeStrict(m.key))
			b.WriteByte('=')
			b.WriteString(escapeStrict(m.value))
		}
	default:
		b.WriteByte(';')
		b.WriteString(name)
		if s := joinShape(sh, ",", false, escapeStrict); s != "" {
			b.WriteByte('=')
			b.WriteString(s)
		}
	}
	return b.String()
}

// appendQuery appends one query parameter, already percent-encoded, to a
// query string under construction (without the leading "?").
func appendQuery(b *strings.Builder, name string, v any, st paramStyle) {
	sh := st.shape(v)
	esc := escapeStrict
	if st.allowReserved {
		esc = escapeAllowReserved
	}
	pair := func(k, val string) {
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(val)
	}
	qname := escapeStrict(name)
	switch st.style {
	case openapi3.SerializationDeepObject:
		if sh.kind == shapeObject {
			appendDeepObject(b, qname, v, esc)
			return
		}
	case openapi3.SerializationSpaceDelimited, openapi3.SerializationPipeDelimited:
		if !st.explode && sh.kind != shapeScalar {
			sep := "%20"
			if st.style == openapi3.SerializationPipeDelimited {
				sep = "%7C"
			}
			pair(qname, joinDelimited(sh, sep, esc))
			return
		}
	}
	// form, and the fallback for combinations the spec leaves undefined.
	switch {
	case sh.kind == shapeList && st.explode:
		for _, e := range sh.list {
			pair(qname, esc(e))
		}
	case sh.kind == shapeObject && st.explode:
		for _, m := range sh.members {
			pair(escapeStrict(m.key), esc(m.value))
		}
	default:
		pair(qname, joinShape(sh, ",", false, esc))
	}
}

func joinDelimited(sh valueShape, sep string, esc func(string) string) string {
	var parts []string
	if sh.kind == shapeList {
		parts = make([]string, len(sh.list))
		for i, e := range sh.list {
			parts[i] = esc(e)
		}
	} else {
		parts = make([]string, 0, 2*len(sh.members))
		for _, m := range sh.members {
			parts = append(parts, esc(m.key), esc(m.value))
		}
	}
	return strings.Join(parts, sep)
}

// appendDeepObject writes name[key]=value pairs, recursing into nested
// objects (name[a][b]=c) and repeating the key for array members, the
// convention of the frameworks that read deepObject.
func appendDeepObject(b *strings.Builder, prefix string, v any, esc func(string) string) {
	switch x := v.(type) {
	case map[string]any:
		for _, k := range sortedKeys(x) {
			if x[k] != nil {
				appendDeepObject(b, prefix+"%5B"+escapeStrict(k)+"%5D", x[k], esc)
			}
		}
		return
	case []any:
		for _, e := range x {
			if e != nil {
				appendDeepObject(b, prefix, e, esc)
			}
		}
		return
	}
	sh := shapeOf(v)
	if sh.kind == shapeObject {
		for _, m := range sh.members {
			appendDeepObject(b, prefix+"%5B"+escapeStrict(m.key)+"%5D", m.value, esc)
		}
		return
	}
	if b.Len() > 0 {
		b.WriteByte('&')
	}
	b.WriteString(prefix)
	b.WriteByte('=')
	b.WriteString(joinShape(sh, ",", false, esc))
}

// headerValue renders a header parameter by style simple. Header values are
// not percent-encoded.
func headerValue(v any, st paramStyle) string {
	return joinShape(st.shape(v), ",", st.explode, identity)
}

func identity(s string) string { return s }

// cookiePairs renders a cookie parameter by style form: "name=value", or
// with explode several "k=v" pairs joined by "; ".
func cookiePairs(name string, v any, st paramStyle) string {
	sh := st.shape(v)
	var b strings.Builder
	pair := func(k, val string) {
		if b.Len() > 0 {
			b.WriteString("; ")
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(val)
	}
	switch {
	case sh.kind == shapeList && st.explode:
		for _, e := range sh.list {
			pair(name, escapeCookie(e))
		}
	case sh.kind == shapeObject && st.explode:
		for _, m := range sh.members {
			pair(escapeCookie(m.key), escapeCookie(m.value))
		}
	default:
		pair(name, joinShape(sh, ",", false, escapeCookie))
	}
	return b.String()
}
