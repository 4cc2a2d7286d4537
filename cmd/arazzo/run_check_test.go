package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

const petsOpenAPI = `openapi: 3.0.3
info: {title: pets, version: "1"}
servers: [{url: "http://pets.invalid"}]
paths:
  /pets/{id}:
    get:
      operationId: getPet
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
        - {name: X-Api-Key, in: header, schema: {type: string}}
      responses:
        '200':
          description: a pet
          content:
            application/json:
              schema:
                type: object
                required: [id, status]
                properties:
                  id: {type: string}
                  status: {type: string, enum: [available, sold]}
`

const petsArazzo = `arazzo: 1.0.1
info: {title: pets, version: "1"}
sourceDescriptions:
  - {name: pets, url: ./openapi.yaml, type: openapi}
workflows:
  - workflowId: twoPets
    inputs:
      type: object
      required: [petId]
      properties:
        petId: {type: string}
        apiKey: {type: string, format: password}
    steps:
      - stepId: first
        operationId: getPet
        parameters:
          - {name: id, in: path, value: $inputs.petId}
          - {name: X-Api-Key, in: header, value: $inputs.apiKey}
        successCriteria: [{condition: $statusCode == 200}]
        outputs: {status: $response.body#/status}
      - stepId: second
        operationId: getPet
        parameters:
          - {name: id, in: path, value: $steps.first.outputs.status}
        successCriteria: [{condition: $statusCode == 200}]
    outputs:
      status: $steps.first.outputs.status
`

// writePets writes the pets description and workflow into a new directory
// and returns the workflow's path.
func writePets(t *testing.T) string {
	t.Helper()
	requireRunDeps(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "openapi.yaml"), []byte(petsOpenAPI), 0o600); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "pets.arazzo.yaml")
	if err := os.WriteFile(file, []byte(petsArazzo), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

// TestRunCheck: with --check, a response that breaks its schema is a
// warning in the progress, in --json and in the report, never quoting the
// response; the run still succeeds. Without --check nothing is said.
func TestRunCheck(t *testing.T) {
	doc := writePets(t)
	const leak = "tok_live_doNotPrint42"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/pets/p1" {
			w.Write([]byte(`{"id":"p1","status":"sold"}`))
			return
		}
		w.Write([]byte(`{"id":{"k":"` + leak + `"},"status":"` + leak + `"}`))
	}))
	defer srv.Close()
	rep := filepath.Join(t.TempDir(), "r.json")
	args := []string{"run", doc, "--server", "pets=" + srv.URL, "--input", "petId=p1", "--json", "--report", rep}

	var stdout, stderr bytes.Buffer
	if code := run(args, nil, &stdout, &stderr); code != exitOK {
		t.Fatalf("without --check: exit %d\n%s", code, stderr.String())
	}
	if strings.Contains(stderr.String(), "contract") || strings.Contains(stdout.String(), `"contract"`) {
		t.Errorf("contract output without --check:\n%s\n%s", stderr.String(), stdout.String())
	}

	stdout.Reset()
	stderr.Reset()
	if code := run(append(args, "--check"), nil, &stdout, &stderr); code != exitOK {
		t.Fatalf("--check: exit %d (violations must not fail the run)\n%s", code, stderr.String())
	}
	progress := stderr.String()
	for _, want := range []string{"contract warning: body /id:", "contract warning: body /status:", "(2 contract warnings, see above)"} {
		if !strings.Contains(progress, want) {
			t.Errorf("progress lacks %q:\n%s", want, progress)
		}
	}
	var res struct {
		Steps []struct {
			StepID   string
			Contract []struct{ Kind, Path, Schema string }
		}
	}
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Steps) != 2 || len(res.Steps[0].Contract) != 0 || len(res.Steps[1].Contract) != 2 || res.Steps[1].Contract[0].Schema == "" {
		t.Errorf("--json steps %+v: want the second step's two violations with their schema location", res.Steps)
	}
	report, err := os.ReadFile(rep)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(report), `"contract"`) || !strings.Contains(string(report), `"path": "/status"`) {
		t.Errorf("report has no contract entries:\n%s", report)
	}
	// The body preview of the report may show the body (it is the API's
	// answer); the contract entries and the progress must not.
	if strings.Contains(progress, leak) {
		t.Errorf("progress quotes the response:\n%s", progress)
	}
	for _, s := range res.Steps {
		for _, c := range s.Contract {
			if strings.Contains(c.Path+c.Schema, leak) {
				t.Errorf("violation quotes the response: %+v", c)
			}
		}
	}
}

