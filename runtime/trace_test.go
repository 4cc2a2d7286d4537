package runtime_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	oteltrace "go.opentelemetry.io/otel/trace"

	"github.com/arazzo-go/arazzo/runtime"
)

// TestTracing records a two-step run with the SDK's in-memory exporter:
// one workflow span (failed: the second answer is a 404), a step span per attempt under it, a client span per
// exchange under its step, with ids, operation, attempt, status and action
// as attributes; the API receives the exchange span's traceparent.
// (cmd/arazzo's TestRunTracingOTLP checks that no secret is exported.)
func TestTracing(t *testing.T) {
	doc := writeContractDoc(t)
	var mu sync.Mutex
	var parents []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		parents = append(parents, r.Header.Get("traceparent"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/bad") {
			w.WriteHeader(http.StatusNotFound)
		}
		w.Write([]byte(`{"id":"x","status":"sold"}`))
	}))
	defer srv.Close()
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	defer tp.Shutdown(context.Background())
	tr := runtime.NewTracing(tp)
	eng, err := runtime.New(doc, runtime.Options{
		Servers:   map[string]string{"pets": srv.URL},
		Transport: tr.Transport(nil),
		Observer:  tr.Observer(nil),
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := eng.RunWith(context.Background(), "twoPets", nil, runtime.RunOptions{ID: "run-1"})
	if res == nil {
		t.Fatal(err)
	}
	spans := exp.GetSpans()
	byName := map[string][]tracetest.SpanStub{}
	for _, s := range spans {
		byName[s.Name] = append(byName[s.Name], s)
	}
	wf, steps, gets := byName["workflow twoPets"], append(byName["step first"], byName["step second"]...), byName["GET"]
	if len(wf) != 1 || len(steps) != 2 || len(gets) != 2 || len(spans) != 5 {
		t.Fatalf("spans %v: want one workflow, two steps, two GETs", names(spans))
	}
	root := wf[0].SpanContext
	if wf[0].Parent.IsValid() {
		t.Error("the workflow span has a parent")
	}
	for i, s := range steps {
		if s.Parent.SpanID() != root.SpanID() || s.SpanContext.TraceID() != root.TraceID() {
			t.Errorf("%s is not under the workflow span", s.Name)
		}
		g := gets[i]
		if g.Parent.SpanID() != s.SpanContext.SpanID() || g.SpanKind != oteltrace.SpanKindClient {
			t.Errorf("exchange %d is not a client span under %s", i, s.Name)
		}
		want := "00-" + root.TraceID().String() + "-" + g.SpanContext.SpanID().String() + "-01"
		if parents[i] != want {
			t.Errorf("request %d traceparent %q, want %q", i, parents[i], want)
		}
	}
	attrs := func(s tracetest.SpanStub) map[string]string {
		m := map[string]string{}
		for _, kv := range s.Attributes {
			m[string(kv.Key)] = kv.Value.Emit()
		}
		return m
	}
	if a := attrs(wf[0]); a["arazzo.run.id"] != "run-1" || a["arazzo.status"] != "failed" || wf[0].Status.Code != codes.Error {
		t.Errorf("workflow attributes %v, status %v", a, wf[0].Status)
	}
	if steps[1].Status.Code != codes.Error || gets[1].Status.Code != codes.Error || attrs(gets[1])["http.response.status_code"] != "404" {
		t.Errorf("the failing step (404) is not marked: %v %v", steps[1].Status, gets[1].Status)
	}
	if steps[0].Status.Code == codes.Error {
		t.Errorf("the passing step is marked as an error")
	}
	if a := attrs(steps[0]); a["arazzo.step.id"] != "first" || a["arazzo.operation"] != "getPet" || a["arazzo.step.attempt"] != "1" || a["arazzo.step.action"] != "next" || a["http.response.status_code"] != "200" {
		t.Errorf("step attributes %v", a)
	}
	if a := attrs(gets[0]); a["http.request.method"] != "GET" || a["url.full"] != srv.URL+"/pets/good" || a["http.response.status_code"] != "200" {
		t.Errorf("exchange attributes %v", a)
	}
}

func names(spans tracetest.SpanStubs) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.Name)
	}
	return out
}
