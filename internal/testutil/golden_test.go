package testutil_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arazzo-go/arazzo/internal/testutil"
)

func TestCompareGolden(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.golden")
	if err := os.WriteFile(path, []byte("one\ntwo\nthree\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, got string
		errHas          []string // empty: no error
	}{
		{"equal", path, "one\ntwo\nthree\n", nil},
		{"a line differs", path, "one\nTWO\nthree\n", []string{"golden file " + path + " at line 2", "--- got\none\nTWO", "--- want\none\ntwo"}},
		{"got is shorter", path, "one\ntwo\n", []string{"at line 3", "-update"}},
		{"no final newline", path, "one\ntwo\nthree", []string{"at line 4"}},
		{"missing file", filepath.Join(dir, "absent.golden"), "x", []string{"reading golden file", "absent.golden", "go test -update"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := testutil.CompareGolden(tc.path, []byte(tc.got))
			if len(tc.errHas) == 0 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, s := range tc.errHas {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
		})
	}
}

func TestGoldenUpdateWritesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new", "dir", "out.golden")
	testutil.Golden(t, path, []byte("fresh\n"), true)
	b, err := os.ReadFile(path)
	if err != nil || string(b) != "fresh\n" {
		t.Fatalf("after update the file holds %q (%v)", b, err)
	}
	testutil.Golden(t, path, []byte("fresh\n"), false)
}
