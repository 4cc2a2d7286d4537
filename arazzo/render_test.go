package arazzo

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arazzo-go/arazzo/internal/testutil"
)

// update rewrites every golden file of the package (testdata/render,
// testdata/validate, testdata/corpus) instead of comparing with it.
var update = flag.Bool("update", false, "rewrite golden files")

// checkGolden compares got with testdata/render/<name>, or rewrites it
// under -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	testutil.Golden(t, filepath.Join("testdata", "render", name), got, *update)
}

const renderSrc = "arazzo: 1.0.1\n" +
	"workflows:\n" +
	"- workflowId: pets\n" +
	"  steps:\n" +
	"  - stepId: get\n" +
	"    operationId: getPetByID\n" +
	"    successCriteria:\n" +
	"    - condition: $statusCode = 200\n" +
	"\t# tab-indented comment with a target\n" +
	"    description: \"日本語 text é then $inputs.bad\"\n"

// renderDiags is deliberately unsorted and holds a duplicate, a diagnostic
// without position, one without rule, one past the end of the source, and a
// file with no source bytes.
func renderDiags() Diagnostics {
	return Diagnostics{
		{Severity: SeverityWarning, Rule: "jsonpath-dialect", Msg: "condition uses a JSONPath dialect", Fix: "write $response.body#/lifecycleState == 'STOPPED'", File: "wf.arazzo.yaml", Pos: Pos{8, 18}, End: Pos{8, 35}, Pointer: "/workflows/0/steps/0/successCriteria/0/condition"},
		{Severity: SeverityError, Rule: "operation-not-found", Msg: `operationId "getPetByID" not found in source "petstore"`, Fix: `did you mean "getPetById"?`, File: "wf.arazzo.yaml", Pos: Pos{6, 18}, End: Pos{6, 28}, Pointer: "/workflows/0/steps/0/operationId"},
		{Severity: SeverityError, Rule: "invalid-expression", Msg: `unexpected "=" in condition; did you mean "=="?`, File: "wf.arazzo.yaml", Pos: Pos{8, 30}, End: Pos{8, 30}},
		{Severity: SeverityError, Rule: "operation-not-found", Msg: `operationId "getPetByID" not found in source "petstore"`, Fix: `did you mean "getPetById"?`, File: "wf.arazzo.yaml", Pos: Pos{6, 18}, End: Pos{6, 28}, Pointer: "/workflows/0/steps/0/operationId"},
		{Severity: SeverityWarning, Rule: "unknown-input", Msg: "input \"bad\" is not declared,\nthe inputs schema is open", File: "wf.arazzo.yaml", Pos: Pos{10, 33}, End: Pos{10, 44}},
		{Severity: SeverityWarning, Rule: "tabs", Msg: "tab before comment", File: "wf.arazzo.yaml", Pos: Pos{9, 5}, End: Pos{9, 11}},
		{Severity: SeverityError, Rule: "yaml-syntax", Msg: "unexpected end of file", File: "wf.arazzo.yaml", Pos: Pos{99, 1}},
		{Severity: SeverityError, Rule: "source-unavailable", Msg: "cannot read ../openapi/missing.yaml: no such file", File: "wf.arazzo.yaml"},
		{Severity: SeverityError, Msg: "something without a rule", File: "other dir/b,c:d.yaml", Pos: Pos{3, 1}},
	}
}

func renderSources() Sources {
	return Sources{"wf.arazzo.yaml": []byte(renderSrc)}
}

func TestWriteTextGolden(t *testing.T) {
	for _, tc := range []struct {
		name  string
		color bool
	}{{"text.golden", false}, {"text-color.golden", true}} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteText(&buf, renderDiags(), renderSources(), tc.color); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, tc.name, buf.Bytes())
		})
	}
}

func TestWriteJSONGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, renderDiags()); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "json.golden", buf.Bytes())

	var r JSONReport
	if err := json.Unmarshal(buf.Bytes(), &r); err != nil {
		t.Fatalf("output is not JSON: %v", err)
	}
	if r.FormatVersion != 1 || r.Valid || r.ErrorCount != 5 || r.WarningCount != 3 || len(r.Diagnostics) != 8 {
		t.Errorf("report header = %d valid=%v errors=%d warnings=%d n=%d, want 1 false 5 3 8",
			r.FormatVersion, r.Valid, r.ErrorCount, r.WarningCount, len(r.Diagnostics))
	}
}

