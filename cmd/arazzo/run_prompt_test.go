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
	"golang.org/x/sys/unix"
)

// TestRunPromptsForSecretWithoutEcho drives arazzo run through a
// pseudo-terminal: a required secret input nobody gave is asked for, the
// typed value is not echoed and the run uses it.
func TestRunPromptsForSecretWithoutEcho(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"oracle", "openapi"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	src, err := os.ReadFile(seedDoc)
	if err != nil {
		t.Fatal(err)
	}
	doc := strings.Replace(string(src), "    - displayName\n", "    - displayName\n    - authToken\n", 1)
	if doc == string(src) {
		t.Fatal("seed's required list changed; update the test")
	}
	docPath := filepath.Join(dir, "oracle", "wf.yml")
	if err := os.WriteFile(docPath, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	oas, err := os.ReadFile("../../workflows/openapi/oci-compute-api-openapi.yml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "openapi", "oci-compute-api-openapi.yml"), oas, 0o600); err != nil {
		t.Fatal(err)
	}
	mock, _ := filepath.Abs("../../workflows/oracle/mocks/stopped-instance.yaml")

	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, "run", docPath, "--mock", mock, "--loop-delay", "0", "--json",
		"--input", "compartmentId=c", "--input", "instanceId=i", "--input", "displayName=d")
	cmd.Env = append(os.Environ(), "ARAZZO_TEST_AS_CLI=1")
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal on this system: %v", err)
	}
	defer ptmx.Close()
	cmd.Stdin, cmd.Stderr = tty, tty
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer tty.Close() // kept open to watch the terminal's echo flag

	var seen bytes.Buffer
	buf := make([]byte, 4096)
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(seen.String(), "authToken (secret, not echoed): ") {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("no prompt; terminal shows %q", seen.String())
		}
		ptmx.SetReadDeadline(time.Now().Add(time.Second))
		n, _ := ptmx.Read(buf)
		seen.Write(buf[:n])
	}
	// The prompt is written just before echo is turned off: typing before
	// that would be echoed by the terminal, not by arazzo, so wait for it
	// as a person's typing naturally does.
	for {
		tio, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
		if err != nil {
			t.Fatal(err)
		}
		if tio.Lflag&unix.ECHO == 0 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("echo never turned off")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := ptmx.Write([]byte("tok-typed-secret\r")); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	copied := make(chan struct{})
	go func() { io.Copy(&seen, ptmx); close(copied) }() // the rest of stderr
	select {
	case err := <-done:
		tty.Close() // the last holder of the terminal: ptmx reads EOF/EIO now
		<-copied
		if err != nil {
			t.Fatalf("run: %v; terminal %q", err, seen.String())
		}
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("run did not finish; terminal %q", seen.String())
	}
	if strings.Contains(seen.String(), "tok-typed-secret") {
		t.Errorf("the secret was echoed: %q", seen.String())
	}
	// authToken is required: the run starting and succeeding means the
	// typed value was bound; the result redacts it.
	if !strings.Contains(stdout.String(), `"status": "succeeded"`) || strings.Contains(stdout.String(), "tok-typed-secret") {
		t.Errorf("run result: %s", stdout.String())
	}
}
