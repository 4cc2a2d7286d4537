package runtime

import (
	"context"
	goruntime "runtime"
	"testing"
	"weak"

	"github.com/arazzo-go/arazzo/arazzo"
)

// An engine keeps nothing of the document given to New reachable (detach):
// the caller's document, its sources and their decoded descriptions are
// collected once the caller lets go of them, and the engine still has its
// workflows, steps and problems. Before detach, Workflow.Doc and the bound
// steps' operations kept all of it alive for the collector to mark on every
// cycle.
func TestEngineLetsTheCallersDocumentGo(t *testing.T) {
	doc, ds, err := arazzo.Load(context.Background(), "../workflows/oracle/oracle-create-custom-image-from-instance-workflow.yml", arazzo.LoadOptions{})
	if err != nil || ds.HasErrors() {
		t.Fatalf("loading the seed: %v %v", err, ds)
	}
	held := weak.Make(doc)
	src := weak.Make(doc.SourceDescriptions[0].OpenAPI)
	op := weak.Make(doc.SourceDescriptions[0].OpenAPI.Operations()[0])
	eng, err := New(doc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	id := doc.Workflows[0].WorkflowID
	doc = nil
	for range 5 {
		goruntime.GC()
	}
	if held.Value() != nil || src.Value() != nil || op.Value() != nil {
		t.Fatalf("still reachable from the engine: document %v, source %v, operation %v",
			held.Value() != nil, src.Value() != nil, op.Value() != nil)
	}
	w := eng.Document().Workflow(id)
	if w == nil || w.Doc != eng.Document() || eng.workflows[w] == nil {
		t.Fatalf("the engine's workflow %s is not bound to its own document", id)
	}
	if _, err := eng.Problems(id); err != nil {
		t.Errorf("Problems(%s): %v", id, err)
	}
	for _, bs := range eng.workflows[w].steps {
		if bs.op == nil || bs.op.Source != eng.Document().Source(bs.source.Name).OpenAPI {
			t.Errorf("step %s is not bound to the engine's detached source", bs.step.StepID)
		}
	}
}
