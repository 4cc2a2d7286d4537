package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/arazzo-go/arazzo/arazzo"
)

// Other command tests may declare the same -update flag; package variables
// are initialised before init functions, so a `var update = flag.Bool(...)`
// in another file is seen here and reused.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "update golden files")
	}
}

func cliUpdateGolden() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

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
			checkCLIGolden(t, filepath.Join(dir, "stdout"), stdout.Bytes())
			checkCLIGolden(t, filepath.Join(dir, "stderr"), stderr.Bytes())
			checkCLIGolden(t, filepath.Join(dir, "exit"), []byte(strconv.Itoa(code)+"\n"))
		})
	}
}

func checkCLIGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if cliUpdateGolden() {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run go test -update): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs\n--- got\n%s\n--- want\n%s", path, got, want)
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
