package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	// modernc.org/sqlite is SQLite transpiled to Go: no cgo, so the binary still cross-compiles and the
	// store works wherever the engine runs.
	_ "modernc.org/sqlite"
)

// SQLite is the embedded, durable Store: one database file (plus its -wal and -shm companions) in WAL mode.
// Its zero value is not usable: call OpenSQLite.
//
// Durability: every Append, CreateRun and PutIdempotencyKey is one transaction, committed before the call
// returns. With SyncFull (the default) the commit fsyncs the write-ahead log, so a record survives a process
// crash and a power loss; SyncNormal keeps it across a process crash only (see Sync).
//
// Concurrency: safe for many goroutines. Reads run in parallel (WAL readers never block the writer); writes
// are serialised in the process and take SQLite's write lock with BEGIN IMMEDIATE, so a transaction never has
// to upgrade a read lock and fail half way. Several processes may open the same file on one host (not on a
// network file system, where SQLite's locks are unreliable): each write waits up to BusyTimeout for the
// others' and sequence numbers stay gapless per run because they are allocated inside the write lock. A run's
// lease (AcquireLease) is taken and checked inside the same write lock, so two processes cannot both hold it
// and a process that lost it cannot append to the run.
type SQLite struct {
	opts    Options
	db      *sql.DB
	writeMu sync.Mutex // one writer at a time in this process: no SQLITE_BUSY churn between our own connections
	closed  atomic.Bool
}

var _ Store = (*SQLite)(nil)

// migrations bring a database from schema version i to i+1 (PRAGMA user_version). Append only: a released
// migration is never edited, so every database reaches the same schema.
var migrations = []string{
	// 1: runs and their record log.
	`CREATE TABLE runs (
		id            TEXT PRIMARY KEY,
		workflow_id   TEXT NOT NULL,
		document_path TEXT NOT NULL,
		document_hash TEXT NOT NULL,
		status        TEXT NOT NULL,
		current_step  TEXT NOT NULL,
		labels        TEXT,
		started       INTEGER NOT NULL,
		updated       INTEGER NOT NULL
	);
	CREATE INDEX runs_by_start ON runs (started DESC, id);
	CREATE TABLE records (
		run_id  TEXT NOT NULL REFERENCES runs (id),
		seq     INTEGER NOT NULL,
		kind    TEXT NOT NULL,
		step    TEXT NOT NULL,
		attempt INTEGER NOT NULL,
		status  TEXT NOT NULL,
		state   BLOB,
		time    INTEGER NOT NULL,
		PRIMARY KEY (run_id, seq)
	) WITHOUT ROWID;
	CREATE INDEX records_by_kind ON records (run_id, kind, seq);`,
	// 2: idempotency keys per step attempt.
	`CREATE TABLE idempotency_keys (
		run_id  TEXT NOT NULL REFERENCES runs (id),
		step    TEXT NOT NULL,
		attempt INTEGER NOT NULL,
		key     TEXT NOT NULL,
		PRIMARY KEY (run_id, step, attempt)
	) WITHOUT ROWID;`,
	// 3: the lease of the process executing a run (owner '' = none; until in Unix nanoseconds).
	`ALTER TABLE runs ADD COLUMN lease_owner TEXT NOT NULL DEFAULT '';
	ALTER TABLE runs ADD COLUMN lease_host TEXT NOT NULL DEFAULT '';
	ALTER TABLE runs ADD COLUMN lease_pid INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE runs ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0;`,
}

// SchemaVersion is the schema version this package writes.
var SchemaVersion = len(migrations)

// OpenSQLite opens (creating when absent) the store at path and brings its schema up to date. A database of
// a newer schema is refused with ErrSchema rather than written by code that does not know it.
func OpenSQLite(ctx context.Context, path string, opts Options) (*SQLite, error) {
	return openSQLite(ctx, path, opts, len(migrations))
}

func openSQLite(ctx context.Context, path string, opts Options, upTo int) (*SQLite, error) {
	if path == "" || strings.ContainsAny(path, "?\x00") {
		return nil, fmt.Errorf("%w: store path %q (empty, or holding '?' or NUL)", ErrInvalid, path)
	}
	busy := opts.BusyTimeout
	if busy <= 0 {
		busy = 5 * time.Second
	}
	syncMode := "FULL"
	if opts.Sync == SyncNormal {
		syncMode = "NORMAL"
	}
	// Pragmas in the DSN apply to every connection the pool opens, not only the first.
	dsn := path + "?_txlock=immediate" +
		"&_pragma=busy_timeout(" + strconv.FormatInt(busy.Milliseconds(), 10) + ")" +
		"&_pragma=journal_mode(WAL)" +
		"&_pragma=synchronous(" + syncMode + ")" +
		"&_pragma=foreign_keys(1)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	s := &SQLite{opts: opts, db: db}
	if err := s.migrate(ctx, upTo); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	return s, nil
}

