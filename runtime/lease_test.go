package runtime_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	goruntime "runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/arazzo-go/arazzo/runtime"
	"github.com/arazzo-go/arazzo/runtime/store"
)

// leaseDoc reads an item (retrying once after a failure, which waits) and
// then creates one: two sends, one of them a create that must not repeat.
const leaseDoc = rulesHeader + `workflows:
  - workflowId: main
    steps:
      - stepId: read
        operationId: getItem
        parameters: [{name: id, in: path, value: "1"}]
        successCriteria: [{condition: $statusCode == 200}]
        onFailure: [{name: again, type: retry, retryAfter: 1, retryLimit: 1}]
      - stepId: create
        operationId: createItem
        requestBody: {contentType: application/json, payload: {name: x}}
        successCriteria: [{condition: $statusCode == 200}]
`

// leaseAPI counts the requests per operation; a handler set for an
// operation runs before the answer (200 {}).
type leaseAPI struct {
	mu      sync.Mutex
	calls   map[string]int
	handler map[string]func(n int) int // call number (from 1) -> status
}

func newLeaseAPI(t *testing.T) (*leaseAPI, *httptest.Server) {
	a := &leaseAPI{calls: map[string]int{}, handler: map[string]func(int) int{}}
	srv := httptest.NewServer(a)
	t.Cleanup(srv.Close)
	return a, srv
}

func (a *leaseAPI) on(op string, h func(n int) int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.handler[op] = h
}

