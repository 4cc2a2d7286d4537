package bench

import (
	"context"
	"testing"

	"github.com/arazzo-go/arazzo/runtime"
)

// Per-run overhead. Target: BenchmarkSeedEngine ≤ 1.10 × BenchmarkSeedRaw
// (ns/op); both make the same 5 requests on loopback to the same server.

func BenchmarkSeedEngine(b *testing.B) {
	_, srv := newServer(b, 2)
	eng := newEngine(b, loadSeed(b), srv.URL, nil)
	in := seedInputs()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := runEngine(ctx, eng, in); err != nil {
			b.Fatal(err)
		}
	}
}

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

// Throughput. Target: BenchmarkSeedEngineParallel runs/s ≥ 0.85 ×
// BenchmarkSeedRawParallel runs/s (the raw request rate divided by 5).
// Both use GOMAXPROCS × parallelism goroutines, so the CPUs stay busy
// while requests wait on loopback; the server shares the same CPUs.

const parallelism = 8

func BenchmarkSeedEngineParallel(b *testing.B) {
	_, srv := newServer(b, 2)
	eng := newEngine(b, loadSeed(b), srv.URL, nil)
	in := seedInputs()
	ctx := context.Background()
	b.ReportAllocs()
	b.SetParallelism(parallelism)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := runEngine(ctx, eng, in); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "runs/s")
}

func BenchmarkSeedRawParallel(b *testing.B) {
	_, srv := newServer(b, 2)
	c := newRawClient(srv.URL)
	in := seedInputs()
	ctx := context.Background()
	b.ReportAllocs()
	b.SetParallelism(parallelism)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := c.run(ctx, in); err != nil {
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

// The same runs with runtime.Options.Lean: no per-attempt details, only
// failing criteria explained. What an embedding that reads only statuses
// and outputs pays.

func BenchmarkSeedEngineLean(b *testing.B) {
	_, srv := newServer(b, 2)
	eng := newEngine(b, loadSeed(b), srv.URL, func(o *runtime.Options) { o.Lean = true })
	in := seedInputs()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := runEngine(ctx, eng, in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSeedEngineLeanParallel(b *testing.B) {
	_, srv := newServer(b, 2)
	eng := newEngine(b, loadSeed(b), srv.URL, func(o *runtime.Options) { o.Lean = true })
	in := seedInputs()
	ctx := context.Background()
	b.ReportAllocs()
	b.SetParallelism(parallelism)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := runEngine(ctx, eng, in); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "runs/s")
}

// BenchmarkSeedEngineBare is Lean without a per-request deadline
// (RequestTimeout < 0): the engine doing nothing the net/http baseline does
// not do, which is the closest comparison of the two.
func BenchmarkSeedEngineBare(b *testing.B) {
	_, srv := newServer(b, 2)
	eng := newEngine(b, loadSeed(b), srv.URL, func(o *runtime.Options) { o.Lean, o.RequestTimeout = true, -1 })
	in := seedInputs()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := runEngine(ctx, eng, in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSeedEngineBareParallel(b *testing.B) {
	_, srv := newServer(b, 2)
	eng := newEngine(b, loadSeed(b), srv.URL, func(o *runtime.Options) { o.Lean, o.RequestTimeout = true, -1 })
	in := seedInputs()
	ctx := context.Background()
	b.ReportAllocs()
	b.SetParallelism(parallelism)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := runEngine(ctx, eng, in); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "runs/s")
}
