package runtime

// OpenTelemetry tracing, built like ContractCheck from the engine's public
// seams: an Observer opens and closes the spans as the run's events arrive
// (a span per workflow run, per step attempt and per HTTP exchange), and a
// RoundTripper sends the exchange's W3C traceparent to the API. Span
// attributes hold ids, the operation, the redacted URL the Result shows,
// status codes, attempts and actions: never inputs, headers or bodies.

import (
	"context"
	"net/http"
	"strconv"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// Span attribute keys. The HTTP ones are OpenTelemetry's semantic
// conventions; the arazzo.* ones name what a workflow adds.
const (
	AttrWorkflowID = attribute.Key("arazzo.workflow.id")
	AttrRunID      = attribute.Key("arazzo.run.id")
	AttrStepID     = attribute.Key("arazzo.step.id")
	AttrOperation  = attribute.Key("arazzo.operation")
	AttrAttempt    = attribute.Key("arazzo.step.attempt")
	AttrAction     = attribute.Key("arazzo.step.action")
	AttrStatus     = attribute.Key("arazzo.status")
)

// Tracing records a run as OpenTelemetry spans: "workflow <id>" for each
// workflow run (nested runs under the step that started them), "step <id>"
// for each step attempt, and a client span "<METHOD>" for each HTTP
// exchange, whose context goes to the API in a traceparent header.
//
// Install both halves, like ContractCheck: Options.Transport =
// t.Transport(inner) and Options.Observer = t.Observer(next). Runs are
// told apart by run id. The spans of a run are roots: the Observer does not
// see the context given to Run.
type Tracing struct {
	tracer trace.Tracer
	prop   propagation.TraceContext
	mu     sync.Mutex
	runs   map[string]*traceRun
}

// traceRun holds the open spans of one run.
type traceRun struct {
	workflows []trace.Span // innermost last
	steps     []trace.Span // a workflow step's span stays open under its run
	http      trace.Span
}

// NewTracing returns a Tracing whose spans come from tp.
func NewTracing(tp trace.TracerProvider) *Tracing {
	return &Tracing{tracer: tp.Tracer("github.com/arazzo-go/arazzo/runtime"), runs: map[string]*traceRun{}}
}

// Observer returns an Observer that turns events into spans, then passes
// them to next (which may be nil).
func (t *Tracing) Observer(next Observer) Observer {
	return ObserverFunc(func(ev Event) {
		t.observe(ev)
		if next != nil {
			next.Observe(ev)
		}
	})
}

func (t *Tracing) observe(ev Event) {
	t.mu.Lock()
	defer t.mu.Unlock()
	r := t.runs[ev.RunID]
	if r == nil {
		if ev.Kind != EventWorkflowStarted {
			return
		}
		r = &traceRun{}
		t.runs[ev.RunID] = r
	}
	switch ev.Kind {
	case EventWorkflowStarted:
		_, span := t.tracer.Start(under(lastSpan(r.steps)), "workflow "+ev.WorkflowID, trace.WithTimestamp(ev.Time),
			trace.WithAttributes(AttrWorkflowID.String(ev.WorkflowID), AttrRunID.String(ev.RunID)))
		r.workflows = append(r.workflows, span)
	case EventStepStarted:
		attrs := []attribute.KeyValue{AttrWorkflowID.String(ev.WorkflowID), AttrStepID.String(ev.StepID)}
		if a := ev.Attempt; a != nil {
			attrs = append(attrs, AttrAttempt.Int(a.Attempt), AttrOperation.String(a.Operation))
		}
		_, span := t.tracer.Start(under(lastSpan(r.workflows)), "step "+ev.StepID,
			trace.WithTimestamp(ev.Time), trace.WithAttributes(attrs...))
		r.steps = append(r.steps, span)
	case EventRequestSent:
		if q := ev.Request; q != nil {
			_, r.http = t.tracer.Start(under(lastSpan(r.steps)), q.Method,
				trace.WithSpanKind(trace.SpanKindClient), trace.WithTimestamp(ev.Time),
				trace.WithAttributes(attribute.String("http.request.method", q.Method), attribute.String("url.full", q.URL)))
		}
	case EventResponseReceived:
		if r.http != nil && ev.Response != nil {
			r.http.SetAttributes(attribute.Int("http.response.status_code", ev.Response.Status))
			if ev.Response.Status >= 400 {
				r.http.SetStatus(codes.Error, strconv.Itoa(ev.Response.Status))
			}
			r.http.End(trace.WithTimestamp(ev.Time))
			r.http = nil
		}
	case EventWaiting:
		if len(r.workflows) == 0 {
			return
		}
		lastSpan(r.workflows).AddEvent("wait", trace.WithTimestamp(ev.Time), trace.WithAttributes(
			AttrStepID.String(ev.StepID), attribute.String("arazzo.wait.reason", ev.Reason), attribute.Float64("arazzo.wait.seconds", ev.Wait.Seconds())))
	case EventStepFinished:
		a := ev.Attempt
		if r.http != nil {
			// No response: the transport failed (a.Error is redacted).
			if a != nil {
				r.http.SetStatus(codes.Error, a.Error)
			}
			r.http.End(trace.WithTimestamp(ev.Time))
			r.http = nil
		}
		if len(r.steps) == 0 {
			return
		}
		span := r.steps[len(r.steps)-1]
		r.steps = r.steps[:len(r.steps)-1]
		if a != nil {
			span.SetAttributes(AttrAction.String(a.Action), attribute.Bool("arazzo.step.success", a.Success))
			if a.Response != nil {
				span.SetAttributes(attribute.Int("http.response.status_code", a.Response.Status))
			}
			if !a.Success {
				span.SetStatus(codes.Error, a.Error)
			}
		}
		span.End(trace.WithTimestamp(ev.Time))
	case EventWorkflowFinished:
		if len(r.workflows) == 0 {
			return
		}
		span := r.workflows[len(r.workflows)-1]
		r.workflows = r.workflows[:len(r.workflows)-1]
		if ev.Result != nil {
			span.SetAttributes(AttrStatus.String(string(ev.Result.Status)))
		}
		if ev.Reason != "" {
			span.SetStatus(codes.Error, ev.Reason)
		}
		span.End(trace.WithTimestamp(ev.Time))
		if len(r.workflows) == 0 {
			for _, s := range r.steps { // none, unless events were lost
				s.End()
			}
			delete(t.runs, ev.RunID)
		}
	}
}

// Transport returns a RoundTripper that sends the current exchange's span
// context as a W3C traceparent header. nil inner means SharedTransport.
func (t *Tracing) Transport(inner http.RoundTripper) http.RoundTripper {
	if inner == nil {
		inner = SharedTransport()
	}
	return &traceTransport{t: t, inner: inner}
}

type traceTransport struct {
	t     *Tracing
	inner http.RoundTripper
}

func (tt *traceTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	runID, ok := RunIDFromContext(req)
	if !ok {
		return tt.inner.RoundTrip(req)
	}
	tt.t.mu.Lock()
	var span trace.Span
	if r := tt.t.runs[runID]; r != nil {
		span = r.http
	}
	tt.t.mu.Unlock()
	if span == nil {
		return tt.inner.RoundTrip(req)
	}
	// The engine's header map must not be modified by a RoundTripper.
	out := req.Clone(req.Context())
	tt.t.prop.Inject(trace.ContextWithSpan(req.Context(), span), propagation.HeaderCarrier(out.Header))
	return tt.inner.RoundTrip(out)
}

// lastSpan returns the innermost open span, nil when none.
func lastSpan(spans []trace.Span) trace.Span {
	if len(spans) == 0 {
		return nil
	}
	return spans[len(spans)-1]
}

// under returns a context whose span is parent; a nil parent starts a root.
func under(parent trace.Span) context.Context {
	if parent == nil {
		return context.Background()
	}
	return trace.ContextWithSpan(context.Background(), parent)
}
