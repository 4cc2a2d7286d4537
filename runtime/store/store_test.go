package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"
)

// impl makes a fresh store of one implementation.
type impl struct {
	name string
	open func(t testing.TB, opts Options) Store
}

var impls = []impl{
	{"memory", func(t testing.TB, opts Options) Store { return NewMemory(opts) }},
	{"sqlite", func(t testing.TB, opts Options) Store {
		s, err := OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "runs.db"), opts)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}},
}

// forEach runs the behavioural test against every implementation.
func forEach(t *testing.T, opts Options, test func(t *testing.T, s Store)) {
	for _, im := range impls {
		t.Run(im.name, func(t *testing.T) {
			s := im.open(t, opts)
			t.Cleanup(func() { _ = s.Close() })
			test(t, s)
		})
	}
}

// fakeClock ticks one second per reading, so every time is distinct and ordered.
func fakeClock() func() time.Time {
	var mu sync.Mutex
	t := time.Date(2026, 12, 4, 3, 0, 0, 0, time.UTC)
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(time.Second)
		return t
	}
}

var ctx = context.Background()

func mustRun(t *testing.T, s Store, id, wf string) Run {
	t.Helper()
	r, err := s.CreateRun(ctx, Run{ID: id, WorkflowID: wf, DocumentPath: "seed.arazzo.yaml", DocumentHash: "sha256:abc"})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func mustAppend(t *testing.T, s Store, rec Record) Record {
	t.Helper()
	r, err := s.Append(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestRunLifecycle(t *testing.T) {
	forEach(t, Options{Now: fakeClock()}, func(t *testing.T, s Store) {
		created, err := s.CreateRun(ctx, Run{ID: "r1", WorkflowID: "wf", DocumentPath: "a.yaml", DocumentHash: "sha256:1",
			Labels: map[string]string{"team": "infra"}})
		if err != nil {
			t.Fatal(err)
		}
		if created.Status != StatusRunning || created.Started.IsZero() || !created.Updated.Equal(created.Started) {
			t.Errorf("created run: %+v", created)
		}
		got, err := s.Run(ctx, "r1")
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, created) {
			t.Errorf("Run() = %+v, want %+v", got, created)
		}
		if _, err := s.CreateRun(ctx, Run{ID: "r1", WorkflowID: "wf"}); !errors.Is(err, ErrExists) {
			t.Errorf("second create: %v, want ErrExists", err)
		}
		if _, err := s.Run(ctx, "nope"); !errors.Is(err, ErrNotFound) {
			t.Errorf("missing run: %v, want ErrNotFound", err)
		}

		rec := mustAppend(t, s, Record{RunID: "r1", Kind: KindAboutToSend, Step: "createImage", Attempt: 1})
		if rec.Seq != 1 || rec.Time.IsZero() {
			t.Errorf("first record: %+v", rec)
		}
		fin := mustAppend(t, s, Record{RunID: "r1", Kind: KindFinished, Status: StatusSucceeded, State: json.RawMessage(`{"ok":true}`)})
		if fin.Seq != 2 {
			t.Errorf("second seq %d", fin.Seq)
		}
		got, _ = s.Run(ctx, "r1")
		if got.Status != StatusSucceeded || got.CurrentStep != "createImage" || !got.Updated.Equal(fin.Time) {
			t.Errorf("after finish: status %s step %q updated %v (want %v)", got.Status, got.CurrentStep, got.Updated, fin.Time)
		}
		if !reflect.DeepEqual(got.Labels, map[string]string{"team": "infra"}) {
			t.Errorf("labels %v", got.Labels)
		}
	})
}

func TestInvalidArguments(t *testing.T) {
	forEach(t, Options{}, func(t *testing.T, s Store) {
		mustRun(t, s, "r", "wf")
		bad := []struct {
			name string
			err  error
		}{
			{"run without id", func() error { _, err := s.CreateRun(ctx, Run{WorkflowID: "wf"}); return err }()},
			{"run without workflow", func() error { _, err := s.CreateRun(ctx, Run{ID: "x"}); return err }()},
			{"run with bad status", func() error { _, err := s.CreateRun(ctx, Run{ID: "x", WorkflowID: "w", Status: "odd"}); return err }()},
			{"record kind", func() error { _, err := s.Append(ctx, Record{RunID: "r", Kind: "other"}); return err }()},
			{"record status", func() error {
				_, err := s.Append(ctx, Record{RunID: "r", Kind: KindFinished, Status: "odd"})
				return err
			}()},
			{"record state not JSON", func() error {
				_, err := s.Append(ctx, Record{RunID: "r", Kind: KindCheckpoint, State: json.RawMessage(`{"a":`)})
				return err
			}()},
			{"record without run", func() error { _, err := s.Append(ctx, Record{Kind: KindCheckpoint}); return err }()},
			{"negative attempt", func() error {
				_, err := s.Append(ctx, Record{RunID: "r", Kind: KindCheckpoint, Attempt: -1})
				return err
			}()},
			{"key attempt 0", func() error { _, err := s.PutIdempotencyKey(ctx, "r", "s", 0, "k"); return err }()},
			{"empty key", func() error { _, err := s.PutIdempotencyKey(ctx, "r", "s", 1, ""); return err }()},
			{"negative limit", func() error { _, err := s.Runs(ctx, Filter{Limit: -1}); return err }()},
		}
		for _, b := range bad {
			if !errors.Is(b.err, ErrInvalid) {
				t.Errorf("%s: %v, want ErrInvalid", b.name, b.err)
			}
		}
		if _, err := s.Append(ctx, Record{RunID: "ghost", Kind: KindCheckpoint}); !errors.Is(err, ErrNotFound) {
			t.Errorf("append to a missing run: %v, want ErrNotFound", err)
		}
		if recs, _ := s.RecordsSince(ctx, "r", 0); len(recs) != 0 {
			t.Errorf("rejected records were stored: %+v", recs)
		}
	})
}

func TestCheckpointsAndRecordsSince(t *testing.T) {
	forEach(t, Options{Now: fakeClock()}, func(t *testing.T, s Store) {
		mustRun(t, s, "r", "wf")
		mustRun(t, s, "other", "wf")
		if _, err := s.LatestCheckpoint(ctx, "r"); !errors.Is(err, ErrNotFound) {
			t.Errorf("no checkpoint yet: %v, want ErrNotFound", err)
		}
		kinds := []Kind{KindCheckpoint, KindAboutToSend, KindResponseRecorded, KindCheckpoint, KindAboutToSend}
		for i, k := range kinds {
			mustAppend(t, s, Record{RunID: "r", Kind: k, Step: "s", Attempt: 1, State: json.RawMessage(fmt.Sprintf(`{"i":%d}`, i))})
			mustAppend(t, s, Record{RunID: "other", Kind: KindCheckpoint, State: json.RawMessage(`{"other":true}`)})
		}
		cp, err := s.LatestCheckpoint(ctx, "r")
		if err != nil {
			t.Fatal(err)
		}
		if cp.Seq != 4 || string(cp.State) != `{"i":3}` || cp.Kind != KindCheckpoint || cp.RunID != "r" {
			t.Errorf("latest checkpoint: %+v", cp)
		}
		recs, err := s.RecordsSince(ctx, "r", 2)
		if err != nil {
			t.Fatal(err)
		}
		var seqs []int64
		for _, r := range recs {
			seqs = append(seqs, r.Seq)
		}
		if !reflect.DeepEqual(seqs, []int64{3, 4, 5}) || recs[0].Kind != KindResponseRecorded || string(recs[2].State) != `{"i":4}` {
			t.Errorf("records since 2: %+v", recs)
		}
		for _, after := range []int64{-3, 0} {
			if all, _ := s.RecordsSince(ctx, "r", after); len(all) != 5 {
				t.Errorf("since %d: %d records, want 5", after, len(all))
			}
		}
		if none, _ := s.RecordsSince(ctx, "r", 99); len(none) != 0 {
			t.Errorf("since 99: %+v", none)
		}
		// No state stays no state.
		noState := mustAppend(t, s, Record{RunID: "r", Kind: KindAboutToSend})
		got, _ := s.RecordsSince(ctx, "r", noState.Seq-1)
		if len(got) != 1 || got[0].State != nil {
			t.Errorf("record without state came back as %+v", got)
		}
	})
}

func TestRunsFilterAndOrder(t *testing.T) {
	forEach(t, Options{Now: fakeClock()}, func(t *testing.T, s Store) {
		if runs, err := s.Runs(ctx, Filter{}); err != nil || len(runs) != 0 {
			t.Fatalf("empty store: %v %v", runs, err)
		}
		mustRun(t, s, "a", "create")
		mustRun(t, s, "b", "delete")
		mustRun(t, s, "c", "create")
		mustAppend(t, s, Record{RunID: "a", Kind: KindFinished, Status: StatusFailed})
		ids := func(f Filter) []string {
			runs, err := s.Runs(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, r := range runs {
				out = append(out, r.ID)
			}
			return out
		}
		for _, tt := range []struct {
			f    Filter
			want []string
		}{
			{Filter{}, []string{"c", "b", "a"}},
			{Filter{WorkflowID: "create"}, []string{"c", "a"}},
			{Filter{Status: StatusRunning}, []string{"c", "b"}},
			{Filter{Status: StatusFailed, WorkflowID: "create"}, []string{"a"}},
			{Filter{Limit: 2}, []string{"c", "b"}},
			{Filter{WorkflowID: "none"}, nil},
		} {
			if got := ids(tt.f); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Runs(%+v) = %v, want %v", tt.f, got, tt.want)
			}
		}
	})
}

func TestIdempotencyKeysFirstWriteWins(t *testing.T) {
	forEach(t, Options{}, func(t *testing.T, s Store) {
		mustRun(t, s, "r", "wf")
		if _, err := s.IdempotencyKey(ctx, "r", "createImage", 1); !errors.Is(err, ErrNotFound) {
			t.Errorf("before put: %v, want ErrNotFound", err)
		}
		k1 := IdempotencyKey("r", "createImage", 1)
		if got, err := s.PutIdempotencyKey(ctx, "r", "createImage", 1, k1); err != nil || got != k1 {
			t.Fatalf("put: %q %v", got, err)
		}
		if got, err := s.PutIdempotencyKey(ctx, "r", "createImage", 1, "other"); err != nil || got != k1 {
			t.Errorf("second put returned %q %v, want the first key %q", got, err, k1)
		}
		if got, err := s.IdempotencyKey(ctx, "r", "createImage", 1); err != nil || got != k1 {
			t.Errorf("get: %q %v", got, err)
		}
		if _, err := s.IdempotencyKey(ctx, "r", "createImage", 2); !errors.Is(err, ErrNotFound) {
			t.Errorf("other attempt: %v, want ErrNotFound", err)
		}
		if _, err := s.PutIdempotencyKey(ctx, "ghost", "s", 1, "k"); !errors.Is(err, ErrNotFound) {
			t.Errorf("key for a missing run: %v, want ErrNotFound", err)
		}
	})
}

func TestClosed(t *testing.T) {
	forEach(t, Options{}, func(t *testing.T, s Store) {
		mustRun(t, s, "r", "wf")
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Errorf("second close: %v", err)
		}
		_, err1 := s.Run(ctx, "r")
		_, err2 := s.Append(ctx, Record{RunID: "r", Kind: KindCheckpoint})
		_, err3 := s.Runs(ctx, Filter{})
		_, err4 := s.PutIdempotencyKey(ctx, "r", "s", 1, "k")
		for i, err := range []error{err1, err2, err3, err4} {
			if !errors.Is(err, ErrClosed) {
				t.Errorf("call %d after close: %v, want ErrClosed", i, err)
			}
		}
	})
}

func TestCancelledContext(t *testing.T) {
	forEach(t, Options{}, func(t *testing.T, s Store) {
		mustRun(t, s, "r", "wf")
		c, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := s.Append(c, Record{RunID: "r", Kind: KindCheckpoint}); !errors.Is(err, context.Canceled) {
			t.Errorf("append with a cancelled context: %v", err)
		}
		if recs, _ := s.RecordsSince(ctx, "r", 0); len(recs) != 0 {
			t.Errorf("a cancelled append was stored")
		}
	})
}

// Many goroutines append to a few runs at once: every append succeeds and each run's sequence is gapless.
func TestConcurrentAppends(t *testing.T) {
	forEach(t, Options{}, func(t *testing.T, s Store) {
		const runs, workers, each = 3, 8, 15
		for i := range runs {
			mustRun(t, s, fmt.Sprint("r", i), "wf")
		}
		var wg sync.WaitGroup
		errs := make(chan error, workers*each)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					run := fmt.Sprint("r", (w+i)%runs)
					if _, err := s.Append(ctx, Record{RunID: run, Kind: KindCheckpoint, State: json.RawMessage(`{}`)}); err != nil {
						errs <- err
					}
					if _, err := s.LatestCheckpoint(ctx, run); err != nil {
						errs <- err
					}
					if _, err := s.PutIdempotencyKey(ctx, run, "s", i+1, IdempotencyKey(run, "s", i+1)); err != nil {
						errs <- err
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		total := 0
		for i := range runs {
			recs, err := s.RecordsSince(ctx, fmt.Sprint("r", i), 0)
			if err != nil {
				t.Fatal(err)
			}
			for j, r := range recs {
				if r.Seq != int64(j+1) {
					t.Fatalf("run r%d: record %d has seq %d", i, j, r.Seq)
				}
			}
			total += len(recs)
		}
		if total != workers*each {
			t.Errorf("%d records, want %d", total, workers*each)
		}
	})
}

// The redaction hook runs before anything is stored, on states and labels.
func TestRedactHook(t *testing.T) {
	const secret = `tok"en\with-escapes`
	forEach(t, Options{Redact: ScrubSecrets(secret)}, func(t *testing.T, s Store) {
		state, _ := json.Marshal(map[string]any{"inputs": map[string]string{"authToken": secret, "name": "x"}})
		if _, err := s.CreateRun(ctx, Run{ID: "r", WorkflowID: "wf", Labels: map[string]string{"why": "token " + secret}}); err != nil {
			t.Fatal(err)
		}
		mustAppend(t, s, Record{RunID: "r", Kind: KindCheckpoint, State: state})
		cp, err := s.LatestCheckpoint(ctx, "r")
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]map[string]string
		if err := json.Unmarshal(cp.State, &got); err != nil {
			t.Fatalf("redacted state is not JSON: %s", cp.State)
		}
		if got["inputs"]["authToken"] != Redacted || got["inputs"]["name"] != "x" {
			t.Errorf("stored state %s", cp.State)
		}
		run, _ := s.Run(ctx, "r")
		if run.Labels["why"] != "token "+Redacted {
			t.Errorf("stored label %q", run.Labels["why"])
		}
	})
}

func TestRedactHookMustKeepJSON(t *testing.T) {
	forEach(t, Options{Redact: func([]byte) []byte { return []byte("not json") }}, func(t *testing.T, s Store) {
		mustRun(t, s, "r", "wf")
		if _, err := s.Append(ctx, Record{RunID: "r", Kind: KindCheckpoint, State: json.RawMessage(`{}`)}); !errors.Is(err, ErrInvalid) {
			t.Errorf("hook returning non-JSON: %v, want ErrInvalid", err)
		}
	})
}

func TestScrubSecrets(t *testing.T) {
	scrub := ScrubSecrets("abc", "", "abcdef", "a\"b", "abc")
	for in, want := range map[string]string{
		`{"t":"abcdef"}`:          `{"t":"[redacted]"}`, // the longer secret whole, not "[redacted]def"
		`{"t":"xabcx","u":"abc"}`: `{"t":"x[redacted]x","u":"[redacted]"}`,
		`{"t":"a\"b"}`:            `{"t":"[redacted]"}`,
		`{"t":"ab"}`:              `{"t":"ab"}`,
	} {
		if got := string(scrub([]byte(in))); got != want {
			t.Errorf("scrub(%s) = %s, want %s", in, got, want)
		}
	}
	if got := string(ScrubSecrets()([]byte(`{"a":1}`))); got != `{"a":1}` {
		t.Errorf("no secrets: %s", got)
	}
}

func TestIdempotencyKey(t *testing.T) {
	k := IdempotencyKey("run-1", "createImage", 1)
	// A fixed value: the derivation must never change, or a resumed run would send a new key.
	if k != "43a0bc72-2d79-552b-a6ac-7ac89ca32988" || k[14] != '5' {
		t.Fatalf("key %q: the derivation changed (a resumed run would send a new key)", k)
	}
	seen := map[string]string{}
	for _, in := range [][3]any{
		{"run-1", "createImage", 1}, {"run-1", "createImage", 2}, {"run-2", "createImage", 1},
		{"run-1", "pollImage", 1}, {"run-1", "createImage1", 1}, {"run-1c", "reateImage", 1}, {"run-1", "createImag", 11},
	} {
		key := IdempotencyKey(in[0].(string), in[1].(string), in[2].(int))
		if prev, dup := seen[key]; dup {
			t.Errorf("%v and %s give the same key", in, prev)
		}
		seen[key] = fmt.Sprint(in)
	}
}
