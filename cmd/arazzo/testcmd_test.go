package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arazzo-go/arazzo/arazzo"
	"github.com/arazzo-go/arazzo/internal/wftest"
	"github.com/arazzo-go/arazzo/runtime"
)

// withFakeTestRunner makes every case "succeed" with outputs {ok: true}
// and no calls, so the command's plumbing is tested without the engine.
func withFakeTestRunner(t *testing.T) {
	t.Helper()
	saved := newTestRunner
	newTestRunner = func() *wftest.Runner {
		return &wftest.Runner{Exec: func(ctx context.Context, c *wftest.Case) *wftest.Execution {
			return &wftest.Execution{Result: &runtime.Result{WorkflowID: "w", Status: runtime.Succeeded, Outputs: map[string]any{"ok": true}}}
		}}
	}
	t.Cleanup(func() { newTestRunner = saved })
}

func writeTestFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const (
	passingTests = "workflow: w.yml\ncases:\n  - {name: ok one, expect: {outputs: {ok: true}}}\n  - {name: ok two, expect: {status: succeeded}}\n"
	failingTests = "workflow: w.yml\ncases:\n  - {name: wrong, expect: {outputs: {ok: false}}}\n"
	invalidTests = "workflow: w.yml\ncases: []\n"
)

func runTestCmd(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(append([]string{"test"}, args...), strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestTestCommandExitCodes(t *testing.T) {
	withFakeTestRunner(t)
	dir := writeTestFiles(t, map[string]string{
		"pass/a.arazzo-test.yaml":    passingTests,
		"fail/b.arazzo-test.yaml":    failingTests,
		"invalid/c.arazzo-test.yaml": invalidTests,
		"empty/readme.md":            "no tests here",
	})
	tests := []struct {
		name     string
		args     []string
		code     int
		stdout   []string
		stderr   string
		noStdout bool
	}{
		{"all pass", []string{filepath.Join(dir, "pass")}, 0, []string{"PASS  ", "ok one", "ok: 2 passed"}, "", false},
		{"a failure", []string{filepath.Join(dir, "pass"), filepath.Join(dir, "fail")}, 1,
			[]string{"FAIL  ", "outputs.ok: expected false, got true", "FAILED: 2 passed, 1 failed"}, "", false},
		{"an invalid file wins", []string{dir}, 2, []string{"INVALID ", "cases: a list of at least one case is required", "1 invalid file"}, "", false},
		{"missing path", []string{filepath.Join(dir, "nope")}, 2, nil, "arazzo test: test path", true},
		{"no test files", []string{filepath.Join(dir, "empty")}, 2, nil, "no .arazzo-test.yaml or .arazzo-test.yml files in", true},
		{"bad flag", []string{"--nope"}, 2, nil, "unknown flag --nope", true},
		{"bad regexp", []string{"--run", "(", dir}, 2, nil, "--run:", true},
		{"filter", []string{filepath.Join(dir, "pass"), "--run", "two$"}, 0, []string{"ok two", "ok: 1 passed"}, "", false},
		{"flags after paths", []string{filepath.Join(dir, "pass"), "-v"}, 0, []string{"run: succeeded", "outputs: {\"ok\":true}"}, "", false},
		{"help", []string{"-h"}, 0, []string{"usage: arazzo test"}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runTestCmd(tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, stdout, stderr)
			}
			for _, s := range tt.stdout {
				if !strings.Contains(stdout, s) {
					t.Errorf("stdout lacks %q:\n%s", s, stdout)
				}
			}
			if tt.noStdout && stdout != "" {
				t.Errorf("unexpected stdout:\n%s", stdout)
			}
			if !strings.Contains(stderr, tt.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.stderr, stderr)
			}
		})
	}
}

func TestTestCommandJSONAndJUnit(t *testing.T) {
	withFakeTestRunner(t)
	dir := writeTestFiles(t, map[string]string{
		"a.arazzo-test.yaml": passingTests,
		"b.arazzo-test.yaml": failingTests,
	})
	junit := filepath.Join(t.TempDir(), "out", "..", "junit.xml")
	code, stdout, stderr := runTestCmd("--json", "--junit", junit, dir)
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr %s", code, stderr)
	}
	var res struct {
		Passed, Failed int
		Files          []struct{ File string }
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("--json output is not JSON: %v\n%s", err, stdout)
	}
	if res.Passed != 2 || res.Failed != 1 || len(res.Files) != 2 {
		t.Errorf("json = %+v", res)
	}
	data, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Suites []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Name    string    `xml:"name,attr"`
				Failure *struct{} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("junit: %v", err)
	}
	if len(doc.Suites) != 2 || len(doc.Suites[0].Cases) != 2 || len(doc.Suites[1].Cases) != 1 || doc.Suites[1].Cases[0].Failure == nil {
		t.Errorf("junit = %+v", doc)
	}
	if code, _, stderr := runTestCmd("--junit", filepath.Join(dir, "no", "such", "dir", "j.xml"), dir); code != 2 || !strings.Contains(stderr, "--junit") {
		t.Errorf("unwritable --junit: exit %d, stderr %q", code, stderr)
	}
}

