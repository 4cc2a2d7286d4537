package arazzo

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Sources maps a diagnostic's File to its bytes, for snippets.
type Sources map[string][]byte

// MaxTextDiagnostics is how many diagnostics WriteText prints before it
// summarises the rest: past a few dozen, the first problems are the useful
// ones and the rest are usually consequences, as compilers assume.
const MaxTextDiagnostics = 50

// JSONFormatVersion is the "formatVersion" of WriteJSON's output
// (docs/schemas/validate.schema.json). It changes only when a field is
// removed or changes meaning; new fields may be added without a change. It
// is an integer, as in the run report (runtime.ResultFormatVersion) and
// `arazzo test --json`.
const JSONFormatVersion = 1

// Sort orders diagnostics by file, line, column and severity (errors first)
// and drops duplicates and nil entries. Diagnostics that differ only in
// their JSON pointer are duplicates too: a YAML alias used twice puts one
// source place under two pointers, and the user should read its problem
// once. It returns a new slice and leaves ds as it was.
func (ds Diagnostics) Sort() Diagnostics {
	out := make(Diagnostics, 0, len(ds))
	for _, d := range ds {
		if d != nil {
			out = append(out, d)
		}
	}
	slices.SortStableFunc(out, compareDiagnostics)
	return slices.CompactFunc(out, func(a, b *Diagnostic) bool {
		x, y := *a, *b
		x.Pointer, y.Pointer = "", ""
		return x == y
	})
}

func compareDiagnostics(a, b *Diagnostic) int {
	return cmp.Or(
		cmp.Compare(a.File, b.File),
		cmp.Compare(a.Pos.Line, b.Pos.Line),
		cmp.Compare(a.Pos.Col, b.Pos.Col),
		cmp.Compare(a.Severity, b.Severity),
		// The remaining keys only make the order total, so that
		// duplicates end up adjacent and output never depends on the
		// order in which checks ran.
		cmp.Compare(a.Rule, b.Rule),
		cmp.Compare(a.Msg, b.Msg),
		cmp.Compare(a.End.Line, b.End.Line),
		cmp.Compare(a.End.Col, b.End.Col),
		cmp.Compare(a.Fix, b.Fix),
		cmp.Compare(a.Pointer, b.Pointer),
	)
}

// Counts returns how many errors and warnings ds holds.
func (ds Diagnostics) Counts() (errors, warnings int) {
	for _, d := range ds {
		switch {
		case d == nil:
		case d.Severity == SeverityWarning:
			warnings++
		default:
			errors++
		}
	}
	return errors, warnings
}

// ANSI styles for WriteText. Only a handful, so that output stays readable
// on light and dark terminals alike.
const (
	styleReset   = "\x1b[0m"
	styleBold    = "\x1b[1m"
	styleError   = "\x1b[1;31m"
	styleWarning = "\x1b[1;33m"
	styleGutter  = "\x1b[34m"
	styleCaret   = "\x1b[1;32m"
	styleFix     = "\x1b[36m"
)

type painter bool

func (p painter) paint(style, s string) string {
	if !p || s == "" {
		return s
	}
	return style + s + styleReset
}

