package temporal

import (
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/arazzo-go/arazzo/runtime"
)

// runInSuite runs one Arazzo run in Temporal's time-skipping test
// environment: timers take no real time, activities are real exchanges
// with ocisim.
func runInSuite(t *testing.T, w *Worker, in RunInput, during func(env *testsuite.TestWorkflowEnvironment)) *RunResult {
	t.Helper()
	env := newSuite().NewTestWorkflowEnvironment()
	w.Register(env)
	if during != nil {
		during(env)
	}
	env.ExecuteWorkflow(WorkflowName, in)
	if !env.IsWorkflowCompleted() {
		t.Fatal("the workflow did not complete")
	}
	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("workflow error: %v", err)
	}
	var res RunResult
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	return &res
}

// newSuite returns a test suite whose SDK logger prints only errors.
func newSuite() *testsuite.WorkflowTestSuite {
	s := &testsuite.WorkflowTestSuite{}
	s.SetLogger(quietLogger())
	return s
}

func stepTrace(res *RunResult) string {
	var b strings.Builder
	for _, s := range res.Steps {
		b.WriteString(s.StepID + ":" + s.Action + " ")
	}
	return strings.TrimSpace(b.String())
}

func TestSeedStoppedBranchPollsWithDurableTimers(t *testing.T) {
	sim := startOcisim(t, "-polls", "2")
	w := newTestWorker(t, sim)
	res := runInSuite(t, w, RunInput{Document: seedName, WorkflowID: seedWorkflow, Inputs: seedInputs(stopped, "img-a")}, nil)
	if res.Status != runtime.Succeeded {
		t.Fatalf("status %s: %s", res.Status, res.Error)
	}
	if got, want := stepTrace(res), "readInstance:goto createImage createImage:next pollImage:goto pollImage pollImage:goto pollImage pollImage:end"; got != want {
		t.Errorf("steps:\n got %s\nwant %s", got, want)
	}
	if id, _ := res.Outputs["imageId"].(string); !strings.HasPrefix(id, "ocid1.image.oc1.phx.simimage") {
		t.Errorf("imageId output %v", res.Outputs["imageId"])
	}
	if res.Outputs["lifecycleState"] != "AVAILABLE" {
		t.Errorf("lifecycleState output %v", res.Outputs["lifecycleState"])
	}
	// The poll waits (1s, then 2s) were durable timers: workflow time
	// moved by them although the test took no such real time.
	if w3, w4 := res.Steps[3].Waited, res.Steps[4].Waited; w3 != time.Second || w4 != 2*time.Second {
		t.Errorf("poll waits %s, %s; want 1s, 2s", w3, w4)
	}
	if res.Duration < 3*time.Second {
		t.Errorf("workflow-time duration %s, want at least the 3s of waits", res.Duration)
	}
	calls := sim.calls(t)
	if calls["getInstance"] != 1 || calls["createImage"] != 1 || calls["getImage"] != 3 {
		t.Errorf("ocisim calls %v", calls)
	}
}

func TestSeedRunningBranchEndsWithoutCreating(t *testing.T) {
	sim := startOcisim(t)
	w := newTestWorker(t, sim)
	res := runInSuite(t, w, RunInput{Document: seedName, WorkflowID: seedWorkflow, Inputs: seedInputs(running, "img-b")}, nil)
	if res.Status != runtime.Succeeded {
		t.Fatalf("status %s: %s", res.Status, res.Error)
	}
	if got := stepTrace(res); got != "readInstance:end" {
		t.Errorf("steps %s, want readInstance:end", got)
	}
	if n := sim.calls(t)["createImage"]; n != 0 {
		t.Errorf("createImage called %d times on a running instance", n)
	}
}

func TestRetryActionWaitsOnADurableTimer(t *testing.T) {
	sim := startOcisim(t, "-faults", "createImage#1=429;retry-after=2")
	w := newTestWorker(t, sim)
	res := runInSuite(t, w, RunInput{Document: "retry.arazzo.yaml", WorkflowID: "create-image-retrying", Inputs: seedInputs(stopped, "img-r")}, nil)
	if res.Status != runtime.Succeeded {
		t.Fatalf("status %s: %s", res.Status, res.Error)
	}
	if got := stepTrace(res); got != "createImage:retry createImage:next" {
		t.Errorf("steps %s", got)
	}
	if res.Steps[0].Status != 429 || res.Steps[1].Status != 200 {
		t.Errorf("statuses %d, %d", res.Steps[0].Status, res.Steps[1].Status)
	}
	if res.Steps[1].Waited < 2*time.Second {
		t.Errorf("the retry waited %s, want at least Retry-After's 2s", res.Steps[1].Waited)
	}
	if n := sim.images(t)["img-r"]; n != 1 {
		t.Errorf("%d images, want 1", n)
	}
}

func TestNestedWorkflowRunsAsAChildWorkflow(t *testing.T) {
	sim := startOcisim(t, "-polls", "1")
	w := newTestWorker(t, sim)
	var children []string
	res := runInSuite(t, w, RunInput{Document: "nested.arazzo.yaml", WorkflowID: "outer", Inputs: seedInputs(stopped, "img-n")}, func(env *testsuite.TestWorkflowEnvironment) {
		env.SetOnChildWorkflowStartedListener(func(info *workflow.Info, _ workflow.Context, _ converter.EncodedValues) {
			children = append(children, info.WorkflowType.Name+" "+info.WorkflowExecution.ID)
		})
	})
	if res.Status != runtime.Succeeded {
		t.Fatalf("status %s: %s", res.Status, res.Error)
	}
	if want := []string{WorkflowName + " default-test-workflow-id/outer/capture#1"}; !slices.Equal(children, want) {
		t.Errorf("child workflows started: %q, want %q", children, want)
	}
	// The nested workflow's attempts are the run's, as inline.
	if got, want := stepTrace(res), "readInstance:goto createImage createImage:next pollImage:goto pollImage pollImage:end capture:next"; got != want {
		t.Errorf("steps:\n got %s\nwant %s", got, want)
	}
	if id, _ := res.Outputs["imageId"].(string); !strings.HasPrefix(id, "ocid1.image.oc1.phx.simimage") {
		t.Errorf("imageId output %v (steps %s)", res.Outputs["imageId"], stepTrace(res))
	}
	if n := sim.images(t)["img-n"]; n != 1 {
		t.Errorf("%d images, want 1", n)
	}
}

