package runtime

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/arazzo-go/arazzo/runtime/store"
)

// DefaultLeaseTTL is how long a durable run's lease lasts without renewal
// (RunOptions.LeaseTTL zero): the longest a crashed process keeps its run
// from being resumed. The holder renews it every third of that.
const DefaultLeaseTTL = 30 * time.Second

// LeasedError says that a durable run is being executed under another
// process's lease (store.Lease): Resume refused to start it (Lost false),
// or the run lost its lease while live and stopped before its next send
// (Lost true; it is then the cause of the run's *AbortError, guard
// GuardDurable). errors.Is(err, store.ErrLeased) is true for it.
type LeasedError struct {
	RunID string
	// Holder is the lease that keeps this process out: its owner, host,
	// pid and expiry. Zero when the lease was lost by being released
	// rather than taken.
	Holder store.Lease
	Lost   bool
	err    error
}

func (e *LeasedError) Error() string {
	if e.Holder.Owner == "" {
		return fmt.Sprintf("run %s lost its lease: stopped before sending again", e.RunID)
	}
	by := fmt.Sprintf("pid %d on host %s (lease until %s)", e.Holder.PID, e.Holder.Host, e.Holder.Until.Local().Format(time.RFC3339))
	if e.Lost {
		return fmt.Sprintf("run %s lost its lease to %s: stopped before sending again", e.RunID, by)
	}
	return fmt.Sprintf("run %s is being executed by %s; if that process is gone, resume again after %s",
		e.RunID, by, e.Holder.Until.Local().Format(time.RFC3339))
}

// Unwrap returns the store's *store.LeaseError.
func (e *LeasedError) Unwrap() error { return e.err }

// leasedError turns the store's lease refusal into a *LeasedError; other
// errors are returned as they are.
func leasedError(runID string, err error, lost bool) error {
	var le *store.LeaseError
	if errors.As(err, &le) {
		return &LeasedError{RunID: runID, Holder: le.Holder, Lost: lost, err: err}
	}
	return err
}

// leaseKeeper holds a durable run's lease while the run is live: one
// goroutine renews it every ttl/3 until close, and a renewal that finds the
// lease taken stops the run (its store also refuses the run's appends from
// then on, so nothing is sent after the next about-to-send record).
type leaseKeeper struct {
	st    store.Store
	runID string
	owner store.Lease // Owner, Host, PID
	ttl   time.Duration

	mu     sync.Mutex
	lost   error                   // the *LeasedError once the lease was lost
	cancel context.CancelCauseFunc // stops the run; nil until attached

	stop, done chan struct{}
	closeOnce  sync.Once
}

// acquireLease takes the run's lease for this process (a *LeasedError when
// another holds it) and starts renewing it; the caller must close it.
func acquireLease(ctx context.Context, st store.Store, runID string, ttl time.Duration) (*leaseKeeper, error) {
	if err := checkLeaseTTL(ttl); err != nil {
		return nil, err
	}
	if ttl == 0 {
		ttl = DefaultLeaseTTL
	}
	host, _ := os.Hostname()
	k := &leaseKeeper{st: st, runID: runID, ttl: ttl, stop: make(chan struct{}), done: make(chan struct{}),
		owner: store.Lease{Owner: newLeaseOwner(), Host: host, PID: os.Getpid()}}
	if _, err := st.AcquireLease(ctx, runID, k.owner, ttl); err != nil {
		return nil, leasedError(runID, err, false)
	}
	go k.renew()
	return k, nil
}

func checkLeaseTTL(ttl time.Duration) error {
	if ttl < 0 {
		return fmt.Errorf("runtime: RunOptions.LeaseTTL %v cannot be negative (0 means %v; a durable run always holds its lease)", ttl, DefaultLeaseTTL)
	}
	return nil
}

// newLeaseOwner is unique per process and run: 16 random hex digits.
func newLeaseOwner() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (k *leaseKeeper) renew() {
	defer close(k.done)
	t := time.NewTicker(k.ttl / 3)
	defer t.Stop()
	for {
		select {
		case <-k.stop:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), k.ttl)
		_, err := k.st.AcquireLease(ctx, k.runID, k.owner, k.ttl)
		cancel()
		switch {
		case errors.Is(err, store.ErrLeased):
			k.lose(leasedError(k.runID, err, true))
			return
		case errors.Is(err, store.ErrClosed):
			return // the run's next record fails, and stops it
		}
		// Another failure (a busy or briefly failing store) is tried again
		// at the next tick: the lease outlives two missed renewals, and
		// the store refuses the run's records if another process took it.
	}
}

func (k *leaseKeeper) lose(err error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.lost = err
	if k.cancel != nil {
		k.cancel(err)
	}
}

// attach makes a lost lease stop the run through cancel (at once when it
// was lost already).
func (k *leaseKeeper) attach(cancel context.CancelCauseFunc) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.cancel = cancel
	if k.lost != nil {
		cancel(k.lost)
	}
}

// close stops the renewals, waits for the goroutine to end and releases the
// lease, so that the run can be resumed at once (after a finished record
// the store has released it already). Closing twice does nothing.
func (k *leaseKeeper) close() {
	k.closeOnce.Do(func() {
		close(k.stop)
		<-k.done
		ctx, cancel := context.WithTimeout(context.Background(), k.ttl)
		defer cancel()
		// A failed release leaves the lease to expire: nothing else to do.
		_ = k.st.ReleaseLease(ctx, k.runID, k.owner.Owner)
	})
}
