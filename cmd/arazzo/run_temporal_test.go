package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunTemporalExecsThePlugin(t *testing.T) {
	dir := t.TempDir()
	// A stand-in for arazzo-temporal: it prints its arguments and exits 3.
	script := "#!/bin/sh\necho \"args: $*\"\nexit 3\n"
	if err := os.WriteFile(filepath.Join(dir, "arazzo-temporal"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	var out, errb strings.Builder
	code := run([]string{"run", "--temporal", "h:7233", "--task-queue", "q", "doc.yaml", "--input", "a=b"}, strings.NewReader(""), &out, &errb)
	if code != 3 {
		t.Errorf("exit %d, want the plugin's 3 (stderr %q)", code, errb.String())
	}
	if got := strings.TrimSpace(out.String()); got != "args: run --temporal h:7233 --task-queue q doc.yaml --input a=b" {
		t.Errorf("the plugin got %q", got)
	}
}

func TestRunTemporalWithoutThePlugin(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	var out, errb strings.Builder
	code := run([]string{"run", "--temporal=h:7233", "doc.yaml"}, strings.NewReader(""), &out, &errb)
	if code != exitUsage || !strings.Contains(errb.String(), "needs the arazzo-temporal command on PATH") {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
}
