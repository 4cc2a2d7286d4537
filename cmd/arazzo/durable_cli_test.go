package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/arazzo-go/arazzo/internal/ocisim"
	"github.com/arazzo-go/arazzo/internal/testutil"
	"github.com/arazzo-go/arazzo/runtime/store"
)

// TestDurableRunSurvivesKill runs the seed against the OCI simulator with
// --state, kills the process (SIGKILL) at each crash point of issue 15,
// resumes it with arazzo resume, and checks that the run succeeds with the
// right outputs, that the simulator created exactly one image, and that no
// step whose response was recorded was sent again.
func TestDurableRunSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts arazzo processes and kills them")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		faults []ocisim.Fault
		// killAt: kill once the state file holds this record (kind, step
		// suffix, attempt) and no record after it.
		kind    store.Kind
		step    string
		attempt int
	}{
		{name: "during the first pacing wait", kind: store.KindWait, step: "/pollImage"},
		{name: "after createImage was sent, before its response was recorded",
			faults: []ocisim.Fault{{Operation: "createImage", FromCall: 1, ToCall: 1, Latency: time.Hour}},
			kind:   store.KindAboutToSend, step: "/createImage", attempt: 1},
		{name: "during a poll request",
			faults: []ocisim.Fault{{Operation: "getImage", FromCall: 2, ToCall: 2, Latency: time.Hour}},
			kind:   store.KindAboutToSend, step: "/pollImage", attempt: 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sim, err := ocisim.New(ocisim.Options{ProvisioningPolls: 2, Faults: tc.faults})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(sim)
			defer srv.Close()
			images := len(sim.Snapshot().Images)
			state := filepath.Join(t.TempDir(), "state.db")
			args := []string{"run", seedDoc, "--state", state, "--loop-delay", "1s",
				"--server", "ociComputeApi=" + srv.URL + ocisim.BasePath,
				"--input", "compartmentId=" + ocisim.CompartmentID, "--input", "instanceId=" + ocisim.InstanceStopped,
				"--input", "displayName=durable", "--input", "authToken=cli-secret-token"}
			first := exec.Command(self, args...)
			// A short lease: the killed process keeps its run for 1 s.
			first.Env = append(os.Environ(), "ARAZZO_TEST_AS_CLI=1", leaseTTLEnv+"=1s")
			var firstErr bytes.Buffer
			first.Stderr = &firstErr
			if err := first.Start(); err != nil {
				t.Fatal(err)
			}
			id := waitForRecord(t, state, tc.kind, tc.step, tc.attempt)
			if err := first.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			first.Wait()
			before := sim.CallCounts()
			// The killed process could not release its lease: the run is
			// resumable once the lease expired.
			waitForLeaseExpiry(t, state, id, first.Process.Pid)

			// Without the secret the resume is refused, naming it.
			out, errOut, code := runCLI(t, self, "resume", id, "--state", state)
			if code != exitUsage || !strings.Contains(errOut, "authToken") {
				t.Fatalf("resume without the secret: exit %d, %s%s", code, out, errOut)
			}
			out, errOut, code = runCLI(t, self, "resume", id, "--state", state, "--input", "authToken=cli-secret-token")
			if code != exitOK {
				t.Fatalf("resume: exit %d\nstdout %s\nstderr %s\nfirst process: %s", code, out, errOut, firstErr.String())
			}
			var outputs map[string]any
			if err := json.Unmarshal([]byte(out), &outputs); err != nil {
				t.Fatalf("outputs %q: %v", out, err)
			}
			want := map[string]any{"imageId": "ocid1.image.oc1.phx.simimage000001", "lifecycleState": "AVAILABLE"}
			if !reflect.DeepEqual(outputs, want) {
				t.Errorf("outputs %v, want %v", outputs, want)
			}
			if n := len(sim.Snapshot().Images) - images; n != 1 {
				t.Errorf("the simulator created %d images, want exactly 1", n)
			}
			after := sim.CallCounts()
			if after["getInstance"] != 1 {
				t.Errorf("getInstance reached the server %d times, want 1 (its response was recorded)", after["getInstance"])
			}
			// createImage is sent again only when it was in flight.
			wantCreates := 1
			if tc.step == "/createImage" {
				wantCreates = 2
			}
			if after["createImage"] != wantCreates {
				t.Errorf("createImage reached the server %d times, want %d", after["createImage"], wantCreates)
			}
			if before["getImage"] > 0 && after["getImage"]-before["getImage"] > 3 {
				t.Errorf("getImage before the kill %d, after %d: recorded polls were sent again", before["getImage"], after["getImage"])
			}
			if !strings.Contains(errOut, "resuming run "+id) {
				t.Errorf("stderr does not say it resumes: %s", errOut)
			}

			// runs --json has its documented shape.
			out, _, code = runCLI(t, self, "runs", "--state", state, "--json")
			var listed any
			if err := json.Unmarshal([]byte(out), &listed); err != nil || code != exitOK {
				t.Fatalf("runs --json: exit %d, %v\n%s", code, err, out)
			}
			if err := testutil.OutputSchema(t, "runs.schema.json").Validate(listed); err != nil {
				t.Errorf("runs --json does not match docs/schemas/runs.schema.json: %v\n%s", err, out)
			}
			// The list shows the run succeeded; show replays its history.
			out, _, code = runCLI(t, self, "runs", "--state", state)
			if code != exitOK || !strings.Contains(out, id) || !strings.Contains(out, "succeeded") {
				t.Errorf("runs: exit %d\n%s", code, out)
			}
			n := len(sim.Requests())
			out, errOut, code = runCLI(t, self, "runs", "show", id, "--state", state)
			if code != exitOK || !strings.Contains(out, `"status": "succeeded"`) {
				t.Errorf("runs show: exit %d\n%s%s", code, out, errOut)
			}
			if len(sim.Requests()) != n {
				t.Errorf("runs show sent %d requests", len(sim.Requests())-n)
			}
			// The secret is in no record of the state file.
			raw, _ := os.ReadFile(state)
			wal, _ := os.ReadFile(state + "-wal")
			if bytes.Contains(raw, []byte("cli-secret-token")) || bytes.Contains(wal, []byte("cli-secret-token")) {
				t.Errorf("the state file holds the secret input")
			}
		})
	}
}

