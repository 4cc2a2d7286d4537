package temporal

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
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
	if err := replaySeed(t, seedPath); err != nil {
		t.Fatalf("replaying the recorded seed run: %v", err)
	}
}

// TestReplayNestedInlineHistory replays a run recorded when a nested
// workflow step ran inline in the calling Temporal workflow: workflows
// started before nested workflows became child workflows must go on
// replaying (workflow.GetVersion keeps them inline).
func TestReplayNestedInlineHistory(t *testing.T) {
	if err := replayHistory(t, "testdata/nested-inline-history.json", seedPath, "testdata"); err != nil {
		t.Fatalf("replaying the run recorded with inline nesting: %v", err)
	}
}

// TestReplayRefusesAChangedPath proves the replay test can fail: the same
// history replayed by a document whose branch goes the other way (a
// STOPPED instance ends the run) is a nondeterminism error.
func TestReplayRefusesAChangedPath(t *testing.T) {
	src, err := os.ReadFile(seedPath)
	if err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs("../workflows/openapi/oci-compute-api-openapi.yml")
	changed := strings.Replace(string(src), `condition: $.lifecycleState == "STOPPED"`, `condition: $.lifecycleState == "RUNNING"`, 1)
	changed = strings.Replace(changed, `condition: $.lifecycleState != "STOPPED"`, `condition: $.lifecycleState == "STOPPED"`, 1)
	changed = strings.Replace(changed, "url: ../openapi/oci-compute-api-openapi.yml", "url: "+abs, 1)
	if changed == string(src) {
		t.Fatal("the seed's branch condition was not found")
	}
	p := filepath.Join(t.TempDir(), seedName)
	if err := os.WriteFile(p, []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	err = replaySeed(t, p)
	// TMPRL1100 is the SDK's nondeterminism error code.
	if err == nil || !strings.Contains(err.Error(), "TMPRL1100") && !strings.Contains(strings.ToLower(err.Error()), "nondetermin") {
		t.Fatalf("replay with a changed path: %v, want a nondeterminism error", err)
	}
}

// TestReplayNestedChildHistory replays a run whose nested workflow ran as
// a child workflow (go test -run DevServer -update records it).
func TestReplayNestedChildHistory(t *testing.T) {
	b, err := os.ReadFile("testdata/nested-history.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte("EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED")) {
		t.Fatal("the recorded nested run started no child workflow")
	}
	// The child's id derives from the parent's: replay under the recorded id.
	if err := replayHistoryAs(t, "nested-recorded", "testdata/nested-history.json", seedPath, "testdata"); err != nil {
		t.Fatalf("replaying the run recorded with a child workflow: %v", err)
	}
}

func replaySeed(t *testing.T, docPath string) error {
	return replayHistory(t, "testdata/seed-history.json", docPath)
}

// replayHistory replays a recorded history with a worker serving docPaths.
func replayHistory(t *testing.T, file string, docPaths ...string) error {
	return replayHistoryAs(t, "", file, docPaths...)
}

// replayHistoryAs replays it as the Temporal workflow id ("": the
// replayer's default).
func replayHistoryAs(t *testing.T, id, file string, docPaths ...string) error {
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte("example-token")) || bytes.Contains(b, []byte(compartment)) {
		t.Fatal("the recorded history holds inputs in clear: the payload codec did not encrypt them")
	}
	var h historypb.History
	if err := protojson.Unmarshal(b, &h); err != nil {
		t.Fatal(err)
	}
	if len(h.Events) < 10 {
		t.Fatalf("the recorded history has %d events; a recorded run has more", len(h.Events))
	}
	key, _ := ParseKey(testKey)
	dc, _ := DataConverter(key)
	// The worker's server URL does not matter: a replay sends nothing.
	w := NewWorker(Options{Servers: map[string]string{"ociComputeApi": "http://127.0.0.1:9/20160918"}})
	if err := w.Load(t.Context(), docPaths...); err != nil {
		t.Fatal(err)
	}
	r, err := worker.NewWorkflowReplayerWithOptions(worker.WorkflowReplayerOptions{DataConverter: dc, FailureConverter: FailureConverter(dc, key)})
	if err != nil {
		t.Fatal(err)
	}
	r.RegisterWorkflowWithOptions(w.Workflow, workflow.RegisterOptions{Name: WorkflowName})
	if id == "" {
		return r.ReplayWorkflowHistory(quietLogger(), &h)
	}
	return r.ReplayWorkflowHistoryWithOptions(quietLogger(), &h, worker.ReplayWorkflowHistoryOptions{OriginalExecution: workflow.Execution{ID: id}})
}
