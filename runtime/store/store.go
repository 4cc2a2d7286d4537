// Package store keeps durable-run checkpoints: the runs, an append-only log of records per run, and the
// idempotency keys the engine sends so a resumed request is deduplicated by the API.
//
// It lives under runtime/ because only the runtime writes to it, and imports nothing of runtime/ (nor
// arazzo/, openapi/ or expr/) so that the runtime can import it: the run state it stores is opaque JSON that
// the runtime encodes and decodes. Drivers other than the in-process one (Temporal keeps its own history)
// need no store at all.
//
// Two implementations share one behavioural test suite: SQLite (OpenSQLite, embedded, durable, the default
// for `--state PATH`) and Memory (NewMemory, for tests).
//
// # Leases
//
// Only one process may execute a run at a time: two would interleave their records and send steps twice.
// The process executing a run holds its lease (AcquireLease): an owner id, and an expiry it pushes forward
// while the run is live. Another AcquireLease fails with a *LeaseError until the lease is released
// (ReleaseLease, or the run's finished record) or has expired, so a process that died (kill -9) blocks its
// run for at most one lease time. Append checks the writer's lease (Record.Lease), so even a process that
// was paused past its expiry, while another took the run over, cannot add a record to it.
//
// # Secrets
//
// A store never receives a secret in clear. The contract has two layers:
//   - the caller passes state that is already redacted: the runtime keeps secret inputs by reference (their
//     names), never by value, in the state it encodes, and a resumed run asks for them again;
//   - Options.Redact, when set, is applied to every record's State and every run label value before they are
//     written, as a second line of defence (see ScrubSecrets).
//
// Run metadata other than labels (ids, workflow id, document path, step ids) is stored as given: it must not
// hold secrets.
package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Status is a run's status.
type Status string

// Run statuses. A run that a crashed process left Running stays Running in the store until it is resumed.
const (
	StatusRunning   Status = "running"
	StatusSucceeded Status = "succeeded"
	StatusFailed    Status = "failed"
	StatusCancelled Status = "cancelled"
)

func (s Status) valid() bool {
	switch s {
	case StatusRunning, StatusSucceeded, StatusFailed, StatusCancelled:
		return true
	}
	return false
}

// Kind says what a record is.
type Kind string

// Record kinds, in the order one step attempt writes them: about-to-send before a request leaves (so a
// resumed run knows it may have been sent), response-recorded once its response is in hand (so it is never
// sent again), checkpoint after the step's state changed, finished once with the run's end state.
const (
	KindCheckpoint       Kind = "checkpoint"
	KindAboutToSend      Kind = "about-to-send"
	KindResponseRecorded Kind = "response-recorded"
	KindFinished         Kind = "finished"
	// KindWait is written before a pacing or retry wait, with its deadline, so that a resumed run waits only
	// the time left.
	KindWait Kind = "wait"
)

func (k Kind) valid() bool {
	switch k {
	case KindCheckpoint, KindAboutToSend, KindResponseRecorded, KindFinished, KindWait:
		return true
	}
	return false
}

// Run is one workflow run. The zero value is not a valid run: ID and WorkflowID are required.
type Run struct {
	ID         string
	WorkflowID string
	// DocumentPath is the Arazzo document as the user named it; DocumentHash its content hash (the caller's
	// choice of hash, e.g. "sha256:<hex>"), so a resume can refuse a document that changed under it.
	DocumentPath string
	DocumentHash string
	Status       Status // empty means StatusRunning on create
	CurrentStep  string // the step the run is at; updated by every record that names a step
	Labels       map[string]string
	Started      time.Time // set by CreateRun when zero
	Updated      time.Time // time of the last record
	// Lease is the run's lease as stored: zero when none was taken or it was released; it may have expired
	// (Lease.Live). CreateRun ignores it: take it with AcquireLease.
	Lease Lease
}

// Lease is a process's exclusive claim on executing a run (see the package doc). The zero value is no lease.
type Lease struct {
	// Owner identifies the holder; a holder makes it unique per process and run (random), so that two
	// processes, or two runs in one process, never share one.
	Owner string
	// Host and PID say where the holder runs, for the messages of the processes it keeps out; the store
	// does not interpret them.
	Host string
	PID  int
	// Until is when the lease expires unless it is renewed, by the store's clock (Options.Now).
	Until time.Time
}

// Live reports whether the lease is held at now: it has an owner and has not expired.
func (l Lease) Live(now time.Time) bool { return l.Owner != "" && now.Before(l.Until) }

