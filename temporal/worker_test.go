package temporal

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadRefusesANamedBrokenFileAndSkipsOneInADirectory(t *testing.T) {
	oas, _ := filepath.Abs("../workflows/openapi/oci-compute-api-openapi.yml")
	good := "arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nsourceDescriptions:\n- {name: oci, url: " + oas + ", type: openapi}\n" +
		"workflows:\n- workflowId: read\n  steps:\n  - stepId: get\n    operationId: getInstance\n    parameters:\n    - {name: instanceId, in: path, value: x}\n"
	broken := "arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nworkflows: []\n"
	dir := t.TempDir()
	for name, src := range map[string]string{"a/good.yaml": good, "b/good.yaml": good, "broken.yaml": broken, "notes.yaml": "x: 1\n"} {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var logs []string
	w := NewWorker(Options{Log: func(s string) { logs = append(logs, s) }})
	if err := w.Load(context.Background(), dir); err != nil {
		t.Fatalf("a directory with a broken document and a duplicate name: %v", err)
	}
	if docs := w.Documents(); len(docs) != 1 || docs[0].Name != "good.yaml" {
		t.Fatalf("served %v, want good.yaml only", docs)
	}
	all := strings.Join(logs, "\n")
	for _, want := range []string{"skipping " + filepath.Join(dir, "b/good.yaml") + ": " + filepath.Join(dir, "a/good.yaml") + ` has the same name "good.yaml"`, "skipping " + filepath.Join(dir, "broken.yaml") + ": the document has"} {
		if !strings.Contains(all, want) {
			t.Errorf("log lacks %q:\n%s", want, all)
		}
	}
	err := NewWorker(Options{}).Load(context.Background(), filepath.Join(dir, "broken.yaml"))
	if err == nil || !strings.Contains(err.Error(), "broken.yaml: the document has") {
		t.Fatalf("a named broken file: %v", err)
	}
}
