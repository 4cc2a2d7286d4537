package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/arazzo-go/arazzo/runtime"
)

// runTraceFlushTimeout bounds the export of the spans at the end of a run:
// an unreachable collector must not hold the command.
const runTraceFlushTimeout = 5 * time.Second

// runApplyTracing installs OpenTelemetry tracing when the standard
// variables ask for it, and returns what flushes the spans at the end:
//
//   - OTEL_SDK_DISABLED=true, or OTEL_TRACES_EXPORTER=none: off;
//   - OTEL_TRACES_EXPORTER=console: spans written to stderr as JSON;
//   - otherwise (otlp, the default) when OTEL_EXPORTER_OTLP_ENDPOINT or
//     OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set: OTLP over HTTP/protobuf,
//     configured by the exporter from the OTEL_EXPORTER_OTLP_* variables
//     (headers, timeout, certificates); OTEL_SERVICE_NAME and
//     OTEL_RESOURCE_ATTRIBUTES describe the service (default "arazzo").
//
// With none of these set nothing is traced and nothing is paid.
func runApplyTracing(opts *runtime.Options, stderr io.Writer) (func(), error) {
	none := func() {}
	if strings.EqualFold(os.Getenv("OTEL_SDK_DISABLED"), "true") {
		return none, nil
	}
	var exp sdktrace.SpanExporter
	var err error
	switch kind := strings.TrimSpace(strings.Split(os.Getenv("OTEL_TRACES_EXPORTER"), ",")[0]); kind {
	case "none":
		return none, nil
	case "console":
		exp, err = stdouttrace.New(stdouttrace.WithWriter(stderr))
	case "", "otlp":
		if os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") == "" && os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") == "" {
			return none, nil
		}
		proto := os.Getenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL")
		if proto == "" {
			proto = os.Getenv("OTEL_EXPORTER_OTLP_PROTOCOL")
		}
		if proto != "" && proto != "http/protobuf" {
			return nil, fmt.Errorf("OTEL_EXPORTER_OTLP_PROTOCOL=%s: only http/protobuf is supported", proto)
		}
		exp, err = otlptracehttp.New(context.Background())
	default:
		return nil, fmt.Errorf("OTEL_TRACES_EXPORTER=%s: want otlp, console or none", kind)
	}
	if err != nil {
		return nil, fmt.Errorf("tracing: %v", err)
	}
	// The variables win over the default service name.
	res, err := resource.New(context.Background(),
		resource.WithAttributes(attribute.String("service.name", "arazzo")),
		resource.WithTelemetrySDK(),
		resource.WithFromEnv())
	if err != nil {
		fmt.Fprintf(stderr, "arazzo run: warning: tracing resource: %v\n", err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	tr := runtime.NewTracing(tp)
	opts.Transport = tr.Transport(opts.Transport)
	opts.Observer = tr.Observer(opts.Observer)
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), runTraceFlushTimeout)
		defer cancel()
		if err := tp.Shutdown(ctx); err != nil {
			fmt.Fprintf(stderr, "arazzo run: warning: exporting the trace: %v\n", err)
		}
	}, nil
}