// LeaseError is the error of a lease refused because another owner holds the run, and of an Append whose
// writer no longer holds the run's lease. errors.Is(err, ErrLeased) is true for it.
type LeaseError struct {
	RunID string
	// Holder is the lease as stored: the live lease of another owner, or, for a refused Append, whatever the
	// run holds now (zero when the lease was released).
	Holder Lease
}

func (e *LeaseError) Error() string {
	if e.Holder.Owner == "" {
		return fmt.Sprintf("store: run %s: the writer does not hold the run's lease (it was released)", e.RunID)
	}
	return fmt.Sprintf("store: run %s is leased to pid %d on host %s until %s", e.RunID, e.Holder.PID, e.Holder.Host,
		e.Holder.Until.Format(time.RFC3339))
}

// Is makes errors.Is(err, ErrLeased) true.
func (e *LeaseError) Is(target error) bool { return target == ErrLeased }

// Record is one entry of a run's append-only log.
type Record struct {
	RunID   string
	Seq     int64 // 1, 2, 3… per run; assigned by Append
	Kind    Kind
	Step    string // the step the record is about (a path like "wf/step" inside nested workflows); may be empty
	Attempt int    // the step attempt, from 1; 0 when not about an attempt
	// Status, when set, becomes the run's status in the same transaction (finished records set it).
	Status Status
	// State is opaque JSON (the runtime's serialised run state, or a response summary). It must already be
	// redacted; Options.Redact is applied on top.
	State json.RawMessage
	Time  time.Time // set by Append when zero
	// Lease is the owner of the lease the writer holds on the run. Append refuses the record with a
	// *LeaseError when it is set and is not the run's current lease owner (expired or not: an expired lease
	// nobody took over is still the writer's), or when it is empty and another owner's lease is live. A
	// finished record releases the writer's lease. Not stored: RecordsSince returns it empty.
	Lease string
}

// Filter narrows Runs. The zero value lists every run.
type Filter struct {
	WorkflowID string
	Status     Status
	// Limit caps the number of runs; zero means no cap.
	Limit int
}

// Store persists runs, their records and idempotency keys. Implementations are safe for concurrent use.
type Store interface {
	// CreateRun records a new run; ErrExists when the id is taken.
	CreateRun(ctx context.Context, run Run) (Run, error)
	// Append adds a record to the run's log, assigning its sequence number, and updates the run's current
	// step, status and updated time in the same transaction. ErrNotFound when the run does not exist.
	Append(ctx context.Context, rec Record) (Record, error)
	// Run returns one run; ErrNotFound when it does not exist.
	Run(ctx context.Context, id string) (Run, error)
	// Runs lists runs, most recently started first.
	Runs(ctx context.Context, f Filter) ([]Run, error)
	// LatestCheckpoint returns the run's last record of kind checkpoint; ErrNotFound when there is none.
	LatestCheckpoint(ctx context.Context, runID string) (Record, error)
	// RecordsSince returns the run's records with Seq > after, in order.
	RecordsSince(ctx context.Context, runID string, after int64) ([]Record, error)
	// PutIdempotencyKey records the key for (run, step, attempt). The first write wins: a second call returns
	// the key already stored, so a crash between deriving and sending cannot change the key.
	PutIdempotencyKey(ctx context.Context, runID, step string, attempt int, key string) (string, error)
	// IdempotencyKey returns the stored key; ErrNotFound when none was put.
	IdempotencyKey(ctx context.Context, runID, step string, attempt int) (string, error)
	// AcquireLease takes the run's lease for holder.Owner until the store's now plus ttl, atomically, and
	// returns it as stored (holder's Owner, Host and PID; Until computed here). It succeeds when the run has
	// no lease, when its lease expired (a dead process's), or when holder.Owner already holds it: that is
	// how the holder renews it. Otherwise it fails with a *LeaseError naming the live holder (errors.Is
	// ErrLeased). ErrNotFound when the run does not exist; ErrInvalid for an empty owner or ttl ≤ 0.
	AcquireLease(ctx context.Context, runID string, holder Lease, ttl time.Duration) (Lease, error)
	// ReleaseLease gives up the run's lease when owner holds it, so that another process may take the run
	// at once; when owner does not hold it (released, expired and taken over) nothing changes and the
	// result is nil. ErrNotFound when the run does not exist.
	ReleaseLease(ctx context.Context, runID, owner string) error
	// Close releases the store; later calls fail with ErrClosed.
	Close() error
}

