package runtime_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/arazzo-go/arazzo/arazzo"
	"github.com/arazzo-go/arazzo/internal/ocisim"
	"github.com/arazzo-go/arazzo/runtime"
	"github.com/arazzo-go/arazzo/runtime/store"
)

// crashPoint says where a durable seed run "dies": the test cancels the
// run's context there, as a killed process would stop, and then resumes the
// run with a new engine on the same store.
type crashPoint struct {
	name string
	// before: die when this operation is about to be sent (the request
	// never leaves); after: die once it reached the server, before its
	// response is recorded; wait: die in the n-th wait.
	before, after string
	wait          int
}

func TestDurableSeedResumesAfterACrash(t *testing.T) {
	requireEngineDeps(t)
	doc, ds, err := arazzo.Load(context.Background(), "../workflows/oracle/oracle-create-custom-image-from-instance-workflow.yml", arazzo.LoadOptions{})
	if err != nil || ds.HasErrors() {
		t.Fatalf("%v %v", err, ds)
	}
	wantOutputs := map[string]any{"imageId": "ocid1.image.oc1.phx.simimage000001", "lifecycleState": "AVAILABLE"}
	for _, cp := range []crashPoint{
		{name: "during the first pacing wait", wait: 1},
		{name: "after createImage was sent, before its response was recorded", after: "createImage"},
		{name: "during a poll request", after: "getImage"},
		{name: "before the first request", before: "getInstance"},
	} {
		t.Run(cp.name, func(t *testing.T) {
			sim, err := ocisim.New(ocisim.Options{ProvisioningPolls: 2})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(sim)
			defer srv.Close()
			images := len(sim.Snapshot().Images) // the fixtures'
			st := store.NewMemory(store.Options{})
			servers := map[string]string{"ociComputeApi": srv.URL + ocisim.BasePath}
			in := map[string]any{"compartmentId": ocisim.CompartmentID, "instanceId": ocisim.InstanceStopped, "displayName": "durable", "authToken": "placeholder-token"}

			// The first process: it dies at the crash point.
			ctx, die := context.WithCancel(context.Background())
			defer die()
			waits := 0
			d := 10 * time.Millisecond
			eng, err := runtime.New(doc, runtime.Options{
				Servers:   servers,
				LoopDelay: d,
				Transport: &crashTransport{point: cp, die: die},
				Clock: sleepFunc(func(c context.Context, d time.Duration) error {
					if waits++; waits == cp.wait {
						die()
					}
					return runtime.RealClock{}.Sleep(c, d)
				}),
			})
			if err != nil {
				t.Fatal(err)
			}
			res, err := eng.RunWith(ctx, seedWorkflow, in, runtime.RunOptions{ID: "run-1", Store: st, Document: runtime.DocumentRef{Path: "seed.yml", Hash: "sha256:1"}})
			var ae *runtime.AbortError
			if !errors.As(err, &ae) || ae.Guard != runtime.GuardCancelled || res.Status != runtime.Aborted {
				t.Fatalf("first process: %v, %+v", err, res)
			}
			if run, err := st.Run(context.Background(), "run-1"); err != nil || run.Status != store.StatusRunning {
				t.Fatalf("after the crash the store says %+v, %v; want running", run, err)
			}
			before := sim.CallCounts()

			// The second process: a new engine on the same store.
			eng2, err := runtime.New(doc, runtime.Options{Servers: servers, LoopDelay: d})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := eng2.Resume(context.Background(), st, "run-1", nil, runtime.RunOptions{}); !isMissing(err, "authToken") {
				t.Fatalf("resume without the secret: %v, want MissingSecretsError naming authToken", err)
			}
			if _, err := eng2.Resume(context.Background(), st, "run-1", map[string]any{"authToken": "x"}, runtime.RunOptions{Document: runtime.DocumentRef{Hash: "sha256:2"}}); !errors.As(err, new(*runtime.DocumentChangedError)) {
				t.Fatalf("resume with a changed document: %v, want DocumentChangedError", err)
			}
			var replayed, live []string
			obs := runtime.ObserverFunc(func(ev runtime.Event) {
				if ev.Kind == runtime.EventRequestSent {
					if ev.Replayed {
						replayed = append(replayed, ev.StepID)
					} else {
						live = append(live, ev.StepID)
					}
				}
			})
			res, err = eng2.Resume(context.Background(), st, "run-1", map[string]any{"authToken": "placeholder-token"}, runtime.RunOptions{Observer: obs, Document: runtime.DocumentRef{Hash: "sha256:1"}})
			if err != nil || res.Status != runtime.Succeeded {
				t.Fatalf("resume: %v, %+v", err, res)
			}
			if !reflect.DeepEqual(res.Outputs, wantOutputs) {
				t.Errorf("outputs %v, want %v", res.Outputs, wantOutputs)
			}
			if n := len(sim.Snapshot().Images) - images; n != 1 {
				t.Errorf("the simulator created %d images, want exactly 1", n)
			}
			after := sim.CallCounts()
			// A step whose response was recorded is never sent again.
			if after["getInstance"] != 1 {
				t.Errorf("getInstance sent %d times in all, want 1", after["getInstance"])
			}
			if cp.after == "createImage" && after["createImage"] != 2 {
				t.Errorf("createImage reached the server %d times, want 2 (resent once, deduplicated by opc-retry-token)", after["createImage"])
			}
			if cp.after != "createImage" && after["createImage"] != 1 {
				t.Errorf("createImage sent %d times, want 1", after["createImage"])
			}
			// A poll that reached the server before the crash moved the
			// image on, so the resumed run may need one poll less.
			if tr := trace(res); !strings.HasPrefix(tr, "readInstance:goto createImage createImage:next pollImage:goto pollImage ") || !strings.HasSuffix(tr, " pollImage:end") {
				t.Errorf("trace %s", tr)
			}
			if len(replayed) == 0 && cp.before != "getInstance" {
				t.Errorf("no replayed request events (live: %v)", live)
			}
			t.Logf("calls before resume %v, after %v; replayed %v, live %v", before, after, replayed, live)

			run, err := st.Run(context.Background(), "run-1")
			if err != nil || run.Status != store.StatusSucceeded {
				t.Errorf("store: %+v, %v; want succeeded", run, err)
			}
			// The history of the finished run, without a request.
			n := len(sim.Requests())
			hist, err := eng2.History(context.Background(), st, "run-1")
			if err != nil || hist.Status != runtime.Succeeded || !reflect.DeepEqual(hist.Outputs, wantOutputs) {
				t.Errorf("history: %v, %+v", err, hist)
			}
			if len(sim.Requests()) != n {
				t.Errorf("History sent %d requests", len(sim.Requests())-n)
			}
		})
	}
}

