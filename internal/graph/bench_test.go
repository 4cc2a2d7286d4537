package graph

import (
	"fmt"
	"io"
	"testing"

	"github.com/arazzo-go/arazzo/arazzo"
)

// BenchmarkBuildAndWrite draws a 200-step workflow with two actions per
// step. Target: a few ms (3.1 ms measured at load 20); graph is
// interactive, not a hot path.
func BenchmarkBuildAndWrite(b *testing.B) {
	wf := &arazzo.Workflow{WorkflowID: "big"}
	for i := range 200 {
		wf.Steps = append(wf.Steps, &arazzo.Step{StepID: fmt.Sprintf("s%d", i), OperationID: "op",
			OnSuccess: []*arazzo.Action{{Name: "loop", Type: "goto", StepID: fmt.Sprintf("s%d", i/2), Criteria: crit("$statusCode == 202")}},
			OnFailure: []*arazzo.Action{{Name: "retry", Type: "retry", RetryLimit: ptr[int64](3)}}})
	}
	doc := &arazzo.Document{Workflows: []*arazzo.Workflow{wf}}
	b.ReportAllocs()
	for b.Loop() {
		g := Build(doc, doc.Workflows)
		if err := g.WriteMermaid(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