func TestWriteJSONEmptyIsValid(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, nil); err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"formatVersion\": 1,\n  \"valid\": true,\n  \"errorCount\": 0,\n  \"warningCount\": 0,\n  \"diagnostics\": []\n}\n"
	if buf.String() != want {
		t.Errorf("WriteJSON(nil) = %q, want %q", buf.String(), want)
	}
}

func TestWriteGitHubGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteGitHub(&buf, renderDiags()); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "github.golden", buf.Bytes())
	for _, line := range strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n") {
		if !strings.HasPrefix(line, "::error ") && !strings.HasPrefix(line, "::warning ") {
			t.Errorf("line %q is not a workflow command", line)
		}
	}
}

func TestWriteSARIFGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteSARIF(&buf, renderDiags(), "1.2.3"); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "sarif.golden", buf.Bytes())
}

// TestWriteSARIFStructure decodes the output generically and checks what
// SARIF 2.1.0 requires and what code scanning reads, independently of the
// Go types that produced it.
func TestWriteSARIFStructure(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteSARIF(&buf, renderDiags(), "1.2.3"); err != nil {
		t.Fatal(err)
	}
	var log map[string]any
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatalf("SARIF is not JSON: %v", err)
	}
	if log["version"] != "2.1.0" {
		t.Errorf("version = %v, want 2.1.0", log["version"])
	}
	if s, _ := log["$schema"].(string); !strings.Contains(s, "sarif-2.1.0") {
		t.Errorf("$schema = %q, want a sarif-2.1.0 schema", s)
	}
	runs, _ := log["runs"].([]any)
	if len(runs) != 1 {
		t.Fatalf("runs = %d, want 1", len(runs))
	}
	run := runs[0].(map[string]any)
	driver := run["tool"].(map[string]any)["driver"].(map[string]any)
	if driver["name"] != "arazzo" || driver["version"] != "1.2.3" {
		t.Errorf("driver = %v %v, want arazzo 1.2.3", driver["name"], driver["version"])
	}
	rules := driver["rules"].([]any)
	ruleIDs := map[string]int{}
	for i, r := range rules {
		id, _ := r.(map[string]any)["id"].(string)
		if id == "" {
			t.Errorf("rule %d has no id", i)
		}
		if _, dup := ruleIDs[id]; dup {
			t.Errorf("rule %q listed twice", id)
		}
		desc, _ := r.(map[string]any)["shortDescription"].(map[string]any)["text"].(string)
		if want := ruleDescriptions[id]; desc == "" || (want != "" && desc != want) {
			t.Errorf("rule %q: shortDescription %q, want %q", id, desc, want)
		}
		ruleIDs[id] = i
	}
	results := run["results"].([]any)
	if len(results) != 8 {
		t.Fatalf("results = %d, want 8 (duplicate dropped)", len(results))
	}
	for i, x := range results {
		r := x.(map[string]any)
		id, _ := r["ruleId"].(string)
		idx, ok := ruleIDs[id]
		if !ok || r["ruleIndex"] != float64(idx) {
			t.Errorf("result %d: ruleId %q ruleIndex %v does not match rules", i, id, r["ruleIndex"])
		}
		if lv := r["level"]; lv != "error" && lv != "warning" {
			t.Errorf("result %d: level = %v", i, lv)
		}
		if txt, _ := r["message"].(map[string]any)["text"].(string); txt == "" {
			t.Errorf("result %d: empty message", i)
		}
		locs, _ := r["locations"].([]any)
		if len(locs) != 1 {
			t.Errorf("result %d: %d locations, want 1", i, len(locs))
			continue
		}
		pl := locs[0].(map[string]any)["physicalLocation"].(map[string]any)
		uri, _ := pl["artifactLocation"].(map[string]any)["uri"].(string)
		if uri == "" || strings.HasPrefix(uri, "/") {
			t.Errorf("result %d: uri %q, want a relative URI", i, uri)
		}
		if reg, ok := pl["region"].(map[string]any); ok {
			sl, _ := reg["startLine"].(float64)
			el, _ := reg["endLine"].(float64)
			sc, _ := reg["startColumn"].(float64)
			ec, _ := reg["endColumn"].(float64)
			if sl < 1 || el < sl || sc < 1 || (el == sl && ec <= sc) {
				t.Errorf("result %d: region %v is empty or inverted", i, reg)
			}
		}
	}
}

