package arazzo

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"testing"
)

// wellFormedXML decodes every token of b, which fails on XML that is not
// well-formed (unclosed elements, bad escapes, invalid characters).
func wellFormedXML(t *testing.T, b []byte) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(b))
	for {
		_, err := dec.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("output is not well-formed XML: %v\n%s", err, b)
		}
	}
}

func TestWriteJUnit(t *testing.T) {
	var buf bytes.Buffer
	ds := append(renderDiags(), &Diagnostic{Severity: SeverityError, Rule: "schema", Msg: "bad \x1b[31m <&> \"value\"", File: "wf.arazzo.yaml", Pos: Pos{2, 1}})
	if err := WriteJUnit(&buf, ds, []string{"clean.arazzo.yaml", "wf.arazzo.yaml"}); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "junit.golden", buf.Bytes())
	wellFormedXML(t, buf.Bytes())

	var got struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Name    string    `xml:"name,attr"`
				Failure *struct{} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	// renderDiags: 6 errors and 3 warnings once the duplicate is dropped,
	// plus the schema error above; the clean file passes.
	if got.Failures != 6 || got.Tests != 10 {
		t.Errorf("tests=%d failures=%d, want 10 and 6", got.Tests, got.Failures)
	}
	if len(got.Suites) != 3 || got.Suites[0].Name != "clean.arazzo.yaml" || len(got.Suites[0].Cases) != 1 || got.Suites[0].Cases[0].Failure != nil {
		t.Errorf("the clean file should be one passing case first; suites: %+v", got.Suites)
	}
}