// migrate applies the missing migrations in one write transaction, so two processes opening a new file at
// once do not both create the tables.
func (s *SQLite) migrate(ctx context.Context, upTo int) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	var version int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return err
	}
	if version > len(migrations) {
		return fmt.Errorf("%w: the database is at version %d, this program knows %d", ErrSchema, version, len(migrations))
	}
	for v := version; v < upTo; v++ {
		if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
			return fmt.Errorf("migration %d: %w", v+1, err)
		}
	}
	if version < upTo {
		// PRAGMA takes no bound parameters; upTo is an int we control.
		if _, err := tx.ExecContext(ctx, "PRAGMA user_version = "+strconv.Itoa(upTo)); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func (s *SQLite) check(ctx context.Context) error {
	if s.closed.Load() {
		return ErrClosed
	}
	return ctx.Err()
}

// write runs fn in a write transaction.
func (s *SQLite) write(ctx context.Context, fn func(*sql.Tx) error) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.wrap(err)
	}
	defer func() { _ = tx.Rollback() }()
	if err := fn(tx); err != nil {
		return err
	}
	return s.wrap(tx.Commit())
}

func (s *SQLite) wrap(err error) error {
	if err == nil {
		return nil
	}
	if s.closed.Load() || errors.Is(err, sql.ErrConnDone) {
		return ErrClosed
	}
	return fmt.Errorf("store: %w", err)
}

func nanos(t time.Time) int64 { return t.UnixNano() }

func fromNanos(n int64) time.Time { return time.Unix(0, n).UTC() }

// CreateRun implements Store.
func (s *SQLite) CreateRun(ctx context.Context, run Run) (Run, error) {
	run, err := s.opts.prepareRun(run)
	if err != nil {
		return Run{}, err
	}
	var labels any // NULL when there are none
	if run.Labels != nil {
		b, err := json.Marshal(run.Labels)
		if err != nil {
			return Run{}, fmt.Errorf("%w: labels: %v", ErrInvalid, err)
		}
		labels = string(b)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM runs WHERE id = ?", run.ID).Scan(&n); err != nil {
			return s.wrap(err)
		}
		if n > 0 {
			return fmt.Errorf("%w: %s", ErrExists, run.ID)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO runs
			(id, workflow_id, document_path, document_hash, status, current_step, labels, started, updated)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			run.ID, run.WorkflowID, run.DocumentPath, run.DocumentHash, string(run.Status), run.CurrentStep,
			labels, nanos(run.Started), nanos(run.Updated))
		return s.wrap(err)
	})
	if err != nil {
		return Run{}, err
	}
	return run, nil
}

// Append implements Store.
func (s *SQLite) Append(ctx context.Context, rec Record) (Record, error) {
	rec, err := s.opts.prepareRecord(rec)
	if err != nil {
		return Record{}, err
	}
	now := s.opts.now()
	err = s.write(ctx, func(tx *sql.Tx) error {
		// The lease rule of Record.Lease is in the WHERE clause, so the
		// common case costs no extra query; a refusal reads the lease to say
		// who holds it.
		res, err := tx.ExecContext(ctx, `UPDATE runs SET
			current_step = CASE WHEN ?1 = '' THEN current_step ELSE ?1 END,
			status = CASE WHEN ?2 = '' THEN status ELSE ?2 END,
			updated = ?3,
			lease_owner = CASE WHEN ?5 THEN '' ELSE lease_owner END,
			lease_until = CASE WHEN ?5 THEN 0 ELSE lease_until END
			WHERE id = ?4 AND (?6 != '' AND lease_owner = ?6 OR ?6 = '' AND (lease_owner = '' OR lease_until <= ?7))`,
			rec.Step, string(rec.Status), nanos(rec.Time), rec.RunID, releasesLease(rec), rec.Lease, nanos(now))
		if err != nil {
			return s.wrap(err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return s.wrap(err)
		} else if n == 0 {
			held, err := s.lease(ctx, tx, rec.RunID)
			if err != nil {
				return err // ErrNotFound
			}
			if err := checkAppendLease(rec, held, now); err != nil {
				return err
			}
			return fmt.Errorf("store: run %s: the append matched no row", rec.RunID) // the rule above, in Go, disagrees
		}
		if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(seq), 0) + 1 FROM records WHERE run_id = ?",
			rec.RunID).Scan(&rec.Seq); err != nil {
			return s.wrap(err)
		}
		var state any // NULL for no state, so "no state" and "empty" stay apart
		if rec.State != nil {
			state = []byte(rec.State)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO records (run_id, seq, kind, step, attempt, status, state, time)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			rec.RunID, rec.Seq, string(rec.Kind), rec.Step, rec.Attempt, string(rec.Status), state, nanos(rec.Time))
		return s.wrap(err)
	})
	if err != nil {
		return Record{}, err
	}
	rec.Lease = "" // not stored, as RecordsSince returns it
	return rec, nil
}