// WriteText prints compiler-style diagnostics with a source line and caret,
// then "N errors, M warnings":
//
//	wf.arazzo.yaml:42:20: error: operationId "getPetByID" not found [operation-not-found]
//	   42 |       operationId: getPetByID
//	      |                    ^^^^^^^^^^
//	      = fix: did you mean "getPetById"?
//	1 error, 0 warnings
//
// The snippet is left out when src has no bytes for the diagnostic's file or
// the position is outside them. At most MaxTextDiagnostics are printed; a
// line says how many more there are. color adds ANSI styles.
func WriteText(w io.Writer, ds Diagnostics, src Sources, color bool) error {
	ds = ds.Sort()
	p := painter(color)
	bw := bufio.NewWriter(w)
	lines := map[string][]string{}
	for i, d := range ds {
		if i == MaxTextDiagnostics {
			fmt.Fprintf(bw, "… and %d more\n", len(ds)-i)
			break
		}
		writeTextHeader(bw, d, p)
		if b, ok := src[d.File]; ok && d.Pos.Line > 0 {
			ls, ok := lines[d.File]
			if !ok {
				ls = splitLines(b)
				lines[d.File] = ls
			}
			writeSnippet(bw, d, ls, p)
		} else if d.Fix != "" {
			fmt.Fprintf(bw, "    %s\n", p.paint(styleFix, "= fix: "+oneLine(d.Fix)))
		}
	}
	errs, warns := ds.Counts()
	fmt.Fprintf(bw, "%s, %s\n", plural(errs, "error"), plural(warns, "warning"))
	return bw.Flush()
}

func writeTextHeader(w io.Writer, d *Diagnostic, p painter) {
	file := oneLine(d.File)
	if file == "" {
		file = "<unknown>"
	}
	loc := file
	if d.Pos.Line > 0 {
		loc += ":" + strconv.Itoa(d.Pos.Line)
		if d.Pos.Col > 0 {
			loc += ":" + strconv.Itoa(d.Pos.Col)
		}
	}
	sev := p.paint(styleError, "error")
	if d.Severity == SeverityWarning {
		sev = p.paint(styleWarning, "warning")
	}
	rule := ""
	if d.Rule != "" {
		rule = " [" + oneLine(d.Rule) + "]"
	}
	fmt.Fprintf(w, "%s: %s: %s%s\n", p.paint(styleBold, loc), sev, p.paint(styleBold, oneLine(d.Msg)), rule)
}

// writeSnippet prints the diagnostic's line, a caret under its column and an
// underline to End when End is on the same line.
func writeSnippet(w io.Writer, d *Diagnostic, lines []string, p painter) {
	if d.Pos.Line > len(lines) {
		return
	}
	num := strconv.Itoa(d.Pos.Line)
	width := max(len(num), 4)
	gutter := strings.Repeat(" ", width+2) + "|"
	text := lines[d.Pos.Line-1]
	col, endCol := d.Pos.Col, d.Pos.Col+1
	if d.End.Line == d.Pos.Line && d.End.Col > col {
		endCol = d.End.Col
	}
	text, col, endCol = snippetWindow(text, col, endCol)
	shown, cells := expandLine(text)
	fmt.Fprintf(w, "%s %s\n", p.paint(styleGutter, fmt.Sprintf("%*s |", width+1, num)), shown)

	// Columns past the line end (a stale or hostile position) point just
	// after the text instead of drawing an arbitrarily long underline.
	col = min(max(col, 1), len(cells))
	endCol = min(max(endCol, col+1), len(cells)+1)
	// cells[i] is the display cell where rune i+1 starts; the line end
	// is one past the last rune, so a caret can point just after the text.
	start := cellAt(cells, col)
	end := cellAt(cells, endCol)
	if end <= start {
		end = start + 1
	}
	marks := strings.Repeat("^", end-start)
	fmt.Fprintf(w, "%s %s%s\n", p.paint(styleGutter, gutter), strings.Repeat(" ", start), p.paint(styleCaret, marks))
	if d.Fix != "" {
		fmt.Fprintf(w, "%s %s\n", strings.Repeat(" ", width+2)+p.paint(styleGutter, "="), p.paint(styleFix, "fix: "+oneLine(d.Fix)))
	}
}

// maxSnippetRunes bounds the source line a snippet shows: a minified or
// generated document can have a line of megabytes, and a terminal or CI log
// gains nothing from it beyond the neighbourhood of the caret.
const maxSnippetRunes = 120

