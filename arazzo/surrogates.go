package arazzo

import (
	"bytes"
	"fmt"
	"strconv"
	"unicode/utf16"

	"gopkg.in/yaml.v3"
)

// JSON writes characters outside the Basic Multilingual Plane as UTF-16
// surrogate pairs (`\ud83d\ude00`; Python's json.dumps does so for every
// emoji by default), which yaml.v3 refuses as invalid escapes. Before a
// JSON document goes to the YAML parser, each pair becomes the equivalent
// YAML escape `\U0001f600` and a lone surrogate becomes `\ufffd`, as
// encoding/json decodes it. The pair escape is two bytes shorter, so
// surrogateShifts remembers where, and shiftColumns moves the nodes that
// follow on the same line back to their columns in the original text.

// surrogateShifts maps a 1-based line to the columns (in the patched text)
// after which two characters were removed.
type surrogateShifts map[int][]int

// patchJSONSurrogates returns src with surrogate escapes rewritten, and
// the shifts, or src itself and nil when it holds none or is not JSON.
func patchJSONSurrogates(src []byte) ([]byte, surrogateShifts) {
	body := bytes.TrimLeft(bytes.TrimPrefix(src, []byte("\uFEFF")), " \t\r\n")
	if len(body) == 0 || (body[0] != '{' && body[0] != '[') || !bytes.Contains(src, []byte(`\u`)) && !bytes.Contains(src, []byte(`\U`)) {
		return src, nil
	}
	var out []byte
	var shifts surrogateShifts
	line, col := 1, 1 // position in out
	inString := false
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '\n':
			line, col = line+1, 1
		case c == '"':
			inString = !inString
		case c == '\\' && inString && i+1 < len(src):
			if hi, ok := hexEscape(src, i); ok && utf16.IsSurrogate(hi) {
				if out == nil {
					out = append(make([]byte, 0, len(src)), src[:i]...)
				}
				if lo, ok := hexEscape(src, i+6); ok && hi < 0xdc00 && lo >= 0xdc00 && lo <= 0xdfff {
					rep := fmt.Sprintf(`\U%08x`, utf16.DecodeRune(hi, lo))
					out = append(out, rep...)
					col += len(rep)
					if shifts == nil {
						shifts = surrogateShifts{}
					}
					shifts[line] = append(shifts[line], col)
					i += 12
				} else {
					out = append(out, `\ufffd`...)
					col += 6
					i += 6
				}
				continue
			}
			// Any other escape: copy both bytes so that `\\` and `\"`
			// neither end the string nor start a false escape.
			if out != nil {
				out = append(out, c, src[i+1])
			}
			i, col = i+2, col+2
			continue
		}
		if out != nil {
			out = append(out, c)
		}
		if c&0xc0 != 0x80 { // count runes, not continuation bytes
			col++
		}
		if c == '\n' {
			col = 1
		}
		i++
	}
	if out == nil {
		return src, nil
	}
	return out, shifts
}

// hexEscape reads a `\uXXXX` escape at src[i].
func hexEscape(src []byte, i int) (rune, bool) {
	if i+6 > len(src) || src[i] != '\\' || src[i+1] != 'u' {
		return 0, false
	}
	v, err := strconv.ParseUint(string(src[i+2:i+6]), 16, 32)
	return rune(v), err == nil
}

// shiftColumns moves every node of the tree to its column in the original
// text. Aliases are not followed: their targets are visited in place.
func (s surrogateShifts) shiftColumns(n *yaml.Node) {
	if n == nil {
		return
	}
	removed := 0
	for _, at := range s[n.Line] {
		if n.Column >= at {
			removed += 2
		}
	}
	n.Column += removed
	for _, c := range n.Content {
		s.shiftColumns(c)
	}
}
