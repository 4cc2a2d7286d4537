package arazzo

import (
	"strings"
	"testing"

	"github.com/arazzo-go/arazzo/expr"
)

func criteria(t *testing.T, conds ...string) []*Criterion {
	t.Helper()
	var out []*Criterion
	for _, c := range conds {
		cr := &Criterion{Condition: c}
		if strings.HasPrefix(c, "jsonpath:") {
			cr.Condition, cr.Type, cr.Context = strings.TrimPrefix(c, "jsonpath:"), "jsonpath", "$response.body"
		}
		comp, err := expr.CompileCriterion(expr.CriterionSpec{Context: cr.Context, Condition: cr.Condition, Type: cr.Type})
		if err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		cr.Compiled = comp
		out = append(out, cr)
	}
	return out
}

func TestDeadFailureAction(t *testing.T) {
	for _, tc := range []struct {
		success, failure []string
		dead             bool
	}{
		{[]string{"$statusCode == 200"}, []string{"$statusCode == 200"}, true},
		{[]string{"$statusCode == 200"}, []string{"$statusCode == 404"}, false},
		{[]string{"$statusCode < 400"}, []string{"$statusCode == 399"}, true},
		{[]string{"$statusCode < 400"}, []string{"$statusCode == 429"}, false},
		{[]string{"$statusCode >= 200 && $statusCode < 300"}, []string{"$statusCode == 204"}, true},
		{[]string{"$statusCode >= 200 && $statusCode < 300"}, []string{"$statusCode > 250"}, false},
		// Success needs two things; the action tests one: a response
		// that fails the other is caught.
		{[]string{"$statusCode == 200", "$response.body#/ok == true"}, []string{"$statusCode == 200"}, false},
		{[]string{"$statusCode == 200 && $response.body#/ok == true"}, []string{"$response.body#/ok == true && $statusCode == 200"}, true},
		// Strings compare case-insensitively.
		{[]string{"$response.body#/state == 'DONE'"}, []string{"$response.body#/state == 'done'"}, true},
		{[]string{"$response.body#/state != 'FAILED'"}, []string{"$response.body#/state == 'FAILED'"}, false},
		// An action that never holds at all is not this rule's finding.
		{[]string{"$statusCode == 200"}, []string{"$statusCode == 200 && $statusCode == 201"}, false},
		// Unprobed criteria count only when repeated exactly.
		{[]string{"jsonpath:$[?@.status == 'ok']"}, []string{"jsonpath:$[?@.status == 'ok']"}, true},
		{[]string{"jsonpath:$[?@.status == 'ok']"}, []string{"$statusCode == 200"}, false},
		{[]string{"$statusCode == 200"}, []string{"jsonpath:$[?@.status == 'ok']", "$statusCode == 200"}, false},
		// Array indexes are not modelled: not judged.
		{[]string{"$response.body#/items/0/id == 1"}, []string{"$response.body#/items/0/id == 1"}, false},
	} {
		spent := 0
		_, dead := deadFailureAction(criteria(t, tc.success...), criteria(t, tc.failure...), &spent)
		if dead != tc.dead {
			t.Errorf("success %q, failure %q: dead = %v, want %v", tc.success, tc.failure, dead, tc.dead)
		}
	}
}

func TestDeadFailureActionBudget(t *testing.T) {
	spent := probeDocumentBudget
	if _, dead := deadFailureAction(criteria(t, "$statusCode == 200"), criteria(t, "$statusCode == 200"), &spent); dead {
		t.Error("judged an action past the document's probe budget")
	}
}
