package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// Replays of issue 12's defects through the CLI against a test server: what the runtime and arazzo
// packages test alone, seen as a user sees it (the message, the exit code).

const replayAPI = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\nservers: [{url: 'http://127.0.0.1:1'}]\n" +
	"paths:\n  /data:\n    get:\n      operationId: getData\n      responses: {'200': {description: ok}}\n"

// TestRunHugeRetryAfterWaitsTheCap: a 503 with a Retry-After too large for any integer type makes the run
// wait the cap (5 minutes), not retry after the 1-second default that an unreadable value gets: with
// --timeout 1500ms the run is aborted while waiting (exit 3), and the server saw one request.
func TestRunHugeRetryAfterWaitsTheCap(t *testing.T) {
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if requests.Add(1) == 1 {
			w.Header().Set("Retry-After", "99999999999999999999999999")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{}`))
	}))
	t.Cleanup(srv.Close)
	dir := writeTestFiles(t, map[string]string{"api.yaml": replayAPI, "flow.arazzo.yaml": `arazzo: 1.0.1
info: {title: retry, version: '1'}
sourceDescriptions: [{name: api, url: ./api.yaml, type: openapi}]
workflows:
- workflowId: w
  steps:
  - stepId: get
    operationId: getData
    successCriteria: [{condition: $statusCode == 200}]
    onFailure: [{name: again, type: retry, retryAfter: 1, retryLimit: 3}]
`})
	var stdout, stderr bytes.Buffer
	code := run([]string{"run", filepath.Join(dir, "flow.arazzo.yaml"), "--server", "api=" + srv.URL, "--timeout", "1500ms"}, nil, &stdout, &stderr)
	if code != exitAborted || !strings.Contains(stderr.String(), "waiting 5m") {
		t.Errorf("exit %d, want %d after announcing a 5m wait\n%s", code, exitAborted, stderr.String())
	}
	if n := requests.Load(); n != 1 {
		t.Errorf("the server got %d requests, want 1 (no retry within the timeout)", n)
	}
}

// TestInvalidUTF8Document: a byte that is not UTF-8 in a document is reported at its line and column, by
// run and validate, for a local file and for a document fetched with --allow-remote.
func TestInvalidUTF8Document(t *testing.T) {
	doc := "arazzo: 1.0.1\ninfo:\n  title: caf\xe9 au lait\n  version: '1'\nsourceDescriptions: [{name: api, url: ./api.yaml, type: openapi}]\n" +
		"workflows:\n- workflowId: w\n  steps:\n  - {stepId: get, operationId: getData}\n"
	dir := writeTestFiles(t, map[string]string{"api.yaml": replayAPI, "flow.arazzo.yaml": doc})
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	t.Cleanup(srv.Close)
	// The same document fetched as an arazzo source of another.
	writeTestFiles2(t, dir, "caller.arazzo.yaml", "arazzo: 1.0.1\ninfo: {title: caller, version: '1'}\n"+
		"sourceDescriptions: [{name: flows, url: '"+srv.URL+"/flow.arazzo.yaml', type: arazzo}]\n"+
		"workflows:\n- workflowId: c\n  steps:\n  - {stepId: call, workflowId: $sourceDescriptions.flows.w}\n")
	local := filepath.Join(dir, "flow.arazzo.yaml")
	for _, tc := range []struct {
		args  []string
		where string
		code  int
	}{
		{[]string{"run", local}, local + ":3:13", exitUsage},
		{[]string{"validate", local}, local + ":3:13", exitFailed},
		// A broken source fails the steps that use it when they are reached: exit 1.
		{[]string{"run", filepath.Join(dir, "caller.arazzo.yaml"), "--allow-remote"}, srv.URL + "/flow.arazzo.yaml:3:13", exitFailed},
	} {
		var stdout, stderr bytes.Buffer
		code := run(tc.args, nil, &stdout, &stderr)
		out := stdout.String() + stderr.String()
		if code != tc.code || !strings.Contains(out, tc.where) || !strings.Contains(out, "byte 0xE9 is not UTF-8") {
			t.Errorf("%s: exit %d, want %d with %s and the byte named\n%s", strings.Join(tc.args, " "), code, tc.code, tc.where, out)
		}
	}
}

func writeTestFiles2(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
