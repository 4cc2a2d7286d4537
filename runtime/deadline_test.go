package runtime

import (
	"context"
	"errors"
	"testing"
	"time"
)

// The shared request context (deadline.go) in the cases a run does not
// produce today: a second request while one is in flight gets a context of
// its own, with its own deadline; a request due sooner than the timer was
// armed for (a shorter timeout) is cut at its own deadline; a context whose
// deadline passed is not handed out again; release cancels the shared one.
func TestRequestDeadlinesEdgeCases(t *testing.T) {
	var d requestDeadlines
	parent := context.Background()
	first := d.arm(parent, time.Minute, "op")
	second := d.arm(parent, time.Minute, "op")
	if !first.shared || second.shared || second.own == nil {
		t.Fatalf("first shared %v, second shared %v own %v: want the second in flight on a context of its own", first.shared, second.shared, second.own != nil)
	}
	if _, ok := second.Deadline(); !ok || second.Value(operationKeyType{}) != "op" {
		t.Error("the second request's context lost its deadline or its operation")
	}
	d.disarm(second)
	if second.Err() == nil {
		t.Error("disarm left the second request's own context running")
	}
	d.disarm(first)

	start := time.Now()
	short := d.arm(parent, 20*time.Millisecond, "op")
	<-short.Done()
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("a 20ms request after a 1-minute one was cut after %v: the timer kept the earlier firing time", took)
	}
	if !errors.Is(short.Err(), context.DeadlineExceeded) {
		t.Errorf("a request past its deadline: Err %v, want context.DeadlineExceeded", short.Err())
	}
	d.disarm(short)
	next := d.arm(parent, time.Minute, "op")
	if next.Err() != nil || next.Context == short.Context {
		t.Errorf("the request after a timeout got the cancelled context (Err %v)", next.Err())
	}
	d.disarm(next)
	d.release()
	if next.Context.Err() == nil {
		t.Error("release left the shared context running")
	}
	if d.ctx != nil || d.shared != nil {
		t.Error("release kept the shared context")
	}

	cancelled, cancel := context.WithCancel(parent)
	rc := d.arm(cancelled, time.Minute, "op")
	cancel()
	<-rc.Done()
	if !errors.Is(rc.Err(), context.Canceled) {
		t.Errorf("a request whose parent was cancelled: Err %v, want context.Canceled", rc.Err())
	}
	d.disarm(rc)
	d.release()
}
