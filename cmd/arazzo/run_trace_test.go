package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"
)

// TestRunTracingOTLP runs the pets workflow with OTEL_EXPORTER_OTLP_ENDPOINT
// pointing at an OTLP/HTTP receiver on localhost: the spans of the run
// arrive (workflow, steps, exchanges) under the service name arazzo, the
// API got a traceparent, and the secret input appears in no exported byte.
func TestRunTracingOTLP(t *testing.T) {
	doc := writePets(t)
	var mu sync.Mutex
	var exports [][]byte
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/traces" || r.Header.Get("Content-Type") != "application/x-protobuf" {
			http.Error(w, "unexpected "+r.URL.Path, http.StatusNotFound)
			return
		}
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		exports = append(exports, b)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	defer collector.Close()
	var traceparents []string
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		traceparents = append(traceparents, r.Header.Get("traceparent"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"p1","status":"sold"}`)
	}))
	defer api.Close()
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector.URL)
	t.Setenv("OTEL_TRACES_EXPORTER", "")
	t.Setenv("OTEL_SDK_DISABLED", "")
	t.Setenv("OTEL_SERVICE_NAME", "")
	const secret = "sk_trace_secret_0042"
	var stdout, stderr bytes.Buffer
	code := run([]string{"run", doc, "--server", "pets=" + api.URL, "--input", "petId=p1", "--input", "apiKey=" + secret}, nil, &stdout, &stderr)
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	mu.Lock()
	defer mu.Unlock()
	if len(exports) == 0 {
		t.Fatal("nothing exported")
	}
	names := map[string]int{}
	service := ""
	for _, b := range exports {
		if bytes.Contains(b, []byte(secret)) {
			t.Error("the secret input was exported")
		}
		var req coltrace.ExportTraceServiceRequest
		if err := proto.Unmarshal(b, &req); err != nil {
			t.Fatal(err)
		}
		for _, rs := range req.ResourceSpans {
			for _, kv := range rs.GetResource().GetAttributes() {
				if kv.Key == "service.name" {
					service = kv.GetValue().GetStringValue()
				}
			}
			for _, ss := range rs.ScopeSpans {
				for _, s := range ss.Spans {
					names[s.Name]++
				}
			}
		}
	}
	if names["workflow twoPets"] != 1 || names["step first"] != 1 || names["step second"] != 1 || names["GET"] != 2 {
		t.Errorf("exported spans %v", names)
	}
	if service != "arazzo" {
		t.Errorf("service.name %q", service)
	}
	if len(traceparents) != 2 || !strings.HasPrefix(traceparents[0], "00-") {
		t.Errorf("traceparents sent %q", traceparents)
	}
}

func TestRunTracingBadSettings(t *testing.T) {
	doc := writePets(t)
	for env, want := range map[string]string{
		"OTEL_TRACES_EXPORTER=zipkin":      "OTEL_TRACES_EXPORTER=zipkin: want otlp, console or none",
		"OTEL_EXPORTER_OTLP_PROTOCOL=grpc": "OTEL_EXPORTER_OTLP_PROTOCOL=grpc: only http/protobuf is supported",
	} {
		t.Run(env, func(t *testing.T) {
			name, value, _ := strings.Cut(env, "=")
			t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9")
			t.Setenv(name, value)
			var stdout, stderr bytes.Buffer
			code := run([]string{"run", doc, "--input", "petId=p1"}, nil, &stdout, &stderr)
			if code != exitUsage || !strings.Contains(stderr.String(), want) {
				t.Errorf("exit %d\n%s", code, stderr.String())
			}
		})
	}
}

// OTEL_TRACES_EXPORTER=console writes the spans to stderr, not stdout,
// which keeps the workflow outputs.
func TestRunTracingConsole(t *testing.T) {
	doc := writePets(t)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"p1","status":"sold"}`)
	}))
	defer api.Close()
	t.Setenv("OTEL_TRACES_EXPORTER", "console")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"run", doc, "--server", "pets=" + api.URL, "--input", "petId=p1"}, nil, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), `"Name":"workflow twoPets"`) || strings.Contains(stdout.String(), "Name") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	}
}
