package testutil

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Golden compares got with the golden file at path and reports a
// difference as a test error. With update it rewrites the file instead
// (creating its directory), so that the change shows in review as a diff
// of the golden file. Each package declares its own -update flag and
// passes its value.
func Golden(t testing.TB, path string, got []byte, update bool) {
	t.Helper()
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if err := CompareGolden(path, got); err != nil {
		t.Error(err)
	}
}

// CompareGolden returns an error naming the golden file and the first line
// where got differs from it, followed by both contents in full.
func CompareGolden(path string, got []byte) error {
	want, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("reading golden file (run go test -update to create it): %w", err)
	}
	if bytes.Equal(got, want) {
		return nil
	}
	return fmt.Errorf("output differs from golden file %s at line %d (run go test -update and review the diff)\n--- got\n%s\n--- want\n%s",
		path, firstDifferentLine(got, want), got, want)
}

func firstDifferentLine(a, b []byte) int {
	al, bl := bytes.Split(a, []byte("\n")), bytes.Split(b, []byte("\n"))
	for i := range min(len(al), len(bl)) {
		if !bytes.Equal(al[i], bl[i]) {
			return i + 1
		}
	}
	return min(len(al), len(bl)) + 1
}
