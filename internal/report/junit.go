package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/arazzo-go/arazzo/runtime"
)

// JUnitSuites is the root of a JUnit XML report, in the dialect Jenkins,
// GitLab and GitHub test reporters read.
type JUnitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []JUnitSuite `xml:"testsuite"`
}

// JUnitSuite is one test suite.
type JUnitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	Properties []JUnitProperty `xml:"properties>property,omitempty"`
	Cases      []JUnitCase     `xml:"testcase"`
	SystemOut  string          `xml:"system-out,omitempty"`
	SystemErr  string          `xml:"system-err,omitempty"`
}

// JUnitProperty is a name/value pair of a suite.
type JUnitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

// JUnitCase is one test case. At most one of Failure and Error is set.
type JUnitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *JUnitProblem `xml:"failure,omitempty"`
	Error     *JUnitProblem `xml:"error,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

// JUnitProblem is a failure (an assertion did not hold) or an error (the
// case could not run).
type JUnitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// Seconds formats a duration the way JUnit's time attribute expects.
func Seconds(d time.Duration) string {
	return fmt.Sprintf("%.3f", d.Seconds())
}

// Total recomputes the root counters from the suites.
func (s *JUnitSuites) Total() {
	s.Tests, s.Failures, s.Errors = 0, 0, 0
	var sum float64
	for i := range s.Suites {
		su := &s.Suites[i]
		su.Tests, su.Failures, su.Errors = len(su.Cases), 0, 0
		for _, c := range su.Cases {
			if c.Failure != nil {
				su.Failures++
			}
			if c.Error != nil {
				su.Errors++
			}
		}
		s.Tests += su.Tests
		s.Failures += su.Failures
		s.Errors += su.Errors
		var t float64
		fmt.Sscanf(su.Time, "%g", &t)
		sum += t
	}
	s.Time = fmt.Sprintf("%.3f", sum)
}

// Write encodes the report with an XML header.
func (s *JUnitSuites) Write(w io.Writer) error {
	s.Total()
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(s); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// NewJUnit builds one suite per run and one case per step attempt. A run
// that failed or aborted without a failing attempt to show for it (the step
// guard, an output that could not be computed) gets one more case, named
// after the workflow, so that CI shows it red.
func NewJUnit(results ...*runtime.Result) *JUnitSuites {
	s := &JUnitSuites{Name: "arazzo"}
	for _, r := range results {
		if r == nil {
			continue
		}
		s.Suites = append(s.Suites, junitSuite(r))
	}
	s.Total()
	return s
}

func junitSuite(r *runtime.Result) JUnitSuite {
	su := JUnitSuite{
		Name: r.WorkflowID,
		Time: Seconds(r.Duration),
		Properties: []JUnitProperty{
			{Name: "status", Value: string(r.Status)},
		},
		Cases: []JUnitCase{},
	}
	if !r.Started.IsZero() {
		su.Timestamp = r.Started.UTC().Format("2006-01-02T15:04:05")
	}
	if r.FailedAt != "" {
		su.Properties = append(su.Properties, JUnitProperty{Name: "failedAt", Value: r.FailedAt})
	}
	anyFailed := false
	for _, a := range r.Steps {
		if a == nil {
			continue
		}
		c := JUnitCase{
			Name:      fmt.Sprintf("%s attempt %d", a.StepID, a.Attempt),
			Classname: a.WorkflowID,
			Time:      Seconds(a.Duration),
			SystemOut: attemptSummary(a),
		}
		switch {
		case a.Response == nil && a.Error != "":
			c.Error = &JUnitProblem{Message: a.Error, Type: "error", Text: criteriaText(a)}
			anyFailed = true
		case !a.Success:
			msg := a.Error
			if msg == "" {
				msg = "success criteria not met"
			}
			c.Failure = &JUnitProblem{Message: msg, Type: "criteria", Text: criteriaText(a)}
			anyFailed = true
		}
		su.Cases = append(su.Cases, c)
	}
	if r.Status != runtime.Succeeded {
		su.SystemErr = r.Error
		if !anyFailed {
			su.Cases = append(su.Cases, JUnitCase{
				Name:      "workflow " + r.WorkflowID,
				Classname: r.WorkflowID,
				Time:      Seconds(r.Duration),
				Failure:   &JUnitProblem{Message: nonEmpty(r.Error, "workflow "+string(r.Status)), Type: string(r.Status)},
			})
		}
	}
	return su
}

func attemptSummary(a *runtime.StepAttempt) string {
	var b strings.Builder
	if q := a.Request; q != nil {
		fmt.Fprintf(&b, "%s %s\n", q.Method, q.URL)
	}
	if p := a.Response; p != nil {
		fmt.Fprintf(&b, "-> %d\n", p.Status)
	}
	if m := a.Message; m != nil {
		// An AsyncAPI step: what was sent or received, where.
		fmt.Fprintf(&b, "%s %s", m.Action, m.Address)
		if m.CorrelationID != "" {
			fmt.Fprintf(&b, " (correlation id %s)", m.CorrelationID)
		}
		b.WriteByte('\n')
		if m.PayloadPreview != "" {
			fmt.Fprintf(&b, "payload: %s\n", m.PayloadPreview)
		}
	}
	if a.Action != "" {
		fmt.Fprintf(&b, "action: %s", a.Action)
		if a.ActionName != "" {
			fmt.Fprintf(&b, " (%s)", a.ActionName)
		}
		b.WriteByte('\n')
	}
	for _, v := range a.Contract {
		fmt.Fprintf(&b, "contract warning: %s\n", v)
	}
	return b.String()
}

func criteriaText(a *runtime.StepAttempt) string {
	var b strings.Builder
	for _, c := range a.Criteria {
		mark := "pass"
		if !c.Pass {
			mark = "FAIL"
		}
		fmt.Fprintf(&b, "%s %s", mark, c.Condition)
		if c.Explanation != "" {
			fmt.Fprintf(&b, ": %s", c.Explanation)
		}
		if c.Error != "" {
			fmt.Fprintf(&b, " (error: %s)", c.Error)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func nonEmpty(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

// WriteJUnit writes one test suite per run and one test case per step attempt.
func WriteJUnit(w io.Writer, results ...*runtime.Result) error {
	return NewJUnit(results...).Write(w)
}
