package expr

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// noteOf returns the notes of one rule.
func noteOf(notes []Note, rule string) []Note {
	var out []Note
	for _, n := range notes {
		if n.Rule == rule {
			out = append(out, n)
		}
	}
	return out
}

// dialectScope is a response body with an id list, plus inputs and a step
// output for the comparisons with runtime expressions.
func dialectScope(t *testing.T, doc string) MapScope {
	return MapScope{
		"$response.body":          body(t, doc),
		"$inputs.budget":          100,
		"$inputs.name":            "Rex",
		"$steps.me.outputs.id":    "u-1",
		"$statusCode":             200,
		"$inputs.emptyList":       []any{},
		"$inputs.secretToken":     "s3cr3t",
		"$steps.me.outputs.limit": "2",
	}
}

// TestDialectLength: ".length" on a filter result is the number of nodes
// it selects, on an array path its number of elements; both branches.
func TestDialectLength(t *testing.T) {
	t.Parallel()
	doc := `{"data":[{"id":"x","n":1},{"id":"y","n":2},{"id":"X","n":3}],"items":[1,2],"none":[],"name":"abc","obj":{"length":7}}`
	tests := []struct {
		cond string
		want bool
		fix  string // Fix of the jsonpath-length note ("" = none)
		at   string // the text the note marks
	}{
		{`$.data[?(@.id == 'x')].length == 0`, false, "", ".length"},
		{`$.data[?(@.id == 'z')].length == 0`, true, "", ".length"},
		{`$.data[?(@.id == 'x')].length > 0`, true, `$.data[?(@.id == 'x')]`, ".length"},
		{`$.data[?(@.id == 'z')].length > 0`, false, `$.data[?(@.id == 'z')]`, ".length"},
		{`$.data[?(@.id == "x")].length == 1`, true, "", ".length"},          // RFC filters compare case-sensitively
		{`$.data[?@.n >= 2].length == 2`, true, "", ".length"},               // numbers in filters
		{`0 < $.data[?@.n > 2].length`, true, `$.data[?@.n > 2]`, ".length"}, // literal on the left
		{`$.data[*].length == 3`, true, "", ".length"},
		{`$..id.length >= 3`, true, "", ".length"},
		{`$.data[0:2].length == 2`, true, "", ".length"},
		{`$.items.length > 0`, true, `$.items[*]`, ".length"},
		{`$.none.length > 0`, false, `$.none[*]`, ".length"},
		{`$.none.length == 0`, true, "", ".length"},
		{`$.name.length == 3`, true, "", ".length"},
		{`$.obj.length == 7`, true, "", ".length"}, // an object's own member
		{`$.missing[?@.id == 'x'].length == 0`, true, "", ".length"},
		{`$.data[?(@.id == 'x')].length == 1 && $.items.length != 0`, true, "", ".length"},
	}
	for _, tc := range tests {
		c := mustCriterion(t, CriterionSpec{Context: "$response.body", Condition: tc.cond, Type: "jsonpath"})
		out := c.Eval(dialectScope(t, doc))
		if out.Err != nil || out.Pass != tc.want {
			t.Errorf("%s = %v (%v, %s), want %v", tc.cond, out.Pass, out.Err, out.Explanation, tc.want)
		}
		// Check gives the same answer without explaining.
		if got := c.Check(dialectScope(t, doc)); got.Pass != tc.want {
			t.Errorf("%s: Check = %v, want %v", tc.cond, got.Pass, tc.want)
		}
		if main := noteOf(c.Notes(), RuleJSONPathDialect); len(main) != 1 {
			t.Errorf("%s: %d jsonpath-comparison-dialect notes, want 1", tc.cond, len(main))
		}
		ln := noteOf(c.Notes(), RuleJSONPathLength)
		if len(ln) == 0 {
			t.Errorf("%s: no jsonpath-length note in %+v", tc.cond, c.Notes())
			continue
		}
		if got := tc.cond[ln[0].Offset:ln[0].End]; got != tc.at {
			t.Errorf("%s: note marks %q, want %q", tc.cond, got, tc.at)
		}
		if ln[0].Fix != tc.fix {
			t.Errorf("%s: fix = %q, want %q", tc.cond, ln[0].Fix, tc.fix)
		}
	}
}

