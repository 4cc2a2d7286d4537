package temporal

import (
	"bytes"
	"log/slog"
	"os"
	"testing"

	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"google.golang.org/protobuf/encoding/protojson"
)

func quietLogger() log.Logger {
	return log.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError + 1})))
}

// TestReplaySeedHistory replays the history of a seed run recorded on a
// real Temporal server (go test -run DevServer -update records it): an
// interpreter change that would take another path in running workflows
// (another request, another wait) fails here as a nondeterminism error.
func TestReplaySeedHistory(t *testing.T) {
	b, err := os.ReadFile("testdata/seed-history.json")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte("example-token")) || bytes.Contains(b, []byte("img-recorded")) {
		t.Fatal("the recorded history holds inputs in clear: the payload codec did not encrypt them")
	}
	var h historypb.History
	if err := protojson.Unmarshal(b, &h); err != nil {
		t.Fatal(err)
	}
	if len(h.Events) < 20 {
		t.Fatalf("the recorded history has %d events; a seed run has more", len(h.Events))
	}
	key, _ := ParseKey(testKey)
	dc, _ := DataConverter(key)
	// The worker's server URL does not matter: a replay sends nothing.
	w := NewWorker(Options{Servers: map[string]string{"ociComputeApi": "http://127.0.0.1:9/20160918"}})
	if err := w.Load(t.Context(), seedPath); err != nil {
		t.Fatal(err)
	}
	r, err := worker.NewWorkflowReplayerWithOptions(worker.WorkflowReplayerOptions{DataConverter: dc, FailureConverter: FailureConverter(dc, key)})
	if err != nil {
		t.Fatal(err)
	}
	r.RegisterWorkflowWithOptions(w.Workflow, workflow.RegisterOptions{Name: WorkflowName})
	if err := r.ReplayWorkflowHistory(quietLogger(), &h); err != nil {
		t.Fatalf("replaying the recorded seed run: %v", err)
	}
}
