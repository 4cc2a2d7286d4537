package arazzo

import (
	"context"
	"strings"
	"testing"
)

// TestInvalidUTF8AtItsPlace: a byte that is not UTF-8 is reported at its line and column, not at 1:1 as
// yaml.v3 does (issue 12, defect 10).
func TestInvalidUTF8AtItsPlace(t *testing.T) {
	src := "arazzo: 1.0.1\ninfo:\n  title: \"ab\xff\xfe\"\n  version: 1\n"
	_, ds := LoadBytes(context.Background(), "bad.arazzo.yaml", []byte(src), LoadOptions{})
	for _, d := range ds {
		if d.Rule == RuleYAMLSyntax {
			if d.Pos.Line != 3 || d.Pos.Col != 13 || !strings.Contains(d.Msg, "UTF-8") {
				t.Fatalf("got %d:%d %s, want 3:13 and a UTF-8 message", d.Pos.Line, d.Pos.Col, d.Msg)
			}
			return
		}
	}
	t.Fatalf("no %s diagnostic: %v", RuleYAMLSyntax, ds)
}
