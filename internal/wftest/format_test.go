package wftest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/arazzo-go/arazzo/runtime"
)

// fakeParseMocks stands in for runtime.ParseMocks in tests of the format
// and matching logic, so they do not depend on the runtime's parser.
func fakeParseMocks(file string, data []byte) (*runtime.Mocks, error) {
	if strings.Contains(string(data), "brokenMock") {
		return nil, errFake("unknown field in mock")
	}
	return &runtime.Mocks{Operations: map[string][]runtime.MockResponse{"fake": {{Status: 200}}}}, nil
}

type errFake string

func (e errFake) Error() string { return string(e) }

func withFakeMocks(t *testing.T) {
	t.Helper()
	saved := parseMocks
	parseMocks = fakeParseMocks
	t.Cleanup(func() { parseMocks = saved })
}

const validFile = `
workflow: ../flows/seed.yml
cases:
  - name: stopped
    workflowId: create
    inputs: {count: 3, nested: {a: [1, x]}, authToken: t}
    mocks:
      getInstance: [{status: 200, body: {lifecycleState: STOPPED}}]
    options: {maxSteps: 5, timeout: 2s, strict: true}
    expect:
      status: aborted
      failedAt: pollImage
      outputs: {imageId: img, gone: null}
      calls: [getInstance, createImage]
      requests:
        - operation: createImage
          call: 1
          body: {a: 1}
          headers: {Authorization: t, X-Absent: null, X-Num: 5}
  - name: rejected
    expect: {error: "missing input", calls: []}
  - name: default status
    expect: {}
`

func TestParseFile(t *testing.T) {
	withFakeMocks(t)
	f, err := ParseFile(filepath.Join("dir", "sub", "a.arazzo-test.yaml"), []byte(validFile))
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join("dir", "flows", "seed.yml"); f.WorkflowPath != want {
		t.Errorf("WorkflowPath = %q, want %q", f.WorkflowPath, want)
	}
	if len(f.Cases) != 3 {
		t.Fatalf("%d cases", len(f.Cases))
	}
	c := f.Cases[0]
	if c.Name != "stopped" || c.WorkflowID != "create" || c.Line != 4 || c.Options.MaxSteps != 5 || c.Options.Timeout.String() != "2s" || !c.Options.Strict {
		t.Errorf("case = %+v", c)
	}
	wantInputs := map[string]any{"count": 3.0, "nested": map[string]any{"a": []any{1.0, "x"}}, "authToken": "t"}
	if !reflect.DeepEqual(c.Inputs, wantInputs) {
		t.Errorf("inputs = %#v, want JSON-shaped %#v", c.Inputs, wantInputs)
	}
	if c.Mocks == nil || len(c.Mocks.Operations) == 0 {
		t.Error("mocks not parsed")
	}
	e := c.Expect
	if e.Status != "aborted" || e.FailedAt != "pollImage" || !e.HasCalls || !reflect.DeepEqual(e.Calls, []string{"getInstance", "createImage"}) {
		t.Errorf("expect = %+v", e)
	}
	if v, ok := e.Outputs["gone"]; !ok || v != nil {
		t.Errorf("outputs.gone = %v, %v; want explicit null", v, ok)
	}
	rc := e.Requests[0]
	if rc.Operation != "createImage" || rc.Call != 1 || !rc.HasBody || *rc.Headers["Authorization"] != "t" || rc.Headers["X-Absent"] != nil || *rc.Headers["X-Num"] != "5" {
		t.Errorf("request check = %+v", rc)
	}
	if _, ok := rc.Headers["X-Absent"]; !ok {
		t.Error("null header dropped; it must mean 'absent'")
	}
	if r := f.Cases[1]; r.Expect.Error != "missing input" || r.Expect.Status != "" || !r.Expect.HasCalls || len(r.Expect.Calls) != 0 {
		t.Errorf("rejection case expect = %+v", r.Expect)
	}
	if d := f.Cases[2]; d.Expect.Status != "succeeded" || d.Mocks == nil {
		t.Errorf("default case = %+v", d.Expect)
	}
}

