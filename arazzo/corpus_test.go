package arazzo

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arazzo-go/arazzo/internal/testutil"
)

// TestCorpusGolden validates the messy documents of testdata/corpus the way
// a CI user would see them: every diagnostic as text with its source line
// and caret. The corpus imitates what catalog documents really contain
// (dialects, CRLF, BOM, tabs, wide characters, anchors, numbers as ids,
// JSON input, missing sources), so a wrong column or a flood of repeated
// diagnostics shows up as a golden diff.
func TestCorpusGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/corpus/*.arazzo.*")
	if len(files) == 0 {
		t.Fatal("no corpus in testdata/corpus")
	}
	abs, _ := filepath.Abs("testdata/corpus")
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			absFile, _ := filepath.Abs(f)
			_, ds, err := Load(context.Background(), f, LoadOptions{})
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			var b bytes.Buffer
			if err := WriteText(&b, ds.Sort(), Sources{absFile: data, f: data}, false); err != nil {
				t.Fatal(err)
			}
			got := strings.ReplaceAll(b.String(), abs+string(filepath.Separator), "testdata/corpus/")
			testutil.Golden(t, f[:strings.Index(f, ".arazzo.")]+".golden", []byte(got), *update)
		})
	}
}
