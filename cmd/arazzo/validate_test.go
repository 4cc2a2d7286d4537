package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/arazzo-go/arazzo/arazzo"
	"github.com/arazzo-go/arazzo/internal/testutil"
)

// update rewrites the golden files of the command tests (testdata/validate,
// testdata/run, ...) instead of comparing with them.
var update = flag.Bool("update", false, "rewrite golden files")

// runCLICases runs every case directory under testdata/<group>: "args" holds
// the command line, one argument per line; an optional "stdin" file is fed
// to the command; "stdout", "stderr" and "exit" are the golden results
// (rewritten by go test -update).
func runCLICases(t *testing.T, group string) {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join("testdata", group, "*", "args"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no cases under testdata/%s (%v)", group, err)
	}
	for _, argsFile := range dirs {
		dir := filepath.Dir(argsFile)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Setenv("NO_COLOR", "")
			raw, err := os.ReadFile(argsFile)
			if err != nil {
				t.Fatal(err)
			}
			args := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
			var stdin bytes.Reader
			if in, err := os.ReadFile(filepath.Join(dir, "stdin")); err == nil {
				stdin.Reset(in)
			}
			var stdout, stderr bytes.Buffer
			code := run(args, &stdin, &stdout, &stderr)
			testutil.Golden(t, filepath.Join(dir, "stdout"), stdout.Bytes(), *update)
			testutil.Golden(t, filepath.Join(dir, "stderr"), stderr.Bytes(), *update)
			testutil.Golden(t, filepath.Join(dir, "exit"), []byte(strconv.Itoa(code)+"\n"), *update)
		})
	}
}

func TestValidateCases(t *testing.T) { runCLICases(t, "validate") }

func TestParseFlagsAnywhere(t *testing.T) {
	for _, tc := range []struct {
		args      []string
		wantPos   []string
		wantFmt   string
		wantQuiet bool
		wantErr   bool
	}{
		{[]string{"a", "b"}, []string{"a", "b"}, "text", false, false},
		{[]string{"--format", "json", "a"}, []string{"a"}, "json", false, false},
		{[]string{"a", "--format=sarif", "b", "-q"}, []string{"a", "b"}, "sarif", true, false},
		{[]string{"-", "-q"}, []string{"-"}, "text", true, false},
		{[]string{"-q", "--", "-x", "--format"}, []string{"-x", "--format"}, "text", true, false},
		{[]string{"a", "--nope"}, nil, "text", false, true},
		{[]string{"a", "--format"}, nil, "text", false, true},
		{nil, nil, "text", false, false},
	} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(new(bytes.Buffer))
		format := fs.String("format", "text", "")
		quiet := fs.Bool("q", false, "")
		pos, err := parseFlagsAnywhere(fs, tc.args)
		if (err != nil) != tc.wantErr {
			t.Errorf("parseFlagsAnywhere(%q) error = %v, want error %v", tc.args, err, tc.wantErr)
			continue
		}
		if tc.wantErr {
			continue
		}
		if !reflect.DeepEqual(pos, tc.wantPos) || *format != tc.wantFmt || *quiet != tc.wantQuiet {
			t.Errorf("parseFlagsAnywhere(%q) = %q format=%s q=%v, want %q %s %v",
				tc.args, pos, *format, *quiet, tc.wantPos, tc.wantFmt, tc.wantQuiet)
		}
	}
}

func TestValidateAdjust(t *testing.T) {
	warn := &arazzo.Diagnostic{Severity: arazzo.SeverityWarning, Rule: "w", File: "f"}
	errd := &arazzo.Diagnostic{Severity: arazzo.SeverityError, Rule: "e", File: "f"}
	for _, tc := range []struct {
		name         string
		o            validateOptions
		errs, warns  int
		originalKept bool
	}{
		{"default", validateOptions{}, 1, 1, true},
		{"strict", validateOptions{strict: true}, 2, 0, true},
		{"quiet", validateOptions{quiet: true}, 1, 0, true},
		{"strict quiet", validateOptions{strict: true, quiet: true}, 2, 0, true},
	} {
		got := validateAdjust(arazzo.Diagnostics{warn, nil, errd}, tc.o)
		e, w := got.Counts()
		if e != tc.errs || w != tc.warns {
			t.Errorf("%s: %d errors %d warnings, want %d %d", tc.name, e, w, tc.errs, tc.warns)
		}
		if warn.Severity != arazzo.SeverityWarning {
			t.Fatalf("%s: validateAdjust changed the loader's diagnostic", tc.name)
		}
	}
}

func TestValidateNoColorForPipes(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if validateUseColor(w, false) {
		t.Error("color chosen for a pipe")
	}
	if validateUseColor(new(bytes.Buffer), false) {
		t.Error("color chosen for a buffer")
	}
}

func TestGraphCases(t *testing.T) { runCLICases(t, "graph") }

func TestListCases(t *testing.T) { runCLICases(t, "list") }

