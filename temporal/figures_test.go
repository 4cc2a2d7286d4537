package temporal

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/proto"

	"github.com/arazzo-go/arazzo/arazzo"
	"github.com/arazzo-go/arazzo/runtime"
)

// TestFigures measures what docs/performance.md ("Temporal") reports: seed
// runs per second through Temporal and in process, the history of one run,
// and the memory of a worker and of the server with many runs parked in
// poll timers. It takes minutes, so it runs only with
// ARAZZO_TEMPORAL_FIGURES=1 (ARAZZO_TEMPORAL_PARKED sets how many runs
// park, default 2000; ARAZZO_TEMPORAL_CACHE the worker's workflow cache).
func TestFigures(t *testing.T) {
	if os.Getenv("ARAZZO_TEMPORAL_FIGURES") == "" {
		t.Skip("set ARAZZO_TEMPORAL_FIGURES=1 to measure the figures of docs/performance.md")
	}
	addr, c := startDevServer(t)
	ctx := context.Background()
	const n = 200

	// Throughput: the seed without waits (images settle on the first
	// poll), n runs at once, one worker.
	sim := startOcisim(t, "-polls", "0")
	for i := range n {
		sim.addInstance(t, fmt.Sprintf("ocid1.instance.oc1.phx.fig%04d", i))
	}
	startWorker(t, addr, "fig", sim.base)
	input := func(i int) RunInput {
		return RunInput{Document: seedName, WorkflowID: seedWorkflow, Inputs: seedInputs(fmt.Sprintf("ocid1.instance.oc1.phx.fig%04d", i), fmt.Sprintf("fig-%04d", i))}
	}
	warm := make([]client.WorkflowRun, 1)
	startRuns(t, c, "fig", "warm", warm, func(int) RunInput { return input(n - 1) })
	var res RunResult
	if err := warm[0].Get(ctx, &res); err != nil || res.Status != runtime.Succeeded {
		t.Fatalf("warm-up run: %v %s", err, res.Error)
	}
	runs := make([]client.WorkflowRun, n-1)
	start := time.Now()
	startRuns(t, c, "fig", "fig", runs, input)
	for i, r := range runs {
		if err := r.Get(ctx, &res); err != nil || res.Status != runtime.Succeeded {
			t.Fatalf("run %d: %v %s", i, err, res.Error)
		}
	}
	temporalRate := float64(len(runs)) / time.Since(start).Seconds()

	// History of one such run (3 requests, no wait), as stored.
	h := history(t, c, runs[0].GetID())
	t.Logf("history of a seed run without polls: %d events, %d bytes (protobuf, encrypted payloads)", len(h.Events), proto.Size(h))

	// The same runs in process, against a fresh simulator.
	sim2 := startOcisim(t, "-polls", "0")
	for i := range n {
		sim2.addInstance(t, fmt.Sprintf("ocid1.instance.oc1.phx.fig%04d", i))
	}
	doc, diags, err := arazzo.Load(ctx, seedPath, arazzo.LoadOptions{})
	if err != nil || diags.HasErrors() {
		t.Fatal(err, diags.Err())
	}
	eng, err := runtime.New(doc, runtime.Options{Servers: map[string]string{"ociComputeApi": sim2.base}, Lean: true})
	if err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			in := input(i)
			if res, err := eng.Run(ctx, seedWorkflow, in.Inputs); err != nil {
				t.Errorf("in-process run %d: %v %v", i, err, res)
			}
		}()
	}
	wg.Wait()
	inProcRate := float64(n) / time.Since(start).Seconds()
	t.Logf("seed runs/s: Temporal %.1f (one worker, dev server, ocisim on this machine), in process %.1f: ratio %.0f", temporalRate, inProcRate, inProcRate/temporalRate)

	// Parked runs: every run polls once, then waits 10 minutes.
	parked := 2000
	if v, err := strconv.Atoi(os.Getenv("ARAZZO_TEMPORAL_PARKED")); err == nil && v > 0 {
		parked = v
	}
	sim3 := startOcisim(t, "-polls", "-1")
	for i := range parked {
		sim3.addInstance(t, fmt.Sprintf("ocid1.instance.oc1.phx.park%05d", i))
	}
	serverRSS0 := rssOfListener(t, addr)
	wargs := []string{"--loop-delay", "10m", "--max-loop-delay", "10m"}
	if v := os.Getenv("ARAZZO_TEMPORAL_CACHE"); v != "" {
		wargs = append(wargs, "--workflow-cache", v) // the SDK's sticky cache size
	}
	w := startWorker(t, addr, "park", sim3.base, wargs...)
	time.Sleep(2 * time.Second)
	idle := rss(t, w.Process.Pid)
	prunes := make([]client.WorkflowRun, parked)
	start = time.Now()
	startRuns(t, c, "park", "park", prunes, func(i int) RunInput {
		return RunInput{Document: seedName, WorkflowID: seedWorkflow, Inputs: seedInputs(fmt.Sprintf("ocid1.instance.oc1.phx.park%05d", i), fmt.Sprintf("park-%05d", i))}
	})
	for deadline := time.Now().Add(10 * time.Minute); sim3.calls(t)["getImage"] < parked; {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d runs reached their poll wait", sim3.calls(t)["getImage"], parked)
		}
		time.Sleep(200 * time.Millisecond)
	}
	took := time.Since(start)
	time.Sleep(2 * time.Second)
	t.Logf("%d runs parked in 10-minute poll timers in %s: worker RSS %s (idle %s), server RSS %s (before %s)",
		parked, took.Round(time.Second), mib(rss(t, w.Process.Pid)), mib(idle), mib(rssOfListener(t, addr)), mib(serverRSS0))
	h = history(t, c, prunes[0].GetID())
	t.Logf("history of a run parked after one poll: %d events, %d bytes", len(h.Events), proto.Size(h))
}

func history(t *testing.T, c client.Client, id string) *historypb.History {
	it := c.GetWorkflowHistory(context.Background(), id, "", false, 0)
	h := &historypb.History{}
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		h.Events = append(h.Events, ev)
	}
	return h
}

func mib(kb int) string { return fmt.Sprintf("%.0f MiB", float64(kb)/1024) }

// rss reads a process's resident set size in KiB.
func rss(t *testing.T, pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return n
		}
	}
	return 0
}

// rssOfListener finds the dev server by its listening port (ss) and reads
// its RSS; 0 when it cannot be found.
func rssOfListener(t *testing.T, addr string) int {
	out, err := execOutput("ss", "-ltnpH", "sport = :"+addr[strings.LastIndex(addr, ":")+1:])
	if err != nil {
		return 0
	}
	i := strings.Index(out, "pid=")
	if i < 0 {
		return 0
	}
	pid, _ := strconv.Atoi(strings.SplitN(out[i+4:], ",", 2)[0])
	return rss(t, pid)
}
