package arazzo

import (
	"bytes"
	"slices"
	"strings"
)

// ignoreMarker starts an inline suppression comment in a YAML document:
//
//	# arazzo-ignore endless-goto
//	- name: keepPolling        # arazzo-ignore endless-goto, goto-loop
const ignoreMarker = "arazzo-ignore"

// ApplyIgnores drops the diagnostics that an inline "# arazzo-ignore
// rule-id" comment suppresses. A comment at the end of a line covers that
// line. A comment on its own line covers the line below it and every line
// nested under that one (more indented, or the items of a block sequence
// under a key), so a comment above an action or a step covers all of it,
// wherever in it the diagnostic points. Only the rule ids the comment
// names are suppressed; several may be listed, separated by spaces or
// commas. src holds the bytes of the files the diagnostics point into;
// diagnostics in files not in src stay.
func ApplyIgnores(ds Diagnostics, src Sources) Diagnostics {
	byFile := map[string][][]string{} // nil: the file has no marker
	out := make(Diagnostics, 0, len(ds))
	for _, d := range ds {
		data, ok := src[d.File]
		if !ok || d.Pos.Line < 1 || d.Rule == "" {
			out = append(out, d)
			continue
		}
		ig, seen := byFile[d.File]
		if !seen {
			if bytes.Contains(data, []byte(ignoreMarker)) {
				ig = ignoresByLine(splitLines(data))
			}
			byFile[d.File] = ig
		}
		if d.Pos.Line > len(ig) || !slices.Contains(ig[d.Pos.Line-1], d.Rule) {
			out = append(out, d)
		}
	}
	return out
}

// ignoresByLine lists, for each line, the rule ids suppressed there, in one
// pass over the lines.
func ignoresByLine(lines []string) [][]string {
	type block struct {
		indent int
		seq    bool // a "key:" head, whose block sequence may sit at its own indent
		ids    []string
	}
	var open []block
	var pending []string // ids of comment-only lines just above
	out := make([][]string, len(lines))
	for i, line := range lines {
		t := strings.TrimLeft(line, " \t")
		if t == "" {
			continue
		}
		if strings.HasPrefix(t, "#") {
			pending = append(pending, ignoreIDs(t)...)
			continue
		}
		indent := len(line) - len(t)
		item := strings.HasPrefix(t, "- ") || t == "-"
		for len(open) > 0 {
			b := open[len(open)-1]
			if indent > b.indent || (indent == b.indent && b.seq && item) {
				break
			}
			open = open[:len(open)-1]
		}
		var ids []string
		for _, b := range open {
			ids = append(ids, b.ids...)
		}
		if len(pending) > 0 {
			code, _, _ := strings.Cut(t, " #")
			open = append(open, block{indent: indent, seq: !item && strings.HasSuffix(strings.TrimSpace(code), ":"), ids: pending})
			ids = append(ids, pending...)
			pending = nil
		}
		out[i] = append(ids, ignoreIDs(t)...)
	}
	return out
}

// ignoreIDs returns the rule ids of an "# arazzo-ignore" comment in a line.
// A '#' only starts a comment at the start of the line or after a blank, as
// in YAML.
func ignoreIDs(line string) []string {
	for off := 0; ; {
		i := strings.Index(line[off:], "#")
		if i < 0 {
			return nil
		}
		i += off
		off = i + 1
		if i > 0 && line[i-1] != ' ' && line[i-1] != '\t' {
			continue
		}
		rest := strings.TrimSpace(line[i+1:])
		if !strings.HasPrefix(rest, ignoreMarker) {
			continue
		}
		rest = rest[len(ignoreMarker):]
		if rest != "" && rest[0] != ' ' && rest[0] != '\t' && rest[0] != ':' {
			continue // arazzo-ignored, arazzo-ignore-next, ...
		}
		return strings.FieldsFunc(rest, func(r rune) bool { return r == ' ' || r == '\t' || r == ',' || r == ':' })
	}
}
