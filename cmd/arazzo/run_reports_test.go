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

// reportsFixture writes a one-step workflow against an API served by a test server that counts the
// requests it gets; onRequest runs inside each request.
func reportsFixture(t *testing.T, onRequest func()) (doc, server string, requests *atomic.Int32) {
	t.Helper()
	requests = new(atomic.Int32)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		if onRequest != nil {
			onRequest()
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"id":1}`))
	}))
	t.Cleanup(srv.Close)
	dir := writeTestFiles(t, map[string]string{
		"api.yaml": replayAPI,
		"flow.arazzo.yaml": "arazzo: 1.0.1\ninfo: {title: t, version: '1'}\n" +
			"sourceDescriptions: [{name: api, url: ./api.yaml, type: openapi}]\n" +
			"workflows:\n- workflowId: w\n  steps:\n  - {stepId: get, operationId: getData}\n",
	})
	return filepath.Join(dir, "flow.arazzo.yaml"), "api=" + srv.URL, requests
}

// TestRunChecksReportPathsFirst (issue 12, defect 10): a report path that cannot be written is refused before
// the first request, with exit 2, instead of after a long run whose evidence is then lost.
func TestRunChecksReportPathsFirst(t *testing.T) {
	doc, server, requests := reportsFixture(t, nil)
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	readOnly := filepath.Join(dir, "ro")
	if err := os.Mkdir(readOnly, 0o500); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		flag, path, want string
	}{
		{"--report", filepath.Join(dir, "typo", "r.json"), "directory " + filepath.Join(dir, "typo") + " does not exist"},
		{"--har", dir, "is a directory"},
		{"--junit", filepath.Join(file, "r.xml"), "is not a directory"},
		{"--report", filepath.Join(dir, "same.json") + "|--har", "--report and --har name the same file"},
	}
	if os.Geteuid() != 0 { // root writes anywhere
		cases = append(cases, struct{ flag, path, want string }{"--report", filepath.Join(readOnly, "r.json"), "permission denied"})
	}
	for _, tc := range cases {
		args := []string{"run", doc, "--server", server}
		if p, second, ok := strings.Cut(tc.path, "|"); ok {
			args = append(args, tc.flag, p, second, p)
		} else {
			args = append(args, tc.flag, tc.path)
		}
		var stdout, stderr bytes.Buffer
		code := run(args, nil, &stdout, &stderr)
		if code != exitUsage || !strings.Contains(stderr.String(), tc.want) || !strings.Contains(stderr.String(), "nothing was sent") {
			t.Errorf("%s %s: exit %d, want %d with %q\n%s", tc.flag, tc.path, code, exitUsage, tc.want, stderr.String())
		}
		if n := requests.Load(); n != 0 {
			t.Fatalf("%s %s: %d requests sent before the path was refused", tc.flag, tc.path, n)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "same.json")); err == nil {
		t.Error("the check left a file behind")
	}
}

// TestRunReportWriteFailsAtTheEnd: a report path that was writable when the run started but is not at its
// end (the directory removed meanwhile, a full disk) makes the run say so and exit 2, whatever the workflow's
// own outcome.
func TestRunReportWriteFailsAtTheEnd(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	if err := os.Mkdir(out, 0o700); err != nil {
		t.Fatal(err)
	}
	doc, server, _ := reportsFixture(t, func() { os.RemoveAll(out) })
	var stdout, stderr bytes.Buffer
	code := run([]string{"run", doc, "--server", server, "--report", filepath.Join(out, "r.json"), "--junit", filepath.Join(dir, "ok.xml")}, nil, &stdout, &stderr)
	if code != exitUsage || !strings.Contains(stderr.String(), "--report "+filepath.Join(out, "r.json")+": not written:") {
		t.Errorf("exit %d, want %d\n%s", code, exitUsage, stderr.String())
	}
	if b, err := os.ReadFile(filepath.Join(dir, "ok.xml")); err != nil || !bytes.Contains(b, []byte("<testsuites")) {
		t.Errorf("the report that could be written was not: %v", err)
	}
	if _, err := os.Stat("/dev/full"); err == nil {
		doc, server, _ := reportsFixture(t, nil)
		stderr.Reset()
		code := run([]string{"run", doc, "--server", server, "--har", "/dev/full"}, nil, &stdout, &stderr)
		if code != exitUsage || !strings.Contains(stderr.String(), "--har /dev/full: not written: ") || !strings.Contains(stderr.String(), "no space left") {
			t.Errorf("/dev/full: exit %d, want %d\n%s", code, exitUsage, stderr.String())
		}
	}
}

// TestTestChecksJUnitPathFirst: arazzo test refuses a --junit path it cannot write before running a case.
func TestTestChecksJUnitPathFirst(t *testing.T) {
	var stdout, stderr bytes.Buffer
	missing := filepath.Join(t.TempDir(), "typo", "junit.xml")
	code := run([]string{"test", "testdata/testcmd", "--junit", missing}, nil, &stdout, &stderr)
	if code != exitUsage || !strings.Contains(stderr.String(), "does not exist") || stdout.Len() != 0 {
		t.Errorf("exit %d, want %d before any case ran\nstdout: %s\nstderr: %s", code, exitUsage, stdout.String(), stderr.String())
	}
}
