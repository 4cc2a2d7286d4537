package arazzo

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
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
func ignoreIDs(line string) []string {
	ids, _ := ignoreComment(line)
	return ids
}

// ignoreComment finds an "# arazzo-ignore" comment in a line and returns
// the ids it lists (none when it lists none); ok is false when the line
// has no such comment. A '#' only starts a comment at the start of the
// line or after a blank, as in YAML.
func ignoreComment(line string) (ids []string, ok bool) {
	for off := 0; ; {
		i := strings.Index(line[off:], "#")
		if i < 0 {
			return nil, false
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
		return strings.FieldsFunc(rest, func(r rune) bool { return r == ' ' || r == '\t' || r == ',' || r == ':' }), true
	}
}

// CheckIgnoreComments reports "# arazzo-ignore" comments that name no
// rule (a misspelt id suppresses nothing, silently) or no id at all, in
// every file of src, sorted by file.
func CheckIgnoreComments(src Sources) Diagnostics {
	var out Diagnostics
	for _, file := range sortedKeys(src) {
		data := src[file]
		if !bytes.Contains(data, []byte(ignoreMarker)) {
			continue
		}
		for i, line := range splitLines(data) {
			if !strings.Contains(line, ignoreMarker) {
				continue
			}
			ids, ok := ignoreComment(line)
			if !ok {
				continue
			}
			at := strings.Index(line, ignoreMarker)
			if len(ids) == 0 {
				out = append(out, &Diagnostic{Severity: SeverityWarning, Rule: RuleUnknownIgnore, File: file,
					Pos: Pos{i + 1, utf8.RuneCountInString(line[:at]) + 1},
					Msg: "arazzo-ignore names no rule, so it suppresses nothing", Fix: "# arazzo-ignore <rule-id> (arazzo validate --list-rules)"})
				continue
			}
			for _, id := range ids {
				if _, known := LookupRule(id); known {
					continue
				}
				off := at + strings.Index(line[at:], id)
				d := &Diagnostic{Severity: SeverityWarning, Rule: RuleUnknownIgnore, File: file,
					Pos: Pos{i + 1, utf8.RuneCountInString(line[:off]) + 1},
					Msg: fmt.Sprintf("arazzo-ignore names %q, which is no rule, so it suppresses nothing", id)}
				d.End = Pos{d.Pos.Line, d.Pos.Col + utf8.RuneCountInString(id)}
				if best := SuggestRule(id); best != "" {
					d.Msg += fmt.Sprintf("; did you mean %q?", best)
					d.Fix = best
				}
				out = append(out, d)
			}
		}
	}
	return out
}
