package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestPreCommitHook checks the hook file parses, runs our validate command
// and that its files pattern picks Arazzo documents but not test cases.
func TestPreCommitHook(t *testing.T) {
	data, err := os.ReadFile("../../.pre-commit-hooks.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var hooks []struct {
		ID, Entry, Language, Files string
	}
	if err := yaml.Unmarshal(data, &hooks); err != nil {
		t.Fatal(err)
	}
	if len(hooks) != 1 || hooks[0].ID != "arazzo-validate" || hooks[0].Entry != "arazzo validate" || hooks[0].Language != "golang" {
		t.Fatalf("hooks = %+v", hooks)
	}
	re := regexp.MustCompile(hooks[0].Files)
	for name, want := range map[string]bool{
		"pets.arazzo.yaml": true, "a/b/pets.arazzo.json": true, "arazzo.yaml": true, "x/arazzo.yml": true,
		"pets.arazzo-test.yaml": false, "openapi.yaml": false, "notarazzo.yaml": false,
	} {
		if re.MatchString(name) != want {
			t.Errorf("files pattern on %q: got %v", name, !want)
		}
	}
}

// TestCIDocSnippets checks every YAML block of docs/ci.md parses and that the
// CI jobs install a pinned version instead of `go run`, which needs a module.
func TestCIDocSnippets(t *testing.T) {
	data, err := os.ReadFile("../../docs/ci.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(string(data), -1)
	if len(blocks) != 3 {
		t.Fatalf("%d yaml blocks, want 3", len(blocks))
	}
	for _, b := range blocks {
		var v any
		if err := yaml.Unmarshal([]byte(b[1]), &v); err != nil {
			t.Errorf("%v in\n%s", err, b[1])
		}
		if strings.Contains(b[1], "go run") {
			t.Errorf("snippet uses go run:\n%s", b[1])
		}
	}
	for _, b := range blocks[:2] {
		if !strings.Contains(b[1], "go install github.com/arazzo-go/arazzo/cmd/arazzo@${ARAZZO_VERSION}") ||
			!strings.Contains(b[1], "arazzo validate") || !strings.Contains(b[1], "arazzo test") {
			t.Errorf("job does not install a pinned version and run validate and test:\n%s", b[1])
		}
	}
}