// requireEngine skips tests that need arazzo, expr, openapi and runtime for
// real while this branch still carries contract stubs of them.
func requireEngine(t *testing.T) {
	t.Helper()
	stub := func(err error) bool { return err != nil && strings.Contains(err.Error(), "not implemented") }
	if _, err := runtime.ParseMocks("probe.yaml", []byte("mocks: {}\n")); stub(err) {
		t.Skip("SKIP: runtime is still a contract stub on this branch")
	}
	_, diags, err := arazzo.Load(context.Background(), filepath.Join("testdata", "testcmd", "things.arazzo.yaml"), arazzo.LoadOptions{})
	if stub(err) || stub(diags.Err()) {
		t.Skipf("SKIP: a package the engine needs is still a contract stub: %v%v", err, diags.Err())
	}
}

// TestTestCommandSecretCanary: a unique token given as input, sent as a
// header, echoed by the API and present in expectations never shows in
// stdout, stderr, --json or --junit.
func TestTestCommandSecretCanary(t *testing.T) {
	requireEngine(t)
	const canary = "CANARY-93d1c4be"
	file := filepath.Join("testdata", "testcmd", "canary.arazzo-test.yaml")
	junit := filepath.Join(t.TempDir(), "junit.xml")
	for _, args := range [][]string{{"-v", file}, {"--json", "--junit", junit, file}} {
		code, stdout, stderr := runTestCmd(args...)
		if code != 1 {
			t.Errorf("%v: exit %d, want 1 (one case fails)\n%s%s", args, code, stdout, stderr)
		}
		if !strings.Contains(stdout, "<redacted>") {
			t.Errorf("%v: output shows no <redacted> marker:\n%s", args, stdout)
		}
		if strings.Contains(stdout+stderr, canary) {
			t.Errorf("%v: output shows the secret:\n%s\n%s", args, stdout, stderr)
		}
	}
	data, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), canary) {
		t.Errorf("--junit shows the secret:\n%s", data)
	}
}

// TestRunReportsSecretCanary: `arazzo run` with every report flag never
// shows a unique authToken in stdout, stderr, --report, --har or --junit,
// and the files it writes parse as what they claim to be.
func TestRunReportsSecretCanary(t *testing.T) {
	requireEngine(t)
	const canary = "CANARY-2aa8e0f1-run-token"
	dir := t.TempDir()
	files := map[string]string{"report": filepath.Join(dir, "r.json"), "har": filepath.Join(dir, "r.har"), "junit": filepath.Join(dir, "r.xml")}
	for _, extra := range [][]string{{"-v"}, {"--json"}} {
		args := append([]string{"run", filepath.Join("..", "..", "workflows", "oracle", "oracle-create-custom-image-from-instance-workflow.yml"),
			"--mock", filepath.Join("..", "..", "workflows", "oracle", "mocks", "stopped-instance.yaml"),
			"--input", "compartmentId=ocid1.compartment.oc1..c", "--input", "instanceId=ocid1.instance.oc1..a",
			"--input", "displayName=img", "--input", "authToken=" + canary, "--loop-delay", "0s",
			"--report", files["report"], "--har", files["har"], "--junit", files["junit"]}, extra...)
		var stdout, stderr bytes.Buffer
		if code := run(args, strings.NewReader(""), &stdout, &stderr); code != 0 {
			t.Fatalf("%v: exit %d\n%s%s", extra, code, stdout.String(), stderr.String())
		}
		if strings.Contains(stdout.String()+stderr.String(), canary) {
			t.Errorf("%v: stdout/stderr show the secret:\n%s\n%s", extra, stdout.String(), stderr.String())
		}
		for name, p := range files {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatalf("--%s: %v", name, err)
			}
			if strings.Contains(string(data), canary) {
				t.Errorf("--%s shows the secret:\n%s", name, data)
			}
		}
	}
	var har struct {
		Log struct {
			Version string
			Entries []struct{ Request struct{ Method string } }
		}
	}
	data, _ := os.ReadFile(files["har"])
	if err := json.Unmarshal(data, &har); err != nil || har.Log.Version != "1.2" || len(har.Log.Entries) < 3 {
		t.Errorf("--har: %v, version %q, %d entries", err, har.Log.Version, len(har.Log.Entries))
	}
	var junit struct {
		Suites []struct {
			Cases []struct{} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	data, _ = os.ReadFile(files["junit"])
	if err := xml.Unmarshal(data, &junit); err != nil || len(junit.Suites) != 1 || len(junit.Suites[0].Cases) != len(har.Log.Entries) {
		t.Errorf("--junit: %v, %+v (want one case per attempt: %d)", err, junit, len(har.Log.Entries))
	}
	var rep struct {
		FormatVersion int `json:"formatVersion"`
		Inputs        map[string]any
	}
	data, _ = os.ReadFile(files["report"])
	if err := json.Unmarshal(data, &rep); err != nil || rep.FormatVersion != 1 || rep.Inputs["authToken"] != "<redacted>" {
		t.Errorf("--report: %v, %+v", err, rep)
	}
}
