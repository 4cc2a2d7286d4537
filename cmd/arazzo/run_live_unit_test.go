package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/arazzo-go/arazzo/openapi"
	"github.com/arazzo-go/arazzo/runtime"
)

// The status line never hides a contract warning: an attempt inside a
// poll loop that has one is printed as a line, with its warning, and the
// loop's status line goes on after it.
func TestRunLiveKeepsContractWarnings(t *testing.T) {
	var out bytes.Buffer
	now := time.Date(2026, 12, 4, 6, 0, 0, 0, time.UTC)
	l := &runLive{p: &runProgress{w: &out}, w: &out, fd: -1, now: func() time.Time { return now }, tick: time.Hour}
	poll := func(n int, action string, contract ...openapi.Violation) {
		l.Observe(runtime.Event{Kind: runtime.EventStepFinished, StepID: "poll", Attempt: &runtime.StepAttempt{
			WorkflowID: "w", StepID: "poll", Attempt: n, Action: action, Success: true, Started: now,
			Response: &runtime.ResponseSummary{Status: 200}, Contract: contract}})
	}
	l.Observe(runtime.Event{Kind: runtime.EventWorkflowStarted, WorkflowID: "w"})
	poll(1, "goto poll")
	l.Observe(runtime.Event{Kind: runtime.EventWaiting, StepID: "poll", Wait: 3 * time.Second, Reason: "poll"})
	poll(2, "goto poll", openapi.Violation{Kind: "body", Pointer: "/state", Msg: "value is not one of the allowed values"})
	poll(3, "goto poll")
	poll(4, "end")
	l.Observe(runtime.Event{Kind: runtime.EventWorkflowFinished, WorkflowID: "w"})
	got := out.String()
	for _, want := range []string{
		"poll  200  0s  -> goto poll\n\r\x1b[2Kpoll  attempt 1  last 200  elapsed 0s  next poll in 3s",
		"\r\x1b[2Kpoll (attempt 2)  200  0s  -> goto poll\n    contract warning: body /state: value is not one of the allowed values\n",
		"\r\x1b[2Kpoll  attempt 3  last 200",
		"\r\x1b[2Kpoll (attempt 4)  200  0s  -> end\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%q", want, got)
		}
	}
	if l.stop != nil {
		t.Error("the redraw goroutine outlives the run")
	}
}
