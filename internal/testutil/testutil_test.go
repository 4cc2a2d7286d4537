package testutil_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/arazzo-go/arazzo/internal/testutil"
)

func TestRepoRootHoldsOurGoMod(t *testing.T) {
	root := testutil.RepoRoot(t)
	if !filepath.IsAbs(root) {
		t.Errorf("root %q is not absolute", root)
	}
	b, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("module github.com/arazzo-go/arazzo\n")) {
		t.Errorf("go.mod at %s is not this module's", root)
	}
	if wd, _ := os.Getwd(); wd != filepath.Join(root, "internal", "testutil") {
		t.Errorf("root %s is not two levels above the package directory %s", root, wd)
	}
}

// stopRecorder stands in for a test's Skipf and Fatalf: it records the
// message and stops the calling goroutine as the real ones do.
type stopRecorder struct {
	testing.TB
	skipped, failed string
}

func (r *stopRecorder) Skipf(format string, args ...any) {
	r.skipped = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (r *stopRecorder) Fatalf(format string, args ...any) {
	r.failed = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (r *stopRecorder) Fatal(args ...any) {
	r.failed = fmt.Sprint(args...)
	runtime.Goexit()
}

// call runs f as a test body would run, in its own goroutine.
func (r *stopRecorder) call(f func()) {
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	<-done
}

func TestSharedDirSkipsWhenAbsent(t *testing.T) {
	rec := &stopRecorder{TB: t}
	var got string
	rec.call(func() { got = testutil.SharedDir(rec, "no-such-material-here") })
	if got != "" || rec.skipped == "" {
		t.Fatalf("SharedDir returned %q without skipping", got)
	}
	want := filepath.Join(testutil.RepoRoot(t), "..", "shared", "no-such-material-here")
	if !strings.Contains(rec.skipped, want) || !strings.Contains(rec.skipped, "CI puts shared/ beside the repository") {
		t.Errorf("skip message %q does not name %s and why it may be absent", rec.skipped, want)
	}
}

func TestSharedDirReturnsThePathWhenPresent(t *testing.T) {
	// The repository itself stands in for shared material that is present.
	root := testutil.RepoRoot(t)
	shared := filepath.Join(root, "..", "shared")
	if _, err := os.Stat(shared); err != nil {
		t.Skipf("no shared/ beside the repository at %s, so there is no present path to look up", shared)
	}
	rec := &stopRecorder{TB: t}
	var got string
	rec.call(func() { got = testutil.SharedDir(rec) })
	if rec.skipped != "" || got != shared {
		t.Errorf("SharedDir() = %q (skip %q), want %s", got, rec.skipped, shared)
	}
}

func TestFindRepoRootFailsWithoutGoMod(t *testing.T) {
	dir := t.TempDir()
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			t.Skipf("%s holds a go.mod above the temporary directory", d)
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	_, err := testutil.FindRepoRoot(dir)
	if err == nil || !strings.Contains(err.Error(), "go.mod not found at or above "+dir) {
		t.Errorf("FindRepoRoot(%s) error = %v", dir, err)
	}
}
