// Package testutil holds what the project's tests need in several packages:
// finding the repository root and the shared material CI puts beside it,
// and comparing output with golden files.
//
// It imports nothing of ours, so any package's tests may use it; expr and
// openapi still keep their own small finders because they import nothing
// of ours, tests included.
package testutil

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// RepoRoot returns the repository root (see FindRepoRoot) for the test's
// working directory, which is its package directory, and fails the test
// when there is none.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err == nil {
		dir, err = FindRepoRoot(dir)
	}
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// FindRepoRoot returns the nearest directory at or above dir that holds
// go.mod.
func FindRepoRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for start := dir; ; {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("go.mod not found at or above %s", start)
		}
		dir = parent
	}
}

// SharedDir returns <repo root>/../shared joined with elem, the reference
// material CI clones beside the repository. When that path is absent the
// test is skipped with a message saying so: the material is not ours to
// ship, and the project's own tests stand on testdata/ without it.
func SharedDir(t testing.TB, elem ...string) string {
	t.Helper()
	dir := filepath.Join(append([]string{RepoRoot(t), "..", "shared"}, elem...)...)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("shared material not found at %s (CI puts shared/ beside the repository): %v", dir, err)
	}
	return dir
}