// snippetWindow cuts a long line to about maxSnippetRunes runes around the
// 1-based rune columns [col, endCol), marking each cut with "…", and returns
// the columns shifted into the cut text.
func snippetWindow(text string, col, endCol int) (string, int, int) {
	if utf8.RuneCountInString(text) <= maxSnippetRunes {
		return text, col, endCol
	}
	runes := []rune(text)
	from := 0
	if col > maxSnippetRunes/2 {
		from = min(col-1-maxSnippetRunes/4, len(runes)-maxSnippetRunes)
	}
	from = max(from, 0)
	to := min(from+maxSnippetRunes, len(runes))
	var b strings.Builder
	shift := from
	if from > 0 {
		b.WriteString("…")
		shift-- // the ellipsis takes one column
	}
	b.WriteString(string(runes[from:to]))
	if to < len(runes) {
		b.WriteString("…")
	}
	endCol = min(endCol-shift, to-shift+1)
	return b.String(), col - shift, endCol
}

// cellAt returns the display cell of 1-based rune column col; the column
// after the line end is one cell past its last one.
func cellAt(cells []int, col int) int {
	if col-1 < len(cells) {
		return cells[col-1]
	}
	return cells[len(cells)-1] + (col - len(cells))
}

const tabWidth = 4

// expandLine makes a source line safe and aligned for a terminal: tabs become
// spaces, control characters become U+FFFD. It returns the shown text and,
// for every rune plus the line end, the display cell where it starts, so that
// carets line up under wide and combining characters too.
func expandLine(s string) (string, []int) {
	var b strings.Builder
	cells := make([]int, 0, len(s)+1)
	cell := 0
	for _, r := range s {
		cells = append(cells, cell)
		switch {
		case r == '\t':
			n := tabWidth - cell%tabWidth
			b.WriteString(strings.Repeat(" ", n))
			cell += n
		case r == utf8.RuneError || unicode.IsControl(r):
			b.WriteRune('\uFFFD')
			cell++
		default:
			b.WriteRune(r)
			cell += runeWidth(r)
		}
	}
	cells = append(cells, cell)
	return b.String(), cells
}

// runeWidth approximates the terminal width of r: zero for combining marks,
// two for East Asian wide and fullwidth characters, one otherwise.
func runeWidth(r rune) int {
	switch {
	case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		return 0
	case r >= 0x1100 && r <= 0x115F, r >= 0x2E80 && r <= 0xA4CF && r != 0x303F,
		r >= 0xAC00 && r <= 0xD7A3, r >= 0xF900 && r <= 0xFAFF, r >= 0xFE30 && r <= 0xFE4F,
		r >= 0xFF00 && r <= 0xFF60, r >= 0xFFE0 && r <= 0xFFE6,
		r >= 0x1F300 && r <= 0x1F64F, r >= 0x1F900 && r <= 0x1F9FF,
		r >= 0x20000 && r <= 0x3FFFD:
		return 2
	}
	return 1
}

func splitLines(b []byte) []string {
	s := string(b)
	s = strings.TrimPrefix(s, "\uFEFF")
	ls := strings.Split(s, "\n")
	for i, l := range ls {
		ls[i] = strings.TrimSuffix(l, "\r")
	}
	return ls
}

// oneLine keeps a message on its line: a diagnostic's first line must stay
// parseable as path:line:col by editors and CI annotators. Other control
// characters (a document may put ESC in a value a message quotes) become
// U+FFFD so that they cannot drive the terminal.
func oneLine(s string) string {
	clean := true
	for _, r := range s {
		if unicode.IsControl(r) || r == utf8.RuneError {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	s = strings.Join(strings.Fields(strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)), " ")
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return '\uFFFD'
		}
		return r
	}, s)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// JSONReport is the document WriteJSON prints. docs/cli.md documents it and
// docs/schemas/validate.schema.json is its JSON Schema.
type JSONReport struct {
	FormatVersion int              `json:"formatVersion"`
	Valid         bool             `json:"valid"`
	ErrorCount    int              `json:"errorCount"`
	WarningCount  int              `json:"warningCount"`
	Diagnostics   []JSONDiagnostic `json:"diagnostics"`
}

