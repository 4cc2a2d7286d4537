package store

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The runtime imports this package, so it must import nothing of the module (an import of runtime/ would be a
// cycle; of arazzo/, openapi/ or expr/ a layering the package doc promises not to have).
func TestImportsNothingOfTheModule(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		parsed, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range parsed.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(path, "github.com/arazzo-go/arazzo") {
				t.Errorf("%s imports %s", f, path)
			}
		}
		checked++
	}
	if checked < 3 {
		t.Fatalf("checked %d files; the glob found the wrong directory", checked)
	}
}
