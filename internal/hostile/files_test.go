//go:build unix

package hostile

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestNonRegularFilesRefused: a FIFO (which blocks a reader until a writer comes, forever here) or a
// directory given where a file is expected is refused at once with an error naming it, whichever way it
// reaches the CLI (issue 12, defect 7).
func TestNonRegularFilesRefused(t *testing.T) {
	dir := writeFiles(t, map[string]string{"sub/ok.arazzo.yaml": "arazzo: 1.0.1\n"})
	copyTestdata(t, dir, credsFixtures)
	fifo := filepath.Join(dir, "sub", "fifo.arazzo.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	doc := filepath.Join(dir, "creds.arazzo.yaml")
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"document/run", []string{"run", fifo}, "not a regular file"},
		{"document/validate", []string{"validate", fifo}, "not a regular file"},
		{"in directory/validate", []string{"validate", filepath.Join(dir, "sub")}, "not a regular file"},
		{"inputs", []string{"run", doc, "--workflow", "bearer", "--inputs", fifo}, "not a regular file"},
		{"inputs directory", []string{"run", doc, "--workflow", "bearer", "--inputs", dir}, "is a directory"},
		{"mock", []string{"run", doc, "--workflow", "bearer", "--mock", fifo}, "not a regular file"},
		{"mock directory", []string{"run", doc, "--workflow", "bearer", "--mock", dir}, "is a directory"},
	} {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			r := arazzo(t, invocation{args: c.args, timeout: 10 * time.Second})
			if r.code == 0 {
				t.Errorf("exit 0, want an error\nstdout: %s\nstderr: %s", clipForLog(r.stdout), clipForLog(r.stderr))
			}
			out := r.stdout + r.stderr
			if !strings.Contains(out, c.want) {
				t.Errorf("output lacks %q:\nstdout: %s\nstderr: %s", c.want, clipForLog(r.stdout), clipForLog(r.stderr))
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %s", d)
			}
		})
	}
}

// TestSignalWhileReadingStdin: SIGTERM and SIGINT end a run that waits for --inputs on a standard input
// that never ends (the run catches both signals to write partial reports, so the read must watch them).
func TestSignalWhileReadingStdin(t *testing.T) {
	dir := t.TempDir()
	copyTestdata(t, dir, credsFixtures)
	for _, sig := range []os.Signal{syscall.SIGTERM, os.Interrupt} {
		cmd := exec.Command(binary, "run", filepath.Join(dir, "creds.arazzo.yaml"), "--workflow", "bearer", "--inputs", "-")
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir}
		w, err := cmd.StdinPipe() // kept open: the read never ends by itself
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond)
		cmd.Process.Signal(sig)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
			if cmd.ProcessState.ExitCode() == 0 {
				t.Errorf("%v: exit 0 after a signal", sig)
			}
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
			t.Errorf("%v ignored while reading standard input; stderr: %s", sig, stderr.String())
		}
	}
}

// TestSIGHUPWritesPartialReport: a hang-up (the terminal closed) ends a run like Ctrl-C does, with the
// partial --report written, not killed with nothing written (issue 12, defect 10).
func TestSIGHUPWritesPartialReport(t *testing.T) {
	dir := t.TempDir()
	copyTestdata(t, dir, credsFixtures)
	release := make(chan struct{})
	arrived := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case arrived <- struct{}{}:
		default:
		}
		select { // answer only after the test is over: the run is waiting when the signal comes
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	report := filepath.Join(dir, "report.json")
	cmd := exec.Command(binary, "run", filepath.Join(dir, "creds.arazzo.yaml"), "--workflow", "bearer",
		"--server", "api="+srv.URL, "--report", report)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "HOSTILE_TOKEN=t0ken-value"}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The signal comes once the request is in flight: a fixed sleep raced
	// the process's start on a loaded machine (the default SIGHUP action
	// killed it before it installed its handler).
	select {
	case <-arrived:
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("the run never sent its request; stderr: %s", stderr.String())
	}
	cmd.Process.Signal(syscall.SIGHUP)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("SIGHUP did not end the run; stderr: %s", stderr.String())
	}
	if cmd.ProcessState.ExitCode() <= 0 {
		t.Errorf("exit %d after SIGHUP, want a failure code; stderr: %s", cmd.ProcessState.ExitCode(), stderr.String())
	}
	b, err := os.ReadFile(report)
	if err != nil || len(b) == 0 {
		t.Fatalf("no partial report after SIGHUP: %v; stderr: %s", err, stderr.String())
	}
}
