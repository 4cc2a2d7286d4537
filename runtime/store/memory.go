package store

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"
)

// Memory is a Store that keeps everything in process memory, for tests. It behaves like the SQLite store
// (same errors, same ordering) but nothing survives the process. Its zero value is not usable: call
// NewMemory.
type Memory struct {
	opts Options

	mu      sync.Mutex
	closed  bool
	runs    map[string]*Run
	records map[string][]Record
	keys    map[keyID]string
}

type keyID struct {
	run, step string
	attempt   int
}

// NewMemory returns an empty in-memory store.
func NewMemory(opts Options) *Memory {
	return &Memory{opts: opts, runs: map[string]*Run{}, records: map[string][]Record{}, keys: map[keyID]string{}}
}

var _ Store = (*Memory)(nil)

func cloneRun(r Run) Run {
	r.Labels = maps.Clone(r.Labels)
	return r
}

func cloneRecord(r Record) Record {
	r.State = slices.Clone(r.State)
	return r
}

func (m *Memory) lock(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return ErrClosed
	}
	return nil
}

// CreateRun implements Store.
func (m *Memory) CreateRun(ctx context.Context, run Run) (Run, error) {
	run, err := m.opts.prepareRun(run)
	if err != nil {
		return Run{}, err
	}
	if err := m.lock(ctx); err != nil {
		return Run{}, err
	}
	defer m.mu.Unlock()
	if _, ok := m.runs[run.ID]; ok {
		return Run{}, fmt.Errorf("%w: %s", ErrExists, run.ID)
	}
	stored := cloneRun(run)
	m.runs[run.ID] = &stored
	return cloneRun(run), nil
}

// Append implements Store.
func (m *Memory) Append(ctx context.Context, rec Record) (Record, error) {
	rec, err := m.opts.prepareRecord(rec)
	if err != nil {
		return Record{}, err
	}
	if err := m.lock(ctx); err != nil {
		return Record{}, err
	}
	defer m.mu.Unlock()
	run, ok := m.runs[rec.RunID]
	if !ok {
		return Record{}, fmt.Errorf("%w: run %s", ErrNotFound, rec.RunID)
	}
	if err := checkAppendLease(rec, run.Lease, m.opts.now()); err != nil {
		return Record{}, err
	}
	if releasesLease(rec) {
		run.Lease = Lease{}
	}
	rec.Lease = "" // not stored
	rec.Seq = int64(len(m.records[rec.RunID]) + 1)
	m.records[rec.RunID] = append(m.records[rec.RunID], cloneRecord(rec))
	if rec.Step != "" {
		run.CurrentStep = rec.Step
	}
	if rec.Status != "" {
		run.Status = rec.Status
	}
	run.Updated = rec.Time
	return rec, nil
}

// Run implements Store.
func (m *Memory) Run(ctx context.Context, id string) (Run, error) {
	if err := m.lock(ctx); err != nil {
		return Run{}, err
	}
	defer m.mu.Unlock()
	run, ok := m.runs[id]
	if !ok {
		return Run{}, fmt.Errorf("%w: run %s", ErrNotFound, id)
	}
	return cloneRun(*run), nil
}

