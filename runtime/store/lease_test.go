package store

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// manualClock is a store clock that moves only when the test says, so lease expiry is decided by the test,
// never by how fast the machine is.
type manualClock struct {
	mu sync.Mutex
	t  time.Time
}

func newManualClock() *manualClock {
	return &manualClock{t: time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)}
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *manualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var (
	holderA = Lease{Owner: "owner-a", Host: "host-a", PID: 101}
	holderB = Lease{Owner: "owner-b", Host: "host-b", PID: 202}
)

const ttl = 30 * time.Second

func mustAcquire(t *testing.T, s Store, runID string, holder Lease) Lease {
	t.Helper()
	l, err := s.AcquireLease(ctx, runID, holder, ttl)
	if err != nil {
		t.Fatalf("%s acquires %s: %v", holder.Owner, runID, err)
	}
	return l
}

// refusedTo checks that err is a lease refusal naming owner as the holder.
func refusedTo(t *testing.T, what string, err error, owner string) {
	t.Helper()
	var le *LeaseError
	if !errors.Is(err, ErrLeased) || !errors.As(err, &le) || le.Holder.Owner != owner {
		t.Errorf("%s: %v, want a LeaseError naming %q", what, err, owner)
	}
}

func TestLeaseAcquireConflictRenewExpire(t *testing.T) {
	clock := newManualClock()
	forEach(t, Options{Now: clock.Now}, func(t *testing.T, s Store) {
		mustRun(t, s, "r", "wf")
		if run, _ := s.Run(ctx, "r"); run.Lease != (Lease{}) {
			t.Errorf("a new run has lease %+v, want none", run.Lease)
		}
		a := mustAcquire(t, s, "r", holderA)
		if want := clock.Now().Add(ttl); !a.Until.Equal(want) || a.Owner != "owner-a" || a.Host != "host-a" || a.PID != 101 {
			t.Errorf("lease %+v, want holder A until %v", a, want)
		}
		if run, _ := s.Run(ctx, "r"); run.Lease != a {
			t.Errorf("Run().Lease = %+v, want %+v", run.Lease, a)
		}
		_, err := s.AcquireLease(ctx, "r", holderB, ttl)
		refusedTo(t, "B while A's lease is live", err, "owner-a")
		var le *LeaseError
		if errors.As(err, &le) && (le.RunID != "r" || le.Holder != a) {
			t.Errorf("the refusal says %+v, want run r held by %+v", le, a)
		}

		// A renews before its lease ends: B is still refused after A's first expiry.
		clock.Advance(20 * time.Second)
		renewed := mustAcquire(t, s, "r", holderA)
		if !renewed.Until.After(a.Until) {
			t.Errorf("renewal kept the lease until %v, want after %v", renewed.Until, a.Until)
		}
		clock.Advance(20 * time.Second) // past a.Until, before renewed.Until
		_, err = s.AcquireLease(ctx, "r", holderB, ttl)
		refusedTo(t, "B after A renewed", err, "owner-a")

		// A stops renewing (a killed process): once its lease expired, B takes the run.
		clock.Advance(10 * time.Second) // exactly renewed.Until: expired
		b := mustAcquire(t, s, "r", holderB)
		_, err = s.AcquireLease(ctx, "r", holderA, ttl)
		refusedTo(t, "A once B took over", err, "owner-b")
		if run, _ := s.Run(ctx, "r"); run.Lease != b {
			t.Errorf("Run().Lease = %+v, want B's %+v", run.Lease, b)
		}
	})
}

func TestLeaseAppendByNonHolderRefused(t *testing.T) {
	clock := newManualClock()
	forEach(t, Options{Now: clock.Now}, func(t *testing.T, s Store) {
		mustRun(t, s, "r", "wf")
		mustAcquire(t, s, "r", holderA)
		rec := mustAppend(t, s, Record{RunID: "r", Kind: KindCheckpoint, Lease: "owner-a"})
		if rec.Lease != "" {
			t.Errorf("Append returned the lease %q: it is not stored", rec.Lease)
		}
		_, err := s.Append(ctx, Record{RunID: "r", Kind: KindAboutToSend, Step: "s", Attempt: 1, Lease: "owner-b"})
		refusedTo(t, "append by B while A holds the run", err, "owner-a")
		_, err = s.Append(ctx, Record{RunID: "r", Kind: KindAboutToSend, Step: "s", Attempt: 1})
		refusedTo(t, "append without a lease while A holds the run", err, "owner-a")

		// A's lease expired and nobody took the run: A's records are still A's to write.
		clock.Advance(time.Hour)
		mustAppend(t, s, Record{RunID: "r", Kind: KindAboutToSend, Step: "s", Attempt: 1, Lease: "owner-a"})

		// B takes the run over: A, paused past its expiry, cannot interleave its records with B's.
		mustAcquire(t, s, "r", holderB)
		_, err = s.Append(ctx, Record{RunID: "r", Kind: KindResponseRecorded, Step: "s", Attempt: 1, Lease: "owner-a"})
		refusedTo(t, "append by A after B took over", err, "owner-b")
		mustAppend(t, s, Record{RunID: "r", Kind: KindResponseRecorded, Step: "s", Attempt: 1, Lease: "owner-b"})

		// B releases: A still may not write (its lease is gone), a writer without a lease may.
		if err := s.ReleaseLease(ctx, "r", "owner-b"); err != nil {
			t.Fatal(err)
		}
		_, err = s.Append(ctx, Record{RunID: "r", Kind: KindCheckpoint, Lease: "owner-a"})
		refusedTo(t, "append by A after B released", err, "")
		mustAppend(t, s, Record{RunID: "r", Kind: KindCheckpoint})

		recs, _ := s.RecordsSince(ctx, "r", 0)
		var kinds []string
		for _, r := range recs {
			if r.Lease != "" {
				t.Errorf("record %d came back with lease %q", r.Seq, r.Lease)
			}
			kinds = append(kinds, string(r.Kind))
		}
		if got := fmt.Sprint(kinds); got != "[checkpoint about-to-send response-recorded checkpoint]" {
			t.Errorf("stored records %s: a refused append was stored or an accepted one lost", got)
		}
	})
}