// TestDialectLengthUntyped: the same forms in a criterion without type
// (a simple criterion with a context) evaluate the same way.
func TestDialectLengthUntyped(t *testing.T) {
	t.Parallel()
	sc := dialectScope(t, `{"data":[{"id":"x"}]}`)
	for cond, want := range map[string]bool{
		`$.data[?(@.id == 'x')].length == 0`: false,
		`$.data[?(@.id == 'y')].length == 0`: true,
	} {
		c := mustCriterion(t, CriterionSpec{Context: "$response.body", Condition: cond})
		if out := c.Eval(sc); out.Err != nil || out.Pass != want {
			t.Errorf("%s = %v (%v, %s), want %v", cond, out.Pass, out.Err, out.Explanation, want)
		}
		if len(noteOf(c.Notes(), RuleJSONPathLength)) != 1 {
			t.Errorf("%s: notes %+v", cond, c.Notes())
		}
	}
}

// TestDialectRuntimeExpressions: the other side of a comparison may be a
// runtime expression; it is evaluated through the criterion's scope.
func TestDialectRuntimeExpressions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		cond, doc string
		want      bool
		fix       string
	}{
		{`$.input_tokens <= $inputs.budget`, `{"input_tokens":90}`, true, "$response.body#/input_tokens <= $inputs.budget"},
		{`$.input_tokens <= $inputs.budget`, `{"input_tokens":120}`, false, "$response.body#/input_tokens <= $inputs.budget"},
		{`$.owner == $steps.me.outputs.id`, `{"owner":"u-1"}`, true, "$response.body#/owner == $steps.me.outputs.id"},
		{`$.owner == $steps.me.outputs.id`, `{"owner":"u-2"}`, false, "$response.body#/owner == $steps.me.outputs.id"},
		{`$steps.me.outputs.id == $.owner`, `{"owner":"U-1"}`, true, "$steps.me.outputs.id == $response.body#/owner"},
		{`$.count >= $steps.me.outputs.limit && $statusCode == 200`, `{"count":2}`, true, "$response.body#/count >= $steps.me.outputs.limit && $statusCode == 200"},
		{`$.data[?@.ok == true].length >= $steps.me.outputs.limit`, `{"data":[{"ok":true},{"ok":true}]}`, true, ""},
		{`$.data[?@.ok == true].length >= $steps.me.outputs.limit`, `{"data":[{"ok":true},{"ok":false}]}`, false, ""},
		// an absent operand fails the comparison, as in simple conditions
		{`$.owner == $inputs.missing`, `{"owner":"u-1"}`, false, "$response.body#/owner == $inputs.missing"},
	}
	for _, tc := range tests {
		for _, typ := range []string{"jsonpath", ""} {
			c := mustCriterion(t, CriterionSpec{Context: "$response.body", Condition: tc.cond, Type: typ})
			out := c.Eval(dialectScope(t, tc.doc))
			if out.Err != nil || out.Pass != tc.want {
				t.Errorf("%s (type %q) on %s = %v (%v, %s), want %v", tc.cond, typ, tc.doc, out.Pass, out.Err, out.Explanation, tc.want)
			}
			if got := c.Check(dialectScope(t, tc.doc)); got.Pass != tc.want {
				t.Errorf("%s (type %q): Check = %v, want %v", tc.cond, typ, got.Pass, tc.want)
			}
			notes := noteOf(c.Notes(), RuleJSONPathExpression)
			if len(notes) == 0 {
				t.Errorf("%s: no %s note in %+v", tc.cond, RuleJSONPathExpression, c.Notes())
				continue
			}
			at := tc.cond[notes[0].Offset:notes[0].End]
			if !strings.HasPrefix(at, "$") || strings.HasPrefix(at, "$.") || strings.Contains(at, " ") {
				t.Errorf("%s: note marks %q, want the runtime expression", tc.cond, at)
			}
			if notes[0].Fix != tc.fix {
				t.Errorf("%s: fix = %q, want %q", tc.cond, notes[0].Fix, tc.fix)
			}
			// The expression's reference is visible with its own offsets.
			var names []string
			for _, r := range c.Refs() {
				if r.Offset > 0 || strings.HasPrefix(tc.cond, "$steps") {
					names = append(names, tc.cond[r.Offset:r.End])
				}
			}
			if !slices.Contains(names, at) {
				t.Errorf("%s: refs %v do not include %q", tc.cond, names, at)
			}
		}
	}
}

