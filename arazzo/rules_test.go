package arazzo

import (
	"go/ast"
	goparser "go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/arazzo-go/arazzo/internal/testutil"
)

// ruleIDs reads every Rule* constant of rules.go.
func ruleIDs(t *testing.T) map[string]string {
	t.Helper()
	f, err := goparser.ParseFile(token.NewFileSet(), "rules.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		if vs, ok := n.(*ast.ValueSpec); ok && len(vs.Names) == 1 && len(vs.Values) == 1 && strings.HasPrefix(vs.Names[0].Name, "Rule") {
			if lit, ok := vs.Values[0].(*ast.BasicLit); ok {
				v, _ := strconv.Unquote(lit.Value)
				ids[vs.Names[0].Name] = v
			}
		}
		return true
	})
	if len(ids) < 40 {
		t.Fatalf("found only %d rule constants", len(ids))
	}
	return ids
}

// Every rule id is documented in docs/rules.md and exercised by a test
// document: a golden file, or (for input limits) TestParseErrors.
func TestRulesDocumentedAndTested(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(testutil.RepoRoot(t), "docs", "rules.md"))
	if err != nil {
		t.Fatal(err)
	}
	var goldens strings.Builder
	files, _ := filepath.Glob("testdata/validate/*.golden")
	for _, f := range files {
		b, _ := os.ReadFile(f)
		goldens.Write(b)
	}
	inParseTests := map[string]bool{RuleInputTooLarge: true, RuleYAMLAliasLimit: true, RuleYAMLDepthLimit: true, RuleNotAnObject: true}
	for name, id := range ruleIDs(t) {
		if !strings.Contains(string(doc), "| `"+id+"` |") {
			t.Errorf("%s (%q) is not documented in docs/rules.md", name, id)
		}
		if !inParseTests[id] && !strings.Contains(goldens.String(), "["+id+"]") {
			t.Errorf("%s (%q) is not exercised by any testdata/validate document", name, id)
		}
	}
}
