package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/arazzo-go/arazzo/internal/testutil"
)

// TestJSONOutputsMatchTheirSchemas runs the four commands that print JSON
// on real inputs — successful, failing and broken ones — and validates what
// they print against docs/schemas/. `run --json` must also be byte for
// byte the `--report` file of the same run.
func TestJSONOutputsMatchTheirSchemas(t *testing.T) {
	requireRunDeps(t)
	seed := runSeedFile(t)
	check := func(t *testing.T, schema *jsonschema.Schema, out []byte) map[string]any {
		t.Helper()
		var doc map[string]any
		if err := json.Unmarshal(out, &doc); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, out)
		}
		if err := schema.Validate(any(doc)); err != nil {
			t.Errorf("does not match its schema: %v\n%s", err, out)
		}
		if doc["formatVersion"] != 1.0 {
			t.Errorf("formatVersion %v, want the number 1", doc["formatVersion"])
		}
		return doc
	}

	t.Run("run", func(t *testing.T) {
		schema := testutil.OutputSchema(t, "run-report.schema.json")
		inputs := `{"compartmentId": "c", "instanceId": "i", "displayName": "d", "authToken": "tok-shape-canary"}`
		for _, tc := range []struct {
			mock, status string
			exit         int
		}{
			{"stopped-instance", "succeeded", exitOK}, // goto loop, request bodies, pacing
			{"running-instance", "succeeded", exitOK},
			{"not-found", "failed", exitFailed},
		} {
			t.Run(tc.mock, func(t *testing.T) {
				rep := filepath.Join(t.TempDir(), "report.json")
				var stdout, stderr bytes.Buffer
				code := run([]string{"run", seed, "--json", "--loop-delay", "0", "--report", rep,
					"--mock", "../../workflows/oracle/mocks/" + tc.mock + ".yaml", "--inputs", "-"},
					strings.NewReader(inputs), &stdout, &stderr)
				if code != tc.exit {
					t.Fatalf("exit %d, want %d: %s", code, tc.exit, stderr.String())
				}
				doc := check(t, schema, stdout.Bytes())
				if doc["status"] != tc.status || doc["runId"] == "" {
					t.Errorf("status %v runId %v", doc["status"], doc["runId"])
				}
				file, err := os.ReadFile(rep)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(file, stdout.Bytes()) {
					t.Errorf("--json and --report differ:\n%s\n---\n%s", stdout.Bytes(), file)
				}
				if strings.Contains(stdout.String(), "tok-shape-canary") {
					t.Errorf("the report shows the token")
				}
			})
		}
	})

	t.Run("validate", func(t *testing.T) {
		schema := testutil.OutputSchema(t, "validate.schema.json")
		broken := filepath.Join(t.TempDir(), "broken.arazzo.yaml")
		if err := os.WriteFile(broken, []byte("arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nsourceDescriptions: []\nworkflows:\n  - workflowId: w\n    steps:\n      - stepId: s\n        operationId: nope\n        successCriteria: [{condition: '$statusCode = 200'}]\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name  string
			files []string
			valid bool
		}{
			{"seed with warnings", []string{"../../workflows/oracle/oracle-create-custom-image-from-instance-workflow.yml"}, true},
			{"broken", []string{broken}, false},
			{"both", []string{"../../workflows/oracle/oracle-create-custom-image-from-instance-workflow.yml", broken}, false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var stdout, stderr bytes.Buffer
				run(append([]string{"validate", "--format", "json"}, tc.files...), nil, &stdout, &stderr)
				doc := check(t, schema, stdout.Bytes())
				if doc["valid"] != tc.valid {
					t.Errorf("valid %v, want %v:\n%s", doc["valid"], tc.valid, stdout.String())
				}
				if n, _ := doc["errorCount"].(float64); tc.valid != (n == 0) {
					t.Errorf("errorCount %v with valid %v", doc["errorCount"], tc.valid)
				}
			})
		}
	})

	t.Run("list", func(t *testing.T) {
		schema := testutil.OutputSchema(t, "list.schema.json")
		noTarget := filepath.Join(t.TempDir(), "no-target.arazzo.yaml")
		if err := os.WriteFile(noTarget, []byte("arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nsourceDescriptions: [{name: a, url: a.yaml}]\nworkflows:\n  - workflowId: w\n    steps:\n      - stepId: s\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, file := range []string{seed, "testdata/list/docs/rich.arazzo.yaml", noTarget} {
			var stdout, stderr bytes.Buffer
			if code := run([]string{"list", "--json", file}, nil, &stdout, &stderr); code != exitOK {
				t.Fatalf("list %s: exit %d: %s", file, code, stderr.String())
			}
			if doc := check(t, schema, stdout.Bytes()); len(doc["workflows"].([]any)) == 0 {
				t.Errorf("list %s: no workflows", file)
			}
		}
	})

	t.Run("test", func(t *testing.T) {
		schema := testutil.OutputSchema(t, "test-report.schema.json")
		invalid := writeTestFiles(t, map[string]string{"bad.arazzo-test.yaml": invalidTests})
		var stdout, stderr bytes.Buffer
		code := run([]string{"test", "--json", "../../workflows/oracle/tests", "testdata/testcmd", invalid}, strings.NewReader(""), &stdout, &stderr)
		if code != exitUsage {
			t.Errorf("exit %d, want %d (an invalid test file): %s", code, exitUsage, stderr.String())
		}
		doc := check(t, schema, stdout.Bytes())
		runs := 0
		for _, f := range doc["files"].([]any) {
			for _, c := range f.(map[string]any)["cases"].([]any) {
				if r, ok := c.(map[string]any)["run"].(map[string]any); ok {
					runs++
					if r["formatVersion"] != 1.0 || r["steps"] == nil {
						t.Errorf("case run is not a run report: %v", r)
					}
				}
			}
		}
		if doc["failed"].(float64) == 0 || doc["invalidFiles"].(float64) != 1 || runs < 6 {
			t.Errorf("failed %v, invalidFiles %v, %d runs: want a failure, one invalid file and the seed's runs", doc["failed"], doc["invalidFiles"], runs)
		}
	})
}
