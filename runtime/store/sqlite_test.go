package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func openAt(t testing.TB, path string, opts Options) *SQLite {
	t.Helper()
	s, err := OpenSQLite(context.Background(), path, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Everything written survives closing and reopening the file.
func TestSQLitePersists(t *testing.T) {
	path := filepath.Join(t.TempDir(), "runs.db")
	s := openAt(t, path, Options{})
	mustRun(t, s, "r", "wf")
	mustAppend(t, s, Record{RunID: "r", Kind: KindCheckpoint, Step: "readInstance", Attempt: 1, State: json.RawMessage(`{"cursor":1}`)})
	key, _ := s.PutIdempotencyKey(ctx, "r", "createImage", 1, IdempotencyKey("r", "createImage", 1))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openAt(t, path, Options{})
	defer s.Close()
	run, err := s.Run(ctx, "r")
	if err != nil || run.CurrentStep != "readInstance" {
		t.Fatalf("reopened run: %+v %v", run, err)
	}
	cp, err := s.LatestCheckpoint(ctx, "r")
	if err != nil || string(cp.State) != `{"cursor":1}` || cp.Attempt != 1 {
		t.Errorf("reopened checkpoint: %+v %v", cp, err)
	}
	if got, _ := s.IdempotencyKey(ctx, "r", "createImage", 1); got != key {
		t.Errorf("reopened key %q, want %q", got, key)
	}
	if rec := mustAppend(t, s, Record{RunID: "r", Kind: KindCheckpoint}); rec.Seq != 2 {
		t.Errorf("seq after reopen %d, want 2", rec.Seq)
	}
}

func pragma(t *testing.T, s *SQLite, name string) string {
	t.Helper()
	var v string
	if err := s.db.QueryRow("PRAGMA " + name).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSQLitePragmas(t *testing.T) {
	for _, tt := range []struct {
		sync Sync
		want string // PRAGMA synchronous: 1 NORMAL, 2 FULL
	}{{SyncFull, "2"}, {SyncNormal, "1"}} {
		s := openAt(t, filepath.Join(t.TempDir(), "runs.db"), Options{Sync: tt.sync})
		if got := pragma(t, s, "journal_mode"); got != "wal" {
			t.Errorf("journal_mode %s, want wal", got)
		}
		if got := pragma(t, s, "synchronous"); got != tt.want {
			t.Errorf("sync %d: synchronous %s, want %s", tt.sync, got, tt.want)
		}
		if got := pragma(t, s, "busy_timeout"); got != "5000" {
			t.Errorf("busy_timeout %s, want 5000", got)
		}
		if got := pragma(t, s, "user_version"); got != strconv.Itoa(SchemaVersion) {
			t.Errorf("user_version %s, want %d", got, SchemaVersion)
		}
		s.Close()
	}
}

// A database at schema version 1 (before idempotency keys) is migrated on open, keeping its data.
func TestSQLiteMigratesOldSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "runs.db")
	old, err := openSQLite(ctx, path, Options{}, 1)
	if err != nil {
		t.Fatal(err)
	}
	mustRun(t, old, "r", "wf")
	if _, err := old.PutIdempotencyKey(ctx, "r", "s", 1, "k"); err == nil {
		t.Fatal("schema 1 has no idempotency keys, yet the put worked")
	}
	old.Close()
	s := openAt(t, path, Options{})
	defer s.Close()
	if got := pragma(t, s, "user_version"); got != strconv.Itoa(SchemaVersion) {
		t.Errorf("user_version after migration %s, want %d", got, SchemaVersion)
	}
	if _, err := s.Run(ctx, "r"); err != nil {
		t.Errorf("run lost in migration: %v", err)
	}
	if _, err := s.PutIdempotencyKey(ctx, "r", "s", 1, "k"); err != nil {
		t.Errorf("after migration: %v", err)
	}
}

// A database at schema version 2 (before leases) is migrated on open: its runs have no lease, can be leased,
// and keep their records.
func TestSQLiteMigratesToLeases(t *testing.T) {
	path := filepath.Join(t.TempDir(), "runs.db")
	old, err := openSQLite(ctx, path, Options{}, 2)
	if err != nil {
		t.Fatal(err)
	}
	mustRun(t, old, "r", "wf")
	// This package's Append reads the lease: write the record as version 2 did.
	if _, err := old.db.Exec(`INSERT INTO records (run_id, seq, kind, step, attempt, status, state, time)
		VALUES ('r', 1, 'checkpoint', 's', 1, '', NULL, 0)`); err != nil {
		t.Fatal(err)
	}
	if _, err := old.db.Exec(`UPDATE runs SET current_step = 's'`); err != nil {
		t.Fatal(err)
	}
	if _, err := old.AcquireLease(ctx, "r", holderA, time.Minute); err == nil {
		t.Fatal("schema 2 has no leases, yet the lease was taken")
	}
	old.Close()
	s := openAt(t, path, Options{})
	defer s.Close()
	run, err := s.Run(ctx, "r")
	if err != nil || run.Lease != (Lease{}) || run.CurrentStep != "s" {
		t.Fatalf("migrated run: %+v %v", run, err)
	}
	mustAcquire(t, s, "r", holderA)
	if rec := mustAppend(t, s, Record{RunID: "r", Kind: KindCheckpoint, Lease: "owner-a"}); rec.Seq != 2 {
		t.Errorf("seq after migration %d, want 2", rec.Seq)
	}
}

// Two handles on one file (two processes) ask for one run's lease: the second is refused, and appends by
// its owner are refused, until the first releases it.
func TestSQLiteLeaseAcrossHandles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "runs.db")
	a, b := openAt(t, path, Options{}), openAt(t, path, Options{})
	defer a.Close()
	defer b.Close()
	mustRun(t, a, "r", "wf")
	mustAcquire(t, a, "r", holderA)
	_, err := b.AcquireLease(ctx, "r", holderB, time.Minute)
	refusedTo(t, "the second handle", err, "owner-a")
	_, err = b.Append(ctx, Record{RunID: "r", Kind: KindCheckpoint, Lease: "owner-b"})
	refusedTo(t, "an append through the second handle", err, "owner-a")
	if err := a.ReleaseLease(ctx, "r", "owner-a"); err != nil {
		t.Fatal(err)
	}
	mustAcquire(t, b, "r", holderB)
	mustAppend(t, b, Record{RunID: "r", Kind: KindCheckpoint, Lease: "owner-b"})
}

func TestSQLiteRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "runs.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := OpenSQLite(ctx, path, Options{}); !errors.Is(err, ErrSchema) {
		t.Errorf("open of a newer schema: %v, want ErrSchema", err)
	}
}

func TestSQLiteBadPath(t *testing.T) {
	for _, p := range []string{"", "a?b.db"} {
		if _, err := OpenSQLite(ctx, p, Options{}); !errors.Is(err, ErrInvalid) {
			t.Errorf("path %q: %v, want ErrInvalid", p, err)
		}
	}
	if _, err := OpenSQLite(ctx, filepath.Join(t.TempDir(), "no", "such", "dir", "x.db"), Options{}); err == nil {
		t.Error("a path in a missing directory opened")
	}
}

// Two handles on one file (as two processes would have) append to the same run without losing or repeating
// a sequence number: the write lock, not the process's mutex, allocates them.
func TestSQLiteTwoHandlesOneFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "runs.db")
	a, b := openAt(t, path, Options{}), openAt(t, path, Options{})
	defer a.Close()
	defer b.Close()
	mustRun(t, a, "r", "wf")
	done := make(chan error, 2)
	for _, s := range []*SQLite{a, b} {
		go func() {
			for range 20 {
				if _, err := s.Append(ctx, Record{RunID: "r", Kind: KindCheckpoint}); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for range 2 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	recs, _ := b.RecordsSince(ctx, "r", 0)
	for i, r := range recs {
		if r.Seq != int64(i+1) {
			t.Fatalf("record %d has seq %d", i, r.Seq)
		}
	}
	if len(recs) != 40 {
		t.Errorf("%d records, want 40", len(recs))
	}
}

// A secret that the caller marks (through the redaction hook) never reaches the database, its WAL or its
// shared-memory file, whether the store is open or closed.
func TestSQLiteSecretNeverOnDisk(t *testing.T) {
	const secret = "s3cr3t-OCI-token-0xDEADBEEF"
	dir := t.TempDir()
	path := filepath.Join(dir, "runs.db")
	s := openAt(t, path, Options{Redact: ScrubSecrets(secret)})
	state, _ := json.Marshal(map[string]any{
		"inputs":  map[string]string{"authToken": secret},
		"outputs": map[string]string{"echo": "Bearer " + secret},
	})
	if _, err := s.CreateRun(ctx, Run{ID: "r", WorkflowID: "wf", Labels: map[string]string{"note": secret}}); err != nil {
		t.Fatal(err)
	}
	for _, k := range []Kind{KindCheckpoint, KindAboutToSend, KindResponseRecorded} {
		mustAppend(t, s, Record{RunID: "r", Kind: k, Step: "createImage", Attempt: 1, State: state})
	}
	grep := func(when string) {
		files, _ := filepath.Glob(filepath.Join(dir, "*"))
		if len(files) == 0 {
			t.Fatal("no database files")
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(b, []byte(secret)) || bytes.Contains(b, []byte("0xDEADBEEF")) {
				t.Errorf("%s: %s holds the secret", when, filepath.Base(f))
			}
		}
	}
	grep("open")
	// The check must be able to fail: the redacted form is there, so the bytes are readable.
	if b, _ := os.ReadFile(path + "-wal"); !bytes.Contains(b, []byte(Redacted)) {
		t.Error("the WAL does not hold the redacted state: the grep would prove nothing")
	}
	s.Close()
	grep("closed")
	if b, _ := os.ReadFile(path); !strings.Contains(string(b), Redacted) {
		t.Error("the closed database does not hold the redacted state")
	}
}

// Without the hook the same bytes do reach the file: the test above depends on the hook, not on luck.
func TestSQLiteWithoutHookStoresStateAsGiven(t *testing.T) {
	dir := t.TempDir()
	s := openAt(t, filepath.Join(dir, "runs.db"), Options{})
	mustRun(t, s, "r", "wf")
	mustAppend(t, s, Record{RunID: "r", Kind: KindCheckpoint, State: json.RawMessage(`{"v":"plain-marker-123"}`)})
	s.Close()
	b, _ := os.ReadFile(filepath.Join(dir, "runs.db"))
	if !bytes.Contains(b, []byte("plain-marker-123")) {
		t.Error("state not found in the file")
	}
}