func isMissing(err error, name string) bool {
	var me *runtime.MissingSecretsError
	return errors.As(err, &me) && reflect.DeepEqual(me.Names, []string{name})
}

// crashTransport forwards requests and "kills the process" (cancels the
// run) at its crash point.
type crashTransport struct {
	point crashPoint
	die   context.CancelFunc
	once  sync.Once
}

func (c *crashTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	op, _ := runtime.OperationFromContext(req)
	hit := false
	if op.OperationID == c.point.before {
		c.once.Do(func() { hit = true })
	}
	if hit {
		c.die()
		return nil, context.Canceled
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if op.OperationID == c.point.after {
		c.once.Do(func() { hit = true })
	}
	if hit {
		if resp != nil {
			resp.Body.Close()
		}
		c.die()
		return nil, context.Canceled
	}
	return resp, err
}

// TestDurableHistoryOfAnInterruptedRun: History replays what was recorded
// and stops where the record ends, sending nothing.
func TestDurableHistoryOfAnInterruptedRun(t *testing.T) {
	requireEngineDeps(t)
	doc, _, err := arazzo.Load(context.Background(), "../workflows/oracle/oracle-create-custom-image-from-instance-workflow.yml", arazzo.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sim, _ := ocisim.New(ocisim.Options{ProvisioningPolls: 2})
	srv := httptest.NewServer(sim)
	defer srv.Close()
	st := store.NewMemory(store.Options{})
	ctx, die := context.WithCancel(context.Background())
	defer die()
	eng, err := runtime.New(doc, runtime.Options{
		Servers:   map[string]string{"ociComputeApi": srv.URL + ocisim.BasePath},
		LoopDelay: runtime.Off,
		Transport: &crashTransport{point: crashPoint{before: "getImage"}, die: die},
	})
	if err != nil {
		t.Fatal(err)
	}
	in := map[string]any{"compartmentId": ocisim.CompartmentID, "instanceId": ocisim.InstanceStopped, "displayName": "durable", "authToken": "secret-token-value"}
	if _, err := eng.RunWith(ctx, seedWorkflow, in, runtime.RunOptions{ID: "r", Store: st}); err == nil {
		t.Fatal("the run did not stop")
	}
	n := len(sim.Requests())
	hist, err := eng.History(context.Background(), st, "r")
	var ae *runtime.AbortError
	if !errors.As(err, &ae) || ae.Guard != runtime.GuardDurable || hist.Status != runtime.Aborted {
		t.Fatalf("history: %v, %+v", err, hist)
	}
	if got := trace(hist); got != "readInstance:goto createImage createImage:next pollImage:abort" {
		t.Errorf("history trace %s", got)
	}
	if len(sim.Requests()) != n {
		t.Errorf("History sent %d requests", len(sim.Requests())-n)
	}
	// The secret input is not in the store, in any record.
	recs, _ := st.RecordsSince(context.Background(), "r", 0)
	for _, r := range recs {
		if strings.Contains(string(r.State), "secret-token-value") {
			t.Errorf("record %d (%s) holds the secret: %s", r.Seq, r.Kind, r.State)
		}
	}
}

// TestDurableWaitResumesWithTheTimeLeft: a run that died in a pacing wait
// waits only the rest of it when resumed, and not at all when the wait
// expired while the process was down.
func TestDurableWaitResumesWithTheTimeLeft(t *testing.T) {
	requireEngineDeps(t)
	doc, _, err := arazzo.Load(context.Background(), "../workflows/oracle/oracle-create-custom-image-from-instance-workflow.yml", arazzo.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 12, 4, 6, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		resumed time.Time // the clock when the run resumes
		waits   []time.Duration
	}{
		{"four minutes later", t0.Add(4 * time.Minute), []time.Duration{6 * time.Minute, 20 * time.Minute}},
		{"after the wait expired", t0.Add(11 * time.Minute), []time.Duration{20 * time.Minute}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sim, _ := ocisim.New(ocisim.Options{ProvisioningPolls: 2})
			srv := httptest.NewServer(sim)
			defer srv.Close()
			st := store.NewMemory(store.Options{})
			servers := map[string]string{"ociComputeApi": srv.URL + ocisim.BasePath}
			in := map[string]any{"compartmentId": ocisim.CompartmentID, "instanceId": ocisim.InstanceStopped, "displayName": "d", "authToken": "t"}
			ctx, die := context.WithCancel(context.Background())
			defer die()
			crashing := &sleepRecorder{now: t0}
			eng, err := runtime.New(doc, runtime.Options{Servers: servers, LoopDelay: 10 * time.Minute, MaxLoopDelay: time.Hour, Clock: dyingClock{crashing, die}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := eng.RunWith(ctx, seedWorkflow, in, runtime.RunOptions{ID: "w", Store: st}); err == nil {
				t.Fatal("the run did not stop")
			}
			later := &sleepRecorder{now: tc.resumed}
			eng2, _ := runtime.New(doc, runtime.Options{Servers: servers, LoopDelay: 10 * time.Minute, MaxLoopDelay: time.Hour, Clock: later})
			res, err := eng2.Resume(context.Background(), st, "w", map[string]any{"authToken": "t"}, runtime.RunOptions{})
			if err != nil {
				t.Fatalf("%v %+v", err, res)
			}
			if got := later.Waits(); !reflect.DeepEqual(got, tc.waits) {
				t.Errorf("waits after resuming %v, want %v", got, tc.waits)
			}
		})
	}
}

// dyingClock is a clock whose first wait kills the run.
type dyingClock struct {
	*sleepRecorder
	die context.CancelFunc
}

func (c dyingClock) Sleep(ctx context.Context, d time.Duration) error {
	c.die()
	return ctx.Err()
}