func TestWriteCheckstyle(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCheckstyle(&buf, renderDiags()); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "checkstyle.golden", buf.Bytes())
	wellFormedXML(t, buf.Bytes())
	var got struct {
		Files []struct {
			Name   string `xml:"name,attr"`
			Errors []struct {
				Line     int    `xml:"line,attr"`
				Severity string `xml:"severity,attr"`
				Source   string `xml:"source,attr"`
			} `xml:"error"`
		} `xml:"file"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range got.Files {
		for _, e := range f.Errors {
			n++
			if e.Line < 1 || (e.Severity != "error" && e.Severity != "warning") || !strings.HasPrefix(e.Source, "arazzo.") {
				t.Errorf("%s: bad error element %+v", f.Name, e)
			}
		}
	}
	if n != 8 || len(got.Files) != 2 {
		t.Errorf("%d errors in %d files, want 8 in 2", n, len(got.Files))
	}
}

func TestWriteCodeQuality(t *testing.T) {
	var buf bytes.Buffer
	ds := append(renderDiags(), &Diagnostic{Severity: SeverityWarning, Rule: "tabs", Msg: "tab before comment", File: "wf.arazzo.yaml", Pos: Pos{12, 5}})
	if err := WriteCodeQuality(&buf, ds); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "codequality.golden", buf.Bytes())
	// Decoded generically: the fields GitLab requires, with their types.
	var issues []map[string]any
	if err := json.Unmarshal(buf.Bytes(), &issues); err != nil {
		t.Fatalf("output is not a JSON array: %v", err)
	}
	if len(issues) != 9 {
		t.Fatalf("%d issues, want 9", len(issues))
	}
	fingerprints := map[string]bool{}
	for i, is := range issues {
		for _, k := range []string{"description", "check_name", "fingerprint", "severity"} {
			if s, _ := is[k].(string); s == "" {
				t.Errorf("issue %d: %s missing or empty", i, k)
			}
		}
		switch is["severity"] {
		case "info", "minor", "major", "critical", "blocker":
		default:
			t.Errorf("issue %d: severity %v is not a Code Quality severity", i, is["severity"])
		}
		loc, _ := is["location"].(map[string]any)
		lines, _ := loc["lines"].(map[string]any)
		if p, _ := loc["path"].(string); p == "" {
			t.Errorf("issue %d: location.path missing", i)
		}
		if b, _ := lines["begin"].(float64); b < 1 {
			t.Errorf("issue %d: location.lines.begin = %v, want >= 1", i, lines["begin"])
		}
		fp := is["fingerprint"].(string)
		if fingerprints[fp] {
			t.Errorf("issue %d: fingerprint %s repeats", i, fp)
		}
		fingerprints[fp] = true
	}
}

func TestApplyIgnores(t *testing.T) {
	src := Sources{"a.yaml": []byte("one: 1\n" +
		"# arazzo-ignore rule-a\n" +
		"two: 2\n" +
		"three: 3 # arazzo-ignore rule-b, rule-c\n" +
		"# arazzo-ignore rule-d\n" +
		"# another comment\n" +
		"four: 4\n" +
		"five: '#arazzo-ignore rule-e'\n" +
		"six: 6 # arazzo-ignored rule-f\n" +
		"seven: 7 # arazzo-ignore rule-g\n" +
		"eight: 8\n" +
		"list:\n" +
		"# arazzo-ignore rule-h\n" +
		"- name: a\n" +
		"  stepId: x\n" +
		"- name: b\n" +
		"  stepId: y\n" +
		"# arazzo-ignore rule-i\n" +
		"actions:\n" +
		"- name: c\n" +
		"  nested:\n" +
		"    deep: 1\n" +
		"after: 1\n")}
	d := func(line int, rule string) *Diagnostic {
		return &Diagnostic{Rule: rule, File: "a.yaml", Pos: Pos{line, 1}}
	}
	ds := Diagnostics{
		d(3, "rule-a"),  // suppressed from the line above
		d(3, "rule-x"),  // another rule stays
		d(4, "rule-c"),  // end of line, second id
		d(7, "rule-d"),  // through a block of comment lines
		d(8, "rule-e"),  // inside a quoted value: no comment
		d(9, "rule-f"),  // not the marker
		d(11, "rule-g"), // the line above is not a comment-only line
		d(1, "rule-a"),  // the comment is below, not above
		d(15, "rule-h"), // nested under the item the comment is above
		d(17, "rule-h"), // the next item is not covered
		d(22, "rule-i"), // deep under the key the comment is above
		d(20, "rule-i"), // an item of the key's block sequence
		d(23, "rule-i"), // past the block
		{Rule: "rule-a", File: "b.yaml", Pos: Pos{3, 1}},
	}
	var kept []string
	for _, k := range ApplyIgnores(ds, src) {
		kept = append(kept, fmt.Sprintf("%s@%d", k.Rule, k.Pos.Line))
	}
	want := "rule-x@3 rule-e@8 rule-f@9 rule-g@11 rule-a@1 rule-h@17 rule-i@23 rule-a@3"
	if got := strings.Join(kept, " "); got != want {
		t.Errorf("kept %s\nwant %s", got, want)
	}
}

func TestCheckIgnoreComments(t *testing.T) {
	src := Sources{
		"a.yaml": []byte("one: 1 # arazzo-ignore endles-goto, goto-loop\n" +
			"# arazzo-ignore\n" +
			"two: '# arazzo-ignore not-a-comment'\n" +
			"# arazzo-ignored whatever\n" +
			"three: 3 # arazzo-ignore unreachable-step\n"),
		"b.json": []byte(`{"arazzo": "1.0.1"}`),
	}
	var got []string
	for _, d := range CheckIgnoreComments(src) {
		if d.Rule != RuleUnknownIgnore || d.Severity != SeverityWarning {
			t.Errorf("%s: rule %s severity %s", d, d.Rule, d.Severity)
		}
		got = append(got, fmt.Sprintf("%d:%d %s", d.Pos.Line, d.Pos.Col, d.Fix))
	}
	// The misspelt id (with its suggestion) and the comment without ids;
	// known ids, quoted text and other words are no finding.
	want := "1:24 endless-goto|2:3 # arazzo-ignore <rule-id> (arazzo validate --list-rules)"
	if s := strings.Join(got, "|"); s != want {
		t.Errorf("got  %s\nwant %s", s, want)
	}
}
