package ocisim

import (
	"strings"
	"sync"
	"testing"
	"time"
)

// settableClock is a clock a test moves by hand.
type settableClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *settableClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *settableClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newClock() *settableClock {
	return &settableClock{now: time.Date(2026, 12, 4, 3, 0, 0, 0, time.UTC)}
}

// A token is remembered for 24 hours: a retry just before then is deduplicated, a reuse after then is a new
// request.
func TestRetryTokenExpiresAfter24Hours(t *testing.T) {
	clock := newClock()
	s := newSim(t, Options{Clock: clock.Now, ProvisioningPolls: ZeroPolls})
	first := do(t, s, "POST", "/20160918/images", seedBody, "opc-retry-token", "tok")
	do(t, s, "GET", "/20160918/images/"+first.str("id"), "") // settles; the instance is STOPPED again

	clock.Add(RetryTokenTTL - time.Second)
	again := do(t, s, "POST", "/20160918/images", seedBody, "opc-retry-token", "tok")
	if again.status != 200 || again.str("id") != first.str("id") {
		t.Fatalf("retry within 24 h: %d %s, want image %s", again.status, again.body, first.str("id"))
	}
	clock.Add(time.Second)
	later := do(t, s, "POST", "/20160918/images", seedBody, "opc-retry-token", "tok")
	if later.status != 200 || later.str("id") == first.str("id") {
		t.Fatalf("reuse after 24 h: %d %s, want a new image", later.status, later.body)
	}
	if n := len(s.Snapshot().Images); n != 3 {
		t.Errorf("%d images, want the platform image and two new ones", n)
	}
	// The expired token now stands for the new request.
	if r := do(t, s, "POST", "/20160918/images", seedBody, "opc-retry-token", "tok"); r.str("id") != later.str("id") {
		t.Errorf("retry of the new request gave %s, want %s", r.str("id"), later.str("id"))
	}
}

// A retry of a failed create acts: failures leave no record, as on OCI.
func TestRetryTokenAfterFailureActs(t *testing.T) {
	s := newSim(t, Options{})
	if err := s.SetInstanceState(InstanceStopped, StateStopping); err != nil {
		t.Fatal(err)
	}
	wantError(t, do(t, s, "POST", "/20160918/images", seedBody, "opc-retry-token", "tok"), 409, "IncorrectState")
	if err := s.SetInstanceState(InstanceStopped, StateStopped); err != nil {
		t.Fatal(err)
	}
	if r := do(t, s, "POST", "/20160918/images", seedBody, "opc-retry-token", "tok"); r.status != 200 {
		t.Fatalf("retry after the failure: %d %s", r.status, r.body)
	}
}

// Instance actions honour the token too: a retried STOP answers the first response and does not act again,
// even though the instance was started in between; another action under the same token is refused.
func TestRetryTokenInstanceAction(t *testing.T) {
	clock := newClock()
	s := newSim(t, Options{Clock: clock.Now})
	path := "/20160918/instances/" + InstanceRunning
	first := do(t, s, "POST", path+"?action=STOP", "", "opc-retry-token", "stop-1")
	if first.status != 200 || first.str("lifecycleState") != StateStopped {
		t.Fatalf("stop: %d %s", first.status, first.body)
	}
	do(t, s, "POST", path+"?action=START", "")
	retry := do(t, s, "POST", path+"?action=STOP", "", "opc-retry-token", "stop-1")
	if retry.status != 200 || string(retry.body) != string(first.body) || retry.header.Get("etag") != first.header.Get("etag") {
		t.Errorf("retry: %d %s, want the first response %s", retry.status, retry.body, first.body)
	}
	if in, _ := s.Instance(InstanceRunning); in.LifecycleState != StateRunning {
		t.Errorf("the retried STOP acted: instance is %s", in.LifecycleState)
	}
	wantError(t, do(t, s, "POST", path+"?action=RESET", "", "opc-retry-token", "stop-1"), 409, "InvalidatedRetryToken")
	wantError(t, do(t, s, "POST", path+"?action=STOP", "", "opc-retry-token", strings.Repeat("x", 65)), 400, "InvalidParameter")

	clock.Add(RetryTokenTTL)
	do(t, s, "POST", path+"?action=STOP", "", "opc-retry-token", "stop-1")
	if in, _ := s.Instance(InstanceRunning); in.LifecycleState != StateStopped {
		t.Errorf("after 24 h the token should act again: instance is %s", in.LifecycleState)
	}
}

func TestRetryTokenUpdateImage(t *testing.T) {
	s := newSim(t, Options{})
	path := "/20160918/images/" + PlatformImageID
	first := do(t, s, "PUT", path, `{"displayName":"one"}`, "opc-retry-token", "u")
	do(t, s, "PUT", path, `{"displayName":"two"}`)
	retry := do(t, s, "PUT", path, `{ "displayName" : "one" }`, "opc-retry-token", "u")
	if retry.str("displayName") != "one" || retry.header.Get("etag") != first.header.Get("etag") {
		t.Errorf("retry: %s, want the first response", retry.body)
	}
	if im, _ := s.Image(PlatformImageID); im.DisplayName != "two" {
		t.Errorf("the retried update acted: display name %q", im.DisplayName)
	}
	wantError(t, do(t, s, "PUT", path, `{"displayName":"three"}`, "opc-retry-token", "u"), 409, "InvalidatedRetryToken")
}