// Errors. Test them with errors.Is.
var (
	ErrNotFound = errors.New("store: not found")
	ErrExists   = errors.New("store: run already exists")
	ErrClosed   = errors.New("store: closed")
	// ErrInvalid wraps every rejected argument (empty id, unknown kind or status, State that is not JSON).
	ErrInvalid = errors.New("store: invalid argument")
	// ErrSchema reports a database written by a newer version of this package.
	ErrSchema = errors.New("store: unsupported schema version")
	// ErrLeased is matched by every *LeaseError: the run is being executed under another owner's lease.
	ErrLeased = errors.New("store: run leased by another owner")
)

// Options configure a store. The zero value is usable.
type Options struct {
	// Redact, when set, rewrites every record's State and every label value (as a JSON string) before it is
	// stored. It receives JSON and must return JSON (ScrubSecrets does); otherwise the write fails with
	// ErrInvalid.
	Redact func([]byte) []byte
	// Now is the clock for Started, Updated and record times, and for lease expiry; nil means time.Now.
	// Processes sharing one SQLite file compare lease expiries against their own clocks, so those clocks
	// should agree to well within a lease time.
	Now func() time.Time
	// Sync chooses the SQLite durability level; ignored by Memory.
	Sync Sync
	// BusyTimeout is how long a SQLite writer waits for another connection's (or process's) write lock;
	// zero means 5 s.
	BusyTimeout time.Duration
}

// Sync is the durability of each committed record in the SQLite store.
type Sync int

const (
	// SyncFull (the zero value) fsyncs the write-ahead log on every commit: a record that Append returned
	// survives a process crash and a power loss.
	SyncFull Sync = iota
	// SyncNormal fsyncs only at WAL checkpoints: a committed record survives a process crash (kill -9) but
	// the last few may be lost on a power loss or OS crash. About half the cost of a commit, which is mostly the
	// fsync.
	SyncNormal
)

func (o Options) now() time.Time {
	if o.Now != nil {
		return o.Now().UTC()
	}
	return time.Now().UTC()
}

func (o Options) redact(b []byte) []byte {
	if o.Redact == nil || b == nil {
		return b
	}
	return o.Redact(b)
}

// prepareRun checks and completes a run for CreateRun.
func (o Options) prepareRun(run Run) (Run, error) {
	if run.ID == "" || run.WorkflowID == "" {
		return Run{}, fmt.Errorf("%w: run id and workflow id are required", ErrInvalid)
	}
	if run.Status == "" {
		run.Status = StatusRunning
	}
	if !run.Status.valid() {
		return Run{}, fmt.Errorf("%w: unknown status %q", ErrInvalid, run.Status)
	}
	if run.Started.IsZero() {
		run.Started = o.now()
	}
	run.Started = run.Started.UTC()
	if run.Updated.IsZero() {
		run.Updated = run.Started
	}
	run.Updated = run.Updated.UTC()
	run.Lease = Lease{}
	if len(run.Labels) > 0 {
		labels := make(map[string]string, len(run.Labels))
		for k, v := range run.Labels {
			// The hook sees JSON, as for states: a label value is passed as a JSON string.
			b, _ := json.Marshal(v) // a string always encodes
			if err := json.Unmarshal(o.redact(b), &v); err != nil {
				return Run{}, fmt.Errorf("%w: the redaction hook returned a label that is not a JSON string", ErrInvalid)
			}
			labels[k] = v
		}
		run.Labels = labels
	} else {
		run.Labels = nil
	}
	return run, nil
}

// prepareRecord checks and completes a record for Append (everything but Seq).
func (o Options) prepareRecord(rec Record) (Record, error) {
	if rec.RunID == "" {
		return Record{}, fmt.Errorf("%w: record without a run id", ErrInvalid)
	}
	if !rec.Kind.valid() {
		return Record{}, fmt.Errorf("%w: unknown record kind %q", ErrInvalid, rec.Kind)
	}
	if rec.Status != "" && !rec.Status.valid() {
		return Record{}, fmt.Errorf("%w: unknown status %q", ErrInvalid, rec.Status)
	}
	if rec.Attempt < 0 {
		return Record{}, fmt.Errorf("%w: negative attempt %d", ErrInvalid, rec.Attempt)
	}
	if len(rec.State) > 0 {
		if !json.Valid(rec.State) {
			return Record{}, fmt.Errorf("%w: record state is not JSON", ErrInvalid)
		}
		rec.State = json.RawMessage(o.redact(append([]byte(nil), rec.State...)))
		if !json.Valid(rec.State) {
			return Record{}, fmt.Errorf("%w: the redaction hook returned state that is not JSON", ErrInvalid)
		}
	} else {
		rec.State = nil
	}
	if rec.Time.IsZero() {
		rec.Time = o.now()
	}
	rec.Time = rec.Time.UTC()
	rec.Seq = 0
	return rec, nil
}

