package bench

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/arazzo-go/arazzo/runtime"
)

// The same comparison without sockets: both sides send through a
// RoundTripper that calls SeedServer directly, so what remains is the
// engine's own cost per run next to the least a hand-written client does
// (no TCP, no HTTP framing, no connection pool).

// inMemory serves requests with a handler, in the caller's goroutine.
type inMemory struct{ h http.Handler }

func (t inMemory) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, req)
	if req.Body != nil {
		req.Body.Close()
	}
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

const inMemoryURL = "http://bench.invalid"

func BenchmarkSeedEngineInMemory(b *testing.B)     { benchSeedEngineInMemory(b, nil) }
func BenchmarkSeedEngineLeanInMemory(b *testing.B) { benchSeedEngineInMemory(b, lean) }
func BenchmarkSeedEngineBareInMemory(b *testing.B) { benchSeedEngineInMemory(b, bare) }

func benchSeedEngineInMemory(b *testing.B, mod func(*runtime.Options)) {
	tr := inMemory{&SeedServer{Polls: 2}}
	eng := newEngine(b, loadSeed(b), inMemoryURL, func(o *runtime.Options) {
		o.Transport = tr
		if mod != nil {
			mod(o)
		}
	})
	loopEngine(b, eng)
}

func BenchmarkSeedRawInMemory(b *testing.B) {
	c := &rawClient{client: &http.Client{Transport: inMemory{&SeedServer{Polls: 2}}}, base: inMemoryURL + BasePath}
	in := seedInputs()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := c.run(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}

func TestInMemoryTransportServesTheSeed(t *testing.T) {
	s := &SeedServer{Polls: 2}
	eng := newEngine(t, loadSeed(t), inMemoryURL, func(o *runtime.Options) { o.Transport = inMemory{s} })
	if err := runEngine(context.Background(), eng, seedInputs()); err != nil {
		t.Fatal(err)
	}
	if s.Served() != 5 {
		t.Errorf("served %d requests, want 5", s.Served())
	}
}