// lease reads a run's lease inside a write transaction; ErrNotFound when the run does not exist.
func (s *SQLite) lease(ctx context.Context, tx *sql.Tx, runID string) (Lease, error) {
	var l Lease
	var until int64
	err := tx.QueryRowContext(ctx, "SELECT lease_owner, lease_host, lease_pid, lease_until FROM runs WHERE id = ?", runID).
		Scan(&l.Owner, &l.Host, &l.PID, &until)
	if errors.Is(err, sql.ErrNoRows) {
		return Lease{}, fmt.Errorf("%w: run %s", ErrNotFound, runID)
	}
	if err != nil {
		return Lease{}, s.wrap(err)
	}
	if l.Owner != "" {
		l.Until = fromNanos(until)
	}
	return l, nil
}

// AcquireLease implements Store: one conditional UPDATE inside the write lock, so that of two processes
// asking at once exactly one gets the lease.
func (s *SQLite) AcquireLease(ctx context.Context, runID string, holder Lease, ttl time.Duration) (Lease, error) {
	lease, now, err := s.opts.prepareLease(runID, holder, ttl)
	if err != nil {
		return Lease{}, err
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE runs SET lease_owner = ?1, lease_host = ?2, lease_pid = ?3, lease_until = ?4
			WHERE id = ?5 AND (lease_owner = '' OR lease_owner = ?1 OR lease_until <= ?6)`,
			lease.Owner, lease.Host, lease.PID, nanos(lease.Until), runID, nanos(now))
		if err != nil {
			return s.wrap(err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return s.wrap(err)
		} else if n == 1 {
			return nil
		}
		held, err := s.lease(ctx, tx, runID)
		if err != nil {
			return err // ErrNotFound
		}
		return &LeaseError{RunID: runID, Holder: held}
	})
	if err != nil {
		return Lease{}, err
	}
	return lease, nil
}

// ReleaseLease implements Store.
func (s *SQLite) ReleaseLease(ctx context.Context, runID, owner string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		if _, err := s.lease(ctx, tx, runID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE runs SET lease_owner = '', lease_until = 0
			WHERE id = ? AND lease_owner = ? AND lease_owner != ''`, runID, owner)
		return s.wrap(err)
	})
}

const runColumns = "id, workflow_id, document_path, document_hash, status, current_step, labels, started, updated, " +
	"lease_owner, lease_host, lease_pid, lease_until"

type scanner interface{ Scan(...any) error }

func scanRun(row scanner) (Run, error) {
	var r Run
	var status string
	var labels sql.NullString
	var started, updated, leaseUntil int64
	if err := row.Scan(&r.ID, &r.WorkflowID, &r.DocumentPath, &r.DocumentHash, &status, &r.CurrentStep,
		&labels, &started, &updated, &r.Lease.Owner, &r.Lease.Host, &r.Lease.PID, &leaseUntil); err != nil {
		return Run{}, err
	}
	r.Status = Status(status)
	r.Started, r.Updated = fromNanos(started), fromNanos(updated)
	if r.Lease.Owner != "" {
		r.Lease.Until = fromNanos(leaseUntil)
	} else {
		r.Lease = Lease{}
	}
	if labels.Valid {
		if err := json.Unmarshal([]byte(labels.String), &r.Labels); err != nil {
			return Run{}, fmt.Errorf("run %s: labels: %w", r.ID, err)
		}
	}
	return r, nil
}

