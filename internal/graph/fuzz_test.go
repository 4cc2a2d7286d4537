package graph

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/arazzo-go/arazzo/arazzo"
)

// FuzzGraph parses arbitrary documents and draws every workflow: whatever
// the parser accepts, Build and both writers must not panic.
func FuzzGraph(f *testing.F) {
	if seed, err := os.ReadFile(filepath.Join("..", "..", "workflows", "oracle", "oracle-create-custom-image-from-instance-workflow.yml")); err == nil {
		f.Add(seed)
	}
	f.Add([]byte("arazzo: 1.0.1\nworkflows:\n- workflowId: a\n  steps:\n  - stepId: s\n    onSuccess:\n    - {name: x, type: goto, stepId: s}\n    onFailure:\n    - {reference: $components.failureActions.r}\ncomponents:\n  failureActions:\n    r: {name: r, type: retry, workflowId: a}\n"))
	f.Add([]byte("workflows: [{workflowId: a, steps: [{stepId: s, workflowId: a}]}, {workflowId: a}]"))
	f.Fuzz(func(t *testing.T, src []byte) {
		doc, _ := arazzo.Parse("f.yaml", src, arazzo.LoadOptions{MaxBytes: 1 << 16})
		if doc == nil {
			return
		}
		g := Build(doc, doc.Workflows)
		if err := g.WriteMermaid(io.Discard); err != nil {
			t.Fatal(err)
		}
		if err := g.WriteDOT(io.Discard); err != nil {
			t.Fatal(err)
		}
	})
}
