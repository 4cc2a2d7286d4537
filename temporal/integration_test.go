package temporal

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/arazzo-go/arazzo/runtime"
)

var update = flag.Bool("update", false, "record testdata/seed-history.json and testdata/nested-history.json from runs on a real Temporal dev server")

// testKey encrypts the payloads of the integration test and of the
// recorded history (a test key, not a secret).
const testKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

// temporalBinary finds the Temporal CLI: PATH, then GOPATH/bin.
func temporalBinary(t *testing.T) string {
	if p, err := exec.LookPath("temporal"); err == nil {
		return p
	}
	out, err := exec.Command("go", "env", "GOPATH").Output()
	if err == nil {
		p := filepath.Join(strings.TrimSpace(string(out)), "bin", "temporal")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Skip("the Temporal CLI is not installed (go install github.com/temporalio/cli/cmd/temporal@v1.5.1; .ci/run does it): the dev-server test needs it")
	return ""
}

func freePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startDevServer starts `temporal server start-dev` on free ports and
// returns a client connected to it with the test key's codec.
func startDevServer(t *testing.T) (string, client.Client) {
	bin := temporalBinary(t)
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	dir := t.TempDir()
	cmd := exec.Command(bin, "server", "start-dev", "--headless", "--ip", "127.0.0.1",
		"--port", strconv.Itoa(port), "--ui-port", strconv.Itoa(freePort(t)),
		"--http-port", strconv.Itoa(freePort(t)), "--metrics-port", strconv.Itoa(freePort(t)), "--log-level", "error")
	if os.Getenv("ARAZZO_TEMPORAL_INMEMORY") == "" {
		// A database file, as a persistent server has (its writes are
		// synced); ARAZZO_TEMPORAL_INMEMORY=1 measures without them.
		cmd.Args = append(cmd.Args, "--db-filename", filepath.Join(dir, "temporal.db"))
	}
	logf, _ := os.Create(filepath.Join(dir, "server.log"))
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting the Temporal dev server: %v", err)
	}
	t.Cleanup(func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait(); logf.Close() })
	key, _ := ParseKey(testKey)
	dc, _ := DataConverter(key)
	deadline := time.Now().Add(60 * time.Second)
	for {
		c, err := client.Dial(client.Options{HostPort: addr, DataConverter: dc, FailureConverter: FailureConverter(dc, key), Logger: quietLogger()})
		if err == nil {
			_, err = c.CheckHealth(context.Background(), &client.CheckHealthRequest{})
			if err == nil {
				t.Cleanup(c.Close)
				return addr, c
			}
			c.Close()
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(filepath.Join(dir, "server.log"))
			t.Fatalf("the Temporal dev server did not answer on %s within 60s (%v); its log:\n%s", addr, err, b)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// startWorker runs an arazzo-temporal worker subprocess.
func startWorker(t *testing.T, addr, queue, simBase string, extra ...string) *exec.Cmd {
	bin := filepath.Join(buildBinaries(t), "arazzo-temporal")
	args := append([]string{"worker", "--temporal", addr, "--task-queue", queue,
		"--server", "ociComputeApi=" + simBase, "--request-timeout", "3s"}, extra...)
	cmd := exec.Command(bin, append(args, seedPath)...)
	cmd.Env = append(os.Environ(), KeyEnv+"="+testKey)
	logf, _ := os.Create(filepath.Join(t.TempDir(), "worker.log"))
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait(); logf.Close() })
	return cmd
}

func runsWanted() int {
	if n, err := strconv.Atoi(os.Getenv("ARAZZO_TEMPORAL_RUNS")); err == nil && n > 0 {
		return n
	}
	return 100
}