func (a *leaseAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op := routeOf(r)
	a.mu.Lock()
	a.calls[op]++
	n, h := a.calls[op], a.handler[op]
	a.mu.Unlock()
	status := 200
	if h != nil {
		status = h(n)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write([]byte(`{}`))
}

func (a *leaseAPI) count(op string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.calls[op]
}

func leaseEngine(t *testing.T, srv *httptest.Server, opts runtime.Options) *runtime.Engine {
	t.Helper()
	doc := loadDoc(t, "testdata/rules/lease.arazzo.yaml", leaseDoc)
	opts.Servers = map[string]string{"api": srv.URL + "/v1"}
	eng, err := runtime.New(doc, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	return eng
}

// dieBefore "kills the process" (cancels the run) as a request to path is
// about to leave: it never reaches the server.
type dieBefore struct {
	path string
	die  context.CancelFunc
}

func (d dieBefore) RoundTrip(req *http.Request) (*http.Response, error) {
	if strings.HasSuffix(req.URL.Path, d.path) {
		d.die()
		<-req.Context().Done()
		return nil, req.Context().Err()
	}
	return http.DefaultTransport.RoundTrip(req)
}

// interruptedRun records run "r" in st up to createItem, which it never
// sends: the run is left running, as a crashed process leaves it.
func interruptedRun(t *testing.T, st store.Store, srv *httptest.Server) {
	t.Helper()
	ctx, die := context.WithCancel(context.Background())
	defer die()
	eng := leaseEngine(t, srv, runtime.Options{Transport: dieBefore{"/items", die}})
	res, err := eng.RunWith(ctx, "main", nil, runtime.RunOptions{ID: "r", Store: st})
	if !errors.As(err, new(*runtime.AbortError)) || res.Status != runtime.Aborted {
		t.Fatalf("the first process did not stop at createItem: %v %+v", err, res)
	}
}

// Two Resume calls of one run at once: exactly one runs it, the other fails
// at once with a *LeasedError naming this process, and each request
// reaches the server once.
func TestLeaseTwoConcurrentResumesOneRuns(t *testing.T) {
	api, srv := newLeaseAPI(t)
	st := store.NewMemory(store.Options{})
	interruptedRun(t, st, srv)
	if api.count("getItem") != 1 || api.count("createItem") != 0 {
		t.Fatalf("before resuming: getItem %d, createItem %d; want 1, 0", api.count("getItem"), api.count("createItem"))
	}
	// The winner's createItem waits at the server until the loser returned.
	// (Were both let through, the second createItem would not wait, and
	// its run would return first, failing the test rather than hanging it.)
	gate := make(chan struct{})
	api.on("createItem", func(n int) int {
		if n == 1 {
			<-gate
		}
		return 200
	})
	eng := leaseEngine(t, srv, runtime.Options{})
	type outcome struct {
		res *runtime.Result
		err error
	}
	results := make(chan outcome, 2)
	for range 2 {
		go func() {
			res, err := eng.Resume(context.Background(), st, "r", nil, runtime.RunOptions{})
			results <- outcome{res, err}
		}()
	}
	// The winner cannot return before the gate opens: the first to return
	// is the loser.
	loser := <-results
	close(gate)
	winner := <-results
	var le *runtime.LeasedError
	if !errors.As(loser.err, &le) || loser.res != nil || !errors.Is(loser.err, store.ErrLeased) {
		t.Fatalf("the second Resume: %v, %+v; want a *LeasedError and no result", loser.err, loser.res)
	}
	host, _ := os.Hostname()
	if le.RunID != "r" || le.Lost || le.Holder.PID != os.Getpid() || le.Holder.Host != host || le.Holder.Owner == "" || le.Holder.Until.IsZero() {
		t.Errorf("the refusal says %+v; want run r held by pid %d on %s", le, os.Getpid(), host)
	}
	if msg := le.Error(); !strings.Contains(msg, "run r is being executed by pid") || !strings.Contains(msg, "resume again after") {
		t.Errorf("message %q", msg)
	}
	if winner.err != nil || winner.res.Status != runtime.Succeeded {
		t.Fatalf("the winning Resume: %v, %+v", winner.err, winner.res)
	}
	if g, c := api.count("getItem"), api.count("createItem"); g != 1 || c != 1 {
		t.Errorf("the server saw getItem %d, createItem %d; want each exactly once", g, c)
	}
	// The winner released the lease: the run (finished) can be resumed at
	// once, and replays without a request.
	if run, _ := st.Run(context.Background(), "r"); run.Lease != (store.Lease{}) {
		t.Errorf("lease after the run ended: %+v", run.Lease)
	}
	if res, err := eng.Resume(context.Background(), st, "r", nil, runtime.RunOptions{}); err != nil || res.Status != runtime.Succeeded {
		t.Errorf("resume of the finished run: %v %+v", err, res)
	}
	if api.count("createItem") != 1 {
		t.Errorf("replaying the finished run sent createItem again")
	}
}

// stealLease lets the run's lease expire (by the store's clock) and gives
// it to another owner, as a process resuming a run it thinks dead would.
func stealLease(t *testing.T, st store.Store, clock *runtime.VirtualClock, runID string) store.Lease {
	t.Helper()
	clock.Sleep(context.Background(), time.Hour)
	l, err := st.AcquireLease(context.Background(), runID, store.Lease{Owner: "thief", Host: "elsewhere", PID: 4242}, time.Hour)
	if err != nil {
		t.Errorf("taking the expired lease: %v", err)
	}
	return l
}

// blockingClock's waits end only when the run is stopped.
type blockingClock struct{ onWait func() }

func (c blockingClock) Now() time.Time { return time.Now() }
func (c blockingClock) Sleep(ctx context.Context, _ time.Duration) error {
	c.onWait()
	<-ctx.Done()
	return ctx.Err()
}

func checkLost(t *testing.T, res *runtime.Result, err error, holder store.Lease) {
	t.Helper()
	var ae *runtime.AbortError
	var le *runtime.LeasedError
	if !errors.As(err, &ae) || ae.Guard != runtime.GuardDurable || res.Status != runtime.Aborted {
		t.Fatalf("run: %v, %+v; want aborted by guard durable", err, res)
	}
	if !errors.As(err, &le) || !le.Lost || le.Holder.Owner != holder.Owner || le.Holder.PID != 4242 {
		t.Fatalf("cause %v; want a lost *LeasedError naming the thief", err)
	}
	if !strings.Contains(le.Error(), "lost its lease to pid 4242 on host elsewhere") {
		t.Errorf("message %q", le.Error())
	}
}

// A run whose lease is taken while it waits (its process was paused past
// the lease time, say) is stopped by its renewal, before its next send.
func TestLeaseLostWhileWaitingStopsTheRun(t *testing.T) {
	api, srv := newLeaseAPI(t)
	api.on("getItem", func(n int) int {
		if n == 1 {
			return 500 // a retry, and its wait
		}
		return 200
	})
	// The store's clock moves only when the test says: expiry never
	// depends on how fast the machine is.
	clock := runtime.NewVirtualClock(time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC))
	st := store.NewMemory(store.Options{Now: clock.Now})
	var thief store.Lease
	eng := leaseEngine(t, srv, runtime.Options{Clock: blockingClock{onWait: func() { thief = stealLease(t, st, clock, "r") }}})
	// A short lease renews often (in real time); nothing here depends on
	// how often: the wait ends only when a renewal found the lease taken.
	res, err := eng.RunWith(context.Background(), "main", nil, runtime.RunOptions{ID: "r", Store: st, LeaseTTL: 30 * time.Millisecond})
	checkLost(t, res, err, thief)
	if g, c := api.count("getItem"), api.count("createItem"); g != 1 || c != 0 {
		t.Errorf("after losing the lease the run sent: getItem %d, createItem %d; want 1, 0", g, c)
	}
	if run, _ := st.Run(context.Background(), "r"); run.Lease.Owner != "thief" || run.Status != store.StatusRunning {
		t.Errorf("the loser touched the thief's run: %+v", run)
	}
}

// A run whose lease is taken while a request is in flight cannot record
// its response (the store refuses the non-holder's record) and stops
// before its next send.
func TestLeaseLostInFlightStopsTheRun(t *testing.T) {
	api, srv := newLeaseAPI(t)
	// The store's clock moves only when the test says: expiry never
	// depends on how fast the machine is.
	clock := runtime.NewVirtualClock(time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC))
	st := store.NewMemory(store.Options{Now: clock.Now})
	var thief store.Lease
	api.on("getItem", func(int) int { thief = stealLease(t, st, clock, "r"); return 200 })
	eng := leaseEngine(t, srv, runtime.Options{})
	res, err := eng.RunWith(context.Background(), "main", nil, runtime.RunOptions{ID: "r", Store: st})
	checkLost(t, res, err, thief)
	if api.count("createItem") != 0 {
		t.Errorf("createItem was sent by a run that had lost its lease")
	}
	recs, _ := st.RecordsSince(context.Background(), "r", 0)
	if last := recs[len(recs)-1]; last.Kind != store.KindAboutToSend || !strings.HasSuffix(last.Step, "read") {
		t.Errorf("last record %s %s; want the about-to-send of read (its response refused)", last.Kind, last.Step)
	}
}