// TestDialectRuntimeExpressionThroughPathScope: the lazy evaluation over a
// PathScope hands runtime expressions to the scope too.
func TestDialectRuntimeExpressionThroughPathScope(t *testing.T) {
	t.Parallel()
	c := mustCriterion(t, CriterionSpec{Context: "$response.body", Condition: `$.owner == $inputs.name`, Type: "jsonpath"})
	for doc, want := range map[string]bool{`{"owner":"rex"}`: true, `{"owner":"max"}`: false} {
		ps := &countingPathScope{MapScope: dialectScope(t, doc)}
		if out := c.Eval(ps); out.Err != nil || out.Pass != want {
			t.Errorf("%s = %v (%v, %s), want %v", doc, out.Pass, out.Err, out.Explanation, want)
		}
		if ps.paths == 0 {
			t.Errorf("%s: the query did not go through LookupPath", doc)
		}
	}
}

// countingPathScope answers LookupPath by walking the MapScope's value.
type countingPathScope struct {
	MapScope
	paths int
}

func (p *countingPathScope) LookupPath(ref *Ref, path []Step) (any, bool) {
	v, err := p.Lookup(ref)
	if err != nil {
		return nil, false
	}
	for _, s := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[s.Name]; !ok {
			return nil, false
		}
	}
	p.paths++
	return v, true
}

// TestExpressionInLiteral: runtime expressions inside string literals and
// patterns are matched as written, with a note that shows the intended
// form, at the expression's own offsets.
func TestExpressionInLiteral(t *testing.T) {
	t.Parallel()
	tests := []struct {
		typ, cond string
		doc       string
		want      bool
		fix       string
	}{
		// the literal is compared as written: true only for a body holding the text itself
		{"jsonpath", `$.name == '$inputs.name'`, `{"name":"Rex"}`, false, "$response.body#/name == $inputs.name"},
		{"jsonpath", `$.name == '$inputs.name'`, `{"name":"$inputs.name"}`, true, "$response.body#/name == $inputs.name"},
		{"jsonpath", `$.items[?(@.name == '$inputs.name')]`, `{"items":[{"name":"Rex"}]}`, false, `$.items[?(@.name == '{$inputs.name}')]`},
		{"jsonpath", `$.items[?(@.name == "$inputs.name")]`, `{"items":[{"name":"$inputs.name"}]}`, true, `$.items[?(@.name == "{$inputs.name}")]`},
		{"jsonpath", `$.label == 'user-$inputs.name'`, `{"label":"user-Rex"}`, false, `$.label == 'user-{$inputs.name}'`},
		{"", `$response.body#/name == '$inputs.name'`, `{"name":"Rex"}`, false, "$response.body#/name == $inputs.name"},
		{"", `$response.body#/name == 'Mr $inputs.name'`, `{"name":"Mr Rex"}`, false, ""}, // no template in simple conditions
		{"regex", `^$inputs.name$`, `"Rex"`, false, `^{$inputs.name}$`},
		{"xpath", `//pet[name='$inputs.name']`, `"<pets><pet><name>Rex</name></pet></pets>"`, false, `//pet[name='{$inputs.name}']`},
	}
	for _, tc := range tests {
		c := mustCriterion(t, CriterionSpec{Context: "$response.body", Condition: tc.cond, Type: tc.typ})
		sc := dialectScope(t, tc.doc)
		if out := c.Eval(sc); out.Err != nil || out.Pass != tc.want {
			t.Errorf("%s %s on %s = %v (%v, %s), want %v", tc.typ, tc.cond, tc.doc, out.Pass, out.Err, out.Explanation, tc.want)
		}
		notes := noteOf(c.Notes(), RuleExpressionInText)
		if len(notes) != 1 {
			t.Errorf("%s: %s notes = %+v, want 1", tc.cond, RuleExpressionInText, c.Notes())
			continue
		}
		if at := tc.cond[notes[0].Offset:notes[0].End]; at != "$inputs.name" {
			t.Errorf("%s: note marks %q, want $inputs.name", tc.cond, at)
		}
		if notes[0].Fix != tc.fix {
			t.Errorf("%s: fix = %q, want %q", tc.cond, notes[0].Fix, tc.fix)
		}
		// A literal is not a reference: validation must not check it.
		for _, r := range c.Refs() {
			if r.Offset == notes[0].Offset {
				t.Errorf("%s: the literal's text became a reference", tc.cond)
			}
		}
	}
	// The written fix does what the author meant.
	c := mustCriterion(t, CriterionSpec{Context: "$response.body", Condition: `$.items[?(@.name == '{$inputs.name}')]`, Type: "jsonpath"})
	if out := c.Eval(dialectScope(t, `{"items":[{"name":"Rex"}]}`)); !out.Pass {
		t.Errorf("braced fix does not pass: %+v", out)
	}
	// Not expressions: prices, JSONPath roots, braced expressions, plain regex anchors.
	for _, spec := range []CriterionSpec{
		{Context: "$response.body", Condition: `$.price == '$100'`, Type: "jsonpath"},
		{Context: "$response.body", Condition: `$.a[?@.b == '{$inputs.name}']`, Type: "jsonpath"},
		{Context: "$response.body", Condition: `^ok$`, Type: "regex"},
		{Context: "$response.body", Condition: `$.name == $inputs.name`, Type: "jsonpath"},
		{Condition: `$statusCode == 200 && $response.body#/a == 'x'`},
	} {
		c := mustCriterion(t, spec)
		if n := noteOf(c.Notes(), RuleExpressionInText); len(n) != 0 {
			t.Errorf("%s: unexpected notes %+v", spec.Condition, n)
		}
	}
}

