package runtime

import (
	"context"
	"sync"
	"time"
)

// requestDeadlines gives each request of a run its RequestTimeout with one
// context and one timer for the whole run, where context.WithTimeout per
// request cost four allocations, a timer created and stopped, and ≈ 3 µs of
// CPU per seed run (5 requests): about 0.04 of the engine's ratio to raw
// net/http on loopback (docs/performance.md item 27).
//
// The timer is not re-armed for every request either: a request only moves
// the deadline, and the timer, when it fires, re-arms itself for the
// deadline of the request in flight, or lapses when there is none. A run
// that sends a request every few milliseconds touches the timer once per
// RequestTimeout, not once per request.
//
// The shared context is dropped, and a new one made, as soon as it has been
// cancelled (a request outlived its deadline), its parent is not the one of
// the next request (a step with a timeout has a context per attempt), or its
// parent is done. A run's operation steps send one request at a time; a
// request made while another is in flight gets a context of its own.
type requestDeadlines struct {
	parent context.Context
	ctx    context.Context // context.WithCancelCause(parent)
	busy   bool            // a request uses ctx
	shared *deadlineTimer
}

// deadlineTimer is the part of requestDeadlines its timer's goroutine reads.
type deadlineTimer struct {
	mu       sync.Mutex
	timer    *time.Timer
	armed    bool      // the timer is running
	fireAt   time.Time // when it fires, while armed
	inFlight bool      // a request is using the context
	deadline time.Time // of the request in flight
	closed   bool      // released: the timer must not re-arm
	cancel   context.CancelCauseFunc
}

// fire cancels the shared context if the request in flight is past its
// deadline, re-arms the timer for that deadline if it is not, and lets the
// timer lapse when no request is in flight.
func (t *deadlineTimer) fire() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed || !t.inFlight {
		t.armed = false
		return
	}
	if left := time.Until(t.deadline); left > 0 {
		t.timer.Reset(left)
		t.fireAt = t.deadline
		return
	}
	t.armed = false
	t.cancel(context.DeadlineExceeded)
}

// requestCtx is the context of one request: the shared context, the
// request's own deadline, and the operation key (operation_context.go) that
// context.WithValue used to add in an allocation of its own.
type requestCtx struct {
	context.Context
	parent   context.Context
	deadline time.Time
	opKey    any
	// own releases a context made for this request alone, when the
	// shared one was busy; nil otherwise (with no timeout, Context is the
	// parent itself).
	own    context.CancelFunc
	shared bool
}

func (c *requestCtx) Deadline() (time.Time, bool) {
	if c.deadline.IsZero() {
		return c.Context.Deadline()
	}
	return c.deadline, true
}

// Err is context.DeadlineExceeded once the request's deadline passed, as
// for a context of context.WithTimeout; the shared context's own error is
// context.Canceled, with DeadlineExceeded as its cause.
func (c *requestCtx) Err() error {
	err := c.Context.Err()
	if err != nil && c.shared && c.parent.Err() == nil {
		return context.DeadlineExceeded
	}
	return err
}

func (c *requestCtx) Value(key any) any {
	if _, ok := key.(operationKeyType); ok {
		return c.opKey
	}
	return c.Context.Value(key)
}

// arm returns the context of a request that starts now: it carries opKey,
// and is done timeout from now (no deadline of its own when timeout <= 0)
// or when parent is. disarm must be called with it once the request and
// its response body are done.
func (d *requestDeadlines) arm(parent context.Context, timeout time.Duration, opKey any) *requestCtx {
	rc := &requestCtx{parent: parent, opKey: opKey}
	if timeout <= 0 {
		rc.Context = parent
		return rc
	}
	// own is the request's deadline, which the timer enforces; Deadline
	// reports the parent's when that is earlier, and the parent's own
	// cancellation enforces that one (with the parent's error).
	own := time.Now().Add(timeout)
	rc.deadline = own
	if pd, ok := parent.Deadline(); ok && pd.Before(own) {
		rc.deadline = pd
	}
	if d.busy {
		rc.Context, rc.own = context.WithDeadline(parent, rc.deadline)
		return rc
	}
	if d.ctx != nil && (d.parent != parent || d.ctx.Err() != nil) {
		d.release()
	}
	if d.ctx == nil {
		ctx, cancel := context.WithCancelCause(parent)
		d.parent, d.ctx = parent, ctx
		d.shared = &deadlineTimer{cancel: cancel}
	}
	t := d.shared
	t.mu.Lock()
	t.inFlight, t.deadline = true, own
	// A run's requests share one RequestTimeout, so the timer, once armed,
	// fires before the deadline of any later request; one due sooner (a
	// shorter timeout) re-arms it.
	if !t.armed || own.Before(t.fireAt) {
		t.armed, t.fireAt = true, own
		if t.timer == nil {
			t.timer = time.AfterFunc(timeout, t.fire)
		} else {
			t.timer.Reset(timeout)
		}
	}
	t.mu.Unlock()
	d.busy = true
	rc.Context, rc.shared = d.ctx, true
	return rc
}

// disarm ends a request's context. The timer keeps running until it fires
// and finds no request in flight.
func (d *requestDeadlines) disarm(rc *requestCtx) {
	switch {
	case rc.own != nil:
		rc.own()
	case rc.shared:
		d.busy = false
		t := d.shared
		t.mu.Lock()
		t.inFlight = false
		t.mu.Unlock()
	}
}

// release stops the shared context's timer and cancels the context, which
// detaches it from its parent; the run calls it when it ends.
func (d *requestDeadlines) release() {
	if d.ctx == nil {
		return
	}
	t := d.shared
	t.mu.Lock()
	t.closed = true
	if t.timer != nil {
		t.timer.Stop()
	}
	t.mu.Unlock()
	t.cancel(context.Canceled)
	*d = requestDeadlines{}
}
