package expr

import (
	"errors"
	"reflect"
	"testing"
)

func TestParseValueKinds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		src  string
		kind ValueKind
		str  string // standard form
		rule string // expected single note, if any
	}{
		{"plain text", Literal, "plain text", ""},
		{"$100", Literal, "$100", ""},
		{"costs $5 and $inputsX", Literal, "costs $5 and $inputsX", ""},
		{"$.items[*]", Literal, "$.items[*]", ""},
		{"$[?@.a == 1]", Literal, "$[?@.a == 1]", ""},
		{"{not an expression}", Literal, "{not an expression}", ""},
		{"$inputs.token", Expression, "$inputs.token", ""},
		{"$response.body#/id", Expression, "$response.body#/id", ""},
		{"$statusCode", Expression, "$statusCode", ""},
		{"$response.body.a.b", Expression, "$response.body.a.b", RuleDotNavigation},
		{"$response.headers.Location", Expression, "$response.header.Location", RuleHeaderPlural},
		{"Bearer {$inputs.token}", Template, "Bearer {$inputs.token}", ""},
		{"{$inputs.token}", Template, "{$inputs.token}", ""},
		{"{$sourceDescriptions.api.url}#/paths/~1pets/get", Template, "{$sourceDescriptions.api.url}#/paths/~1pets/get", ""},
		{"id-{$steps.s.outputs.id}-{$inputs.n}", Template, "id-{$steps.s.outputs.id}-{$inputs.n}", ""},
		{"Bearer $inputs.token", Template, "Bearer {$inputs.token}", RuleUnbracedExpression},
		{"Hello $inputs.name.", Template, "Hello {$inputs.name}.", RuleUnbracedExpression},
		{"$inputs.a and more", Template, "{$inputs.a} and more", RuleUnbracedExpression},
		{"see $steps.x for details", Literal, "see $steps.x for details", RuleUnbracedExpression},
	}
	for _, tc := range tests {
		v, err := ParseValue(tc.src)
		if err != nil {
			t.Errorf("ParseValue(%q) error: %v", tc.src, err)
			continue
		}
		if v.Kind() != tc.kind || v.String() != tc.str {
			t.Errorf("ParseValue(%q) = %v %q, want %v %q", tc.src, v.Kind(), v.String(), tc.kind, tc.str)
		}
		var rules []string
		for _, n := range v.Notes() {
			rules = append(rules, n.Rule)
		}
		if (tc.rule == "" && len(rules) != 0) || (tc.rule != "" && (len(rules) != 1 || rules[0] != tc.rule)) {
			t.Errorf("ParseValue(%q) notes = %v, want %q", tc.src, rules, tc.rule)
		}
	}
	v, _ := ParseValue("Bearer $inputs.token")
	if fix := v.Notes()[0].Fix; fix != "Bearer {$inputs.token}" {
		t.Errorf("unbraced fix = %q", fix)
	}
}

func TestParseValueErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ src, msg string }{
		{"$steps.x", "expected \".outputs.<name>\" after \"$steps.x\""},
		{"Bearer {$inputs.token", "missing '}' after embedded expression \"{$inputs.token\""},
		{"{$nope.x}", "unknown runtime expression \"$nope\""},
		{"{$inputs.a b}", "unexpected \" \" in embedded expression \"{$inputs.a \""},
	}
	for _, tc := range tests {
		_, err := ParseValue(tc.src)
		var pe *Error
		if !errors.As(err, &pe) || pe.Msg != tc.msg {
			t.Errorf("ParseValue(%q) error = %v, want %q", tc.src, err, tc.msg)
		}
	}
}

func TestValueEval(t *testing.T) {
	t.Parallel()
	scope := MapScope{
		"$inputs.token":   "s3cr3t",
		"$inputs.n":       42,
		"$inputs.f":       2.5,
		"$inputs.big":     1e21,
		"$inputs.ok":      true,
		"$inputs.nothing": nil,
		"$inputs.obj":     map[string]any{"b": []any{1, "x"}},
		"$response.body":  map[string]any{"id": "i-1"},
		"$statusCode":     200,
		"$inputs.xml":     "<a/>",
	}
	tests := []struct {
		src  string
		want any
	}{
		{"$inputs.n", 42},
		{"$inputs.obj", map[string]any{"b": []any{1, "x"}}},
		{"$response.body#/id", "i-1"},
		{"{$inputs.n}", "42"}, // braces always mean string
		{"Bearer {$inputs.token}", "Bearer s3cr3t"},
		{"Bearer $inputs.token", "Bearer s3cr3t"},
		{"n={$inputs.n} f={$inputs.f} ok={$inputs.ok} nil=[{$inputs.nothing}]", "n=42 f=2.5 ok=true nil=[]"},
		{"{$inputs.big}", "1e+21"},
		{"obj={$inputs.obj}", `obj={"b":[1,"x"]}`},
		{"xml={$inputs.xml}", "xml=<a/>"},
		{"status {$statusCode}", "status 200"},
		{"$100", "$100"},
	}
	for _, tc := range tests {
		v, err := ParseValue(tc.src)
		if err != nil {
			t.Fatalf("ParseValue(%q): %v", tc.src, err)
		}
		got, err := v.Eval(scope)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseValue(%q).Eval = %#v, %v; want %#v", tc.src, got, err, tc.want)
		}
	}
	v, _ := ParseValue("x {$inputs.missing}")
	if _, err := v.Eval(scope); !errors.Is(err, ErrAbsent) {
		t.Errorf("template with absent value: err = %v, want ErrAbsent", err)
	}
}

func TestCompileData(t *testing.T) {
	t.Parallel()
	src := map[string]any{
		"$inputs.key": "$inputs.n", // keys are never evaluated
		"name":        "pet {$inputs.name}",
		"tags":        []any{"$inputs.n", "literal", 3, nil, map[string]any{"deep": "$statusCode"}},
		"price":       "$100",
	}
	d, err := CompileData(src)
	if err != nil {
		t.Fatal(err)
	}
	scope := MapScope{"$inputs.n": 5, "$inputs.name": "rex", "$statusCode": 201}
	got, err := d.Eval(scope)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"$inputs.key": 5,
		"name":        "pet rex",
		"tags":        []any{5, "literal", 3, nil, map[string]any{"deep": 201}},
		"price":       "$100",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Eval = %#v, want %#v", got, want)
	}
	var refs []string
	for _, r := range d.Refs() {
		refs = append(refs, r.String())
	}
	if want := []string{"$inputs.n", "$inputs.name", "$inputs.n", "$statusCode"}; !reflect.DeepEqual(refs, want) {
		t.Errorf("Refs = %v, want %v", refs, want)
	}
	// The compiled tree is not shared with results.
	got.(map[string]any)["tags"].([]any)[1] = "changed"
	again, _ := d.Eval(scope)
	if again.(map[string]any)["tags"].([]any)[1] != "literal" {
		t.Error("Eval result aliases the compiled data")
	}
	if _, err := CompileData(map[string]any{"a": []any{"{$inputs.x"}}); err == nil || err.Error() != "at /a/0: missing '}' after embedded expression \"{$inputs.x\"" {
		t.Errorf("CompileData error = %v", err)
	}
}