// TestDevServerSurvivesAWorkerKilledMidPoll is the integration test of
// issue 16: a real Temporal dev server, ocisim and two worker processes;
// N seed runs; one worker is killed with SIGKILL while runs are parked in
// their poll timers; every run must succeed with the right outputs, and
// ocisim must hold exactly one image per run.
func TestDevServerSurvivesAWorkerKilledMidPoll(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the dev-server test takes about a minute")
	}
	t0 := time.Now()
	addr, c := startDevServer(t)
	sim := startOcisim(t, "-polls", "3") // polls wait 1s, 2s, 4s: runs park in timers
	const queue = "arazzo-it"
	ctx := context.Background()

	// A clean seed run first, recorded for the replay test with -update.
	startWorker(t, addr, queue, sim.base)
	workerA := startWorker(t, addr, queue, sim.base)
	first, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "seed-recorded", TaskQueue: queue}, WorkflowName,
		RunInput{Document: seedName, WorkflowID: seedWorkflow, Inputs: seedInputs(stopped, "img-recorded")})
	if err != nil {
		t.Fatal(err)
	}
	var res RunResult
	if err := first.Get(ctx, &res); err != nil {
		t.Fatal(err)
	}
	if res.Status != runtime.Succeeded {
		t.Fatalf("first run %s: %s", res.Status, res.Error)
	}
	if *update {
		recordHistory(t, c, first.GetID(), "testdata/seed-history.json")
	}

	n := runsWanted()
	runs := make([]client.WorkflowRun, n)
	for i := range runs {
		sim.addInstance(t, fmt.Sprintf("ocid1.instance.oc1.phx.it%04d", i))
	}
	t.Logf("dev server, ocisim, two workers and a first run ready in %s", time.Since(t0).Round(time.Millisecond))
	start := time.Now()
	startRuns(t, c, queue, "seed", runs, func(i int) RunInput {
		return RunInput{Document: seedName, WorkflowID: seedWorkflow, Inputs: seedInputs(fmt.Sprintf("ocid1.instance.oc1.phx.it%04d", i), fmt.Sprintf("img-%03d", i))}
	})
	// Kill worker A once most runs have created their image and are
	// polling, i.e. parked in timers (or with a poll in flight on A).
	for deadline := time.Now().Add(60 * time.Second); sim.calls(t)["createImage"] < n/2+1 && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	if err := workerA.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killedAt := time.Since(start)
	parked := sim.calls(t)

	for i, r := range runs {
		wctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
		var res RunResult
		err := r.Get(wctx, &res)
		cancel()
		if err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
		if res.Status != runtime.Succeeded || res.Outputs["lifecycleState"] != "AVAILABLE" {
			t.Fatalf("run %d: %s %v: %s", i, res.Status, res.Outputs, res.Error)
		}
		if id, _ := res.Outputs["imageId"].(string); !strings.HasPrefix(id, "ocid1.image.oc1.phx.simimage") {
			t.Fatalf("run %d: imageId %v", i, res.Outputs["imageId"])
		}
	}
	elapsed := time.Since(start)
	images := sim.images(t)
	for i := range n {
		if k := images[fmt.Sprintf("img-%03d", i)]; k != 1 {
			t.Errorf("run %d made %d images, want exactly 1", i, k)
		}
	}
	// The CLI: start a run on the surviving worker, follow it, print outputs.
	sim.addInstance(t, "ocid1.instance.oc1.phx.cli0001")
	cli := exec.Command(filepath.Join(buildBinaries(t), "arazzo-temporal"), "run", "--temporal", addr, "--task-queue", queue,
		seedPath, "--input", "compartmentId="+compartment, "--input", "instanceId=ocid1.instance.oc1.phx.cli0001",
		"--input", "displayName=img-cli", "--input", "authToken=example-token")
	cli.Env = append(os.Environ(), KeyEnv+"="+testKey)
	var cliErr strings.Builder
	cli.Stderr = &cliErr
	out, err := cli.Output()
	if err != nil {
		t.Fatalf("arazzo-temporal run: %v\n%s", err, cliErr.String())
	}
	if !strings.Contains(string(out), `"lifecycleState": "AVAILABLE"`) || !strings.Contains(string(out), `"imageId": "ocid1.image.oc1.phx.simimage`) {
		t.Errorf("arazzo-temporal run printed %s", out)
	}
	for _, want := range []string{"readInstance  GET ", "createImage  POST ", "pollImage (attempt 4)  GET ", "-> end", "workflow create-custom-image-from-instance succeeded: 6 step attempts"} {
		if !strings.Contains(cliErr.String(), want) {
			t.Errorf("arazzo-temporal run's progress lacks %q:\n%s", want, cliErr.String())
		}
	}

	t.Logf("%d runs through Temporal with one of two workers killed at %s (ocisim calls then %v): all done in %s; ocisim calls %v",
		n, killedAt.Round(time.Millisecond), parked, elapsed.Round(time.Millisecond), sim.calls(t))
}