func TestParseFileErrors(t *testing.T) {
	withFakeMocks(t)
	tests := []struct{ name, src, want string }{
		{"not yaml", "workflow: [", "t.yaml: not YAML"},
		{"empty", "", "t.yaml: empty file"},
		{"no workflow", "cases: [{name: a, expect: {}}]", "t.yaml:1: workflow: the workflow document to test is required"},
		{"no cases", "workflow: w.yml", "t.yaml:1: cases: a list of at least one case is required"},
		{"empty cases", "workflow: w.yml\ncases: []", "t.yaml:2: cases: a list"},
		{"unknown top key", "workflow: w.yml\ncase: []", `t.yaml:2: top level: unknown key "case"`},
		{"unnamed case", "workflow: w.yml\ncases: [{expect: {}}]", "t.yaml:2: cases[0]: name is required"},
		{"typo in case", "workflow: w.yml\ncases:\n  - name: a\n    expects: {}", `t.yaml:4: cases[0]: unknown key "expects"`},
		{"no expect", "workflow: w.yml\ncases:\n  - name: a", `t.yaml:3: case "a": expect is required`},
		{"duplicate", "workflow: w.yml\ncases:\n  - {name: a, expect: {}}\n  - {name: a, expect: {}}", `t.yaml:4: case "a" is already defined on line 3`},
		{"bad status", "workflow: w.yml\ncases: [{name: a, expect: {status: ok}}]", `expect.status: "ok" is not one of succeeded, failed, aborted`},
		{"error with status", "workflow: w.yml\ncases: [{name: a, expect: {error: x, status: failed}}]", "status cannot be combined with error"},
		{"calls not list", "workflow: w.yml\ncases: [{name: a, expect: {calls: x}}]", "expect.calls: expected a list"},
		{"call not scalar", "workflow: w.yml\ncases: [{name: a, expect: {calls: [[x]]}}]", "expect.calls: expected an operationId"},
		{"inputs list", "workflow: w.yml\ncases: [{name: a, inputs: [1], expect: {}}]", "inputs: expected a mapping"},
		{"bad maxSteps", "workflow: w.yml\ncases: [{name: a, options: {maxSteps: 0}, expect: {}}]", "options.maxSteps: expected a positive integer"},
		{"bad timeout", "workflow: w.yml\ncases: [{name: a, options: {timeout: soon}, expect: {}}]", "options.timeout"},
		{"bad strict", "workflow: w.yml\ncases: [{name: a, options: {strict: maybe}, expect: {}}]", "options.strict: expected true or false"},
		{"unknown option", "workflow: w.yml\ncases: [{name: a, options: {delay: 1}, expect: {}}]", `unknown key "delay"`},
		{"request without op", "workflow: w.yml\ncases: [{name: a, expect: {requests: [{body: 1}]}}]", "operation is required"},
		{"request bad call", "workflow: w.yml\ncases: [{name: a, expect: {requests: [{operation: x, call: 0}]}}]", "call: expected a positive integer"},
		{"request bad headers", "workflow: w.yml\ncases: [{name: a, expect: {requests: [{operation: x, headers: [a]}]}}]", "headers: expected a mapping"},
		{"header object", "workflow: w.yml\ncases: [{name: a, expect: {requests: [{operation: x, headers: {A: {b: 1}}}]}}]", "headers.A: expected a string or null"},
		{"mocks list", "workflow: w.yml\ncases: [{name: a, mocks: [1], expect: {}}]", "mocks: expected a mapping"},
		{"mock parser error", "workflow: w.yml\ncases: [{name: a, mocks: {brokenMock: []}, expect: {}}]", `case "a": mocks: unknown field in mock`},
		{"workflow not string", "workflow: {a: 1}\ncases: [{name: a, expect: {}}]", "workflow: expected a string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseFile("t.yaml", []byte(tt.src))
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func TestDiscover(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{
		"a.arazzo-test.yaml", "sub/b.arazzo-test.yml", "sub/deeper/c.arazzo-test.yaml", "sub/not-a-test.yaml",
		"testdata/skipped.arazzo-test.yaml", ".hidden/skipped.arazzo-test.yaml", "vendor/x.arazzo-test.yaml",
	} {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	explicit := filepath.Join(dir, "testdata", "skipped.arazzo-test.yaml")
	got, err := Discover([]string{dir, explicit, filepath.Join(dir, "a.arazzo-test.yaml")})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		filepath.Join(dir, "a.arazzo-test.yaml"),
		filepath.Join(dir, "sub", "b.arazzo-test.yml"),
		filepath.Join(dir, "sub", "deeper", "c.arazzo-test.yaml"),
		explicit, // named explicitly: run even under testdata
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Discover = %q\nwant %q", got, want)
	}
	if _, err := Discover([]string{filepath.Join(dir, "missing")}); err == nil {
		t.Error("missing path: no error")
	}
}

func FuzzParseFile(f *testing.F) {
	f.Add([]byte(validFile))
	f.Add([]byte("workflow: w\ncases: [{name: a, expect: {requests: [{operation: x, headers: {A: ~}}]}}]"))
	f.Add([]byte("a: &a [*a, *a]\n"))
	f.Add([]byte("workflow: w\ncases:\n - name: x\n   inputs: {? [a]: 1}\n   expect: {}"))
	f.Add([]byte("workflow: w\ncases:\n - name: x\n   mocks: {getA: [{status: 200, headers: {a: b}, body: {x: [1]}}], getB: 1}\n   expect: {}"))
	// The real runtime.ParseMocks runs here: mocks are part of this format.
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := ParseFile("fuzz.yaml", data)
		if err != nil {
			if file != nil {
				t.Fatal("both a file and an error")
			}
			if _, ok := err.(*ParseError); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		if file.Workflow == "" || len(file.Cases) == 0 {
			t.Fatalf("accepted file without workflow or cases: %+v", file)
		}
		for _, c := range file.Cases {
			if c.Name == "" || c.Mocks == nil || (c.Expect.Status == "" && c.Expect.Error == "") {
				t.Fatalf("incomplete case accepted: %+v", c)
			}
		}
	})
}

// FuzzDiffValues: comparing any JSON value with itself finds no difference,
// exact or subset, and comparing two values never panics.
func FuzzDiffValues(f *testing.F) {
	f.Add([]byte(`{"a":[1,{"b":null}],"c":"x"}`), []byte(`{"a":[1,{"b":2}]}`))
	f.Add([]byte(`[1,2]`), []byte(`"s"`))
	f.Add([]byte(`null`), []byte(`{}`))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		var va, vb any
		if json.Unmarshal(a, &va) != nil || json.Unmarshal(b, &vb) != nil {
			return
		}
		s := &secrets{names: map[string]bool{}}
		for _, subset := range []bool{false, true} {
			if d := diffValues("v", va, va, subset, s); len(d) != 0 {
				t.Fatalf("%s differs from itself (subset=%v): %+v", a, subset, d)
			}
			_ = diffValues("v", va, vb, subset, s)
		}
	})
}