// waitForLeaseExpiry checks that the run's lease is the killed process's
// and waits until it expired.
func waitForLeaseExpiry(t *testing.T, path, id string, pid int) {
	t.Helper()
	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	run, err := st.Run(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if run.Lease.PID != pid || run.Lease.Until.IsZero() {
		t.Fatalf("the killed process (pid %d) left the lease %+v", pid, run.Lease)
	}
	if run.Lease.Until.Sub(time.Now()) > 2*time.Second {
		t.Fatalf("the lease lasts until %v: ARAZZO_LEASE_TTL=1s was not applied", run.Lease.Until)
	}
	for run.Lease.Live(time.Now()) {
		time.Sleep(time.Until(run.Lease.Until) + 10*time.Millisecond)
	}
}

func runCLI(t *testing.T, self string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(self, args...)
	cmd.Env = append(os.Environ(), "ARAZZO_TEST_AS_CLI=1")
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return o.String(), e.String(), ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return o.String(), e.String(), 0
}

// waitForRecord polls the state file until its last record of the only run
// is of the kind, for a step ending in step (and the attempt, when not 0),
// and returns the run id.
func waitForRecord(t *testing.T, path string, kind store.Kind, step string, attempt int) string {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(90 * time.Second) // generous: CI machines are loaded
	for time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		if _, err := os.Stat(path); err != nil {
			continue
		}
		st, err := store.OpenSQLite(ctx, path, store.Options{})
		if err != nil {
			continue
		}
		runs, _ := st.Runs(ctx, store.Filter{})
		if len(runs) == 1 {
			recs, _ := st.RecordsSince(ctx, runs[0].ID, 0)
			if n := len(recs); n > 0 {
				last := recs[n-1]
				if last.Kind == kind && strings.HasSuffix(last.Step, step) && (attempt == 0 || last.Attempt == attempt) {
					st.Close()
					return runs[0].ID
				}
			}
		}
		st.Close()
	}
	t.Fatalf("the state file never reached a %s record of %s", kind, step)
	return ""
}
