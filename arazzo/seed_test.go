package arazzo

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arazzo-go/arazzo/internal/testutil"
)

const seedRel = "workflows/oracle/oracle-create-custom-image-from-instance-workflow.yml"

// seedLayout copies the seed workflow into dir/oracle/ and an OpenAPI
// description into dir/openapi/ (where the seed's relative url points),
// applying edit to the workflow text.
func seedLayout(t *testing.T, openapiFile string, edit func(string) string) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(testutil.RepoRoot(t), seedRel))
	if err != nil {
		t.Fatalf("seed workflow: %v", err)
	}
	oa, err := os.ReadFile(openapiFile)
	if err != nil {
		t.Fatalf("OpenAPI description: %v", err)
	}
	dir := t.TempDir()
	for _, sub := range []string{"oracle", "openapi"} {
		if err := os.Mkdir(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "oracle", "seed.yml")
	if err := os.WriteFile(path, []byte(edit(string(src))), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "openapi", "oci-compute-api-openapi.yml"), oa, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func seedOpenAPIFiles(t *testing.T) map[string]string {
	files := map[string]string{"testdata-mini": "testdata/oci/compute-mini.openapi.yaml"}
	real := filepath.Join(testutil.RepoRoot(t), "workflows", "openapi", "oci-compute-api-openapi.yml")
	if _, err := os.Stat(real); err == nil {
		files["workflows-openapi"] = real
	}
	return files
}

func TestSeedTypoedOperationID(t *testing.T) {
	for name, oa := range seedOpenAPIFiles(t) {
		t.Run(name, func(t *testing.T) {
			path := seedLayout(t, oa, func(s string) string {
				return strings.Replace(s, "operationId: getInstance", "operationId: getInstanse", 1)
			})
			_, ds, err := Load(context.Background(), path, LoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var errs Diagnostics
			for _, d := range ds {
				if d.Severity == SeverityError {
					errs = append(errs, d)
				}
			}
			if len(errs) != 1 {
				t.Fatalf("want exactly one error, got:\n%v", ds)
			}
			d := errs[0]
			want := `operationId "getInstanse" not found; did you mean "getInstance"?`
			if d.Rule != RuleOperationNotFound || d.Msg != want || d.Pos != (Pos{48, 18}) || d.Fix != "getInstance" {
				t.Errorf("got %v (fix %q), want %s at 48:18 with fix getInstance", d, d.Fix, want)
			}
		})
	}
}

func TestSeedLoadsWithDialectWarnings(t *testing.T) {
	for name, oa := range seedOpenAPIFiles(t) {
		t.Run(name, func(t *testing.T) {
			path := seedLayout(t, oa, func(s string) string { return s })
			doc, ds, err := Load(context.Background(), path, LoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if ds.HasErrors() {
				t.Fatalf("the seed must load without errors:\n%v", ds)
			}
			// Compile filled the runtime's fields.
			w := doc.Workflow("create-custom-image-from-instance")
			if w == nil || w.Steps[0].Parameters[0].Compiled == nil || w.Outputs[0].Compiled == nil || w.Steps[1].RequestBody.Compiled == nil {
				t.Fatalf("Compiled fields not set")
			}
			if src := doc.Source("ociComputeApi"); src.OpenAPI == nil || src.Resolved == "" {
				t.Errorf("source not loaded: %+v", src)
			}
			if w.Steps[0].OnSuccess[0].Criteria[0].Compiled == nil {
				t.Errorf("criterion not compiled")
			}
			// The four `$.lifecycleState == "..."` JSONPath conditions.
			want := map[Pos]bool{{66, 20}: false, {72, 20}: false, {115, 20}: false, {122, 20}: false}
			for _, d := range ds {
				if _, ok := want[d.Pos]; ok && d.Severity == SeverityWarning && d.Fix != "" {
					want[d.Pos] = true
				}
			}
			for p, seen := range want {
				if !seen {
					t.Errorf("no dialect warning with a fix at %d:%d; diagnostics:\n%v", p.Line, p.Col, ds)
				}
			}
		})
	}
}