func TestGitHubEscaping(t *testing.T) {
	for _, tc := range []struct {
		in, data, property string
	}{
		{"plain", "plain", "plain"},
		{"100%", "100%25", "100%25"},
		{"a\nb", "a%0Ab", "a%0Ab"},
		{"a\r\nb", "a%0D%0Ab", "a%0D%0Ab"},
		{"k:v,w", "k:v,w", "k%3Av%2Cw"},
		{"%0A", "%250A", "%250A"},
		{"::error::x", "::error::x", "%3A%3Aerror%3A%3Ax"},
	} {
		if got := githubData(tc.in); got != tc.data {
			t.Errorf("githubData(%q) = %q, want %q", tc.in, got, tc.data)
		}
		if got := githubProperty(tc.in); got != tc.property {
			t.Errorf("githubProperty(%q) = %q, want %q", tc.in, got, tc.property)
		}
	}
}

func TestSortOrderAndDuplicates(t *testing.T) {
	a := &Diagnostic{Severity: SeverityWarning, Rule: "r", Msg: "w", File: "a", Pos: Pos{2, 1}}
	b := &Diagnostic{Severity: SeverityError, Rule: "r", Msg: "e", File: "a", Pos: Pos{2, 1}}
	c := &Diagnostic{Severity: SeverityError, Rule: "r", Msg: "e", File: "a", Pos: Pos{1, 9}}
	d := &Diagnostic{Severity: SeverityError, Rule: "r", Msg: "e", File: "B", Pos: Pos{1, 1}}
	bCopy := *b
	// The same place reached through a YAML alias: another pointer only.
	bAlias := *b
	bAlias.Pointer = "/workflows/0/steps/1"
	in := Diagnostics{a, nil, b, c, &bCopy, d, &bAlias}
	got := in.Sort()
	want := Diagnostics{d, c, b, a}
	if len(got) != len(want) {
		t.Fatalf("Sort() = %d diagnostics, want %d", len(got), len(want))
	}
	for i := range want {
		if *got[i] != *want[i] {
			t.Errorf("Sort()[%d] = %v, want %v", i, got[i], want[i])
		}
	}
	if in[0] != a || in[1] != nil {
		t.Error("Sort modified its receiver")
	}
}

func TestWriteTextCaps(t *testing.T) {
	var ds Diagnostics
	for i := range MaxTextDiagnostics + 7 {
		ds = append(ds, &Diagnostic{Rule: "r", Msg: "m", File: "f", Pos: Pos{i + 1, 1}})
	}
	var buf bytes.Buffer
	if err := WriteText(&buf, ds, nil, false); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if n := strings.Count(out, ": error: m [r]"); n != MaxTextDiagnostics {
		t.Errorf("printed %d diagnostics, want %d", n, MaxTextDiagnostics)
	}
	if !strings.HasSuffix(out, "… and 7 more\n57 errors, 0 warnings\n") {
		t.Errorf("output ends with %q", out[max(0, len(out)-60):])
	}
}

