package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/arazzo-go/arazzo/runtime"
)

// runProgressObserver is the progress printer of arazzo run: one line per
// step attempt, and, when stderr is a terminal (and neither --no-progress
// nor TERM=dumb says otherwise), one live status line that a poll or retry
// loop redraws in place instead of scrolling a line per attempt.
func runProgressObserver(stderr io.Writer, f *runFlags) runtime.Observer {
	p := &runProgress{w: stderr, verbose: f.verbose, mock: f.mock != ""}
	file, ok := stderr.(*os.File)
	if f.noProgress || !ok || !term.IsTerminal(int(file.Fd())) || os.Getenv("TERM") == "dumb" {
		return p
	}
	return &runLive{p: p, w: stderr, fd: int(file.Fd()), dim: os.Getenv("NO_COLOR") == "", now: time.Now, tick: time.Second}
}

// runLive collapses the attempts of a step that loops on itself (goto
// itself, retry) into one status line: step, attempt n, last status,
// elapsed since the loop began, next poll in Ns, redrawn every second while
// it waits. The first attempt and the one that leaves the loop are printed
// as ordinary lines, so the scrollback keeps how the loop began and ended.
type runLive struct {
	p   *runProgress
	w   io.Writer
	fd  int
	dim bool // NO_COLOR unset: the status line is drawn faint
	now func() time.Time
	// tick is the redraw period while waiting.
	tick time.Duration

	mu        sync.Mutex
	shown     bool // the status line is on the screen
	step      string
	attempt   int
	status    int
	since     time.Time // the loop's first attempt
	waitUntil time.Time
	reason    string
	stop      chan struct{} // ends the redraw goroutine; nil when none runs
}

func (l *runLive) Observe(ev runtime.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch ev.Kind {
	case runtime.EventStepFinished:
		a := ev.Attempt
		if a != nil && runLoopsOnItself(a) && a.StepID == l.step {
			if len(a.Contract) > 0 {
				// Contract warnings (--check) are lines of their own,
				// never hidden in the redrawn status.
				l.clear()
				l.p.Observe(ev)
			}
			l.update(a)
			if len(a.Contract) == 0 {
				l.draw()
			}
			return
		}
		if a != nil && runLoopsOnItself(a) {
			// The first attempt of a loop: printed as a line; the
			// status line appears with the wait that follows.
			l.clear()
			l.p.Observe(ev)
			l.since = a.Started
			l.update(a)
			return
		}
		l.clear()
		l.step = ""
	case runtime.EventWaiting:
		if ev.StepID == l.step {
			l.waitUntil, l.reason = l.now().Add(ev.Wait), ev.Reason
			l.draw()
			l.startTicking()
			return
		}
		l.clear()
	case runtime.EventWorkflowFinished:
		l.clear()
		l.stopTicking()
		l.step = ""
	}
	l.p.Observe(ev)
}

// runLoopsOnItself reports whether an attempt's action runs the same step
// again: a poll (goto itself) or a retry.
func runLoopsOnItself(a *runtime.StepAttempt) bool {
	return a.Action == "retry" || a.Action == "goto "+a.StepID
}

// update records the latest attempt of the loop.
func (l *runLive) update(a *runtime.StepAttempt) {
	l.step, l.attempt = a.StepID, a.Attempt
	l.status = 0
	if a.Response != nil {
		l.status = a.Response.Status
	}
	l.waitUntil = time.Time{}
}

// draw redraws the status line in place: carriage return, erase the line,
// the text cut to the terminal's width so that it never wraps (a wrapped
// line could not be redrawn with a carriage return).
func (l *runLive) draw() {
	var b strings.Builder
	fmt.Fprintf(&b, "%s  attempt %d", l.step, l.attempt)
	if l.status != 0 {
		fmt.Fprintf(&b, "  last %d", l.status)
	}
	if !l.since.IsZero() {
		fmt.Fprintf(&b, "  elapsed %s", l.now().Sub(l.since).Round(time.Second))
	}
	if !l.waitUntil.IsZero() {
		left := max(l.waitUntil.Sub(l.now()), 0)
		what := "next poll"
		if l.reason == "retry" {
			what = "retry"
		}
		fmt.Fprintf(&b, "  %s in %ds", what, int((left+time.Second-1)/time.Second))
	}
	text := b.String()
	if w, _, err := term.GetSize(l.fd); err == nil && w > 1 && len(text) > w-1 {
		text = text[:w-1]
	}
	if l.dim {
		text = "\x1b[2m" + text + "\x1b[0m"
	}
	fmt.Fprint(l.w, "\r\x1b[2K"+text)
	l.shown = true
}

// clear erases the status line, leaving the cursor at the start of the
// line for the next ordinary line.
func (l *runLive) clear() {
	if l.shown {
		fmt.Fprint(l.w, "\r\x1b[2K")
		l.shown = false
	}
}

// startTicking redraws once a period while a wait counts down.
func (l *runLive) startTicking() {
	if l.stop != nil {
		return
	}
	stop := make(chan struct{})
	l.stop = stop
	go func() {
		t := time.NewTicker(l.tick)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				l.mu.Lock()
				if l.shown && !l.waitUntil.IsZero() {
					l.draw()
				}
				l.mu.Unlock()
			}
		}
	}()
}

func (l *runLive) stopTicking() {
	if l.stop != nil {
		close(l.stop)
		l.stop = nil
	}
}
