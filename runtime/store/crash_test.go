package store

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// crashEnv names the database a helper process appends to until it is killed.
const crashEnv = "ARAZZO_STORE_CRASH_DB"

// TestCrashHelper is not a test on its own: TestSQLiteSurvivesKill runs the test binary with crashEnv set, and
// then this appends records forever, printing each sequence number after Append returned.
func TestCrashHelper(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		return // run directly: nothing to do
	}
	s := openAt(t, path, Options{})
	if _, err := s.CreateRun(ctx, Run{ID: "crash", WorkflowID: "wf"}); err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	for i := 1; ; i++ {
		rec, err := s.Append(ctx, Record{RunID: "crash", Kind: KindCheckpoint, State: json.RawMessage(`{"i":` + strconv.Itoa(i) + `}`)})
		if err != nil {
			fmt.Println("error", err)
			os.Exit(2)
		}
		fmt.Println(rec.Seq)
	}
}

// A record that Append returned survives kill -9 of the process that wrote it: the helper process is killed
// mid-stream, and every sequence number it printed is in the reopened database, gapless, with its state.
func TestSQLiteSurvivesKill(t *testing.T) {
	path := filepath.Join(t.TempDir(), "runs.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	lines := bufio.NewScanner(out)
	var acked int64
	deadline := time.Now().Add(20 * time.Second)
	for acked < 30 && lines.Scan() && time.Now().Before(deadline) {
		n, err := strconv.ParseInt(lines.Text(), 10, 64)
		if err != nil {
			t.Fatalf("helper said %q", lines.Text())
		}
		acked = n
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL: no deferred Close, no WAL checkpoint
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if acked < 30 {
		t.Fatalf("the helper acknowledged only %d appends", acked)
	}

	s := openAt(t, path, Options{})
	defer s.Close()
	recs, err := s.RecordsSince(ctx, "crash", 0)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(recs)) < acked {
		t.Fatalf("%d records after the kill, but %d were acknowledged", len(recs), acked)
	}
	for i, r := range recs {
		if r.Seq != int64(i+1) || string(r.State) != fmt.Sprintf(`{"i":%d}`, i+1) {
			t.Fatalf("record %d: seq %d state %s", i, r.Seq, r.State)
		}
	}
	// The store stays writable after the crash.
	if rec := mustAppend(t, s, Record{RunID: "crash", Kind: KindFinished, Status: StatusFailed}); rec.Seq != int64(len(recs)+1) {
		t.Errorf("append after the crash got seq %d, want %d", rec.Seq, len(recs)+1)
	}
}
