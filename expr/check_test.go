package expr

import "testing"

// checkSpecs are criteria of every kind Check and Decide handle
// differently: simple, lazily read jsonpath, filters, regex, templates.
var checkSpecs = []CriterionSpec{
	{Condition: "$statusCode == 200"},
	{Condition: "$statusCode == 200 && $response.body#/n > 2"},
	{Condition: "$response.body#/missing == 1"},
	{Context: "$response.body", Condition: `$.lifecycleState == "STOPPED"`, Type: "jsonpath"},
	{Context: "$response.body", Condition: `$.lifecycleState != "STOPPED"`, Type: "jsonpath"},
	{Context: "$response.body", Condition: `$.n > 2 && $.lifecycleState == 'STOPPED'`, Type: "jsonpath"},
	{Context: "$response.body", Condition: `$[?@.lifecycleState == "AVAILABLE"]`, Type: "jsonpath"},
	{Context: "$response.body", Condition: `^\{`, Type: "regex"},
	{Context: "$response.body", Condition: `$.lifecycleState == "{$statusCode}"`, Type: "jsonpath"},
}

// TestCheckAgreesWithEval: Check must pass exactly when Eval passes, and
// a criterion that does not pass must come back exactly as Eval has it.
func TestCheckAgreesWithEval(t *testing.T) {
	t.Parallel()
	scopes := []MapScope{
		{"$statusCode": 200, "$response.body": map[string]any{"lifecycleState": "STOPPED", "n": 3.0}},
		{"$statusCode": 404, "$response.body": map[string]any{"lifecycleState": "RUNNING"}},
		{"$statusCode": 200, "$response.body": `{"lifecycleState":"AVAILABLE"}`},
		{"$statusCode": 200, "$response.body": "not json"},
		{"$statusCode": 200, "$response.body": nil},
		{"$statusCode": 200},
	}
	for _, spec := range checkSpecs {
		c := mustCriterion(t, spec)
		for i, s := range scopes {
			want, got := c.Eval(s), c.Check(s)
			if got.Pass != want.Pass {
				t.Errorf("%q on scope %d: Check passes %v, Eval %v", spec.Condition, i, got.Pass, want.Pass)
				continue
			}
			if got.Pass && got.Explanation != "" {
				t.Errorf("%q on scope %d: Check explained a pass: %q", spec.Condition, i, got.Explanation)
			}
			if !got.Pass && (got.Explanation != want.Explanation || !sameErr(got.Err, want.Err)) {
				t.Errorf("%q on scope %d: Check = %q/%v, Eval = %q/%v", spec.Condition, i, got.Explanation, got.Err, want.Explanation, want.Err)
			}
		}
	}
}

func sameErr(a, b error) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Error() == b.Error()
}

func TestCheckReportsScopeErrorsLikeEval(t *testing.T) {
	c := mustCriterion(t, CriterionSpec{Condition: "$statusCode == 200"})
	got, want := c.Check(failingScope{}), c.Eval(failingScope{})
	if got.Pass || got.Err == nil || got.Err.Error() != want.Err.Error() {
		t.Errorf("Check = %+v, want Eval's %+v", got, want)
	}
	if got := c.Check(panicScope{}); got.Pass || got.Err == nil {
		t.Errorf("Check on a panicking scope = %+v, want a failure with an error", got)
	}
}

// TestDecideAgreesWithEval: where Decide is certain, Eval has the same
// outcome and no error; it is certain of passes and of failures, through a
// PathScope too, and never on a scope that fails or panics.
func TestDecideAgreesWithEval(t *testing.T) {
	t.Parallel()
	bodies := []any{
		map[string]any{"lifecycleState": "STOPPED", "n": 3.0},
		map[string]any{"lifecycleState": "RUNNING"},
		"not json", nil,
	}
	certain := map[bool]int{}
	for _, spec := range checkSpecs {
		c := mustCriterion(t, spec)
		for i, body := range bodies {
			for _, s := range []Scope{
				MapScope{"$statusCode": 200, "$response.body": body},
				&walkingPathScope{MapScope: MapScope{"$statusCode": 200, "$response.body": body}},
			} {
				pass, sure := c.Decide(s)
				if !sure {
					continue
				}
				certain[pass]++
				if want := c.Eval(s); want.Pass != pass || want.Err != nil {
					t.Errorf("%q on body %d (%T): Decide %v, Eval %v/%v", spec.Condition, i, s, pass, want.Pass, want.Err)
				}
			}
		}
	}
	if certain[true] == 0 || certain[false] == 0 {
		t.Errorf("Decide was certain of %d passes and %d failures, want both", certain[true], certain[false])
	}
	jp := mustCriterion(t, CriterionSpec{Context: "$response.body", Condition: `$.lifecycleState == "STOPPED"`, Type: "jsonpath"})
	if _, sure := jp.Decide(&walkingPathScope{MapScope: MapScope{"$response.body": bodies[1]}}); !sure {
		t.Error("Decide was not certain of a jsonpath failure read through a PathScope")
	}
	c := mustCriterion(t, CriterionSpec{Condition: "$statusCode == 200"})
	for _, s := range []Scope{failingScope{}, panicScope{}} {
		if _, sure := c.Decide(s); sure {
			t.Errorf("Decide certain on %T", s)
		}
	}
}
