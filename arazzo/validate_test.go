package arazzo

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/validate")

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
			got := b.String()
			golden := strings.TrimSuffix(f, ".arazzo.yaml") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("missing golden file (run go test ./arazzo -update): %v", err)
			}
			if got != string(want) {
				t.Errorf("diagnostics differ from %s (run with -update and review the diff)\ngot:\n%s\nwant:\n%s", golden, got, want)
			}
		})
	}
}
