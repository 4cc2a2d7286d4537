// Package jsonlimit bounds what untrusted JSON can cost. A response body, a mock file or an input nested a
// million levels deep must not overflow a stack or take superlinear time to decode (MaxDepth, CheckDepth,
// Unmarshal), and a deep value written back out as indented JSON must not grow with the square of its depth
// (Encode): a 20 KB body nested 10,000 levels deep was 200 MB of indentation on stdout and more in the report.
//
// MaxDepth is the number encoding/json and yaml.v3 already enforce, so one limit holds everywhere; checking it
// here first gives one documented error instead of each decoder's own, and guards the readers that have no
// limit of their own (segmentio's Valid, which accepts any depth and slows down superlinearly).
package jsonlimit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// MaxDepth is the deepest nesting of arrays and objects accepted in JSON read from outside.
const MaxDepth = 10000

// MaxIndent is the deepest level Encode puts on lines of its own; deeper levels are written compactly on
// the line of their enclosing value, so the indentation of any value is at most 2*MaxIndent spaces.
const MaxIndent = 32

// DepthError reports JSON text nested deeper than MaxDepth.
type DepthError struct {
	Offset int // byte offset of the bracket that opens level MaxDepth+1
}

func (e *DepthError) Error() string {
	return fmt.Sprintf("JSON nested deeper than %d levels (at byte %d)", MaxDepth, e.Offset)
}

// CheckDepth returns a *DepthError when the JSON text b nests arrays and objects deeper than MaxDepth, and
// nil otherwise. It does not validate b: brackets outside strings are counted whatever surrounds them. Its
// cost is linear in len(b) and it allocates nothing.
func CheckDepth(b []byte) error {
	// Text with few brackets cannot be too deep; counting them is a vectorised pass, so the common body
	// costs a fraction of decoding it.
	if bytes.Count(b, []byte{'['})+bytes.Count(b, []byte{'{'}) <= MaxDepth {
		return nil
	}
	depth := 0
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '"':
			i = stringEnd(b, i+1)
		case '[', '{':
			if depth++; depth > MaxDepth {
				return &DepthError{Offset: i}
			}
		case ']', '}':
			depth--
		}
	}
	return nil
}

// stringEnd returns the index of the quote closing the string whose content starts at b[i], or len(b).
func stringEnd(b []byte, i int) int {
	for ; i < len(b); i++ {
		switch b[i] {
		case '"':
			return i
		case '\\':
			i++ // the escaped byte
		}
	}
	return len(b)
}

// Unmarshal is json.Unmarshal of JSON text from outside: text nested deeper than MaxDepth is refused with
// a *DepthError. encoding/json enforces the same limit in linear time (TestCheckDepthAgreesWithEncodingJSON),
// so the text is scanned again only when it fails, to give the limit's message: a body that decodes costs
// nothing more.
func Unmarshal(b []byte, v any) error {
	err := json.Unmarshal(b, v)
	if err != nil {
		if derr := CheckDepth(b); derr != nil {
			return derr
		}
	}
	return err
}

// Encode writes v as json.Encoder does with SetIndent("", "  ") and SetEscapeHTML(false), byte for byte for
// values up to MaxIndent levels deep; levels deeper than that stay on one line, so the output is linear in
// the size of the value whatever its depth.
func Encode(w io.Writer, v any) error {
	var compact bytes.Buffer
	enc := json.NewEncoder(&compact)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	var out bytes.Buffer
	out.Grow(compact.Len() + compact.Len()/2)
	indent(&out, compact.Bytes())
	_, err := w.Write(out.Bytes())
	return err
}

// spaces is the indentation of the deepest line Encode writes.
var spaces = bytes.Repeat([]byte(" "), 2*MaxIndent)

// indent copies compact JSON (as json.Encoder writes it: no space outside strings, a final newline) to out
// with two spaces per level up to MaxIndent.
func indent(out *bytes.Buffer, src []byte) {
	newline := func(depth int) {
		out.WriteByte('\n')
		out.Write(spaces[:2*depth])
	}
	depth := 0
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch c {
		case '"':
			end := min(stringEnd(src, i+1), len(src)-1)
			out.Write(src[i : end+1])
			i = end
		case '[', '{':
			out.WriteByte(c)
			if i+1 < len(src) && (src[i+1] == ']' || src[i+1] == '}') {
				out.WriteByte(src[i+1]) // an empty array or object stays [] or {}
				i++
				continue
			}
			if depth++; depth <= MaxIndent {
				newline(depth)
			}
		case ']', '}':
			if depth--; depth < MaxIndent {
				newline(depth)
			}
			out.WriteByte(c)
		case ',':
			out.WriteByte(c)
			if depth <= MaxIndent {
				newline(depth)
			}
		case ':':
			out.WriteString(": ")
		default:
			out.WriteByte(c)
		}
	}
}
