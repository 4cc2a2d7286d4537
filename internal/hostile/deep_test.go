package hostile

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// deepFlow reads a response body whole as an output, and the first element by pointer.
const deepFlow = `arazzo: 1.0.1
info: {title: deep, version: '1'}
sourceDescriptions: [{name: api, url: ./api.yaml, type: openapi}]
workflows:
- workflowId: deep
  steps:
  - stepId: get
    operationId: getData
    outputs: {all: $response.body, first: '$response.body#/0'}
  outputs: {all: $steps.get.outputs.all}
`

// nested is a JSON array nested depth levels deep with a number at the bottom.
func nested(depth int) string {
	return strings.Repeat("[", depth) + "1" + strings.Repeat("]", depth)
}

// checkLinear fails when any output of a run is more than a small multiple of the body it came from:
// indentation that grows with the depth made a 20 KB body 200 MB of stdout and 400 MB of report.
func checkLinear(t *testing.T, res result, input int) {
	t.Helper()
	bound := 4*input + 64<<10
	for name, out := range map[string]string{"stdout": res.stdout, "stderr": res.stderr, "report": res.files["report"], "har": res.files["har"], "junit": res.files["junit"]} {
		if len(out) > bound {
			t.Errorf("%s is %d bytes for a %d-byte body (bound %d)", name, len(out), input, bound)
		}
	}
}

// TestDeepJSONBody (issue 12, defect 6): a body nested 9,000 levels deep (under the 10,000-level limit) is
// decoded and used as an output, and every output stays linear in its size; a body nested 1,000,000 levels
// deep is refused in linear time with the limit named, and nothing overflows.
func TestDeepJSONBody(t *testing.T) {
	for _, tc := range []struct {
		name  string
		depth int
		code  int
		want  string // in stderr
	}{
		{"under the limit", 9000, 0, ""},
		{"a million levels", 1_000_000, 1, "nested deeper than 10000 levels"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := nested(tc.depth)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte(body))
			}))
			t.Cleanup(srv.Close)
			dir := writeFiles(t, map[string]string{"api.yaml": smallAPI, "flow.arazzo.yaml": deepFlow})
			res := arazzo(t, invocation{args: []string{"run", filepath.Join(dir, "flow.arazzo.yaml"), "--server", "api=" + srv.URL, "--json"}, reports: true})
			if res.code != tc.code || !strings.Contains(res.stderr, tc.want) {
				t.Fatalf("exit %d, want %d with %q\nstderr: %s", res.code, tc.code, tc.want, clipForLog(res.stderr))
			}
			checkLinear(t, res, len(body))
		})
	}
}

// TestDeepJSONMock: an 18 KB mock file whose body nests 9,000 levels gives linear output too.
func TestDeepJSONMock(t *testing.T) {
	body := nested(9000)
	dir := writeFiles(t, map[string]string{"api.yaml": smallAPI, "flow.arazzo.yaml": deepFlow,
		"mocks.yaml": "mocks:\n  getData:\n  - status: 200\n    body: " + body + "\n"})
	res := arazzo(t, invocation{args: []string{"run", filepath.Join(dir, "flow.arazzo.yaml"), "--mock", filepath.Join(dir, "mocks.yaml"), "--json"}, reports: true})
	if res.code != 0 {
		t.Fatalf("exit %d\nstderr: %s", res.code, clipForLog(res.stderr))
	}
	checkLinear(t, res, len(body))
}

// TestDeepJSONInputs: inputs nested far too deep, from a file and on the command line, are refused at
// once with the limit named (exit 2), before any request.
func TestDeepJSONInputs(t *testing.T) {
	deep := strings.Repeat("[", 1_000_000)
	dir := writeFiles(t, map[string]string{"api.yaml": smallAPI, "inputs.json": `{"settings": ` + deep + `}`,
		"flow.arazzo.yaml": `arazzo: 1.0.1
info: {title: deep inputs, version: '1'}
sourceDescriptions: [{name: api, url: ./api.yaml, type: openapi}]
workflows:
- workflowId: w
  inputs: {type: object, properties: {settings: {type: array}}}
  steps:
  - {stepId: get, operationId: getData}
`})
	doc := filepath.Join(dir, "flow.arazzo.yaml")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--inputs", filepath.Join(dir, "inputs.json")}, "exceeded max depth of 10000"},
		// 100,000 levels: one argument may not exceed 128 KiB.
		{[]string{"--input", "settings=" + deep[:100_000]}, "JSON nested deeper than 10000 levels"},
	} {
		res := arazzo(t, invocation{args: append([]string{"run", doc, "--server", "api=http://127.0.0.1:1"}, tc.args...), timeout: 10 * time.Second})
		if res.code != 2 || !strings.Contains(res.stderr, tc.want) {
			t.Errorf("%s: exit %d, want 2 with %q\nstderr: %s", tc.args[0], res.code, tc.want, clipForLog(res.stderr))
		}
		if len(res.stderr) > 64<<10 {
			t.Errorf("%s: %d bytes of stderr", tc.args[0], len(res.stderr))
		}
	}
}
