package main

import (
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/arazzo-go/arazzo/runtime"
)

// runProgress prints one line per step attempt on stderr, a line while a
// poll or retry waits, criteria explanations with -v and a final summary.
type runProgress struct {
	w       io.Writer
	verbose bool
	// depth counts the workflows running: steps of nested workflows
	// (workflow steps, goto/retry targets, dependencies) are indented and
	// named workflowId/stepId, so the parent step's line reads as their sum.
	depth int
	// mock is set for --mock runs: no request leaves the process, so the
	// lines show "mock" where the production host would be, lest a reader
	// believe the real API was called.
	mock bool
	// contract counts the contract warnings (--check) for the summary.
	contract int
}

// indent is the prefix of a line at the current depth.
func (p *runProgress) indent() string { return strings.Repeat("  ", max(p.depth-1, 0)) }

func (p *runProgress) Observe(ev runtime.Event) {
	switch ev.Kind {
	case runtime.EventWorkflowStarted:
		p.depth++
	case runtime.EventWaiting:
		if ev.Replayed {
			// A resumed run: a wait already spent is skipped, the one the
			// process died in goes on for the time left.
			fmt.Fprintf(p.w, "%s  (recorded) waited %s before %s (%s)\n", p.indent(), runRoundDuration(ev.Wait), ev.StepID, ev.Reason)
			return
		}
		fmt.Fprintf(p.w, "%s  waiting %s before %s (%s)\n", p.indent(), runRoundDuration(ev.Wait), ev.StepID, ev.Reason)
	case runtime.EventStepFinished:
		if ev.Replayed {
			fmt.Fprintf(p.w, "%s(recorded) ", p.indent())
		}
		p.step(ev.Attempt)
	case runtime.EventWorkflowFinished:
		p.depth--
		if ev.Result == nil {
			return
		}
		r := ev.Result
		switch r.Status {
		case runtime.Succeeded:
			fmt.Fprintf(p.w, "workflow %s succeeded: %s in %s%s\n", r.WorkflowID, plural(len(r.Steps), "step attempt"), runRoundDuration(r.Duration), p.contractNote())
		default:
			fmt.Fprintf(p.w, "workflow %s %s: %s%s\n", r.WorkflowID, r.Status, r.Error, p.contractNote())
		}
	}
}

func (p *runProgress) step(a *runtime.StepAttempt) {
	if a == nil {
		return
	}
	var b strings.Builder
	in := p.indent()
	b.WriteString(in)
	if p.depth > 1 {
		b.WriteString(a.WorkflowID + "/")
	}
	b.WriteString(a.StepID)
	if a.Attempt > 1 {
		fmt.Fprintf(&b, " (attempt %d)", a.Attempt)
	}
	switch m := a.Message; {
	case a.Request != nil:
		fmt.Fprintf(&b, "  %s %s", a.Request.Method, p.shownURL(a.Request.URL))
	case m != nil && m.CorrelationID != "":
		fmt.Fprintf(&b, "  %s %s (correlation id %s)", m.Action, m.Address, m.CorrelationID)
	case m != nil:
		fmt.Fprintf(&b, "  %s %s", m.Action, m.Address)
	case a.Operation != "":
		fmt.Fprintf(&b, "  %s", a.Operation)
	}
	if a.Response != nil {
		fmt.Fprintf(&b, "  %d", a.Response.Status)
	}
	fmt.Fprintf(&b, "  %s", runRoundDuration(a.Duration))
	action := a.Action
	if a.ActionName != "" {
		action += " (" + a.ActionName + ")"
	}
	fmt.Fprintf(&b, "  -> %s", action)
	if !a.Success && a.Error != "" {
		fmt.Fprintf(&b, "\n%s    error: %s", in, a.Error)
	}
	for _, v := range a.Contract {
		fmt.Fprintf(&b, "\n%s    contract warning: %s", in, v)
	}
	p.contract += len(a.Contract)
	fmt.Fprintln(p.w, b.String())
	if p.verbose {
		for _, c := range a.Criteria {
			mark := "pass"
			if !c.Pass {
				mark = "FAIL"
			}
			line := fmt.Sprintf("%s    %s  %s", in, mark, c.Condition)
			if c.Action != "" {
				line = fmt.Sprintf("%s    %s  action %s: %s", in, mark, c.Action, c.Condition)
			}
			if c.Type != "" && c.Type != "simple" {
				line += " [" + c.Type + "]"
			}
			if e := c.Explanation(); e != "" {
				line += ": " + e
			}
			if c.Error != "" {
				line += " (error: " + c.Error + ")"
			}
			fmt.Fprintln(p.w, line)
		}
	}
}

// runRoundDuration prints durations at a readable precision.
func runRoundDuration(d time.Duration) string {
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(100 * time.Microsecond).String()
	}
	return d.Round(time.Microsecond).String()
}

// plural returns "1 step attempt" or "2 step attempts".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// shownURL is the request URL of a progress line: for a mocked run the
// scheme and host become "mock", the path and query stay.
func (p *runProgress) shownURL(raw string) string {
	if !p.mock {
		return raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "mock " + raw
	}
	u.Scheme, u.Host, u.User = "", "", nil
	return "mock " + u.String()
}

// contractNote ends the summary line of a run checked with --check.
func (p *runProgress) contractNote() string {
	if p.contract == 0 {
		return ""
	}
	return fmt.Sprintf(" (%s, see above)", plural(p.contract, "contract warning"))
}
