package expr

import "testing"

// Targets (2-core CI box): Expr.Eval of a pointer lookup well under 1µs with
// 0 allocations; a seed criterion in a few µs (explanations allocate).

// benchScope answers like a runtime would: a switch on the kind, no maps of
// strings built per lookup.
type benchScope struct {
	status int
	body   any
}

func (s *benchScope) Lookup(r *Ref) (any, error) {
	switch r.Kind {
	case KindStatusCode:
		return s.status, nil
	case KindResponse:
		if r.Field == "body" {
			return s.body, nil
		}
	case KindInputs:
		return 3, nil
	}
	return nil, &AbsentError{Reason: "not set"}
}

func newBenchScope() *benchScope {
	return &benchScope{status: 200, body: map[string]any{
		"id": "ocid1.image.oc1..x", "lifecycleState": "AVAILABLE", "count": 5.0,
		"data": []any{map[string]any{"id": 7.0}}, "ok": true,
	}}
}

func BenchmarkParsePointerExpr(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("$response.body#/id"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEvalPointerExpr(b *testing.B) {
	e := MustParse("$response.body#/id")
	s := newBenchScope()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Eval(s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompileSeedCriteria(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := CompileCriterion(CriterionSpec{Condition: "$statusCode == 200"}); err != nil {
			b.Fatal(err)
		}
		if _, err := CompileCriterion(CriterionSpec{Context: "$response.body", Condition: `$.lifecycleState == "AVAILABLE"`, Type: "jsonpath"}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEvalStatusCriterion(b *testing.B) {
	c, _ := CompileCriterion(CriterionSpec{Condition: "$statusCode == 200"})
	s := newBenchScope()
	b.ReportAllocs()
	for b.Loop() {
		if !c.Eval(s).Pass {
			b.Fatal("fail")
		}
	}
}

func BenchmarkEvalSeedJSONPathCriterion(b *testing.B) {
	c, _ := CompileCriterion(CriterionSpec{Context: "$response.body", Condition: `$.lifecycleState == "AVAILABLE"`, Type: "jsonpath"})
	s := newBenchScope()
	b.ReportAllocs()
	for b.Loop() {
		if !c.Eval(s).Pass {
			b.Fatal("fail")
		}
	}
}

func BenchmarkEvalRFC9535Criterion(b *testing.B) {
	c, _ := CompileCriterion(CriterionSpec{Context: "$response.body", Condition: `$.data[?@.id == 7]`, Type: "jsonpath"})
	s := newBenchScope()
	b.ReportAllocs()
	for b.Loop() {
		if !c.Eval(s).Pass {
			b.Fatal("fail")
		}
	}
}

const fiveClauses = "$statusCode == 200 && $response.body#/lifecycleState == 'available' && $response.body#/count > $inputs.n && $response.body.data[0].id == 7 && $response.body#/ok"

func BenchmarkParseFiveClauseCondition(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseCondition(fiveClauses); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEvalFiveClauseCondition(b *testing.B) {
	c, _ := ParseCondition(fiveClauses)
	s := newBenchScope()
	b.ReportAllocs()
	for b.Loop() {
		if ok, err := c.Eval(s); !ok || err != nil {
			b.Fatal("fail", err)
		}
	}
}

func BenchmarkEvalFiveClauseCriterion(b *testing.B) {
	c, _ := CompileCriterion(CriterionSpec{Condition: fiveClauses})
	s := newBenchScope()
	b.ReportAllocs()
	for b.Loop() {
		if !c.Eval(s).Pass {
			b.Fatal("fail")
		}
	}
}

func BenchmarkEvalTemplate(b *testing.B) {
	v, _ := ParseValue("image {$response.body#/id} is {$response.body#/lifecycleState}")
	s := newBenchScope()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Eval(s); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckSeedJSONPathCriterion is the seed's poll criterion as a
// caller that shows only failures evaluates it (runtime Options.Lean).
func BenchmarkCheckSeedJSONPathCriterion(b *testing.B) {
	c, _ := CompileCriterion(CriterionSpec{Context: "$response.body", Condition: `$.lifecycleState == "AVAILABLE"`, Type: "jsonpath"})
	s := newBenchScope()
	b.ReportAllocs()
	for b.Loop() {
		if !c.Check(s).Pass {
			b.Fatal("fail")
		}
	}
}

func BenchmarkCheckStatusCriterion(b *testing.B) {
	c, _ := CompileCriterion(CriterionSpec{Condition: "$statusCode == 200"})
	s := newBenchScope()
	b.ReportAllocs()
	for b.Loop() {
		if !c.Check(s).Pass {
			b.Fatal("fail")
		}
	}
}
