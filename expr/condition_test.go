package expr

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestParseConditionString(t *testing.T) {
	t.Parallel()
	tests := []struct{ src, want string }{
		{"$statusCode == 200", ""},
		{"  $statusCode==200  ", "$statusCode == 200"},
		{"$statusCode == 200 && $response.body#/ok == true", ""},
		{"$response.body.data[0].id != null", ""},
		{"$response.body#/name == 'it''s'", ""},
		{`$response.body#/name == "STOPPED"`, "$response.body#/name == 'STOPPED'"},
		{`$response.body#/q == "say \"hi\""`, `$response.body#/q == 'say "hi"'`},
		{"!($statusCode == 200) || $inputs.force", ""},
		{"!$inputs.flag", ""},
		{"($statusCode >= 200 && $statusCode < 300) || $statusCode == 304", ""},
		{"$statusCode<=-1.5e3", "$statusCode <= -1.5e3"},
		{"true", ""},
		{"null == null", ""},
		{"$response.header.X-Rate-Limit > 0", ""},
		{"$response.body.count > $inputs.threshold", ""},
		{"$steps.s.outputs.list[1] == 'b'", ""},
		{"$statusCode === 200", "$statusCode == 200"},
	}
	for _, tc := range tests {
		c, err := ParseCondition(tc.src)
		if err != nil {
			t.Errorf("ParseCondition(%q) error: %v", tc.src, err)
			continue
		}
		want := tc.want
		if want == "" {
			want = tc.src
		}
		if got := c.String(); got != want {
			t.Errorf("ParseCondition(%q).String() = %q, want %q", tc.src, got, want)
		}
		c2, err := ParseCondition(c.String())
		if err != nil || c2.String() != c.String() {
			t.Errorf("reparse of %q: %v, %v", c.String(), c2, err)
		}
	}
}

func TestParseConditionPrecedence(t *testing.T) {
	t.Parallel()
	// || binds loosest, then &&, then ! and comparisons.
	scope := MapScope{"$inputs.t": true, "$inputs.f": false}
	tests := []struct {
		src  string
		want bool
	}{
		{"$inputs.t || $inputs.f && $inputs.f", true},    // t || (f && f)
		{"($inputs.t || $inputs.f) && $inputs.f", false}, // grouping
		{"!$inputs.f && $inputs.t", true},
		{"!($inputs.t && $inputs.f)", true},
		{"!!$inputs.t", true},
		{"$inputs.f || $inputs.f || $inputs.t", true},
		{"$inputs.t && $inputs.t && $inputs.f", false},
	}
	for _, tc := range tests {
		c, err := ParseCondition(tc.src)
		if err != nil {
			t.Fatalf("ParseCondition(%q): %v", tc.src, err)
		}
		got, err := c.Eval(scope)
		if err != nil || got != tc.want {
			t.Errorf("Eval(%q) = %v, %v; want %v", tc.src, got, err, tc.want)
		}
	}
}

func TestParseConditionErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		src, msg string
		off      int
	}{
		{"", "expected an operand at the end of condition \"\"", 0},
		{"$statusCode ==", "expected an operand at the end of condition \"$statusCode ==\"", 14},
		{"$statusCode = 200", "single '=' at offset 12; use '==' to compare", 12},
		{"$a & $b", "unknown runtime expression \"$a\"", 0},
		{"$inputs.a & $inputs.b", "single \"&\" at offset 10; use \"&&\"", 10},
		{"1 < $inputs.x < 3", "comparisons do not chain: \"<\" at offset 14; use && between comparisons", 14},
		{"($statusCode == 200", "missing ')' in condition \"($statusCode == 200\"", 19},
		{"$statusCode == 200)", "unexpected \")\" at offset 18", 18},
		{"$statusCode == 'abc", "unterminated string starting at offset 15", 15},
		{"$statusCode == STOPPED", "unexpected word \"STOPPED\" at offset 15; strings need single quotes, expressions start with '$'", 15},
		{"!$statusCode == 200", "'!' at offset 0 applies to one operand; write !( ... ) to negate a comparison", 0},
		{"($inputs.a) == 1", "cannot compare a parenthesised condition at offset 12", 12},
		{"$statusCode == 1.2.3", "invalid number \"1.2.3\" at offset 15", 15},
		{"$.lifecycleState == 'x'", "\"$.\" starts a JSONPath, not a runtime expression; write $response.body#/<pointer> or use a jsonpath criterion", 0},
		{"$statusCode == 200 200", "unexpected \"200\" at offset 19", 19},
		{"$statusCode == #", "unexpected \"#\" at offset 15", 15},
	}
	for _, tc := range tests {
		_, err := ParseCondition(tc.src)
		var pe *Error
		if !errors.As(err, &pe) {
			t.Errorf("ParseCondition(%q) error = %v, want *Error", tc.src, err)
			continue
		}
		if pe.Msg != tc.msg || pe.Offset != tc.off {
			t.Errorf("ParseCondition(%q) error = %q at %d, want %q at %d", tc.src, pe.Msg, pe.Offset, tc.msg, tc.off)
		}
	}
}