// TestDialectErrors: forms that still cannot be read are errors placed
// on the offending query.
func TestDialectErrors(t *testing.T) {
	t.Parallel()
	for cond, want := range map[string]string{
		`$.data[?(@.id == 'x')].id == 'x'`: "can select several nodes",
		`$.data[?(@.id == ].length == 0`:   "invalid jsonpath",
		`$.data[?(@.id == 'x'.length == 0`: "missing ']'",
	} {
		_, err := CompileCriterion(CriterionSpec{Context: "$response.body", Condition: cond, Type: "jsonpath"})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %q", cond, err, want)
		}
	}
}

// mediaMapScope is a MapScope that knows the media type of the body.
type mediaMapScope struct {
	MapScope
	mt string
}

func (m mediaMapScope) MediaType(ref *Ref) string {
	if ref.Kind == KindResponse && ref.Field == "body" {
		return m.mt
	}
	return ""
}

// TestNotJSONContexts: a JSONPath or JSON Pointer selector or a jsonpath
// criterion on text that is not JSON is an ErrNotJSON error naming the
// media type the scope knows (and XPath for XML); an empty pointer still
// selects the whole text.
func TestNotJSONContexts(t *testing.T) {
	t.Parallel()
	xml := mediaMapScope{MapScope{"$response.body": "<a><b>1</b></a>"}, "application/xml"}
	for _, typ := range []string{"jsonpath", "jsonpointer"} {
		sel := map[string]string{"jsonpath": "$.a", "jsonpointer": "/a"}[typ]
		s, err := CompileSelector("$response.body", sel, typ, "")
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.Eval(xml)
		if !errors.Is(err, ErrNotJSON) || errors.Is(err, ErrAbsent) {
			t.Errorf("%s selector on XML: err = %v, want ErrNotJSON", typ, err)
		} else if !strings.Contains(err.Error(), "(application/xml) is not JSON") || !strings.Contains(err.Error(), "xpath") {
			t.Errorf("%s selector on XML: %v does not name the media type and xpath", typ, err)
		}
	}
	whole, _ := CompileSelector("$response.body", "", "jsonpointer", "")
	if v, err := whole.Eval(xml); err != nil || v != "<a><b>1</b></a>" {
		t.Errorf("empty pointer = %v, %v", v, err)
	}
	c := mustCriterion(t, CriterionSpec{Context: "$response.body", Condition: "$.a", Type: "jsonpath"})
	out := c.Eval(mediaMapScope{MapScope{"$response.body": "status=ok"}, "text/plain"})
	if out.Pass || !errors.Is(out.Err, ErrNotJSON) || !strings.Contains(out.Explanation, "(text/plain) is not JSON") {
		t.Errorf("jsonpath criterion on text: %+v", out)
	}
	// Without a MediaScope the message is the same, without the type.
	out = c.Eval(MapScope{"$response.body": "status=ok"})
	if !errors.Is(out.Err, ErrNotJSON) || out.Explanation != "context $response.body is not JSON" {
		t.Errorf("jsonpath criterion on text without media type: %+v", out)
	}
	x := mustCriterion(t, CriterionSpec{Context: "$response.body", Condition: "/a", Type: "xpath"})
	out = x.Eval(mediaMapScope{MapScope{"$response.body": map[string]any{"a": 1.0}}, "application/json"})
	if out.Pass || out.Err == nil || !strings.Contains(out.Explanation, "context $response.body (application/json) is an object, not XML text") {
		t.Errorf("xpath criterion on JSON: %+v", out)
	}
}