// TestValidateJSONMatchesSchema checks every JSON golden output of validate
// against docs/schemas/validate.schema.json, the documented contract.
func TestValidateJSONMatchesSchema(t *testing.T) {
	schema := testutil.OutputSchema(t, "validate.schema.json")
	argsFiles, _ := filepath.Glob(filepath.Join("testdata", "validate", "*", "args"))
	checked := 0
	for _, argsFile := range argsFiles {
		args, err := os.ReadFile(argsFile)
		if err != nil || !strings.Contains(string(args), "json") {
			continue
		}
		out, err := os.ReadFile(filepath.Join(filepath.Dir(argsFile), "stdout"))
		if err != nil {
			t.Fatal(err)
		}
		var doc any
		if err := json.Unmarshal(out, &doc); err != nil {
			t.Fatalf("%s: not JSON: %v", argsFile, err)
		}
		if err := schema.Validate(doc); err != nil {
			t.Errorf("%s: output does not match the schema: %v", argsFile, err)
		}
		checked++
	}
	if checked < 2 {
		t.Fatalf("checked %d JSON outputs, want at least 2", checked)
	}
	// The schema must reject a wrong shape, or the checks above prove nothing.
	bad := map[string]any{"formatVersion": 1, "valid": true, "errorCount": 0, "warningCount": 0,
		"diagnostics": []any{map[string]any{"file": "f", "severity": "fatal"}}}
	if err := schema.Validate(bad); err == nil {
		t.Error("schema accepted a diagnostic without line and with severity fatal")
	}
}

// TestValidateAllowRemote checks that --allow-remote reaches the loader: the
// same document gets a source-not-fetched warning without it and loads its
// remote Arazzo source with it.
func TestValidateAllowRemote(t *testing.T) {
	srv := httptest.NewServer(http.FileServer(http.Dir(filepath.Join("testdata", "validate", "docs"))))
	t.Cleanup(srv.Close)
	doc := "arazzo: 1.0.1\ninfo: {title: remote, version: 1.0.0}\n" +
		"sourceDescriptions:\n- name: lib\n  url: " + srv.URL + "/shared.arazzo.yaml\n  type: arazzo\n" +
		"workflows:\n- workflowId: w\n  steps:\n  - stepId: s\n    workflowId: $sourceDescriptions.lib.ping\n"
	for _, tc := range []struct {
		args        []string
		wantWarning bool
	}{
		{[]string{"validate", "--format", "json", "-"}, true},
		{[]string{"validate", "--format", "json", "--allow-remote", "-"}, false},
	} {
		var stdout, stderr bytes.Buffer
		code := run(tc.args, strings.NewReader(doc), &stdout, &stderr)
		var rep arazzo.JSONReport
		if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
			t.Fatalf("%q: output is not JSON: %v\n%s%s", tc.args, err, stdout.String(), stderr.String())
		}
		got := strings.Contains(stdout.String(), "source-not-fetched")
		if code != exitOK || got != tc.wantWarning {
			t.Errorf("%q: exit %d, source-not-fetched %v; want exit 0, %v\n%s", tc.args, code, got, tc.wantWarning, stdout.String())
		}
	}
}

// TestValidateAllowRemoteOpenAPI: with --allow-remote a remote OpenAPI
// source is fetched and its operations are checked (an operationId with
// a typo is found, with "did you mean"); without it the step is not
// judged and the source is reported as not fetched.
func TestValidateAllowRemoteOpenAPI(t *testing.T) {
	srv := httptest.NewServer(http.FileServer(http.Dir(filepath.Join("..", "..", "arazzo", "testdata", "validate"))))
	t.Cleanup(srv.Close)
	doc := "arazzo: 1.0.1\ninfo: {title: remote, version: 1.0.0}\n" +
		"sourceDescriptions:\n- name: pets\n  url: " + srv.URL + "/petstore.openapi.yaml\n  type: openapi\n" +
		"workflows:\n- workflowId: w\n  steps:\n  - stepId: s\n    operationId: listPet\n"
	for _, tc := range []struct {
		args      []string
		wantCode  int
		wantRule  string
		wantFound bool
	}{
		{[]string{"validate", "--format", "json", "-"}, exitOK, "source-not-fetched", true},
		{[]string{"validate", "--format", "json", "--allow-remote", "-"}, exitFailed, "operation-not-found", true},
	} {
		var stdout, stderr bytes.Buffer
		code := run(tc.args, strings.NewReader(doc), &stdout, &stderr)
		if code != tc.wantCode || strings.Contains(stdout.String(), tc.wantRule) != tc.wantFound {
			t.Errorf("%q: exit %d, want %d with %s\n%s%s", tc.args, code, tc.wantCode, tc.wantRule, stdout.String(), stderr.String())
		}
		if tc.wantRule == "operation-not-found" && !strings.Contains(stdout.String(), `listPets`) {
			t.Errorf("%q: no did-you-mean listPets:\n%s", tc.args, stdout.String())
		}
	}
}