// TestWriteTextCaret checks caret placement under tabs and wide, combining
// and multi-byte characters, where counting bytes would misplace it.
func TestWriteTextCaret(t *testing.T) {
	for _, tc := range []struct {
		name, line string
		col, end   int
		want       string
	}{
		{"ascii", "key: value", 6, 11, "key: value\n     ^^^^^"},
		{"no end", "key: value", 6, 0, "key: value\n     ^"},
		{"end before start", "key: value", 6, 2, "key: value\n     ^"},
		{"tab", "\tx: y", 2, 3, "    x: y\n    ^"},
		{"accented", "é: $x", 4, 6, "é: $x\n   ^^"},
		{"wide", "名前: $x", 5, 7, "名前: $x\n      ^^"},
		{"combining", "e\u0301: $x", 5, 7, "e\u0301: $x\n   ^^"},
		{"past end", "ab", 3, 0, "ab\n  ^"},
		{"control", "a\x00b", 3, 0, "a\uFFFDb\n  ^"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := &Diagnostic{Rule: "r", Msg: "m", File: "f", Pos: Pos{1, tc.col}, End: Pos{1, tc.end}}
			var buf bytes.Buffer
			if err := WriteText(&buf, Diagnostics{d}, Sources{"f": []byte(tc.line + "\n")}, false); err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(buf.String(), "\n")
			// Drop the gutters: both lines put their content after "| ".
			_, text, _ := strings.Cut(lines[1], " | ")
			_, caret, _ := strings.Cut(lines[2], " | ")
			if got := text + "\n" + caret; got != tc.want {
				t.Errorf("snippet =\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func TestWriteFailingWriter(t *testing.T) {
	for name, write := range map[string]func(*failWriter) error{
		"text":   func(w *failWriter) error { return WriteText(w, renderDiags(), renderSources(), false) },
		"json":   func(w *failWriter) error { return WriteJSON(w, renderDiags()) },
		"sarif":  func(w *failWriter) error { return WriteSARIF(w, renderDiags(), "") },
		"github": func(w *failWriter) error { return WriteGitHub(w, renderDiags()) },
	} {
		if err := write(&failWriter{}); err == nil {
			t.Errorf("%s: no error from a failing writer", name)
		}
	}
}

type failWriter struct{}

func (*failWriter) Write([]byte) (int, error) { return 0, fmt.Errorf("disk full") }

func ExampleWriteText() {
	src := []byte("arazzo: 1.0.1\nworkflows:\n- workflowId: pets\n  steps:\n  - stepId: get\n    operationId: getPetByID\n")
	ds := Diagnostics{{
		Severity: SeverityError, Rule: "operation-not-found",
		Msg:  `operationId "getPetByID" not found in source "petstore"`,
		Fix:  `did you mean "getPetById"?`,
		File: "pets.arazzo.yaml", Pos: Pos{6, 18}, End: Pos{6, 28},
	}}
	WriteText(os.Stdout, ds, Sources{"pets.arazzo.yaml": src}, false)
	// Output:
	// pets.arazzo.yaml:6:18: error: operationId "getPetByID" not found in source "petstore" [operation-not-found]
	//     6 |     operationId: getPetByID
	//       |                  ^^^^^^^^^^
	//       = fix: did you mean "getPetById"?
	// 1 error, 0 warnings
}

// BenchmarkWriteText renders 200 diagnostics over a 2,000-line file (the
// text cap applies after 50). Target: under 1 ms idle (1.9 ms measured
// with the 2-core machine at load 20).
func BenchmarkWriteText(b *testing.B) {
	var src strings.Builder
	for i := range 2000 {
		fmt.Fprintf(&src, "    key%d: $inputs.value%d\n", i, i)
	}
	var ds Diagnostics
	for i := range 200 {
		ds = append(ds, &Diagnostic{Rule: "unknown-input", Msg: "input not declared", File: "f.yaml",
			Pos: Pos{i*10 + 1, 13}, End: Pos{i*10 + 1, 20}})
	}
	sources := Sources{"f.yaml": []byte(src.String())}
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteText(io.Discard, ds, sources, false); err != nil {
			b.Fatal(err)
		}
	}
}

func TestWriteTextNeutralisesControlCharacters(t *testing.T) {
	d := &Diagnostic{Rule: "r\x1b[2J", Msg: "value \x1b[31mred\x1b[0m\nsecond line\ttab", File: "f\x07.yaml", Pos: Pos{1, 1}}
	var buf bytes.Buffer
	if err := WriteText(&buf, Diagnostics{d}, nil, false); err != nil {
		t.Fatal(err)
	}
	want := "f\uFFFD.yaml:1:1: error: value \uFFFD[31mred\uFFFD[0m second line tab [r\uFFFD[2J]\n1 error, 0 warnings\n"
	if buf.String() != want {
		t.Errorf("WriteText = %q, want %q", buf.String(), want)
	}
}

func TestSnippetWindow(t *testing.T) {
	long := strings.Repeat("a", 200) + "X" + strings.Repeat("b", 200)
	tests := []struct {
		name             string
		text             string
		col, end         int
		wantText         string
		wantCol, wantEnd int
	}{
		{"short line unchanged", "abc", 2, 3, "abc", 2, 3},
		{"caret near the start keeps the start", long, 3, 4, long[:120] + "…", 3, 4},
		{"caret in the middle", long, 201, 202, "…" + long[170:290] + "…", 32, 33},
		{"underline cut at the window end", long, 201, 400, "…" + long[170:290] + "…", 32, 122},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, col, end := snippetWindow(tt.text, tt.col, tt.end)
			if text != tt.wantText || col != tt.wantCol || end != tt.wantEnd {
				t.Errorf("snippetWindow = %q, %d, %d; want %q, %d, %d", text, col, end, tt.wantText, tt.wantCol, tt.wantEnd)
			}
			if r := []rune(text); tt.wantCol <= len(r) && r[col-1] != []rune(tt.text)[tt.col-1] {
				t.Errorf("column %d shows %q, want %q", col, r[col-1], []rune(tt.text)[tt.col-1])
			}
		})
	}
}
