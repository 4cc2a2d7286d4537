package expr

import (
	"encoding/json"
	"math"
	"testing"
)

func TestStringify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   any
		want string
	}{
		{nil, ""}, {"s", "s"}, {[]byte("b"), "b"}, {true, "true"}, {json.Number("1.50"), "1.50"},
		{200.0, "200"}, {2.5, "2.5"}, {float32(1.5), "1.5"}, {1e21, "1e+21"}, {-0.0001, "-0.0001"},
		{int(-3), "-3"}, {int8(8), "8"}, {int16(16), "16"}, {int32(32), "32"}, {int64(64), "64"},
		{uint(1), "1"}, {uint8(8), "8"}, {uint16(16), "16"}, {uint32(32), "32"}, {uint64(math.MaxUint64), "18446744073709551615"},
		{map[string]any{"a": []any{1, nil}}, `{"a":[1,null]}`}, {[]string{"x"}, `["x"]`},
		{func() {}, "<unprintable func()>"},
	}
	for _, tc := range tests {
		if got := Stringify(tc.in); got != tc.want {
			t.Errorf("Stringify(%#v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestComparisonDialectExplanations(t *testing.T) {
	t.Parallel()
	ctx := body(t, `{"data":[{"state":"up"}],"ok":true,"n":null,"s":"x"}`)
	tests := []struct {
		cond string
		pass bool
		why  string
	}{
		{`$.missing.x == 1`, false, `$.missing.x is absent (member "missing" not found at $), expected == 1 (jsonpath comparison dialect)`},
		{`$.data[5].state == 'x'`, false, `$.data[5].state is absent (index 5 out of range at $.data), expected == 'x' (jsonpath comparison dialect)`},
		{`$.s.x == 'x'`, false, `$.s.x is absent (no object at $.s), expected == 'x' (jsonpath comparison dialect)`},
		{`$.s[0] == 'x'`, false, `$.s[0] is absent (no array at $.s), expected == 'x' (jsonpath comparison dialect)`},
		{`$.ok && $.data[0].state == "UP"`, true, `$.ok was true; $.data[0].state was "up", expected == 'UP' (jsonpath comparison dialect)`},
		{`$.n || $.nope`, false, `$.n was null; $.nope selected nothing (member "nope" not found at $) (jsonpath comparison dialect)`},
		{`1 == $.data.length`, true, `$.data.length was 1, expected 1 == $.data.length (jsonpath comparison dialect)`},
	}
	for _, tc := range tests {
		out := mustCriterion(t, CriterionSpec{Context: "$response.body", Condition: tc.cond, Type: "jsonpath"}).Eval(MapScope{"$response.body": ctx})
		if out.Pass != tc.pass || out.Explanation != tc.why || out.Err != nil {
			t.Errorf("%s = %v %q %v\nwant %v %q", tc.cond, out.Pass, out.Explanation, out.Err, tc.pass, tc.why)
		}
	}
}

func TestCompareNumericKinds(t *testing.T) {
	t.Parallel()
	nums := []any{int(5), int8(5), int16(5), int32(5), int64(5), uint(5), uint8(5), uint16(5), uint32(5), uint64(5), float32(5), 5.0, json.Number("5"), "5", " 5.0 "}
	for _, a := range nums {
		for _, b := range nums {
			if _, as := a.(string); as {
				if _, bs := b.(string); bs {
					continue // two strings compare as text
				}
			}
			if !compare(a, opEq, b) || compare(a, opLt, b) || !compare(a, opGe, b) {
				t.Errorf("%#v vs %#v: not equal", a, b)
			}
		}
	}
	if compare(math.NaN(), opEq, math.NaN()) || compare(json.Number("x"), opEq, 1) {
		t.Error("NaN or invalid json.Number compared equal")
	}
	if !compare("abc", opLt, "ABD") || !compare("Ärger", opEq, "ärger") || compare("a", opLt, 1) {
		t.Error("string ordering")
	}
}
