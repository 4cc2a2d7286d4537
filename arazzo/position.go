package arazzo

import (
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// childNode returns the value node of key in mapping n.
func childNode(n *yaml.Node, key string) *yaml.Node {
	n = resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if resolve(n.Content[i]).Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// byteOffset returns the byte index in src of a 1-based line and rune column.
func byteOffset(src []byte, pos Pos) int {
	line, i := 1, 0
	for line < pos.Line && i < len(src) {
		if src[i] == '\n' {
			line++
		}
		i++
	}
	for col := 1; col < pos.Col && i < len(src) && src[i] != '\n'; col++ {
		_, size := utf8.DecodeRune(src[i:])
		i += size
	}
	return i
}

// posAt converts a byte index of src to a position.
func posAt(src []byte, idx int) Pos {
	p := Pos{Line: 1, Col: 1}
	for i := 0; i < idx && i < len(src); {
		r, size := utf8.DecodeRune(src[i:])
		if r == '\n' {
			p.Line++
			p.Col = 1
		} else {
			p.Col++
		}
		i += size
	}
	return p
}

// scalarOffsetPos maps a byte offset into a scalar's value to its position
// in the source. Plain single-line scalars are exact arithmetic; quoted,
// folded and literal scalars are aligned rune by rune against the source
// text, skipping quotes, escapes, indentation and line breaks.
func scalarOffsetPos(src []byte, n *yaml.Node, value string, off int) Pos {
	if n == nil {
		return Pos{}
	}
	start := nodePos(n)
	if off <= 0 && n.Style&(yaml.LiteralStyle|yaml.FoldedStyle|yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) == 0 {
		return start
	}
	if off > len(value) {
		off = len(value)
	}
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) == 0 {
		if !containsNewline(value[:off]) {
			return Pos{Line: start.Line, Col: start.Col + utf8.RuneCountInString(value[:off])}
		}
	}
	if len(src) == 0 {
		return start
	}
	j := byteOffset(src, start)
	if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		// Skip the block header line.
		for j < len(src) && src[j] != '\n' {
			j++
		}
	} else if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 && j < len(src) {
		j++ // the opening quote
	}
	limit := j + 4*len(value) + 1024
	if limit > len(src) {
		limit = len(src)
	}
	match := func(r rune) {
		for j < limit {
			s, size := utf8.DecodeRune(src[j:])
			if s == r || (unicode.IsSpace(r) && unicode.IsSpace(s)) {
				return
			}
			j += size
		}
	}
	dq := n.Style&yaml.DoubleQuotedStyle != 0
	for _, r := range value[:off] {
		if dq && j+1 < limit && src[j] == '\\' {
			j += escapeLen(src[j+1])
			continue
		}
		match(r)
		if j < limit {
			_, size := utf8.DecodeRune(src[j:])
			j += size
		}
	}
	if off < len(value) {
		r, _ := utf8.DecodeRuneInString(value[off:])
		match(r)
	}
	return posAt(src, j)
}

func containsNewline(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			return true
		}
	}
	return false
}

// escapeLen is the source length of a double-quoted escape starting with
// a backslash followed by c.
func escapeLen(c byte) int {
	switch c {
	case 'x':
		return 4
	case 'u':
		return 6
	case 'U':
		return 10
	}
	return 2
}
