package arazzo

import (
	"context"
	"github.com/arazzo-go/arazzo/openapi"
	"go/ast"
	goparser "go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/arazzo-go/arazzo/internal/testutil"
)

// ruleIDs reads every Rule* constant of rules.go.
func ruleIDs(t *testing.T) map[string]string {
	t.Helper()
	ids := ruleConstants(t, "rules.go")
	if len(ids) < 40 {
		t.Fatalf("found only %d rule constants", len(ids))
	}
	return ids
}

// ruleConstants reads the string constants named Rule* of Go files.
func ruleConstants(t *testing.T, files ...string) map[string]string {
	t.Helper()
	ids := map[string]string{}
	for _, file := range files {
		f, err := goparser.ParseFile(token.NewFileSet(), file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if vs, ok := n.(*ast.ValueSpec); ok && len(vs.Names) == 1 && len(vs.Values) == 1 && strings.HasPrefix(vs.Names[0].Name, "Rule") {
				if lit, ok := vs.Values[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					v, _ := strconv.Unquote(lit.Value)
					ids[vs.Names[0].Name] = v
				}
			}
			return true
		})
	}
	return ids
}

// exprRuleIDs reads the Rule* constants of package expr: the ids of the
// expression notes the validator passes on as warnings.
func exprRuleIDs(t *testing.T) map[string]string {
	t.Helper()
	files, _ := filepath.Glob("../expr/*.go")
	files = slices.DeleteFunc(files, func(f string) bool { return strings.HasSuffix(f, "_test.go") })
	ids := ruleConstants(t, files...)
	if len(ids) < 10 {
		t.Fatalf("found only %d rule constants in ../expr", len(ids))
	}
	return ids
}

// TestEveryRuleHasADescription: SARIF consumers show a rule's description
// beside each alert, so every id the validator can report, its own and
// expr's, needs one, and the table names no id that no longer exists.
func TestEveryRuleHasADescription(t *testing.T) {
	known := map[string]bool{sarifNoRule: true}
	for _, ids := range []map[string]string{ruleIDs(t), exprRuleIDs(t)} {
		for name, id := range ids {
			known[id] = true
			desc := ruleDescriptions[id]
			switch {
			case desc == "":
				t.Errorf("%s (%q) has no entry in ruleDescriptions", name, id)
			case desc == id || !strings.HasSuffix(desc, ".") || strings.Contains(desc, "\n"):
				t.Errorf("%s (%q): description %q is not one sentence of its own", name, id, desc)
			}
		}
	}
	for id := range ruleDescriptions {
		if !known[id] {
			t.Errorf("ruleDescriptions describes %q, which is no rule id of arazzo or expr", id)
		}
	}
}

// TestReportedRulesHaveDescriptions checks the same from the other side:
// every rule id that the test documents actually produce is described.
func TestReportedRulesHaveDescriptions(t *testing.T) {
	files, _ := filepath.Glob("testdata/validate/*.arazzo.yaml")
	corpus, _ := filepath.Glob("testdata/corpus/*.arazzo.*")
	files = append(files, corpus...)
	if len(files) < 20 {
		t.Fatalf("found only %d test documents", len(files))
	}
	seen := map[string]bool{}
	for _, f := range files {
		_, ds, err := Load(context.Background(), f, LoadOptions{})
		if err != nil {
			t.Fatalf("Load %s: %v", f, err)
		}
		for _, d := range ds {
			if d.Rule != "" && !seen[d.Rule] {
				seen[d.Rule] = true
				if ruleDescriptions[d.Rule] == "" {
					t.Errorf("%s reports rule %q, which has no description", f, d.Rule)
				}
			}
		}
	}
	if len(seen) < 40 {
		t.Errorf("the test documents report only %d distinct rules", len(seen))
	}
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
	// unreadable-file is made by cmd/arazzo (a file the loader never saw)
	// and tested there; unknown-ignore-rule by CheckIgnoreComments, which
	// validate calls (TestCheckIgnoreComments, cmd/arazzo cases);
	// remote-local-source needs a server (TestRemoteSources); step-not-runnable
	// is the runtime's (runtime/problems_test.go).
	inParseTests := map[string]bool{RuleInputTooLarge: true, RuleYAMLAliasLimit: true, RuleYAMLDepthLimit: true, RuleNotAnObject: true, RuleUnreadableFile: true, RuleUnknownIgnore: true,
		RuleRemoteLocalSource: true, RuleStepNotRunnable: true}
	for name, id := range ruleIDs(t) {
		if !strings.Contains(string(doc), "| `"+id+"` |") {
			t.Errorf("%s (%q) is not documented in docs/rules.md", name, id)
		}
		if !inParseTests[id] && !strings.Contains(goldens.String(), "["+id+"]") {
			t.Errorf("%s (%q) is not exercised by any testdata/validate document", name, id)
		}
	}
}

// TestRegistryMatchesDocs keeps the rule registry (what --list-rules prints
// and configuration files are checked against) and docs/rules.md in step:
// every registered rule has a row with the same severity, and every row
// names a registered rule.
func TestRegistryMatchesDocs(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(testutil.RepoRoot(t), "docs", "rules.md"))
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{}
	for _, line := range strings.Split(string(doc), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 4 || !strings.HasPrefix(strings.TrimSpace(cells[1]), "`") {
			continue
		}
		id := strings.Trim(strings.TrimSpace(cells[1]), "`")
		if strings.Contains(id, "/") {
			continue // a row of the known-findings table: a document path
		}
		if _, dup := rows[id]; dup {
			t.Errorf("docs/rules.md has two rows for %q", id)
		}
		rows[id] = strings.TrimSpace(cells[2])
	}
	rules := Rules()
	if len(rules) < 60 {
		t.Fatalf("the registry holds only %d rules", len(rules))
	}
	for _, r := range rules {
		sev, ok := rows[r.ID]
		switch {
		case !ok:
			t.Errorf("rule %q is not in docs/rules.md", r.ID)
		case sev != string(r.Severity):
			t.Errorf("rule %q: docs/rules.md says %q, the registry %q", r.ID, sev, r.Severity)
		}
		delete(rows, r.ID)
	}
	for id := range rows {
		t.Errorf("docs/rules.md documents %q, which is not a registered rule", id)
	}
}

// TestRegistrySeveritiesAreRules: the severity table names no id that no
// longer exists (a renamed rule would silently become an error).
func TestRegistrySeveritiesAreRules(t *testing.T) {
	for id := range ruleSeverities {
		if _, ok := LookupRule(id); !ok {
			t.Errorf("ruleSeverities names %q, which has no description", id)
		}
	}
	if got := SuggestRule("endles-goto"); got != RuleEndlessGoto {
		t.Errorf("SuggestRule(endles-goto) = %q", got)
	}
}

// TestOpenAPIRepairRules: the repair rules are the openapi package's ids.
func TestOpenAPIRepairRules(t *testing.T) {
	for ours, theirs := range map[string]string{
		RuleOpenAPIDanglingRef:    openapi.RuleDanglingRef,
		RuleOpenAPIMissingFile:    openapi.RuleMissingFile,
		RuleOpenAPIInvalidKeyword: openapi.RuleInvalidKeyword,
		RuleOpenAPIMixedVersion:   openapi.RuleMixedVersion,
	} {
		if ours != theirs {
			t.Errorf("arazzo rule %q differs from openapi's %q", ours, theirs)
		}
	}
}