// TestCancelReachesTheChildWorkflow cancels the parent while the nested
// workflow, a child workflow, is parked in a poll wait: the child's run
// ends aborted, and the parent's result holds the child's attempts and
// ends aborted too.
func TestCancelReachesTheChildWorkflow(t *testing.T) {
	sim := startOcisim(t, "-polls", "-1") // never settles: polls forever
	w := newTestWorker(t, sim)
	res := runInSuite(t, w, RunInput{Document: "nested.arazzo.yaml", WorkflowID: "outer", Inputs: seedInputs(stopped, "img-nc")}, func(env *testsuite.TestWorkflowEnvironment) {
		env.RegisterDelayedCallback(env.CancelWorkflow, 5*time.Second)
	})
	if res.Status != runtime.Aborted {
		t.Fatalf("status %s, want aborted (%s)", res.Status, res.Error)
	}
	if got, want := stepTrace(res), "readInstance:goto createImage createImage:next pollImage:goto pollImage pollImage:goto pollImage pollImage:goto pollImage capture:abort"; got != want {
		t.Errorf("steps:\n got %s\nwant %s", got, want)
	}
	if res.FailedAt != "capture" || res.Error != "run cancelled" {
		t.Errorf("failed at %q with %q", res.FailedAt, res.Error)
	}
}

func TestCancelWhileParkedEndsTheRunAborted(t *testing.T) {
	sim := startOcisim(t, "-polls", "-1") // never settles: polls forever
	w := newTestWorker(t, sim)
	var prog Progress
	var qerr error
	res := runInSuite(t, w, RunInput{Document: seedName, WorkflowID: seedWorkflow, Inputs: seedInputs(stopped, "img-c")}, func(env *testsuite.TestWorkflowEnvironment) {
		// At 5s of workflow time the run is parked in its third poll wait
		// (after waits of 1s and 2s, the 4s one).
		env.RegisterDelayedCallback(func() {
			v, err := env.QueryWorkflow(ProgressQuery, 3)
			if qerr = err; err == nil {
				qerr = v.Get(&prog)
			}
			env.CancelWorkflow()
		}, 5*time.Second)
	})
	if res.Status != runtime.Aborted {
		t.Fatalf("status %s, want aborted", res.Status)
	}
	if !strings.Contains(res.Error, "cancelled") {
		t.Errorf("error %q does not say the workflow was cancelled", res.Error)
	}
	if qerr != nil {
		t.Fatal(qerr)
	}
	if prog.StepID != "pollImage" || prog.LastStatus != 200 || prog.Waiting != "poll" || prog.Attempt != 3 {
		t.Errorf("progress %+v, want pollImage attempt 3 waiting after a 200", prog)
	}
	// Attempts 4 and 5 finished (readInstance, createImage, two polls, and
	// the third poll), the query asked from index 3: polls 2 and 3.
	if prog.Attempts != 5 || len(prog.Steps) != 2 || prog.Steps[0].StepID != "pollImage" || prog.Steps[1].Attempt != 3 {
		t.Errorf("progress attempts %d, steps from 3: %+v", prog.Attempts, prog.Steps)
	}
	if n := sim.calls(t)["getImage"]; n != 3 {
		t.Errorf("getImage called %d times, want 3 before the cancel", n)
	}
}

func TestUnknownDocumentFailsTheWorkflow(t *testing.T) {
	sim := startOcisim(t)
	w := newTestWorker(t, sim)
	s := newSuite()
	env := s.NewTestWorkflowEnvironment()
	w.Register(env)
	env.ExecuteWorkflow(WorkflowName, RunInput{Document: "nope.yaml", WorkflowID: seedWorkflow})
	err := env.GetWorkflowError()
	if err == nil || !strings.Contains(err.Error(), `does not serve a document named "nope.yaml"`) {
		t.Fatalf("error %v", err)
	}
	env = s.NewTestWorkflowEnvironment()
	w.Register(env)
	env.ExecuteWorkflow(WorkflowName, RunInput{Document: seedName, Hash: "0123", WorkflowID: seedWorkflow})
	if err := env.GetWorkflowError(); err == nil || !strings.Contains(err.Error(), "content hash 0123") {
		t.Fatalf("error %v", err)
	}
}

func TestStepTimeoutBoundsTheActivity(t *testing.T) {
	sim := startOcisim(t, "-faults", "createImage=latency=3s")
	w := newTestWorker(t, sim)
	res := runInSuite(t, w, RunInput{Document: "timeout.arazzo.yaml", WorkflowID: "create-image-bounded", Inputs: seedInputs(stopped, "img-t")}, nil)
	if res.Status != runtime.Failed {
		t.Fatalf("status %s, want failed", res.Status)
	}
	if len(res.Steps) != 1 || !strings.Contains(res.Steps[0].Error, "no response within 500ms") {
		t.Fatalf("steps %+v, want one attempt that timed out after the step's 500ms", res.Steps)
	}
	// Not retried by Temporal: Arazzo decides, and this step has no retry.
	if n := sim.calls(t)["createImage"]; n != 1 {
		t.Errorf("createImage sent %d times, want 1", n)
	}
}
