//go:build linux

package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
)

// runOnTerminal runs arazzo in a child process whose stderr is a
// pseudo-terminal, and returns what the terminal received.
func runOnTerminal(t *testing.T, env []string, args ...string) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, args...)
	cmd.Env = append(append(os.Environ(), "ARAZZO_TEST_AS_CLI=1", "TERM=xterm"), env...)
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal on this system: %v", err)
	}
	defer ptmx.Close()
	pty.Setsize(ptmx, &pty.Winsize{Rows: 24, Cols: 100})
	cmd.Stderr = tty
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var seen bytes.Buffer
	copied := make(chan struct{})
	go func() { io.Copy(&seen, ptmx); close(copied) }()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		tty.Close()
		<-copied
		if err != nil {
			t.Fatalf("run: %v; terminal %q", err, seen.String())
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("run did not finish; terminal %q", seen.String())
	}
	return seen.String()
}

// TestRunLiveStatusLine drives a poll loop (getImage answers PROVISIONING
// twice, then AVAILABLE) with stderr on a pseudo-terminal: the first
// attempt and the last are lines, the attempts between are one status line
// redrawn in place (carriage return, erase line; no newline until the loop
// ends), with no "waiting" lines. NO_COLOR drops the faint style; with
// --no-progress every attempt and wait is a line again.
func TestRunLiveStatusLine(t *testing.T) {
	requireRunDeps(t)
	mock, _ := filepath.Abs("../../workflows/oracle/mocks/stopped-instance.yaml")
	args := []string{"run", seedDoc, "--mock", mock, "--loop-delay", "300ms",
		"--input", "compartmentId=c", "--input", "instanceId=i", "--input", "displayName=d", "--input", "authToken=t"}

	out := runOnTerminal(t, nil, args...)
	first := strings.Index(out, "\r\x1b[2K")
	last := strings.Index(out, "pollImage (attempt 3)")
	if first < 0 || last < 0 || first > last {
		t.Fatalf("no status line before the last attempt's line:\n%q", out)
	}
	live := out[first:last]
	if strings.Contains(live, "\n") {
		t.Errorf("the status line scrolled (a newline between redraws):\n%q", live)
	}
	if n := strings.Count(live, "\r\x1b[2K"); n < 3 {
		t.Errorf("status line drawn %d times, want a redraw per attempt and wait:\n%q", n, live)
	}
	for _, want := range []string{"\x1b[2mpollImage  attempt 1  last 200  elapsed ", "  next poll in 1s", "pollImage  attempt 2  last 200"} {
		if !strings.Contains(live, want) {
			t.Errorf("status line lacks %q:\n%q", want, live)
		}
	}
	if strings.Contains(out, "pollImage (attempt 2)") || strings.Contains(out, "waiting ") {
		t.Errorf("loop attempts or waits printed as lines on a terminal:\n%q", out)
	}
	if !strings.Contains(out, "workflow create-custom-image-from-instance succeeded") {
		t.Errorf("no summary:\n%q", out)
	}

	out = runOnTerminal(t, []string{"NO_COLOR=1"}, args...)
	if strings.Contains(out, "\x1b[2m") || !strings.Contains(out, "\r\x1b[2KpollImage  attempt 2") {
		t.Errorf("NO_COLOR: want the status line without the faint style:\n%q", out)
	}

	out = runOnTerminal(t, nil, append(args, "--no-progress")...)
	if strings.Contains(out, "\x1b[") || !strings.Contains(out, "pollImage (attempt 2)") || !strings.Contains(out, "waiting ") {
		t.Errorf("--no-progress: want a line per attempt and wait, no escapes:\n%q", out)
	}
}