// JSONDiagnostic is one diagnostic in a JSONReport. Lines and columns are
// 1-based (columns count Unicode code points); the end is exclusive, and
// equals the start when the extent is unknown. Line 0 means the diagnostic
// concerns the whole file.
type JSONDiagnostic struct {
	File      string `json:"file"`
	Line      int    `json:"line"`
	Column    int    `json:"column"`
	EndLine   int    `json:"endLine"`
	EndColumn int    `json:"endColumn"`
	Severity  string `json:"severity"`
	Rule      string `json:"rule"`
	Message   string `json:"message"`
	Fix       string `json:"fix"`
	Pointer   string `json:"pointer"`
}

// NewJSONReport builds the report WriteJSON prints, for callers that embed
// it in a larger document.
func NewJSONReport(ds Diagnostics) JSONReport {
	ds = ds.Sort()
	errs, warns := ds.Counts()
	r := JSONReport{
		FormatVersion: JSONFormatVersion,
		Valid:         errs == 0,
		ErrorCount:    errs,
		WarningCount:  warns,
		Diagnostics:   make([]JSONDiagnostic, 0, len(ds)),
	}
	for _, d := range ds {
		end := extent(d)
		r.Diagnostics = append(r.Diagnostics, JSONDiagnostic{
			File: d.File, Line: d.Pos.Line, Column: d.Pos.Col,
			EndLine: end.Line, EndColumn: end.Col,
			Severity: d.Severity.String(), Rule: d.Rule, Message: d.Msg,
			Fix: d.Fix, Pointer: d.Pointer,
		})
	}
	return r
}

// extent returns where d ends: End when it is set and not before Pos, else Pos.
func extent(d *Diagnostic) Pos {
	if d.End.Line > d.Pos.Line || (d.End.Line == d.Pos.Line && d.End.Col > d.Pos.Col) {
		return d.End
	}
	return d.Pos
}

// WriteJSON prints the documented JSON shape (see JSONReport), indented, with
// a final newline.
func WriteJSON(w io.Writer, ds Diagnostics) error {
	return writeIndentedJSON(w, NewJSONReport(ds))
}

func writeIndentedJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// WriteGitHub prints GitHub Actions workflow commands, one per diagnostic:
//
//	::error file=F,line=L,col=C,endLine=L2,endColumn=C2,title=RULE::message
//
// Data and property values are escaped as the Actions runner expects, so a
// message cannot end the command early or inject another one.
func WriteGitHub(w io.Writer, ds Diagnostics) error {
	bw := bufio.NewWriter(w)
	for _, d := range ds.Sort() {
		cmd := "error"
		if d.Severity == SeverityWarning {
			cmd = "warning"
		}
		var props []string
		if d.File != "" {
			props = append(props, "file="+githubProperty(d.File))
		}
		if d.Pos.Line > 0 {
			props = append(props, "line="+strconv.Itoa(d.Pos.Line))
			if d.Pos.Col > 0 {
				props = append(props, "col="+strconv.Itoa(d.Pos.Col))
			}
			if end := extent(d); end != d.Pos {
				props = append(props, "endLine="+strconv.Itoa(end.Line))
				if end.Line == d.Pos.Line {
					props = append(props, "endColumn="+strconv.Itoa(end.Col))
				}
			}
		}
		if d.Rule != "" {
			props = append(props, "title="+githubProperty(d.Rule))
		}
		msg := d.Msg
		if d.Fix != "" {
			msg += "\nfix: " + d.Fix
		}
		fmt.Fprintf(bw, "::%s %s::%s\n", cmd, strings.Join(props, ","), githubData(msg))
	}
	return bw.Flush()
}

// githubData escapes a workflow command's message the way the Actions runner
// unescapes it (toolkit/core's escapeData).
func githubData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// githubProperty escapes a workflow command property value (toolkit/core's
// escapeProperty): also ':' and ',', which separate properties.
func githubProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