// TestRunDryRun: nothing is sent; the first step's request is printed with
// its secret header redacted, the second is listed with the output it
// waits for; --json gives the same as data; bad inputs exit 2.
func TestRunDryRun(t *testing.T) {
	doc := writePets(t)
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	const secret = "sk_dry_run_secret_77"
	args := []string{"run", doc, "--dry-run", "--server", "pets=" + srv.URL, "--input", "petId=p1", "--input", "apiKey=" + secret}
	var stdout, stderr bytes.Buffer
	if code := run(args, nil, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{
		"## first (getPet)\nGET " + srv.URL + "/pets/p1\nX-Api-Key: <redacted>\n",
		"## second (getPet)\nnot built: it uses $steps.first.outputs.status",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out+stderr.String(), secret) {
		t.Errorf("dry run shows the secret:\n%s", out)
	}
	if hits.Load() != 0 {
		t.Errorf("dry run sent %d requests", hits.Load())
	}

	stdout.Reset()
	if code := run(append(args, "--json"), nil, &stdout, &stderr); code != exitOK {
		t.Fatalf("--json exit %d", code)
	}
	var steps []runDryStep
	if err := json.Unmarshal(stdout.Bytes(), &steps); err != nil {
		t.Fatalf("%v\n%s", err, stdout.String())
	}
	if len(steps) != 2 || steps[0].Request == nil || steps[0].Request.URL != srv.URL+"/pets/p1" || len(steps[1].WaitsFor) != 1 {
		t.Errorf("--json dry run = %+v", steps)
	}

	stdout.Reset()
	stderr.Reset()
	code := run([]string{"run", doc, "--dry-run", "--server", "pets=" + srv.URL}, nil, &stdout, &stderr)
	if code != exitUsage || !strings.Contains(stderr.String(), "petId: missing required input") {
		t.Errorf("missing input: exit %d\n%s", code, stderr.String())
	}
	if hits.Load() != 0 {
		t.Errorf("dry run sent %d requests", hits.Load())
	}
}

// A step whose request cannot be built (an optional input inside a
// template) is named with the reason, and the dry run exits 1: the real
// run would fail there too.
func TestRunDryRunUnbuildableStep(t *testing.T) {
	doc := writePets(t)
	src, _ := os.ReadFile(doc)
	changed := strings.Replace(string(src), "value: $steps.first.outputs.status", `value: "pre-{$inputs.tag}"`, 1)
	changed = strings.Replace(changed, "        petId: {type: string}\n", "        petId: {type: string}\n        tag: {type: string}\n", 1)
	if err := os.WriteFile(doc, []byte(changed), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := run([]string{"run", doc, "--dry-run", "--input", "petId=p1"}, nil, &stdout, &stderr)
	if code != exitFailed || !strings.Contains(stdout.String(), "## second (getPet)\ncannot be built: parameter id (in path): $inputs.tag: optional input \"tag\" was not given") {
		t.Errorf("exit %d\n%s\n%s", code, stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String(), "GET http://pets.invalid/pets/p1\n") {
		t.Errorf("the buildable step is missing:\n%s", stdout.String())
	}
}

// A workflow step shows the first request of the workflow it runs, with
// the values its parameters pass as that workflow's inputs.
func TestRunDryRunWorkflowStep(t *testing.T) {
	doc := writePets(t)
	src, _ := os.ReadFile(doc)
	outer := string(src) + `  - workflowId: outer
    steps:
      - stepId: callInner
        workflowId: twoPets
        parameters: [{name: petId, value: p9}]
`
	if err := os.WriteFile(doc, []byte(outer), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := run([]string{"run", doc, "-w", "outer", "--dry-run"}, nil, &stdout, &stderr)
	want := "## callInner (workflow twoPets)\n(runs workflow twoPets: its first request below; the rest wait for its response)\n\n## twoPets/first (getPet)\nGET http://pets.invalid/pets/p9\n"
	if code != exitOK || !strings.Contains(stdout.String(), want) {
		t.Errorf("exit %d\n%s\n%s", code, stdout.String(), stderr.String())
	}
}