// renewers counts the goroutines renewing a lease.
func renewers() int {
	// All goroutines' stacks, whole: with the package's parallel tests
	// live, a fixed buffer can cut the dump before the renewer.
	buf := make([]byte, 1<<20)
	for {
		n := goruntime.Stack(buf, true)
		if n < len(buf) {
			// A renewer not yet scheduled shows as its go statement's
			// wrapper (acquireLease.gowrap1), not as renew.
			dump := string(buf[:n])
			return strings.Count(dump, "(*leaseKeeper).renew") + strings.Count(dump, "acquireLease.gowrap")
		}
		buf = make([]byte, 2*len(buf))
	}
}

// Each live durable run renews its lease in one goroutine, which ends with
// the run, whatever way it ends: a new run, a resume, a refused resume.
func TestLeaseNoGoroutineLeftBehind(t *testing.T) {
	api, srv := newLeaseAPI(t)
	st := store.NewMemory(store.Options{})
	var during []int
	api.on("createItem", func(int) int { during = append(during, renewers()); return 200 })
	eng := leaseEngine(t, srv, runtime.Options{})
	if n := renewers(); n != 0 {
		t.Fatalf("%d renewing goroutines before any run", n)
	}
	if _, err := eng.RunWith(context.Background(), "main", nil, runtime.RunOptions{ID: "a", Store: st}); err != nil {
		t.Fatal(err)
	}
	if n := renewers(); n != 0 {
		t.Errorf("%d renewing goroutines after a durable run ended", n)
	}
	interruptedRun(t, st, srv)
	if n := renewers(); n != 0 {
		t.Errorf("%d renewing goroutines after an interrupted run", n)
	}
	if _, err := eng.Resume(context.Background(), st, "r", nil, runtime.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	if n := renewers(); n != 0 {
		t.Errorf("%d renewing goroutines after a resume", n)
	}
	if len(during) != 2 || during[0] != 1 || during[1] != 1 {
		t.Errorf("renewing goroutines while each run was live: %v, want one each (the count could not fail otherwise)", during)
	}
	// A refused resume leaves nothing behind either.
	if _, err := st.AcquireLease(context.Background(), "r", store.Lease{Owner: "other"}, time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Resume(context.Background(), st, "r", nil, runtime.RunOptions{}); !errors.As(err, new(*runtime.LeasedError)) {
		t.Errorf("resume of a leased run: %v", err)
	}
	if n := renewers(); n != 0 {
		t.Errorf("%d renewing goroutines after a refused resume", n)
	}
}

func TestLeaseTTLNegativeRefused(t *testing.T) {
	_, srv := newLeaseAPI(t)
	st := store.NewMemory(store.Options{})
	eng := leaseEngine(t, srv, runtime.Options{})
	_, err := eng.RunWith(context.Background(), "main", nil, runtime.RunOptions{ID: "n", Store: st, LeaseTTL: -time.Second})
	if err == nil || !strings.Contains(err.Error(), "LeaseTTL") {
		t.Errorf("negative LeaseTTL: %v", err)
	}
	if _, err := st.Run(context.Background(), "n"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a refused run was created in the store: %v", err)
	}
}