// Runs implements Store.
func (m *Memory) Runs(ctx context.Context, f Filter) ([]Run, error) {
	if f.Limit < 0 {
		return nil, fmt.Errorf("%w: negative limit", ErrInvalid)
	}
	if err := m.lock(ctx); err != nil {
		return nil, err
	}
	defer m.mu.Unlock()
	var out []Run
	for _, r := range m.runs {
		if f.WorkflowID != "" && r.WorkflowID != f.WorkflowID || f.Status != "" && r.Status != f.Status {
			continue
		}
		out = append(out, cloneRun(*r))
	}
	slices.SortFunc(out, compareRuns)
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

// compareRuns orders runs most recently started first, then by id, as the SQLite query does.
func compareRuns(a, b Run) int {
	if c := b.Started.Compare(a.Started); c != 0 {
		return c
	}
	switch {
	case a.ID < b.ID:
		return -1
	case a.ID > b.ID:
		return 1
	}
	return 0
}

// LatestCheckpoint implements Store.
func (m *Memory) LatestCheckpoint(ctx context.Context, runID string) (Record, error) {
	if err := m.lock(ctx); err != nil {
		return Record{}, err
	}
	defer m.mu.Unlock()
	recs := m.records[runID]
	for i := len(recs) - 1; i >= 0; i-- {
		if recs[i].Kind == KindCheckpoint {
			return cloneRecord(recs[i]), nil
		}
	}
	return Record{}, fmt.Errorf("%w: no checkpoint for run %s", ErrNotFound, runID)
}

// RecordsSince implements Store.
func (m *Memory) RecordsSince(ctx context.Context, runID string, after int64) ([]Record, error) {
	if err := m.lock(ctx); err != nil {
		return nil, err
	}
	defer m.mu.Unlock()
	recs := m.records[runID]
	var out []Record
	for _, r := range recs[min(max(after, 0), int64(len(recs))):] {
		out = append(out, cloneRecord(r))
	}
	return out, nil
}

// PutIdempotencyKey implements Store.
func (m *Memory) PutIdempotencyKey(ctx context.Context, runID, step string, attempt int, key string) (string, error) {
	if err := checkKeyArgs(runID, step, attempt); err != nil {
		return "", err
	}
	if key == "" {
		return "", fmt.Errorf("%w: empty idempotency key", ErrInvalid)
	}
	if err := m.lock(ctx); err != nil {
		return "", err
	}
	defer m.mu.Unlock()
	if _, ok := m.runs[runID]; !ok {
		return "", fmt.Errorf("%w: run %s", ErrNotFound, runID)
	}
	id := keyID{runID, step, attempt}
	if k, ok := m.keys[id]; ok {
		return k, nil
	}
	m.keys[id] = key
	return key, nil
}

// IdempotencyKey implements Store.
func (m *Memory) IdempotencyKey(ctx context.Context, runID, step string, attempt int) (string, error) {
	if err := checkKeyArgs(runID, step, attempt); err != nil {
		return "", err
	}
	if err := m.lock(ctx); err != nil {
		return "", err
	}
	defer m.mu.Unlock()
	k, ok := m.keys[keyID{runID, step, attempt}]
	if !ok {
		return "", fmt.Errorf("%w: no idempotency key for %s/%s#%d", ErrNotFound, runID, step, attempt)
	}
	return k, nil
}

// AcquireLease implements Store.
func (m *Memory) AcquireLease(ctx context.Context, runID string, holder Lease, ttl time.Duration) (Lease, error) {
	lease, now, err := m.opts.prepareLease(runID, holder, ttl)
	if err != nil {
		return Lease{}, err
	}
	if err := m.lock(ctx); err != nil {
		return Lease{}, err
	}
	defer m.mu.Unlock()
	run, ok := m.runs[runID]
	if !ok {
		return Lease{}, fmt.Errorf("%w: run %s", ErrNotFound, runID)
	}
	if run.Lease.Live(now) && run.Lease.Owner != lease.Owner {
		return Lease{}, &LeaseError{RunID: runID, Holder: run.Lease}
	}
	run.Lease = lease
	return lease, nil
}

// ReleaseLease implements Store.
func (m *Memory) ReleaseLease(ctx context.Context, runID, owner string) error {
	if err := m.lock(ctx); err != nil {
		return err
	}
	defer m.mu.Unlock()
	run, ok := m.runs[runID]
	if !ok {
		return fmt.Errorf("%w: run %s", ErrNotFound, runID)
	}
	if owner != "" && run.Lease.Owner == owner {
		run.Lease = Lease{}
	}
	return nil
}

// Close implements Store. Closing twice is not an error.
func (m *Memory) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	return nil
}
