package testutil

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// OutputSchema compiles docs/schemas/NAME, the JSON Schema of one of the
// documented outputs, with every schema of that folder loaded under its
// $id (test-report.schema.json refers to run-report.schema.json) and with
// "format" asserted, so that a "date-time" that is not RFC 3339 fails.
func OutputSchema(t testing.TB, name string) *jsonschema.Schema {
	t.Helper()
	dir := filepath.Join(RepoRoot(t), "docs", "schemas")
	files, err := filepath.Glob(filepath.Join(dir, "*.schema.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no schemas in %s (%v)", dir, err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	ids := map[string]string{}
	for _, f := range files {
		data, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(data)
		data.Close()
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		id, _ := doc.(map[string]any)["$id"].(string)
		if id == "" {
			t.Fatalf("%s has no $id", f)
		}
		if err := c.AddResource(id, doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		ids[filepath.Base(f)] = id
	}
	id, ok := ids[name]
	if !ok {
		t.Fatalf("no schema %s in %s", name, dir)
	}
	s, err := c.Compile(id)
	if err != nil {
		t.Fatalf("compile %s: %v", name, err)
	}
	return s
}
