package arazzo

import (
	"bytes"
	"sort"
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

// lineIndex maps between byte offsets and positions of one source in
// O(log n), so that placing many expressions in a large file stays linear.
type lineIndex struct {
	src    []byte
	starts []int // byte offset of each line start
	// cur is where the last alignment of a quoted or block scalar stopped
	// (scalarOffsetPos), so the references of one long value are placed
	// in one pass over it, not one pass each.
	cur scalarCursor
	col colCursor // the last column computed (posAt)
}

type scalarCursor struct {
	node   *yaml.Node
	off, j int
}

func newLineIndex(src []byte) *lineIndex {
	starts := []int{0}
	for i, b := range src {
		if b == '\n' {
			starts = append(starts, i+1)
		}
	}
	return &lineIndex{src: src, starts: starts}
}

// byteOffset returns the byte index of a 1-based line and rune column.
func (li *lineIndex) byteOffset(pos Pos) int {
	src := li.src
	if pos.Line < 1 || pos.Line > len(li.starts) {
		return len(src)
	}
	i := li.starts[pos.Line-1]
	for col := 1; col < pos.Col && i < len(src) && src[i] != '\n'; col++ {
		_, size := utf8.DecodeRune(src[i:])
		i += size
	}
	return i
}

// posAt converts a byte index to a position.
func (li *lineIndex) posAt(idx int) Pos {
	idx = min(idx, len(li.src))
	line := sort.Search(len(li.starts), func(i int) bool { return li.starts[i] > idx })
	start, col := li.starts[line-1], 1
	// Columns count runes from the line's start; on a long line, carry on
	// from the last position asked for, so placing many references on one
	// line stays linear.
	if c := li.col; c.line == line && c.idx <= idx && c.idx >= start {
		start, col = c.idx, c.col
	}
	col += utf8.RuneCount(li.src[start:idx])
	li.col = colCursor{line: line, idx: idx, col: col}
	return Pos{Line: line, Col: col}
}

type colCursor struct{ line, idx, col int }

// scalarOffsetPos maps a byte offset into a scalar's value to its position
// in the source. Plain single-line scalars are exact arithmetic; quoted,
// folded and literal scalars are aligned rune by rune against the source
// text, skipping quotes, escapes, indentation and line breaks.
func scalarOffsetPos(li *lineIndex, n *yaml.Node, value string, off int) Pos {
	src := li.src
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
		// A plain scalar continued on the next lines reads its line breaks
		// as spaces: only text that is really on the first line is plain
		// arithmetic; the rest is aligned against the source below.
		if j := li.byteOffset(start); !containsNewline(value[:off]) && bytes.HasPrefix(src[min(j, len(src)):], []byte(value[:off])) {
			return Pos{Line: start.Line, Col: start.Col + utf8.RuneCountInString(value[:off])}
		}
	}
	if len(src) == 0 {
		return start
	}
	j := li.byteOffset(start)
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
	from := 0
	if c := li.cur; c.node == n && c.off <= off {
		from, j = c.off, c.j
	}
	for _, r := range value[from:off] {
		if dq && j+1 < limit && src[j] == '\\' {
			// A JSON surrogate pair is one rune written as two escapes.
			if hi, ok := hexEscape(src, j); ok && hi >= 0xd800 && hi < 0xdc00 {
				if lo, ok := hexEscape(src, j+6); ok && lo >= 0xdc00 && lo <= 0xdfff {
					j += 12
					continue
				}
			}
			j += escapeLen(src[j+1])
			continue
		}
		match(r)
		if j < limit {
			_, size := utf8.DecodeRune(src[j:])
			j += size
		}
	}
	li.cur = scalarCursor{node: n, off: off, j: j}
	if off < len(value) && !(dq && j < limit && src[j] == '\\') {
		r, _ := utf8.DecodeRuneInString(value[off:])
		match(r)
	}
	return li.posAt(j)
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
