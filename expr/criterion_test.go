package expr

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

func body(t testing.TB, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func mustCriterion(t testing.TB, spec CriterionSpec) *Criterion {
	t.Helper()
	c, err := CompileCriterion(spec)
	if err != nil {
		t.Fatalf("CompileCriterion(%+v): %v", spec, err)
	}
	return c
}

// TestSeedCriteria: the seed's branches must come out right on every
// lifecycle state (the leading peer gets exactly these wrong).
func TestSeedCriteria(t *testing.T) {
	t.Parallel()
	bodies := map[string]string{}
	for _, name := range []string{"instance-stopped", "instance-running", "image-provisioning", "image-available", "image-deleted"} {
		data, err := os.ReadFile(filepath.Join("testdata", "seed", name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		bodies[name] = string(data)
	}
	jp := func(cond string) CriterionSpec {
		return CriterionSpec{Context: "$response.body", Condition: cond, Type: "jsonpath"}
	}
	isStopped := jp(`$.lifecycleState == "STOPPED"`)
	notStopped := jp(`$.lifecycleState != "STOPPED"`)
	imageReady := jp(`$.lifecycleState == "AVAILABLE"`)
	keepPolling := jp(`$.lifecycleState == "PROVISIONING"`)
	ok200 := CriterionSpec{Condition: "$statusCode == 200"}
	tests := []struct {
		spec   CriterionSpec
		body   string
		status int
		want   bool
		why    string
	}{
		{isStopped, "instance-stopped", 200, true, `$.lifecycleState was "STOPPED", expected == 'STOPPED' (jsonpath comparison dialect)`},
		{isStopped, "instance-running", 200, false, `$.lifecycleState was "RUNNING", expected == 'STOPPED' (jsonpath comparison dialect)`},
		{notStopped, "instance-stopped", 200, false, ""},
		{notStopped, "instance-running", 200, true, ""},
		{imageReady, "image-provisioning", 200, false, `$.lifecycleState was "PROVISIONING", expected == 'AVAILABLE' (jsonpath comparison dialect)`},
		{imageReady, "image-available", 200, true, ""},
		{imageReady, "image-deleted", 200, false, ""},
		{keepPolling, "image-provisioning", 200, true, ""},
		{keepPolling, "image-available", 200, false, ""},
		{keepPolling, "image-deleted", 200, false, ""},
		{ok200, "image-available", 200, true, "$statusCode was 200, expected == 200"},
		{ok200, "image-available", 404, false, "$statusCode was 404, expected == 200"},
		// the body may arrive as unparsed JSON text
		{isStopped, "instance-stopped-text", 200, true, ""},
	}
	for _, tc := range tests {
		var b any
		if name, text := strings.CutSuffix(tc.body, "-text"); text {
			b = bodies[name]
		} else {
			b = body(t, bodies[tc.body])
		}
		c := mustCriterion(t, tc.spec)
		out := c.Eval(MapScope{"$statusCode": tc.status, "$response.body": b})
		if out.Err != nil || out.Pass != tc.want {
			t.Errorf("%s on %s = %v (%v, %s), want %v", tc.spec.Condition, tc.body, out.Pass, out.Err, out.Explanation, tc.want)
		}
		if tc.why != "" && out.Explanation != tc.why {
			t.Errorf("%s on %s explanation = %q, want %q", tc.spec.Condition, tc.body, out.Explanation, tc.why)
		}
	}
	n := mustCriterion(t, isStopped).Notes()
	if len(n) != 1 || n[0].Rule != RuleJSONPathDialect || n[0].Fix != "$response.body#/lifecycleState == 'STOPPED'" {
		t.Errorf("seed jsonpath notes = %+v", n)
	}
	if n := mustCriterion(t, ok200).Notes(); len(n) != 0 {
		t.Errorf("$statusCode == 200 notes = %+v", n)
	}
}

// TestSeedWorkflowCriteriaCompile reads our bundled copy of the seed and
// compiles every criterion in it.
func TestSeedWorkflowCriteriaCompile(t *testing.T) {
	t.Parallel()
	matches, _ := filepath.Glob(filepath.Join("..", "workflows", "oracle", "*.yml"))
	if len(matches) == 0 {
		t.Skip("no bundled oracle workflow in ../workflows/oracle")
	}
	count := 0
	for _, path := range matches {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var doc any
		if err := yaml.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		var visit func(v any)
		visit = func(v any) {
			switch t2 := v.(type) {
			case map[string]any:
				if cond, ok := t2["condition"].(string); ok {
					spec := CriterionSpec{Condition: cond}
					spec.Context, _ = t2["context"].(string)
					spec.Type, _ = t2["type"].(string)
					if _, err := CompileCriterion(spec); err != nil {
						t.Errorf("%s: criterion %q: %v", path, cond, err)
					}
					count++
				}
				for _, x := range t2 {
					visit(x)
				}
			case []any:
				for _, x := range t2 {
					visit(x)
				}
			}
		}
		visit(doc)
	}
	if count < 7 {
		t.Errorf("found %d criteria, want at least 7", count)
	}
}

// TestJSONPathRFC9535 covers pass-iff-non-empty and the traps of notes §7.3.
func TestJSONPathRFC9535(t *testing.T) {
	t.Parallel()
	petsObject := body(t, `{"pets":[{"name":"a","status":"available"},{"name":"b"}]}`)
	petsArray := body(t, `[{"pets":[1]},{"pets":[]}]`)
	tests := []struct {
		cond string
		ctx  any
		want bool
		why  string
	}{
		{"$.pets[*]", petsObject, true, "jsonpath $.pets[*] selected 2 nodes"},
		{"$.pets[?@.status == 'available']", petsObject, true, "jsonpath $.pets[?@.status == 'available'] selected 1 node"},
		{"$.pets[?@.status == 'sold']", petsObject, false, "jsonpath $.pets[?@.status == 'sold'] selected 0 nodes"},
		// trap: filters test children, so on an object body this selects nothing
		{"$[?count(@.pets) > 0]", petsObject, false, ""},
		{"$[?count(@.pets) > 0]", petsArray, true, ""},
		// trap: negative tests are vacuously true on members lacking x
		{"$[?@.x != null]", petsObject, true, "jsonpath $[?@.x != null] selected 1 node"},
		{"$[?count(@.x) == 0]", petsObject, true, ""},
		{"$.missing", petsObject, false, ""},
		{"$", petsObject, true, ""},
		{"$.pets[5]", petsObject, false, ""},
		{"$..name", petsObject, true, "jsonpath $..name selected 2 nodes"},
		{"$.pets[?length(@.name) == 1]", petsObject, true, ""},
		{"$.pets[?match(@.name, 'a')]", petsObject, true, ""},
		{"$.data[*]", body(t, `{"data":[]}`), false, ""},
	}
	for _, tc := range tests {
		c := mustCriterion(t, CriterionSpec{Context: "$response.body", Condition: tc.cond, Type: "jsonpath", Version: "rfc9535"})
		if len(c.Notes()) != 0 {
			t.Errorf("%s: RFC 9535 condition has notes %+v", tc.cond, c.Notes())
		}
		out := c.Eval(MapScope{"$response.body": tc.ctx})
		if out.Err != nil || out.Pass != tc.want {
			t.Errorf("%s = %v (%v, %s), want %v", tc.cond, out.Pass, out.Err, out.Explanation, tc.want)
		}
		if tc.why != "" && out.Explanation != tc.why {
			t.Errorf("%s explanation = %q, want %q", tc.cond, out.Explanation, tc.why)
		}
	}
}

func TestJSONPathComparisonDialect(t *testing.T) {
	t.Parallel()
	ctx := body(t, `{"state":"STOPPED","data":[{"state":"up"}],"name":"abc","n":3,"ok":true,"nil":null,"a b":{"c":1}}`)
	arr := body(t, `[{"state":"running"}]`)
	tests := []struct {
		cond string
		ctx  any
		want bool
		fix  string // "" = no fix possible
	}{
		{`$.state == "STOPPED"`, ctx, true, "$response.body#/state == 'STOPPED'"},
		{`$.state == 'stopped'`, ctx, true, "$response.body#/state == 'stopped'"},
		{`$.state === "STOPPED"`, ctx, true, "$response.body#/state == 'STOPPED'"},
		{`$.state != "STOPPED"`, ctx, false, "$response.body#/state != 'STOPPED'"},
		{`$.data.length > 0`, ctx, true, ""},
		{`$.name.length == 3`, ctx, true, ""},
		{`$.data[0].state == 'up' && $.n >= 3`, ctx, true, "$response.body#/data/0/state == 'up' && $response.body#/n >= 3"},
		{`$.n < 2 || $.ok == true`, ctx, true, "$response.body#/n < 2 || $response.body#/ok == true"},
		{`$.nil == null`, ctx, true, "$response.body#/nil == null"},
		{`$.missing == null`, ctx, false, "$response.body#/missing == null"},
		{`$.missing != 'x'`, ctx, false, "$response.body#/missing != 'x'"},
		{`$['a b'].c == 1`, ctx, true, "$response.body#/a b/c == 1"},
		{`$[0].state == "RUNNING"`, arr, true, "$response.body#/0/state == 'RUNNING'"},
		{`$[-1].state == "running"`, arr, true, ""},
		{`$.state == 'STOPPED' && ($.n == 1 || $.n == 3)`, ctx, true, "$response.body#/state == 'STOPPED' && ($response.body#/n == 1 || $response.body#/n == 3)"},
	}
	for _, tc := range tests {
		c := mustCriterion(t, CriterionSpec{Context: "$response.body", Condition: tc.cond, Type: "jsonpath"})
		out := c.Eval(MapScope{"$response.body": tc.ctx})
		if out.Err != nil || out.Pass != tc.want {
			t.Errorf("%s = %v (%v, %s), want %v", tc.cond, out.Pass, out.Err, out.Explanation, tc.want)
		}
		n := c.Notes()
		if len(n) == 0 || n[0].Rule != RuleJSONPathDialect || n[0].Fix != tc.fix {
			t.Errorf("%s notes = %+v, want fix %q", tc.cond, n, tc.fix)
		}
	}
	// The fix keeps a context pointer.
	c := mustCriterion(t, CriterionSpec{Context: "$response.body#/item", Condition: `$.state == "A"`, Type: "jsonpath"})
	if fix := c.Notes()[0].Fix; fix != "$response.body#/item/state == 'A'" {
		t.Errorf("fix with context pointer = %q", fix)
	}
}

func TestJSONPathErrorsAndContexts(t *testing.T) {
	t.Parallel()
	for _, spec := range []CriterionSpec{
		{Context: "$response.body", Condition: "$.a ==", Type: "jsonpath"},
		{Context: "$response.body", Condition: "not a path", Type: "jsonpath"},
		{Context: "$response.body", Condition: "$.a", Type: "jsonpath", Version: "draft-ietf-jsonpath-base-99"},
		{Context: "$response.body", Condition: "$[", Type: "jsonpath", Version: JSONPathGoessner},
		{Context: "$response.bodyx", Condition: "$.a", Type: "jsonpath"},
		{Context: "$response.body", Condition: "$.a", Type: "jmespath"},
		{Context: "$response.body", Condition: " ", Type: "jsonpath"},
	} {
		if _, err := CompileCriterion(spec); err == nil {
			t.Errorf("CompileCriterion(%+v) succeeded, want error", spec)
		}
	}
	_, err := CompileCriterion(CriterionSpec{Context: "$response.body", Condition: "not a path", Type: "jsonpath"})
	if want := `invalid jsonpath "not a path": `; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error = %v, want prefix %q", err, want)
	}
	c := mustCriterion(t, CriterionSpec{Context: "$response.body", Condition: "$.a", Type: "jsonpath"})
	tests := []struct {
		ctx     any
		pass    bool
		wantErr bool
	}{
		{nil, false, false},                       // null context fails
		{`{"a":1}`, true, false},                  // JSON text is parsed
		{`<a>1</a>`, false, true},                 // not JSON
		{map[string]any{"a": false}, true, false}, // a node was selected, whatever its value
	}
	for _, tc := range tests {
		out := c.Eval(MapScope{"$response.body": tc.ctx})
		if out.Pass != tc.pass || (out.Err != nil) != tc.wantErr {
			t.Errorf("context %#v: %+v", tc.ctx, out)
		}
	}
	out := c.Eval(MapScope{})
	if out.Pass || out.Err != nil || !strings.HasPrefix(out.Explanation, "context is absent") {
		t.Errorf("absent context: %+v", out)
	}
	// Missing context defaults to $response.body with a note.
	c = mustCriterion(t, CriterionSpec{Condition: "$.a", Type: "jsonpath"})
	if n := c.Notes(); len(n) != 1 || n[0].Rule != RuleMissingContext {
		t.Errorf("missing context notes = %+v", n)
	}
	if out := c.Eval(MapScope{"$response.body": map[string]any{"a": 1}}); !out.Pass {
		t.Errorf("missing context eval = %+v", out)
	}
}

func TestJSONPathGoessner(t *testing.T) {
	t.Parallel()
	ctx := body(t, `{"store":{"book":[{"price":8},{"price":12}]},"empty":[]}`)
	tests := []struct {
		cond string
		want bool
	}{
		{"$.store.book[*].price", true},
		{"$.store.book[?(@.price > 10)]", true},
		{"$.store.book[?(@.price > 100)]", false},
		{"$.empty[*]", false},
		{"$.missing", false},
		{"$.store", true},
		{`$.store.book[0].price == 8`, true}, // gval evaluates comparisons: a boolean result decides
		{`$.store.book[0].price == 9`, false},
	}
	for _, tc := range tests {
		c := mustCriterion(t, CriterionSpec{Context: "$response.body", Condition: tc.cond, Type: "jsonpath", Version: JSONPathGoessner})
		out := c.Eval(MapScope{"$response.body": ctx})
		if out.Err != nil || out.Pass != tc.want {
			t.Errorf("%s = %+v, want %v", tc.cond, out, tc.want)
		}
	}
}

func TestEmbeddedSubstitution(t *testing.T) {
	t.Parallel()
	scope := MapScope{
		"$response.body": body(t, `{"pets":[{"id":7},{"id":8}]}`),
		"$inputs.id":     7,
		"$inputs.code":   "20",
		"$statusCode":    201,
	}
	tests := []struct {
		spec CriterionSpec
		want bool
	}{
		{CriterionSpec{Context: "$response.body", Condition: "$.pets[?@.id == {$inputs.id}]", Type: "jsonpath"}, true},
		{CriterionSpec{Context: "$response.body", Condition: "$.pets[?@.id == {$statusCode}]", Type: "jsonpath"}, false},
		{CriterionSpec{Context: "$statusCode", Condition: "^{$inputs.code}\\d$", Type: "regex"}, true},
	}
	for _, tc := range tests {
		c := mustCriterion(t, tc.spec)
		if len(c.Refs()) != 2 {
			t.Errorf("%s refs = %d, want 2", tc.spec.Condition, len(c.Refs()))
		}
		out := c.Eval(scope)
		if out.Err != nil || out.Pass != tc.want {
			t.Errorf("%s = %+v, want %v", tc.spec.Condition, out, tc.want)
		}
	}
	c := mustCriterion(t, CriterionSpec{Context: "$response.body", Condition: "$.pets[?@.id == {$inputs.nope}]", Type: "jsonpath"})
	if out := c.Eval(scope); out.Pass || out.Err != nil {
		t.Errorf("absent substitution: %+v", out)
	}
}

func TestRegexCriteria(t *testing.T) {
	t.Parallel()
	scope := MapScope{
		"$statusCode":                   200,
		"$response.header.Content-Type": "application/json; charset=utf-8",
		"$response.body":                map[string]any{"id": "abc-123"},
		"$inputs.apiToken":              "tok-999",
		"$inputs.nothing":               nil,
	}
	tests := []struct {
		ctx, cond string
		want      bool
		why       string
	}{
		{"$statusCode", "^200$", true, `$statusCode was "200", which matches /^200$/`},
		{"$statusCode", "^2\\d\\d$", true, ""},
		{"$statusCode", "^4", false, `$statusCode was "200", which does not match /^4/`},
		{"$statusCode", "0", true, ""}, // unanchored search
		{"$response.header.content-type", "json", true, ""},
		{"$response.body#/id", "^[a-z]+-(?=\\d)", true, ""}, // ECMAScript look-ahead
		{"$response.body#/id", "(\\w)\\1", false, ""},       // back-reference
		{"$response.body", `"id":"abc`, true, ""},           // objects as JSON
		{"$inputs.apiToken", "^tok", true, `$inputs.apiToken was <redacted>, which matches /^tok/`},
		{"$inputs.nothing", ".*", false, "context $inputs.nothing is null"},
	}
	for _, tc := range tests {
		c := mustCriterion(t, CriterionSpec{Context: tc.ctx, Condition: tc.cond, Type: "regex"})
		out := c.Eval(scope)
		if out.Err != nil || out.Pass != tc.want {
			t.Errorf("%s =~ %s: %+v, want %v", tc.ctx, tc.cond, out, tc.want)
		}
		if tc.why != "" && out.Explanation != tc.why {
			t.Errorf("%s =~ %s explanation %q, want %q", tc.ctx, tc.cond, out.Explanation, tc.why)
		}
	}
	if _, err := CompileCriterion(CriterionSpec{Context: "$statusCode", Condition: "(", Type: "regex"}); err == nil || !strings.HasPrefix(err.Error(), `invalid regex "("`) {
		t.Errorf("invalid regex error = %v", err)
	}
}

func TestRegexCatastrophicTimesOut(t *testing.T) {
	t.Parallel()
	c := mustCriterion(t, CriterionSpec{Context: "$inputs.s", Condition: "^(a+)+$", Type: "regex"})
	start := time.Now()
	out := c.Eval(MapScope{"$inputs.s": strings.Repeat("a", 40) + "!"})
	if out.Pass || out.Err == nil {
		t.Errorf("catastrophic pattern: %+v, want a timeout error", out)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("timeout took %v", d)
	}
}

func TestXPathCriteria(t *testing.T) {
	t.Parallel()
	xml := `<pets><pet status="available"><name>rex</name></pet><pet status="sold"><name>tom</name></pet></pets>`
	scope := MapScope{"$response.body": xml, "$request.body": []byte(xml), "$inputs.n": 3}
	tests := []struct {
		cond, version string
		want          bool
		why           string
	}{
		{"/pets/pet[@status='available']", "", true, "xpath /pets/pet[@status='available'] selected 1 node"},
		{"/pets/pet[@status='pending']", "xpath-10", false, "xpath /pets/pet[@status='pending'] selected 0 nodes"},
		{"count(/pets/pet) = 2", "", true, "xpath count(/pets/pet) = 2 evaluated to true"},
		{"count(/pets/pet)", "", true, ""},
		{"count(/pets/dog)", "", false, ""},
		{"string(/pets/pet[1]/name)", "", true, ""},
		{"string(/pets/dog)", "", false, ""},
		{"//name[text()='tom']", "xpath-30", true, ""},
	}
	for _, tc := range tests {
		c := mustCriterion(t, CriterionSpec{Context: "$response.body", Condition: tc.cond, Type: "xpath", Version: tc.version})
		out := c.Eval(scope)
		if out.Err != nil || out.Pass != tc.want {
			t.Errorf("%s = %+v, want %v", tc.cond, out, tc.want)
		}
		if tc.why != "" && out.Explanation != tc.why {
			t.Errorf("%s explanation %q, want %q", tc.cond, out.Explanation, tc.why)
		}
	}
	c := mustCriterion(t, CriterionSpec{Context: "$request.body", Condition: "/pets", Type: "xpath", Version: "xpath-31"})
	if n := c.Notes(); len(n) != 1 || n[0].Rule != RuleXPathVersion {
		t.Errorf("xpath-31 notes = %+v", n)
	}
	if out := c.Eval(scope); !out.Pass {
		t.Errorf("[]byte context: %+v", out)
	}
	if out := mustCriterion(t, CriterionSpec{Context: "$inputs.n", Condition: "/a", Type: "xpath"}).Eval(scope); out.Pass || out.Err == nil {
		t.Errorf("non-XML context: %+v", out)
	}
	for _, bad := range []CriterionSpec{
		{Context: "$response.body", Condition: "/pets[", Type: "xpath"},
		{Context: "$response.body", Condition: "/pets", Type: "xpath", Version: "xpath-40"},
	} {
		if _, err := CompileCriterion(bad); err == nil {
			t.Errorf("CompileCriterion(%+v) succeeded", bad)
		}
	}
}

func TestSimpleCriterion(t *testing.T) {
	t.Parallel()
	c := mustCriterion(t, CriterionSpec{Condition: "$statusCode == 200 && $response.body#/ok", Type: "simple"})
	if got := c.String(); got != "$statusCode == 200 && $response.body#/ok" {
		t.Errorf("String() = %q", got)
	}
	if len(c.Refs()) != 2 || c.Refs()[1].String() != "$response.body#/ok" {
		t.Errorf("Refs() = %v", c.Refs())
	}
	out := c.Eval(failingScope{})
	if out.Pass || out.Err == nil {
		t.Errorf("scope failure: %+v", out)
	}
	// A JSONPath comparison with a context but no type is read in the
	// comparison dialect.
	c = mustCriterion(t, CriterionSpec{Context: "$response.body", Condition: "$.state == 'on'"})
	if n := c.Notes(); len(n) != 1 || n[0].Fix != "$response.body#/state == 'on'" {
		t.Errorf("untyped dialect notes = %+v", n)
	}
	if out := c.Eval(MapScope{"$response.body": map[string]any{"state": "ON"}}); !out.Pass {
		t.Errorf("untyped dialect = %+v", out)
	}
	if _, err := CompileCriterion(CriterionSpec{Condition: "$.state == 'on'"}); err == nil {
		t.Error("JSONPath comparison without context compiled as simple")
	}
	if _, err := CompileCriterion(CriterionSpec{Condition: "$statusCode = 200"}); err == nil {
		t.Error("invalid simple condition compiled")
	}
	var pe *Error
	if _, err := CompileCriterion(CriterionSpec{Context: "$bad", Condition: "true"}); !errors.As(err, &pe) || !strings.HasPrefix(pe.Msg, "context: ") {
		t.Errorf("bad context error = %v", err)
	}
}

// panicScope checks that Eval never lets a panic escape.
type panicScope struct{}

func (panicScope) Lookup(*Ref) (any, error) { panic("boom") }

func TestCriterionNeverPanics(t *testing.T) {
	t.Parallel()
	for _, spec := range []CriterionSpec{
		{Condition: "$statusCode == 200"},
		{Context: "$response.body", Condition: "$.a", Type: "jsonpath"},
		{Context: "$response.body", Condition: "^a", Type: "regex"},
	} {
		out := mustCriterion(t, spec).Eval(panicScope{})
		if out.Pass || out.Err == nil {
			t.Errorf("%+v: %+v", spec, out)
		}
	}
}
