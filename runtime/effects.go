package runtime

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/arazzo-go/arazzo/runtime/store"
)

// Clock is the time a run sees: what time it is, and how a wait is spent.
// The zero Options use the real clock. A driver that keeps time elsewhere
// supplies its own: a virtual clock lets a loop with 30-minute waits run in
// microseconds, and a durable-execution system (Temporal) turns a wait into
// a durable timer. Sleep must return early with ctx.Err() when ctx ends.
type Clock interface {
	Now() time.Time
	Sleep(ctx context.Context, d time.Duration) error
}

// RealClock is the wall clock: time.Now, and a timer that honours ctx.
type RealClock struct{}

// Now returns time.Now().
func (RealClock) Now() time.Time { return time.Now() }

// Sleep waits d or until ctx is done.
func (RealClock) Sleep(ctx context.Context, d time.Duration) error { return sleepContext(ctx, d) }

// Call is one HTTP exchange of a step attempt, as the interpreter hands it
// to the effects that perform it.
type Call struct {
	// Request is fully built; its body can be read again (GetBody).
	Request   *http.Request
	Operation OperationKey
	// Step names the step as "workflowId/stepId"; Send numbers the sends of
	// that step in the run from 1 (a goto re-entry, a retry and a second
	// execution of the workflow all count), so Step and Send name one
	// exchange of the run whatever path led to it.
	Step string
	Send int
	// IdempotencyKey is the value the engine put in the operation's
	// idempotency header (openapi.Operation.IdempotencyHeader) for a run
	// that may send the request again (a durable run, an Effects of the
	// caller's); "" when it set none.
	IdempotencyKey string
}

// Wait is one pacing or retry wait before a step runs (again).
type Wait struct {
	Step     string // "workflowId/stepId" of the step that runs after it
	Duration time.Duration
	Reason   string // "retry" or "poll"
}

// Effects perform what a run does outside the interpreter: the HTTP
// exchanges and the waits. Everything the interpreter decides (which
// request, which branch, which outputs) is a function of the inputs and of
// what Effects returned, so a driver that records those results can replay
// a run exactly: that is how durable runs resume, and how a Temporal
// workflow replays its history.
//
// The zero RunOptions use the engine's effects: its HTTP client and its
// Clock. A driver wraps them (EngineEffects) or replaces them.
type Effects interface {
	// Send performs the exchange and returns the response, whose body the
	// engine reads (at most Options.MaxBodyBytes) and closes.
	Send(ctx context.Context, c *Call) (*http.Response, error)
	// Wait spends the wait. It returns ctx.Err() when ctx ends first.
	Wait(ctx context.Context, w Wait) error
	// Now is the run's clock.
	Now() time.Time
}

// EngineEffects returns the engine's own effects: requests through the
// engine's client, waits and time from Options.Clock. Drivers wrap them.
func (e *Engine) EngineEffects() Effects { return engineEffects{e} }

type engineEffects struct{ e *Engine }

func (x engineEffects) Send(_ context.Context, c *Call) (*http.Response, error) {
	return x.e.client.Do(c.Request)
}

func (x engineEffects) Wait(ctx context.Context, w Wait) error {
	return x.e.opts.Clock.Sleep(ctx, w.Duration)
}

func (x engineEffects) Now() time.Time { return x.e.opts.Clock.Now() }

// VirtualClock is a Clock whose waits take no time: Sleep moves Now forward
// by the wait at once. Tests of polling workflows use it (`arazzo test`
// does), so a loop that would wait 30 minutes finishes in microseconds while
// Retry-After dates and durations still read consistently. Safe for
// concurrent use; the zero value starts at the zero time.
type VirtualClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewVirtualClock returns a virtual clock that reads start.
func NewVirtualClock(start time.Time) *VirtualClock { return &VirtualClock{now: start} }

// Now returns the virtual time.
func (c *VirtualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Sleep advances the clock by d and returns ctx.Err().
func (c *VirtualClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d > 0 {
		c.mu.Lock()
		c.now = c.now.Add(d)
		c.mu.Unlock()
	}
	return nil
}

// newCall numbers the step's exchange and, for a run whose effects may send
// it again, puts an idempotency key in the header the operation declares
// unless the workflow set it: the key is derived from the run id, the step
// and the send number, so a resend after a crash carries the same key and
// the API answers it without acting twice.
func (r *runState) newCall(bs *boundStep, req *http.Request) *Call {
	c := &Call{Request: req, Operation: bs.opKey, Step: bs.path, Send: r.nextSend(bs)}
	if r.resend && bs.idemHeader != "" && req.Header.Get(bs.idemHeader) == "" {
		c.IdempotencyKey = store.IdempotencyKey(r.id, bs.path, c.Send)
		req.Header.Set(bs.idemHeader, c.IdempotencyKey)
	}
	return c
}

// nextSend numbers the step's exchanges and messages in the run (Call.Send).
func (r *runState) nextSend(bs *boundStep) int {
	if r.sends == nil {
		r.sends = map[string]int{}
	}
	r.sends[bs.path]++
	return r.sends[bs.path]
}

// useIdempotencyKey makes k the call's key, in the header that carries the
// engine's key too (a store hands back the key first recorded).
func (c *Call) useIdempotencyKey(k string) {
	if k == c.IdempotencyKey {
		return
	}
	for name, v := range c.Request.Header {
		if len(v) == 1 && v[0] == c.IdempotencyKey {
			c.Request.Header[name] = []string{k}
		}
	}
	c.IdempotencyKey = k
}

// NewResponse builds the response an Effects implementation returns for an
// exchange it did not make through net/http itself: one replayed from a
// record, or made by another process (a Temporal activity). It has the
// whole body in memory, so the engine reads it like any other.
func NewResponse(req *http.Request, status int, header http.Header, body []byte) *http.Response {
	if header == nil {
		header = http.Header{}
	}
	return &http.Response{
		Status:        fmt.Sprintf("%d %s", status, http.StatusText(status)),
		StatusCode:    status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        header,
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
	}
}

// WorkflowEffects run a nested workflow (a step with workflowId) elsewhere:
// a Temporal driver runs it as a child workflow. When a run's effects
// implement it, the interpreter hands every such step's call to
// RunWorkflow instead of running the workflow itself; whoever runs it
// passes the call to Engine.RunWorkflowCall of an engine of the same
// document, which continues the calling run's state exactly as inline
// nesting would, and RunWorkflow returns what that returned. Workflows that
// goto and retry actions name, and dependsOn workflows, still run inline,
// as do all of a durable run's (RunOptions.Store).
type WorkflowEffects interface {
	// RunWorkflow runs the call to its end. It returns ErrInline to have
	// the calling run execute the workflow itself, as without
	// WorkflowEffects; any other error fails the step with that error, or
	// aborts the run when the run's context has ended.
	RunWorkflow(ctx context.Context, c *WorkflowCall) (*WorkflowReturn, error)
}