func TestLeaseReleasedOnFinishAndRelease(t *testing.T) {
	forEach(t, Options{Now: newManualClock().Now}, func(t *testing.T, s Store) {
		mustRun(t, s, "r", "wf")
		mustAcquire(t, s, "r", holderA)
		mustAppend(t, s, Record{RunID: "r", Kind: KindFinished, Status: StatusSucceeded, Lease: "owner-a"})
		if run, _ := s.Run(ctx, "r"); run.Lease != (Lease{}) || run.Status != StatusSucceeded {
			t.Errorf("after the finished record: lease %+v status %s, want no lease, succeeded", run.Lease, run.Status)
		}
		mustAcquire(t, s, "r", holderB) // at once, no expiry needed

		// Releasing a lease one does not hold changes nothing.
		if err := s.ReleaseLease(ctx, "r", "owner-a"); err != nil {
			t.Errorf("release by a non-holder: %v, want nil", err)
		}
		if err := s.ReleaseLease(ctx, "r", ""); err != nil {
			t.Errorf("release by no owner: %v, want nil", err)
		}
		_, err := s.AcquireLease(ctx, "r", holderA, ttl)
		refusedTo(t, "A after a release by a non-holder", err, "owner-b")
		if err := s.ReleaseLease(ctx, "r", "owner-b"); err != nil {
			t.Fatal(err)
		}
		if run, _ := s.Run(ctx, "r"); run.Lease != (Lease{}) {
			t.Errorf("after release: lease %+v", run.Lease)
		}
		mustAcquire(t, s, "r", holderA)

		if _, err := s.AcquireLease(ctx, "ghost", holderA, ttl); !errors.Is(err, ErrNotFound) {
			t.Errorf("lease of a missing run: %v, want ErrNotFound", err)
		}
		if err := s.ReleaseLease(ctx, "ghost", "owner-a"); !errors.Is(err, ErrNotFound) {
			t.Errorf("release of a missing run: %v, want ErrNotFound", err)
		}
		for _, bad := range []struct {
			name   string
			holder Lease
			ttl    time.Duration
		}{{"no owner", Lease{Host: "h"}, ttl}, {"zero ttl", holderA, 0}, {"negative ttl", holderA, -time.Second}} {
			if _, err := s.AcquireLease(ctx, "r", bad.holder, bad.ttl); !errors.Is(err, ErrInvalid) {
				t.Errorf("%s: %v, want ErrInvalid", bad.name, err)
			}
		}
	})
}

// Many owners ask for one run's lease at once: exactly one gets it, every other is told who did.
func TestLeaseConcurrentAcquireOneWins(t *testing.T) {
	forEach(t, Options{}, func(t *testing.T, s Store) {
		mustRun(t, s, "r", "wf")
		const n = 8
		var wg sync.WaitGroup
		won := make(chan string, n)
		refused := make(chan *LeaseError, n)
		errs := make(chan error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				owner := fmt.Sprint("owner-", i)
				_, err := s.AcquireLease(ctx, "r", Lease{Owner: owner}, time.Hour)
				var le *LeaseError
				switch {
				case err == nil:
					won <- owner
				case errors.As(err, &le):
					refused <- le
				default:
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(won)
		close(refused)
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		var winners []string
		for w := range won {
			winners = append(winners, w)
		}
		if len(winners) != 1 {
			t.Fatalf("%d owners got the lease (%v), want exactly 1", len(winners), winners)
		}
		for le := range refused {
			if le.Holder.Owner != winners[0] {
				t.Errorf("a refusal names %q, want the winner %q", le.Holder.Owner, winners[0])
			}
		}
	})
}