// Run implements Store.
func (s *SQLite) Run(ctx context.Context, id string) (Run, error) {
	if err := s.check(ctx); err != nil {
		return Run{}, err
	}
	r, err := scanRun(s.db.QueryRowContext(ctx, "SELECT "+runColumns+" FROM runs WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return Run{}, fmt.Errorf("%w: run %s", ErrNotFound, id)
	}
	return r, s.wrap(err)
}

// Runs implements Store.
func (s *SQLite) Runs(ctx context.Context, f Filter) ([]Run, error) {
	if f.Limit < 0 {
		return nil, fmt.Errorf("%w: negative limit", ErrInvalid)
	}
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	limit := int64(f.Limit)
	if limit == 0 {
		limit = -1 // SQLite: no limit
	}
	rows, err := s.db.QueryContext(ctx, "SELECT "+runColumns+` FROM runs
		WHERE (?1 = '' OR workflow_id = ?1) AND (?2 = '' OR status = ?2)
		ORDER BY started DESC, id LIMIT ?3`, f.WorkflowID, string(f.Status), limit)
	if err != nil {
		return nil, s.wrap(err)
	}
	defer rows.Close()
	var out []Run
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, s.wrap(err)
		}
		out = append(out, r)
	}
	return out, s.wrap(rows.Err())
}

const recordColumns = "run_id, seq, kind, step, attempt, status, state, time"

func scanRecord(row scanner) (Record, error) {
	var r Record
	var kind, status string
	var state []byte
	var t int64
	if err := row.Scan(&r.RunID, &r.Seq, &kind, &r.Step, &r.Attempt, &status, &state, &t); err != nil {
		return Record{}, err
	}
	r.Kind, r.Status, r.Time = Kind(kind), Status(status), fromNanos(t)
	if state != nil {
		r.State = json.RawMessage(state)
	}
	return r, nil
}

// LatestCheckpoint implements Store.
func (s *SQLite) LatestCheckpoint(ctx context.Context, runID string) (Record, error) {
	if err := s.check(ctx); err != nil {
		return Record{}, err
	}
	r, err := scanRecord(s.db.QueryRowContext(ctx, "SELECT "+recordColumns+
		" FROM records WHERE run_id = ? AND kind = ? ORDER BY seq DESC LIMIT 1", runID, string(KindCheckpoint)))
	if errors.Is(err, sql.ErrNoRows) {
		return Record{}, fmt.Errorf("%w: no checkpoint for run %s", ErrNotFound, runID)
	}
	return r, s.wrap(err)
}

// RecordsSince implements Store.
func (s *SQLite) RecordsSince(ctx context.Context, runID string, after int64) ([]Record, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, "SELECT "+recordColumns+
		" FROM records WHERE run_id = ? AND seq > ? ORDER BY seq", runID, after)
	if err != nil {
		return nil, s.wrap(err)
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, s.wrap(err)
		}
		out = append(out, r)
	}
	return out, s.wrap(rows.Err())
}

// PutIdempotencyKey implements Store.
func (s *SQLite) PutIdempotencyKey(ctx context.Context, runID, step string, attempt int, key string) (string, error) {
	if err := checkKeyArgs(runID, step, attempt); err != nil {
		return "", err
	}
	if key == "" {
		return "", fmt.Errorf("%w: empty idempotency key", ErrInvalid)
	}
	var stored string
	err := s.write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM runs WHERE id = ?", runID).Scan(&n); err != nil {
			return s.wrap(err)
		}
		if n == 0 {
			return fmt.Errorf("%w: run %s", ErrNotFound, runID)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO idempotency_keys (run_id, step, attempt, key) VALUES (?, ?, ?, ?)
			ON CONFLICT DO NOTHING`, runID, step, attempt, key); err != nil {
			return s.wrap(err)
		}
		return s.wrap(tx.QueryRowContext(ctx, "SELECT key FROM idempotency_keys WHERE run_id = ? AND step = ? AND attempt = ?",
			runID, step, attempt).Scan(&stored))
	})
	return stored, err
}

// IdempotencyKey implements Store.
func (s *SQLite) IdempotencyKey(ctx context.Context, runID, step string, attempt int) (string, error) {
	if err := checkKeyArgs(runID, step, attempt); err != nil {
		return "", err
	}
	if err := s.check(ctx); err != nil {
		return "", err
	}
	var key string
	err := s.db.QueryRowContext(ctx, "SELECT key FROM idempotency_keys WHERE run_id = ? AND step = ? AND attempt = ?",
		runID, step, attempt).Scan(&key)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("%w: no idempotency key for %s/%s#%d", ErrNotFound, runID, step, attempt)
	}
	return key, s.wrap(err)
}

// Close implements Store: it closes the database (SQLite checkpoints the WAL into the main file when the
// last connection closes). Closing twice is not an error.
func (s *SQLite) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	return s.db.Close()
}
