package arazzo

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arazzo-go/arazzo/internal/testutil"
)

// TestValidateGolden loads every testdata/validate/*.arazzo.yaml and
// compares its diagnostics (one Diagnostic.String() per line, then the fix
// when there is one) with the .golden file beside it.
func TestValidateGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/validate/*.arazzo.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	abs, _ := filepath.Abs("testdata/validate")
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".arazzo.yaml")
		t.Run(name, func(t *testing.T) {
			_, ds, err := Load(context.Background(), f, LoadOptions{})
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			var b strings.Builder
			for _, d := range ds {
				line := strings.ReplaceAll(d.String(), abs+string(filepath.Separator), "testdata/validate/")
				b.WriteString(line + "\n")
				if d.Fix != "" {
					b.WriteString("\tfix: " + d.Fix + "\n")
				}
			}
			testutil.Golden(t, strings.TrimSuffix(f, ".arazzo.yaml")+".golden", []byte(b.String()), *update)
		})
	}
}
