package wftest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/arazzo-go/arazzo/internal/jsonlimit"
	"github.com/arazzo-go/arazzo/internal/report"
	"github.com/arazzo-go/arazzo/runtime"
)

// Summary counts outcomes over many files.
type Summary struct {
	Passed, Failed, InvalidFiles int
}

// Summarize counts the outcomes.
func Summarize(results []*FileResult) Summary {
	var s Summary
	for _, f := range results {
		if f.Err != nil {
			s.InvalidFiles++
		}
		for _, c := range f.Cases {
			if c.Pass {
				s.Passed++
			} else {
				s.Failed++
			}
		}
	}
	return s
}

// ExitCode is the `arazzo test` exit status: 2 when a file is invalid,
// 1 when a case failed, else 0.
func (s Summary) ExitCode() int {
	switch {
	case s.InvalidFiles > 0:
		return 2
	case s.Failed > 0:
		return 1
	}
	return 0
}

// maxTraceAttempts bounds the step trace of a failure; a guard-stopped
// poll loop has a thousand attempts and only its ends are informative.
const maxTraceAttempts = 12

// WriteText prints one line per case, and for a failed case the
// differences and the step attempts that led there (verbose: for every
// case), then a summary line.
func WriteText(w io.Writer, results []*FileResult, verbose bool) error {
	var b strings.Builder
	for _, f := range results {
		if f.Err != nil {
			fmt.Fprintf(&b, "INVALID %s\n", f.Err)
			continue
		}
		for _, c := range f.Cases {
			mark := "PASS"
			if !c.Pass {
				mark = "FAIL"
			}
			fmt.Fprintf(&b, "%s  %s: %s\n", mark, f.File, c.Case.Name)
			for _, m := range c.Mismatches {
				writeIndented(&b, "    ", m.Message)
			}
			if !c.Pass || verbose {
				writeTrace(&b, c)
			}
		}
	}
	s := Summarize(results)
	switch {
	case s.Failed == 0 && s.InvalidFiles == 0:
		fmt.Fprintf(&b, "ok: %d passed\n", s.Passed)
	default:
		fmt.Fprintf(&b, "FAILED: %d passed, %d failed", s.Passed, s.Failed)
		if s.InvalidFiles > 0 {
			fmt.Fprintf(&b, ", %d invalid file(s)", s.InvalidFiles)
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeIndented(b *strings.Builder, indent, text string) {
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		b.WriteString(indent)
		b.WriteString(line)
		b.WriteByte('\n')
	}
}

// writeTrace shows how the run got where it did: its outcome, then every
// step attempt with its request, response, criteria and action.
func writeTrace(b *strings.Builder, c *CaseResult) {
	x, s := c.Exec, c.secrets
	if x == nil || x.Result == nil {
		return
	}
	r := x.Result
	var t strings.Builder
	fmt.Fprintf(&t, "run: %s", r.Status)
	if r.FailedAt != "" {
		fmt.Fprintf(&t, " at %s", r.FailedAt)
	}
	if r.Error != "" {
		fmt.Fprintf(&t, ": %s", r.Error)
	}
	t.WriteString("\n")
	if len(r.Outputs) > 0 {
		out, _ := marshalCompact(s.value("", toJSONish(r.Outputs)))
		fmt.Fprintf(&t, "outputs: %s\n", out)
	}
	steps := r.Steps
	if len(steps) > 0 {
		t.WriteString("steps:\n")
	}
	for i, a := range steps {
		if len(steps) > maxTraceAttempts && i == maxTraceAttempts/2 {
			fmt.Fprintf(&t, "  ... %d more attempts ...\n", len(steps)-maxTraceAttempts)
		}
		if len(steps) > maxTraceAttempts && i >= maxTraceAttempts/2 && i < len(steps)-maxTraceAttempts/2 {
			continue
		}
		writeAttempt(&t, i+1, a)
	}
	writeIndented(b, "    ", s.scrub(t.String()))
}

func writeAttempt(t *strings.Builder, n int, a *runtime.StepAttempt) {
	if a == nil {
		return
	}
	fmt.Fprintf(t, "  %d. %s", n, a.StepID)
	if a.Attempt > 1 {
		fmt.Fprintf(t, " (attempt %d)", a.Attempt)
	}
	if a.Request != nil {
		fmt.Fprintf(t, ": %s %s", a.Request.Method, mockURL(a.Request.URL))
	} else if a.Operation != "" {
		fmt.Fprintf(t, ": %s", a.Operation)
	}
	if a.Response != nil {
		fmt.Fprintf(t, " -> %d", a.Response.Status)
	}
	if a.Action != "" {
		fmt.Fprintf(t, "; %s", a.Action)
		if a.ActionName != "" {
			fmt.Fprintf(t, " (%s)", a.ActionName)
		}
	}
	t.WriteString("\n")
	for _, c := range a.Criteria {
		mark := "pass"
		if !c.Pass {
			mark = "FAIL"
		}
		fmt.Fprintf(t, "       %s %s", mark, c.Condition)
		if e := c.Explanation(); e != "" {
			fmt.Fprintf(t, ": %s", e)
		}
		if c.Error != "" {
			fmt.Fprintf(t, " (error: %s)", c.Error)
		}
		t.WriteString("\n")
	}
	if a.Error != "" {
		fmt.Fprintf(t, "       error: %s\n", a.Error)
	}
	for _, v := range a.Contract {
		fmt.Fprintf(t, "       contract warning: %s\n", v)
	}
}

func toJSONish(m map[string]any) any {
	v, err := jsonShape(m)
	if err != nil {
		return fmt.Sprint(m)
	}
	return v
}

// JSONFormatVersion is the "formatVersion" of `arazzo test --json`
// (docs/schemas/test-report.schema.json): an integer, as in the run report
// and `validate --format json`, changed only when a field is removed or
// changes meaning.
const JSONFormatVersion = 1

// JSON output of `arazzo test --json`.
type jsonOutput struct {
	FormatVersion int        `json:"formatVersion"`
	Passed        int        `json:"passed"`
	Failed        int        `json:"failed"`
	InvalidFiles  int        `json:"invalidFiles"`
	Files         []jsonFile `json:"files"`
}

type jsonFile struct {
	File  string            `json:"file"`
	Error string            `json:"error,omitempty"`
	Cases []json.RawMessage `json:"cases"`
}

type jsonCase struct {
	Name       string          `json:"name"`
	Line       int             `json:"line"`
	Pass       bool            `json:"pass"`
	DurationMs float64         `json:"durationMs"`
	Mismatches []Mismatch      `json:"mismatches"`
	Calls      []string        `json:"calls"`
	Rejected   string          `json:"rejected,omitempty"`
	Run        *runtime.Result `json:"run,omitempty"` // the run report shape
}

// WriteJSON prints machine-readable results; see docs/testing.md.
func WriteJSON(w io.Writer, results []*FileResult) error {
	s := Summarize(results)
	out := jsonOutput{FormatVersion: JSONFormatVersion, Passed: s.Passed, Failed: s.Failed, InvalidFiles: s.InvalidFiles, Files: []jsonFile{}}
	for _, f := range results {
		jf := jsonFile{File: f.File, Cases: []json.RawMessage{}}
		if f.Err != nil {
			jf.Error = f.Err.Error()
		}
		for _, c := range f.Cases {
			jc := jsonCase{Name: c.Case.Name, Line: c.Case.Line, Pass: c.Pass, DurationMs: float64(c.Duration.Microseconds()) / 1000,
				Mismatches: append([]Mismatch{}, c.Mismatches...), Calls: []string{}}
			if x := c.Exec; x != nil {
				for _, r := range x.Requests {
					jc.Calls = append(jc.Calls, callName(r))
				}
				if x.Err != nil {
					jc.Rejected = x.Err.Error()
				}
				jc.Run = x.Result
			}
			raw, err := marshalCompact(jc)
			if err != nil {
				return fmt.Errorf("encoding case %q: %w", c.Case.Name, err)
			}
			jf.Cases = append(jf.Cases, json.RawMessage(c.secrets.scrubJSON(raw)))
		}
		out.Files = append(out.Files, jf)
	}
	// Outputs and expectations can be nested thousands of levels deep.
	return jsonlimit.Encode(w, out)
}

// scrubJSON scrubs encoded JSON: a secret may appear escaped.
func (s *secrets) scrubJSON(raw string) string {
	if s == nil {
		return raw
	}
	for _, v := range s.values {
		if len(v) < minScrubLen {
			continue
		}
		enc, _ := marshalCompact(v)
		raw = strings.ReplaceAll(raw, strings.Trim(enc, `"`), redacted)
	}
	return raw
}

// WriteJUnit writes one suite per test file and one case per test case;
// an invalid file is a suite with one errored case.
func WriteJUnit(w io.Writer, results []*FileResult) error {
	js := &report.JUnitSuites{Name: "arazzo test"}
	for _, f := range results {
		su := report.JUnitSuite{Name: f.File, Cases: []report.JUnitCase{}}
		if f.Err != nil {
			su.Cases = append(su.Cases, report.JUnitCase{Name: "(file)", Classname: f.File, Time: "0.000",
				Error: &report.JUnitProblem{Message: "invalid test file", Type: "invalid", Text: f.Err.Error()}})
		}
		var total float64
		for _, c := range f.Cases {
			jc := report.JUnitCase{Name: c.Case.Name, Classname: f.File, Time: report.Seconds(c.Duration)}
			total += c.Duration.Seconds()
			if !c.Pass {
				var b strings.Builder
				for _, m := range c.Mismatches {
					writeIndented(&b, "", m.Message)
				}
				writeTrace(&b, c)
				msg := c.Mismatches[0].Message
				if i := strings.IndexByte(msg, '\n'); i >= 0 {
					msg = msg[:i]
				}
				jc.Failure = &report.JUnitProblem{Message: msg, Type: c.Mismatches[0].Check, Text: c.secrets.scrub(b.String())}
			}
			su.Cases = append(su.Cases, jc)
		}
		su.Time = fmt.Sprintf("%.3f", total)
		js.Suites = append(js.Suites, su)
	}
	return js.Write(w)
}

// mockURL shows a request URL of a test case, which mocks always answer:
// "mock" replaces the scheme and host, so a trace never reads as if the
// production API had been called.
func mockURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "mock " + raw
	}
	u.Scheme, u.Host, u.User = "", "", nil
	return "mock " + u.String()
}
