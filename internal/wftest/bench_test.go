package wftest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/arazzo-go/arazzo/internal/testutil"
)

// BenchmarkSeedCases runs the seed's test file (7 cases, ~25 mocked calls)
// with the real engine. Target: well under 10ms per file, so that a
// repository with hundreds of workflow tests runs in seconds.
func BenchmarkSeedCases(b *testing.B) {
	root := testutil.RepoRoot(b)
	f, err := LoadFile(filepath.Join(root, "workflows", "oracle", "tests", "seed.arazzo-test.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	r := &Runner{Exec: NewExecutor()} // one executor: the document loads once
	b.ReportAllocs()
	for b.Loop() {
		res := r.Run(context.Background(), f)
		if res.Failed() {
			b.Fatal("a seed case failed")
		}
	}
}