// checkAppendLease applies the lease rule of Record.Lease to a record about to be appended to a run whose
// lease is held: nil when the writer may append.
func checkAppendLease(rec Record, held Lease, now time.Time) error {
	if rec.Lease != "" && rec.Lease != held.Owner || rec.Lease == "" && held.Live(now) {
		return &LeaseError{RunID: rec.RunID, Holder: held}
	}
	return nil
}

// releasesLease reports whether appending rec gives up the writer's lease: a run that finished has nothing
// left to execute.
func releasesLease(rec Record) bool { return rec.Kind == KindFinished && rec.Lease != "" }

// prepareLease checks AcquireLease's arguments and returns the lease to store and the instant it is taken
// at, against which the current lease's expiry is compared.
func (o Options) prepareLease(runID string, holder Lease, ttl time.Duration) (Lease, time.Time, error) {
	if runID == "" || holder.Owner == "" {
		return Lease{}, time.Time{}, fmt.Errorf("%w: a lease needs a run id and an owner", ErrInvalid)
	}
	if ttl <= 0 {
		return Lease{}, time.Time{}, fmt.Errorf("%w: lease time %v is not positive", ErrInvalid, ttl)
	}
	now := o.now()
	holder.Until = now.Add(ttl)
	return holder, now, nil
}

func checkKeyArgs(runID, step string, attempt int) error {
	if runID == "" || step == "" || attempt < 1 {
		return fmt.Errorf("%w: idempotency keys need a run id, a step and an attempt ≥ 1", ErrInvalid)
	}
	return nil
}

// Redacted is what ScrubSecrets writes in place of a secret.
const Redacted = "[redacted]"

// ScrubSecrets returns a redaction hook for Options.Redact that replaces every occurrence of the given secret
// values, as they appear inside a JSON string (escaped), with Redacted. Empty values are ignored; longer
// values are replaced first so that one secret containing another is removed whole. The result stays valid
// JSON when the input was.
func ScrubSecrets(secrets ...string) func([]byte) []byte {
	var pairs []string
	seen := map[string]bool{}
	for _, s := range secrets {
		if s == "" {
			continue
		}
		b, _ := json.Marshal(s) // a string always encodes
		esc := string(b[1 : len(b)-1])
		if !seen[esc] {
			seen[esc] = true
			pairs = append(pairs, esc)
		}
	}
	// Longest first: strings.NewReplacer picks the first listed match at each position.
	for i := 1; i < len(pairs); i++ {
		for j := i; j > 0 && len(pairs[j]) > len(pairs[j-1]); j-- {
			pairs[j], pairs[j-1] = pairs[j-1], pairs[j]
		}
	}
	args := make([]string, 0, 2*len(pairs))
	for _, p := range pairs {
		args = append(args, p, Redacted)
	}
	r := strings.NewReplacer(args...)
	return func(b []byte) []byte {
		if len(args) == 0 {
			return b
		}
		return []byte(r.Replace(string(b)))
	}
}

// keyNamespace is the UUID namespace of idempotency keys: the UUIDv5 of this project's URL in the URL
// namespace, fixed forever (changing it would change every key a resumed run derives).
var keyNamespace = uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://github.com/arazzo-go/arazzo/idempotency-key"))

// IdempotencyKey derives the key the engine sends in an operation's idempotency header for one step attempt.
// It is a UUIDv5 (RFC 9562: SHA-1 name-based, 36 characters, lower-case hex with dashes) in keyNamespace of
// the name "<len(runID)>:<runID><len(step)>:<step><attempt>", so the fields cannot run into each other. The
// same inputs always give the same key, in every process and version; different runs, steps or attempts give
// different keys. 36 characters fit every listed API's limit (OCI's opc-retry-token allows 64, Stripe 255).
//
// step is the step's path when workflows nest ("outer/inner/createImage"), so two nested runs of one step
// get different keys. A retry of the same attempt (at-least-once resend after a crash) reuses the key; a new
// attempt (the workflow's retry action) gets a new one, because the workflow asked for a new request.
func IdempotencyKey(runID, step string, attempt int) string {
	name := strconv.Itoa(len(runID)) + ":" + runID + strconv.Itoa(len(step)) + ":" + step + strconv.Itoa(attempt)
	return uuid.NewSHA1(keyNamespace, []byte(name)).String()
}
