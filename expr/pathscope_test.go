package expr

import (
	"encoding/json"
	"testing"
)

// walkingPathScope answers LookupPath by walking the decoded value, as a
// PathScope must; it counts the answers, so tests see the path was taken.
type walkingPathScope struct {
	MapScope
	answered int
}

func (s *walkingPathScope) LookupPath(ref *Ref, path []Step) (any, bool) {
	v, err := s.Lookup(ref)
	if err != nil {
		return nil, false
	}
	for _, st := range path {
		switch st.Kind {
		case StepPointer:
			out, miss := walk(v, []string{st.Name}, 0)
			if miss != nil {
				return nil, false
			}
			v = out
		case StepMember:
			m, ok := v.(map[string]any)
			if !ok {
				return nil, false
			}
			if v, ok = m[st.Name]; !ok {
				return nil, false
			}
		case StepIndex:
			a, ok := v.([]any)
			if !ok || st.Index >= len(a) {
				return nil, false
			}
			v = a[st.Index]
		}
	}
	s.answered++
	return v, true
}

// TestPathScopeGivesTheOrdinaryOutcome: criteria and expressions evaluated
// through a PathScope come out exactly as through a plain Scope.
func TestPathScopeGivesTheOrdinaryOutcome(t *testing.T) {
	t.Parallel()
	var doc any
	if err := json.Unmarshal([]byte(`{"lifecycleState":"STOPPED","n":3,"items":[{"id":"a"},{"id":"b"}],"nested":{"x":null},"0":"zero","s":"{\"k\":1}"}`), &doc); err != nil {
		t.Fatal(err)
	}
	bodies := []any{doc, nil, "not json", `{"lifecycleState":"STOPPED"}`, []any{1.0, 2.0}}
	specs := []CriterionSpec{
		{Context: "$response.body", Condition: `$.lifecycleState == "STOPPED"`, Type: "jsonpath"},
		{Context: "$response.body", Condition: `$.lifecycleState != "STOPPED" || $.n > 2`, Type: "jsonpath"},
		{Context: "$response.body", Condition: `$.items[1].id == 'b' && $.items[-1].id == 'b'`, Type: "jsonpath"},
		{Context: "$response.body", Condition: `$.items.length == 2`, Type: "jsonpath"},
		{Context: "$response.body", Condition: `$.nested.x == null`, Type: "jsonpath"},
		{Context: "$response.body", Condition: `$.missing == 1`, Type: "jsonpath"},
		{Context: "$response.body", Condition: `$.n == $.n && 1 == 1`, Type: "jsonpath"},
		{Context: "$response.body#/items/0", Condition: `$.id == 'a'`, Type: "jsonpath"},
		{Context: "$response.body.items", Condition: `$[1].id == 'b'`, Type: "jsonpath"},
		{Context: "$response.body.nested", Condition: `$.x == null`, Type: "jsonpath"},
		{Context: "$response.body", Condition: `$[0] == 1`, Type: "jsonpath"},
		{Condition: `$response.body#/lifecycleState == 'STOPPED'`},
		{Condition: `$response.body#/items/1/id == 'b'`},
		{Condition: `$response.body#/0 == 'zero'`},
		{Condition: `$response.body#/s/k == 1`},
		{Condition: `$response.body#/items/5/id == 'b'`},
	}
	for _, spec := range specs {
		c := mustCriterion(t, spec)
		for i, b := range bodies {
			plain := MapScope{"$response.body": b}
			ps := &walkingPathScope{MapScope: plain}
			want, got := c.Eval(plain), c.Eval(ps)
			if got.Pass != want.Pass || got.Explanation != want.Explanation || errText(got.Err) != errText(want.Err) {
				t.Errorf("%q on body %d:\n path scope %+v\n plain      %+v", spec.Condition, i, got, want)
			}
			if chk, wantChk := c.Check(&walkingPathScope{MapScope: plain}), c.Check(plain); chk.Pass != wantChk.Pass || chk.Explanation != wantChk.Explanation {
				t.Errorf("%q on body %d: Check through a path scope %+v, plain %+v", spec.Condition, i, chk, wantChk)
			}
		}
	}
	// The path was taken where it can be.
	ps := &walkingPathScope{MapScope: MapScope{"$response.body": doc}}
	mustCriterion(t, specs[0]).Eval(ps)
	if e, _ := Parse("$response.body#/items/0/id"); e != nil {
		if v, err := e.Eval(ps); err != nil || v != "a" {
			t.Errorf("pointer through a path scope = %v, %v", v, err)
		}
	}
	if ps.answered != 2 {
		t.Errorf("path scope answered %d lookups, want 2", ps.answered)
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