// TestConditionSemantics covers the rows of notes §7.1.
func TestConditionSemantics(t *testing.T) {
	t.Parallel()
	var body any
	if err := json.Unmarshal([]byte(`{"state":"Stopped","count":"12","n":12,"items":[],"data":[{"id":7}],"nil":null,"yes":true,"no":false,"s":"abc","obj":{"a":1}}`), &body); err != nil {
		t.Fatal(err)
	}
	var numBody any
	dec := json.NewDecoder(strings.NewReader(`{"n":12}`))
	dec.UseNumber()
	if err := dec.Decode(&numBody); err != nil {
		t.Fatal(err)
	}
	scope := MapScope{
		"$statusCode":       200,
		"$response.body":    body,
		"$request.body":     numBody,
		"$inputs.threshold": "10",
		"$inputs.i8":        int8(5),
		"$inputs.u64":       uint64(5),
		"$inputs.f32":       float32(2.5),
	}
	tests := []struct {
		src  string
		want bool
	}{
		{"$statusCode == 200", true},
		{"$statusCode == 201", false},
		{"$statusCode != 201", true},
		{"$statusCode >= 200 && $statusCode < 300", true},
		// case-insensitive strings
		{"$response.body#/state == 'STOPPED'", true},
		{"$response.body#/state != 'stopped'", false},
		{"$response.body#/s < 'ABD'", true},
		{"$response.body#/s > 'ABC'", false},
		{"$response.body#/s >= 'ABC'", true},
		// numeric strings coerced against numbers
		{"$response.body#/count == 12", true},
		{"$response.body#/count > 9", true}, // as strings "12" < "9"
		{"$response.body#/n > $inputs.threshold", true},
		{"$response.body#/s == 0", false},
		{"$response.body#/s != 0", true},
		{"$request.body#/n == 12", true}, // json.Number
		{"$inputs.i8 == 5 && $inputs.u64 == 5.0 && $inputs.f32 == 2.5", true},
		// null equals only null
		{"$response.body#/nil == null", true},
		{"$response.body#/nil != null", false},
		{"$response.body#/s == null", false},
		{"$response.body#/s != null", true},
		{"null == null", true},
		{"$response.body#/nil == 0", false},
		{"$response.body#/nil == ''", false},
		{"$response.body#/nil == false", false},
		// relational with null is false
		{"$response.body#/nil < 1", false},
		{"$response.body#/nil >= 0", false},
		{"null <= null", false},
		// absent operands make comparisons false, both == and !=
		{"$response.body#/missing == null", false},
		{"$response.body#/missing != null", false},
		{"$response.body#/missing != 'x'", false},
		{"$inputs.nope == 1", false},
		{"!($response.body#/missing == 1)", true},
		// booleans
		{"$response.body#/yes == true", true},
		{"$response.body#/yes == 'TRUE'", true},
		{"$response.body#/yes < true", false},
		{"$response.body#/yes", true},
		{"$response.body#/no", false},
		{"$response.body#/nil", false},
		{"$response.body#/missing", false},
		{"$response.body#/items", true}, // present, not null/false
		{"!$response.body#/missing", true},
		// navigation in operands
		{"$response.body.data[0].id == 7", true},
		{"$response.body.data[1].id == 7", false},
		{"$response.body.obj.a == 1", true},
		// JavaScript-style .length of arrays and strings
		{"$response.body.items.length == 0", true},
		{"$response.body.data.length > 0", true},
		{"$response.body.s.length == 3", true},
		{"$response.body.obj.length == 1", false},
		{"{$statusCode} == 200", true},
		// composites
		{"$response.body#/obj == $response.body#/obj", true},
		{"$response.body#/obj == 'x'", false},
		{"$response.body#/items < 1", false},
	}
	for _, tc := range tests {
		c, err := ParseCondition(tc.src)
		if err != nil {
			t.Errorf("ParseCondition(%q): %v", tc.src, err)
			continue
		}
		got, err := c.Eval(scope)
		if err != nil || got != tc.want {
			t.Errorf("Eval(%q) = %v, %v; want %v", tc.src, got, err, tc.want)
		}
	}
}

