package bench

import (
	"context"
	"testing"

	"github.com/arazzo-go/arazzo/runtime"
)

// Per-run overhead. Target: BenchmarkSeedEngine ≤ 1.10 × BenchmarkSeedRaw
// (ns/op); both make the same 5 requests on loopback to the same server.
//
// Throughput. Target: BenchmarkSeedEngineParallel runs/s ≥ 0.85 ×
// BenchmarkSeedRawParallel runs/s (the raw request rate divided by 5).
// Both use GOMAXPROCS × parallelism goroutines, so the CPUs stay busy
// while requests wait on loopback; the server shares the same CPUs.
//
// Each engine benchmark comes in three configurations: the default (the
// full run report), Lean (runtime.Options.Lean: no per-attempt details,
// only failing criteria explained) and Bare (Lean without a per-request
// deadline: nothing the net/http baseline does not do).

const parallelism = 8

func lean(o *runtime.Options) { o.Lean = true }
func bare(o *runtime.Options) { o.Lean, o.RequestTimeout = true, -1 }

func BenchmarkSeedEngine(b *testing.B)     { benchSeedEngine(b, nil) }
func BenchmarkSeedEngineLean(b *testing.B) { benchSeedEngine(b, lean) }
func BenchmarkSeedEngineBare(b *testing.B) { benchSeedEngine(b, bare) }

func BenchmarkSeedEngineParallel(b *testing.B)     { benchSeedEngineParallel(b, nil) }
func BenchmarkSeedEngineLeanParallel(b *testing.B) { benchSeedEngineParallel(b, lean) }
func BenchmarkSeedEngineBareParallel(b *testing.B) { benchSeedEngineParallel(b, bare) }

func BenchmarkSeedRaw(b *testing.B) {
	_, srv := newServer(b, 2)
	c := newRawClient(srv.URL)
	in := seedInputs()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := c.run(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSeedRawParallel(b *testing.B) {
	_, srv := newServer(b, 2)
	c := newRawClient(srv.URL)
	in := seedInputs()
	runParallel(b, func(ctx context.Context) error { return c.run(ctx, in) })
}

// benchSeedEngine runs the seed on loopback with the options mod sets.
func benchSeedEngine(b *testing.B, mod func(*runtime.Options)) {
	_, srv := newServer(b, 2)
	eng := newEngine(b, loadSeed(b), srv.URL, mod)
	loopEngine(b, eng)
}

func benchSeedEngineParallel(b *testing.B, mod func(*runtime.Options)) {
	_, srv := newServer(b, 2)
	eng := newEngine(b, loadSeed(b), srv.URL, mod)
	in := seedInputs()
	runParallel(b, func(ctx context.Context) error { return runEngine(ctx, eng, in) })
}

// loopEngine runs the seed with eng b.N times.
func loopEngine(b *testing.B, eng *runtime.Engine) {
	in := seedInputs()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := runEngine(ctx, eng, in); err != nil {
			b.Fatal(err)
		}
	}
}

// runParallel runs one seed run per iteration from parallelism ×
// GOMAXPROCS goroutines and reports runs/s.
func runParallel(b *testing.B, run func(context.Context) error) {
	ctx := context.Background()
	b.ReportAllocs()
	b.SetParallelism(parallelism)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := run(ctx); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "runs/s")
}

// BenchmarkEngineNew is the cost of binding a loaded document into an
// engine (resolving operations, compiling criteria), paid once per process
// by the CLI.
func BenchmarkEngineNew(b *testing.B) {
	doc := loadSeed(b)
	b.ReportAllocs()
	for b.Loop() {
		newEngine(b, doc, "http://127.0.0.1:1", nil)
	}
}