// startRuns starts len(runs) Temporal workflows, eight at a time, with ids
// PREFIX-NNN.
func startRuns(t *testing.T, c client.Client, queue, prefix string, runs []client.WorkflowRun, input func(i int) RunInput) {
	var wg sync.WaitGroup
	errs := make(chan error, len(runs))
	next := make(chan int)
	for range 8 {
		wg.Go(func() {
			for i := range next {
				r, err := c.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{ID: fmt.Sprintf("%s-%03d", prefix, i), TaskQueue: queue}, WorkflowName, input(i))
				if err != nil {
					errs <- err
					continue
				}
				runs[i] = r
			}
		})
	}
	for i := range runs {
		next <- i
	}
	close(next)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// recordHistory writes the run's history as protojson, encrypted payloads
// and all (the replay test decrypts with testKey).
func recordHistory(t *testing.T, c client.Client, id, file string) {
	it := c.GetWorkflowHistory(context.Background(), id, "", false, 0)
	var h historypb.History
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		h.Events = append(h.Events, ev)
	}
	b, err := protojson.MarshalOptions{Multiline: true}.Marshal(&h)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, b, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded %d events (%d bytes) in %s", len(h.Events), len(b), file)
}

// TestDevServerNestedWorkflow runs a document whose step calls another
// Arazzo workflow on a real dev server, with a worker in this process.
func TestDevServerNestedWorkflow(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the dev-server test starts a Temporal server")
	}
	_, c := startDevServer(t)
	sim := startOcisim(t, "-polls", "1")
	const queue = "arazzo-nested"
	wk := worker.New(c, queue, worker.Options{})
	newTestWorker(t, sim).Register(wk)
	if err := wk.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(wk.Stop)
	ctx := t.Context()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "nested-recorded", TaskQueue: queue}, WorkflowName,
		RunInput{Document: "nested.arazzo.yaml", WorkflowID: "outer", Inputs: seedInputs(stopped, "img-nested")})
	if err != nil {
		t.Fatal(err)
	}
	var res RunResult
	if err := run.Get(ctx, &res); err != nil {
		t.Fatal(err)
	}
	if res.Status != runtime.Succeeded {
		t.Fatalf("nested run %s: %s", res.Status, res.Error)
	}
	if id, _ := res.Outputs["imageId"].(string); !strings.HasPrefix(id, "ocid1.image.oc1.phx.simimage") {
		t.Errorf("imageId output %v", res.Outputs["imageId"])
	}
	// The nested workflow ran as a child workflow, under the id derived
	// from the parent's and the calling step's.
	child, err := c.DescribeWorkflowExecution(ctx, "nested-recorded/outer/capture#1", "")
	if err != nil {
		t.Fatalf("the child workflow: %v", err)
	}
	if info := child.GetWorkflowExecutionInfo(); info.GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED || info.GetParentExecution().GetWorkflowId() != "nested-recorded" {
		t.Errorf("child workflow %s, parent %v", info.GetStatus(), info.GetParentExecution())
	}
	if *update {
		recordHistory(t, c, run.GetID(), "testdata/nested-history.json")
	}
}
