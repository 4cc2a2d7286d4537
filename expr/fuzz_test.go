package expr

import (
	"encoding/json"
	"testing"
)

var exprSeeds = []string{
	"$url", "$method", "$statusCode", "$self", "$request.header.X-Api-Key", "$request.query.page",
	"$request.path.id", "$request.body#/a/0", "$response.body", "$response.body#/a~1b/~0c",
	"$response.headers.Location", "$response.body.data[0].id", "$message.payload#/x",
	"$inputs.a.b", "$inputs.a#/0", "$outputs.x", "$steps.s.outputs.o#/p", "$workflows.w.inputs.i",
	"$sourceDescriptions.api.getPet", "$components.parameters.p", "$inputs.l[3]", "$", "$x", "$response.body#",
}

func FuzzParse(f *testing.F) {
	for _, s := range exprSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		e, err := Parse(src)
		if err != nil {
			return
		}
		s1 := e.String()
		e2, err := Parse(s1)
		if err != nil {
			t.Fatalf("Parse(%q).String() = %q does not parse: %v", src, s1, err)
		}
		if s2 := e2.String(); s2 != s1 {
			t.Fatalf("String() not stable: %q -> %q -> %q", src, s1, s2)
		}
		_, _ = e.Eval(MapScope{"$response.body": map[string]any{"a": []any{1.0}}})
	})
}

func FuzzParseValue(f *testing.F) {
	for _, s := range exprSeeds {
		f.Add(s)
	}
	for _, s := range []string{"Bearer {$inputs.token}", "Bearer $inputs.token", "$100", "$.items[*]",
		"{$sourceDescriptions.a.url}#/paths/~1x/get", "a {$inputs.x} b {$steps.s.outputs.y#/0} c", "{$inputs.a", "{{$inputs.a}}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		v, err := ParseValue(src)
		if err != nil {
			return
		}
		s1 := v.String()
		v2, err := ParseValue(s1)
		if err != nil {
			t.Fatalf("ParseValue(%q).String() = %q does not parse: %v", src, s1, err)
		}
		if s2 := v2.String(); s2 != s1 || v2.Kind() != v.Kind() && v.Kind() != Literal {
			t.Fatalf("String() not stable: %q -> %q (%v) -> %q (%v)", src, s1, v.Kind(), s2, v2.Kind())
		}
		_, _ = v.Eval(MapScope{"$inputs.x": map[string]any{"a": nil}})
	})
}

func FuzzParseCondition(f *testing.F) {
	for _, s := range []string{"$statusCode == 200", "$a && $b || !($c < 'x''y')", `$response.body#/s == "x"`,
		"$response.body.data[0].id != null && $inputs.n >= -1.5e3", "!!true", "(1 < 2) || null == null",
		"$statusCode === 200", "$inputs.a && ($inputs.b || $inputs.c)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		c, err := ParseCondition(src)
		if err != nil {
			return
		}
		s1 := c.String()
		c2, err := ParseCondition(s1)
		if err != nil {
			t.Fatalf("ParseCondition(%q).String() = %q does not parse: %v", src, s1, err)
		}
		if s2 := c2.String(); s2 != s1 {
			t.Fatalf("String() not stable: %q -> %q -> %q", src, s1, s2)
		}
		_, _, _ = c.Explain(MapScope{"$statusCode": 200, "$response.body": map[string]any{"s": "x"}})
	})
}

// FuzzCriterion feeds random conditions and JSON bodies to the jsonpath and
// regex criteria: nothing may panic.
func FuzzCriterion(f *testing.F) {
	f.Add(`$.lifecycleState == "STOPPED"`, `{"lifecycleState":"STOPPED"}`)
	f.Add(`$[?count(@.pets) > 0]`, `{"pets":[1]}`)
	f.Add(`$.data.length > 0 && $[0].a == 'x'`, `[{"a":"x"}]`)
	f.Add(`^(a+)+$`, `"aaaa"`)
	// the catalogs' dialect (issue 11 §5)
	f.Add(`$.data[?(@.id == 'x')].length == 0`, `{"data":[{"id":"x"}]}`)
	f.Add(`$.data[?@.n > 1].length >= $inputs.n && $..id.length != 0`, `{"data":[{"n":2,"id":1}]}`)
	f.Add(`$.items[*].length > 0 || $.a[0:2].length < 3`, `{"items":[1],"a":[1,2,3]}`)
	f.Add(`$.input_tokens <= $inputs.n`, `{"input_tokens":3}`)
	f.Add(`$steps.me.outputs.id == $.owner`, `{"owner":"u"}`)
	f.Add(`$.items[?(@.name == '$inputs.name')]`, `{"items":[{"name":"$inputs.name"}]}`)
	f.Add(`$.name == '$inputs.name' && $.x[?(@.a == "]")].length == 1`, `{"name":"n","x":[{"a":"]"}]}`)
	f.Add(`^$inputs.name$`, `"$inputs.name"`)
	f.Add(`$.a[?(@.b == 'x'.length == 0`, `{}`)
	f.Fuzz(func(t *testing.T, cond, doc string) {
		var body any
		if json.Unmarshal([]byte(doc), &body) != nil {
			body = doc
		}
		scope := MapScope{"$response.body": body, "$inputs.n": 2, "$inputs.name": "n", "$steps.me.outputs.id": "u"}
		for _, typ := range []string{"jsonpath", "regex", "simple", "xpath"} {
			c, err := CompileCriterion(CriterionSpec{Context: "$response.body", Condition: cond, Type: typ})
			if err != nil {
				continue
			}
			out := c.Eval(scope)
			if out.Pass && out.Err != nil {
				t.Fatalf("%s %q passed with error %v", typ, cond, out.Err)
			}
			if c.Check(scope).Pass != out.Pass {
				t.Fatalf("%s %q: Check and Eval disagree", typ, cond)
			}
			for _, s := range []Scope{scope, &walkingPathScope{MapScope: scope}} {
				if pass, sure := c.Decide(s); sure {
					if o := c.Eval(s); o.Pass != pass || o.Err != nil {
						t.Fatalf("%s %q on %T: Decide is sure of %v, Eval gives %v/%v", typ, cond, s, pass, o.Pass, o.Err)
					}
				}
			}
			for _, n := range c.Notes() {
				if n.Offset < 0 || n.End < n.Offset || n.End > len(cond) {
					t.Fatalf("%s %q: note %+v outside the condition", typ, cond, n)
				}
			}
			for _, r := range c.Refs() {
				if c.ctx != nil && r == &c.ctx.ref {
					continue // offsets into the context
				}
				if r.Offset < 0 || r.End < r.Offset || r.End > len(cond) {
					t.Fatalf("%s %q: ref %+v outside the condition", typ, cond, r)
				}
			}
		}
	})
}

// FuzzPointer walks random pointers and navigation over random JSON.
func FuzzPointer(f *testing.F) {
	f.Add("/a/0/b", `{"a":[{"b":1}]}`)
	f.Add("/~1/~0", `{"/":{"~":2}}`)
	f.Add("/x/y", `"{\"x\":{\"y\":3}}"`)
	f.Fuzz(func(t *testing.T, ptr, doc string) {
		var v any
		if json.Unmarshal([]byte(doc), &v) != nil {
			v = doc
		}
		if p, err := ParsePointer(ptr); err == nil {
			_, _ = p.Get(v)
		}
		if e, err := Parse("$response.body#" + ptr); err == nil {
			_, _ = e.Eval(MapScope{"$response.body": v})
		}
		if e, err := Parse("$response.body." + ptr); err == nil {
			_, _ = e.Eval(MapScope{"$response.body": v})
		}
	})
}
