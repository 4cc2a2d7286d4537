package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/arazzo-go/arazzo/internal/testutil"
	"github.com/arazzo-go/arazzo/runtime/store"
)

// TestResumeOfALeasedRun: while another process holds a run's lease,
// arazzo resume says who holds it and until when, exits 4 and sends
// nothing; runs shows the holder; once the lease is released the resume
// goes on.
func TestResumeOfALeasedRun(t *testing.T) {
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if requests.Add(1) == 1 {
			<-r.Context().Done() // the first run is interrupted with this request in flight
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{}`))
	}))
	t.Cleanup(srv.Close)
	dir := writeTestFiles(t, map[string]string{"api.yaml": replayAPI, "flow.arazzo.yaml": `arazzo: 1.0.1
info: {title: lease, version: '1'}
sourceDescriptions: [{name: api, url: ./api.yaml, type: openapi}]
workflows:
- workflowId: w
  steps:
  - stepId: get
    operationId: getData
    successCriteria: [{condition: $statusCode == 200}]
`})
	state := filepath.Join(dir, "state.db")
	var stdout, stderr bytes.Buffer
	code := run([]string{"run", filepath.Join(dir, "flow.arazzo.yaml"), "--state", state, "--server", "api=" + srv.URL, "--timeout", "300ms"}, nil, &stdout, &stderr)
	if code != exitAborted {
		t.Fatalf("the first run: exit %d, want %d\n%s", code, exitAborted, stderr.String())
	}

	// Another process holds the run.
	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, state, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	runs, err := st.Runs(ctx, store.Filter{})
	if err != nil || len(runs) != 1 || runs[0].Status != store.StatusRunning {
		t.Fatalf("runs %+v %v; want one running", runs, err)
	}
	id := runs[0].ID
	held, err := st.AcquireLease(ctx, id, store.Lease{Owner: "other-process", Host: "build-7", PID: 4242}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}

	stdout.Reset()
	stderr.Reset()
	code = run([]string{"resume", id, "--state", state}, nil, &stdout, &stderr)
	until := held.Until.Local().Format(time.RFC3339)
	want := "arazzo resume: run " + id + " is being executed by pid 4242 on host build-7 (lease until " + until +
		"); if that process is gone, resume again after " + until + "\n"
	if code != exitLeased || stderr.String() != want {
		t.Errorf("resume of a leased run: exit %d, stderr\n%s\nwant exit %d, stderr\n%s", code, stderr.String(), exitLeased, want)
	}
	if n := requests.Load(); n != 1 {
		t.Errorf("the refused resume sent %d requests", n-1)
	}

	// runs shows who holds it, as text and as JSON of the documented shape.
	stdout.Reset()
	if code := run([]string{"runs", "--state", state}, nil, &stdout, &stderr); code != exitOK || !strings.Contains(stdout.String(), "running (live: pid 4242 on build-7)") {
		t.Errorf("runs: exit %d\n%s", code, stdout.String())
	}
	stdout.Reset()
	if code := run([]string{"runs", "--state", state, "--json"}, nil, &stdout, &stderr); code != exitOK {
		t.Fatalf("runs --json: exit %d", code)
	}
	var listed struct {
		Runs []struct {
			LeasedBy *struct {
				Host string `json:"host"`
				PID  int    `json:"pid"`
			} `json:"leasedBy"`
		} `json:"runs"`
	}
	var doc any
	if err := json.Unmarshal(stdout.Bytes(), &listed); err != nil || len(listed.Runs) != 1 || listed.Runs[0].LeasedBy == nil ||
		listed.Runs[0].LeasedBy.PID != 4242 || listed.Runs[0].LeasedBy.Host != "build-7" {
		t.Errorf("runs --json: %v\n%s", err, stdout.String())
	}
	json.Unmarshal(stdout.Bytes(), &doc)
	if err := testutil.OutputSchema(t, "runs.schema.json").Validate(doc); err != nil {
		t.Errorf("runs --json does not match docs/schemas/runs.schema.json: %v\n%s", err, stdout.String())
	}

	// Released: the resume runs, sends the request that was in flight, and
	// leaves the run unleased.
	if err := st.ReleaseLease(ctx, id, "other-process"); err != nil {
		t.Fatal(err)
	}
	stdout.Reset()
	stderr.Reset()
	if code := run([]string{"resume", id, "--state", state}, nil, &stdout, &stderr); code != exitOK {
		t.Fatalf("resume after the release: exit %d\n%s", code, stderr.String())
	}
	if n := requests.Load(); n != 2 {
		t.Errorf("the server got %d requests in all, want 2", n)
	}
	if r, err := st.Run(ctx, id); err != nil || r.Status != store.StatusSucceeded || r.Lease != (store.Lease{}) {
		t.Errorf("after the resume: %+v %v", r, err)
	}
}

func TestLeaseTTLFromTheEnvironment(t *testing.T) {
	for v, want := range map[string]time.Duration{"": 0, "10s": 10 * time.Second} {
		t.Setenv(leaseTTLEnv, v)
		if got, err := leaseTTL(); err != nil || got != want {
			t.Errorf("%s=%q: %v %v, want %v", leaseTTLEnv, v, got, err, want)
		}
	}
	for _, bad := range []string{"soon", "-1s", "0s"} {
		t.Setenv(leaseTTLEnv, bad)
		if _, err := leaseTTL(); err == nil || !strings.Contains(err.Error(), leaseTTLEnv) {
			t.Errorf("%s=%q: %v, want an error naming the variable", leaseTTLEnv, bad, err)
		}
	}
}
