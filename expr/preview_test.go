package expr_test

import (
	"strings"
	"testing"

	"github.com/arazzo-go/arazzo/expr"
)

// TestRegexTimeoutMessageBounded: a catastrophic regex on a large body fails with a short error and
// explanation that quote neither the body nor the credentials in it (regexp2's own error quotes the
// whole input).
func TestRegexTimeoutMessageBounded(t *testing.T) {
	body := `{"access_token":"at-LEAK-1","client_secret":"cs-LEAK-2","data":"` + strings.Repeat("a", 1<<20) + `!"}`
	c, err := expr.CompileCriterion(expr.CriterionSpec{Context: "$response.body", Condition: `(a+)+z`, Type: "regex"})
	if err != nil {
		t.Fatal(err)
	}
	out := c.Eval(expr.MapScope{"$response.body": body})
	if out.Pass || out.Err == nil {
		t.Fatalf("pass %v err %v: want a timeout", out.Pass, out.Err)
	}
	msg := out.Explanation + "\n" + out.Err.Error()
	if len(msg) > 1024 {
		t.Errorf("the messages are %d bytes", len(msg))
	}
	if strings.Contains(msg, "LEAK") {
		t.Errorf("the messages show a credential:\n%s", msg)
	}
	if !strings.Contains(out.Err.Error(), "did not finish within") || !strings.Contains(out.Err.Error(), "-byte value") {
		t.Errorf("error %q does not say what happened", out.Err)
	}
}

// TestExplanationsHideSecretMembers: values shown in explanations hide secret-named members and form fields,
// whole or cut, as body previews do.
func TestExplanationsHideSecretMembers(t *testing.T) {
	for _, tc := range []struct {
		value any
		leak  string
	}{
		{`{"access_token":"at-LEAK","n":1}`, "at-LEAK"},
		{`{"x": 1, "client_secret" : "cs-LEAK-with-a-long-tail-` + strings.Repeat("z", 200) + `"}`, "cs-LEAK"},
		{`grant_type=client_credentials&client_secret=cs-LEAK&scope=a`, "cs-LEAK"},
		{map[string]any{"refresh_token": "rt-LEAK", "id": "7"}, "rt-LEAK"},
		{map[string]any{"a": map[string]any{"Password": "pw-LEAK"}}, "pw-LEAK"},
	} {
		c, err := expr.CompileCriterion(expr.CriterionSpec{Context: "$response.body", Condition: "^nomatch$", Type: "regex"})
		if err != nil {
			t.Fatal(err)
		}
		out := c.Eval(expr.MapScope{"$response.body": tc.value})
		if strings.Contains(out.Explanation, tc.leak) || !strings.Contains(out.Explanation, "<redacted>") {
			t.Errorf("%v: explanation %q", tc.value, out.Explanation)
		}
		s, err := expr.CompileCriterion(expr.CriterionSpec{Condition: "$response.body == 'x'"})
		if err != nil {
			t.Fatal(err)
		}
		if out := s.Eval(expr.MapScope{"$response.body": tc.value}); strings.Contains(out.Explanation, tc.leak) {
			t.Errorf("%v: simple explanation %q", tc.value, out.Explanation)
		}
	}
	// Values without secret names are shown as they are.
	c, _ := expr.CompileCriterion(expr.CriterionSpec{Condition: "$response.body#/state == 'x'"})
	if out := c.Eval(expr.MapScope{"$response.body": map[string]any{"state": "a=b: c"}}); !strings.Contains(out.Explanation, `"a=b: c"`) {
		t.Errorf("explanation %q", out.Explanation)
	}
}

func TestIsSecretName(t *testing.T) {
	for name, want := range map[string]bool{"access_token": true, "client_secret": true, "X-API-Key": true, "Password": true,
		"Set-Cookie": true, "private_key": true, "lifecycleState": false, "id": false, "privateNetwork": false} {
		if got := expr.IsSecretName(name); got != want {
			t.Errorf("IsSecretName(%q) = %v", name, got)
		}
	}
}

func TestExplanationsHideSecretMembersAfterEscapes(t *testing.T) {
	c, _ := expr.CompileCriterion(expr.CriterionSpec{Context: "$response.body", Condition: "^nomatch$", Type: "regex"})
	out := c.Eval(expr.MapScope{"$response.body": `{"x\"":"1\\","token":"tk-LEAK"}`})
	if strings.Contains(out.Explanation, "tk-LEAK") {
		t.Errorf("explanation %q", out.Explanation)
	}
}
