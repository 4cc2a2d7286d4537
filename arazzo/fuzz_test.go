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
	f.Add([]byte(`{"t":"\ud83d\ude00\ud83d","u":"\\ud83d\ude00", "v": "x\ud83d\ude00"}`))
	// Values that are not JSON, where the schema validator must not see them.
	f.Add([]byte("arazzo: 1.1.0\nworkflows:\n- workflowId: w\n  inputs: {default: .nan}\n  steps:\n  - stepId: s\n    requestBody: {payload: [.inf, -.inf]}\n    onFailure: [{name: r, type: retry, retryAfter: .nan}]\n"))
	files, _ := filepath.Glob("testdata/validate/*.yaml")
	corpus, _ := filepath.Glob("testdata/corpus/*.arazzo.*")
	for _, name := range append(files, corpus...) {
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
