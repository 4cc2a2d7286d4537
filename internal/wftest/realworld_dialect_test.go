package wftest

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/arazzo-go/arazzo/internal/testutil"
)

// TestRealworldDialectAndMedia runs the `arazzo test` cases of the
// dialect and media fixtures (issue 11 §5, §6). They live under testdata/,
// which the directory walk of `arazzo test workflows/` skips, so they are
// named here; each folder must keep its cases.
func TestRealworldDialectAndMedia(t *testing.T) {
	requireRuntime(t)
	root := testutil.RepoRoot(t)
	for dir, atLeast := range map[string]int{"dialect": 8, "media": 9, "scoped": 4, "tolerant": 3, "querypaths": 3, "optional-inputs": 5} {
		results, err := (&Runner{}).RunPaths(context.Background(), []string{filepath.Join(root, "workflows", "testdata", "realworld", dir)})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, f := range results {
			if f.Err != nil {
				t.Errorf("invalid test file: %v", f.Err)
				continue
			}
			for _, c := range f.Cases {
				n++
				if !c.Pass {
					var buf bytes.Buffer
					_ = WriteText(&buf, []*FileResult{{File: f.File, Cases: []*CaseResult{c}}}, true)
					t.Errorf("%s: case failed:\n%s", dir, buf.String())
				}
			}
		}
		if n < atLeast {
			t.Errorf("%s: %d cases ran, want at least %d", dir, n, atLeast)
		}
	}
}
