package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	goruntime "runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/arazzo-go/arazzo/runtime"
)

// TestParkedRuns measures what a run costs while it waits between polls,
// which is how a long image capture spends nearly all its life. It starts
// ARAZZO_PARKED runs (10000 for the documented figure) against a server
// that answers PROVISIONING for good, lets each poll ARAZZO_PARKED_POLLS
// times (default 1) without waiting, then parks it in a one-hour timer
// before its next poll; once every run is parked it measures heap, stacks
// and RSS against a baseline taken before, then cancels every run and
// checks that all of them end. Target: ≤ 50 KB per parked run.
//
//	ARAZZO_PARKED=10000 go test ./bench -run TestParkedRuns -v
//
// ARAZZO_PARKED_HEAPPROFILE=FILE also writes the heap while the runs are
// parked; ARAZZO_PARKED_KEEP=N sets runtime.Options.KeepDetails (default:
// the engine's default) and ARAZZO_PARKED_LEAN=1 sets Options.Lean.
func TestParkedRuns(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("ARAZZO_PARKED"))
	if n <= 0 {
		t.Skip("set ARAZZO_PARKED=10000 to measure the memory of parked runs (heavy: ~30 s)")
	}
	polls, _ := strconv.Atoi(os.Getenv("ARAZZO_PARKED_POLLS"))
	polls = max(polls, 1)
	m := measureParked(t, n, polls)
	t.Logf("%d runs parked after %d polls: %.1f KB/run RSS, %.1f KB/run heap in use, %.1f KB/run stacks, %.2f goroutines/run (target ≤ 50 KB/run)",
		n, polls, m.rssPerRun/1024, m.heapPerRun/1024, m.stackPerRun/1024, m.goroutinesPerRun)
}

type parkedFigures struct {
	rssPerRun, heapPerRun, stackPerRun, goroutinesPerRun float64
}

// pollCount keys each run's count of poll waits in its context.
type pollCount struct{}

func measureParked(t testing.TB, n, polls int) parkedFigures {
	doc := loadSeed(t)
	_, srv := newServer(t, -1)
	var parked atomic.Int64
	hour := time.Hour
	// A bounded connection pool keeps the start-up burst from opening n
	// sockets at once; once parked, a run holds no connection.
	tr := newTransport()
	tr.MaxConnsPerHost = 64
	tr.MaxIdleConnsPerHost = 64
	keep, _ := strconv.Atoi(os.Getenv("ARAZZO_PARKED_KEEP"))
	eng := newEngine(t, doc, srv.URL, func(o *runtime.Options) {
		o.KeepDetails = keep
		o.Lean = os.Getenv("ARAZZO_PARKED_LEAN") != ""
		o.Transport = tr
		o.LoopDelay = hour
		o.MaxLoopDelay = hour
		// The engine's own sleep, except that the first polls-1 waits of
		// each run return at once, so that runs park with the history of
		// that many polls.
		o.Clock = parkingClock(func(ctx context.Context, d time.Duration) error {
			if c, ok := ctx.Value(pollCount{}).(*atomic.Int32); ok && int(c.Add(1)) < polls {
				return ctx.Err()
			}
			parked.Add(1)
			timer := time.NewTimer(d)
			defer timer.Stop()
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-timer.C:
				return nil
			}
		})
	})
	// Warm up every lazily built table (one run that settles at once on a
	// second server) so that the baseline holds them.
	_, warm := newServer(t, 0)
	if err := runEngine(context.Background(), newEngine(t, doc, warm.URL, nil), seedInputs()); err != nil {
		t.Fatal(err)
	}

	before := snapshot()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	var ended, aborted atomic.Int64
	in := seedInputs()
	for range n {
		wg.Go(func() {
			res, err := eng.Run(context.WithValue(ctx, pollCount{}, new(atomic.Int32)), seedWorkflow, in)
			ended.Add(1)
			if res != nil && res.Status == runtime.Aborted && errors.Is(err, context.Canceled) {
				aborted.Add(1)
			}
		})
	}
	deadline := time.Now().Add(3 * time.Minute)
	for parked.Load() < int64(n) {
		if time.Now().After(deadline) || ended.Load() > 0 {
			cancel()
			wg.Wait()
			t.Fatalf("only %d of %d runs parked (%d ended early)", parked.Load(), n, ended.Load())
		}
		time.Sleep(20 * time.Millisecond)
	}
	tr.CloseIdleConnections()
	after := snapshot()
	if path := os.Getenv("ARAZZO_PARKED_HEAPPROFILE"); path != "" {
		writeHeapProfile(t, path)
	}

	cancel()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatalf("%d of %d runs still running a minute after cancel", int64(n)-ended.Load(), n)
	}
	if got := aborted.Load(); got != int64(n) {
		t.Errorf("%d of %d runs ended aborted after cancel, want all", got, n)
	}
	f := float64(n)
	return parkedFigures{
		rssPerRun:        float64(after.rss-before.rss) / f,
		heapPerRun:       float64(after.heap-before.heap) / f,
		stackPerRun:      float64(after.stack-before.stack) / f,
		goroutinesPerRun: float64(after.goroutines-before.goroutines) / f,
	}
}

type memSnapshot struct {
	rss, heap, stack int64
	goroutines       int
}

// snapshot collects garbage and returns freed pages to the OS first, so
// that RSS counts live memory rather than what the collector has not yet
// given back.
func snapshot() memSnapshot {
	goruntime.GC()
	debug.FreeOSMemory()
	var ms goruntime.MemStats
	goruntime.ReadMemStats(&ms)
	return memSnapshot{rss: rssBytes(), heap: int64(ms.HeapInuse), stack: int64(ms.StackInuse), goroutines: goruntime.NumGoroutine()}
}

// writeHeapProfile writes the live heap, to see what a parked run holds:
//
//	go tool pprof -sample_index=inuse_space -top bench.test heap.out
func writeHeapProfile(t testing.TB, path string) {
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		t.Fatal(err)
	}
}

// rssBytes reads VmRSS from /proc/self/status; 0 where there is no /proc.
func rssBytes() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			var kb int64
			fmt.Sscan(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), &kb)
			return kb * 1024
		}
	}
	return 0
}

// A small parked run set in the ordinary test run keeps the measurement
// code itself working: runs poll, park, get cancelled and all end aborted.
func TestParkedRunsEndOnCancel(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 50 runs against a local server")
	}
	m := measureParked(t, 50, 3)
	if m.goroutinesPerRun < 0.5 {
		t.Errorf("%.2f goroutines per parked run: the runs did not stay parked", m.goroutinesPerRun)
	}
}

// parkingClock is the real clock with waits the benchmark scripts.
type parkingClock func(ctx context.Context, d time.Duration) error

func (f parkingClock) Sleep(ctx context.Context, d time.Duration) error { return f(ctx, d) }
func (parkingClock) Now() time.Time                                     { return time.Now() }