type failingScope struct{}

func (failingScope) Lookup(*Ref) (any, error) { return nil, errors.New("connection reset") }

func TestConditionScopeError(t *testing.T) {
	t.Parallel()
	c, _ := ParseCondition("$statusCode == 200")
	ok, err := c.Eval(failingScope{})
	if ok || err == nil || err.Error() != "$statusCode: connection reset" {
		t.Errorf("Eval = %v, %v", ok, err)
	}
}

func TestConditionNotes(t *testing.T) {
	t.Parallel()
	tests := []struct{ src, rule, fix string }{
		{`$response.body#/s == "x"`, RuleDoubleQuotes, "$response.body#/s == 'x'"},
		{"$response.body#/ok", RuleBareOperand, ""},
		{"$response.headers.X == 'a'", RuleHeaderPlural, "$response.header.X"},
		{"$statusCode === 200", RuleEqualsTypo, "$statusCode == 200"},
		{"{$statusCode} == 200", RuleBracedOperand, "$statusCode"},
	}
	for _, tc := range tests {
		c, err := ParseCondition(tc.src)
		if err != nil {
			t.Fatalf("ParseCondition(%q): %v", tc.src, err)
		}
		n := c.Notes()
		if len(n) != 1 || n[0].Rule != tc.rule || n[0].Fix != tc.fix {
			t.Errorf("ParseCondition(%q).Notes() = %+v, want %s %q", tc.src, n, tc.rule, tc.fix)
		}
	}
	for _, src := range []string{"$response.body.a.b == 1", "$statusCode == 200", "true"} {
		c, _ := ParseCondition(src)
		if len(c.Notes()) != 0 {
			t.Errorf("ParseCondition(%q) has notes %+v", src, c.Notes())
		}
	}
}

func TestConditionExplain(t *testing.T) {
	t.Parallel()
	scope := MapScope{
		"$statusCode":    200,
		"$response.body": map[string]any{"lifecycleState": "PROVISIONING"},
		"$inputs.token":  "s3cr3t",
	}
	tests := []struct {
		src, want string
		pass      bool
	}{
		{"$response.body#/lifecycleState == 'AVAILABLE'", `$response.body#/lifecycleState was "PROVISIONING", expected == 'AVAILABLE'`, false},
		{"$statusCode == 200 && $response.body#/x == 1", `$statusCode was 200, expected == 200; $response.body#/x is absent (json pointer: member "x" not found at the root), expected == 1`, false},
		{"$statusCode == 404 || 200 == $statusCode", `$statusCode was 200, expected == 404; $statusCode was 200, expected 200 == $statusCode`, true},
		{"$inputs.token == 'x'", `$inputs.token was <redacted>, expected == 'x'`, false},
		{"$steps.s.outputs.id == 'x'", `$steps.s.outputs.id is absent ($steps.s.outputs.id: not set), expected == 'x'`, false},
		{"$response.body#/lifecycleState", `$response.body#/lifecycleState was "PROVISIONING"`, true},
	}
	for _, tc := range tests {
		c, err := ParseCondition(tc.src)
		if err != nil {
			t.Fatal(err)
		}
		pass, got, err := c.Explain(scope)
		if err != nil || pass != tc.pass || got != tc.want {
			t.Errorf("Explain(%q) = %v, %q, %v\nwant %v, %q", tc.src, pass, got, err, tc.pass, tc.want)
		}
	}
}

func TestConditionErrorQuotesWholeCharacter(t *testing.T) {
	for _, src := range []string{"😀 $statusCode == 1", "$statusCode == 1 && é"} {
		_, err := ParseCondition(src)
		if err == nil {
			t.Fatalf("ParseCondition(%q) succeeded", src)
		}
		if strings.Contains(err.Error(), `\x`) {
			t.Errorf("ParseCondition(%q) error %q quotes a byte instead of the character", src, err)
		}
	}
	_, err := ParseValue("{$inputs.aé}")
	if err == nil || strings.Contains(err.Error(), `\x`) {
		t.Errorf("ParseValue error = %v, want the whole character quoted", err)
	}
}
