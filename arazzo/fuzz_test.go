package arazzo

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse feeds arbitrary bytes through parsing, the schema and the
// semantic rules (everything but source loading, which reads files). None
// of it may panic or hang.
func FuzzParse(f *testing.F) {
	f.Add([]byte(minimalDoc))
	f.Add([]byte("a: &a [*a]\n"))
	f.Add([]byte(`{"arazzo":"1.1.0","workflows":[{"steps":[{"dependsOn":["x","$workflows.a.steps.b"]}]}]}`))
	f.Add([]byte("arazzo: 1.0.1\nworkflows:\n- workflowId: w\n  steps:\n  - stepId: s\n    onSuccess:\n    - reference: $components.successActions.x\n"))
	files, _ := filepath.Glob("testdata/validate/*.yaml")
	for _, name := range files {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		doc, ds := Parse("fuzz.yaml", src, LoadOptions{MaxBytes: 1 << 20})
		if doc == nil {
			if !ds.HasErrors() {
				t.Fatalf("no document and no error")
			}
			return
		}
		_ = validateSchema(doc)
		_ = checkDocument(doc)
	})
}
