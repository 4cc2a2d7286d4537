package expr

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseGrammar(t *testing.T) {
	t.Parallel()
	tests := []struct {
		src  string
		want Ref // Offset/End are checked against len(src)
		str  string
	}{
		{"$url", Ref{Kind: KindURL}, ""},
		{"$method", Ref{Kind: KindMethod}, ""},
		{"$statusCode", Ref{Kind: KindStatusCode}, ""},
		{"$self", Ref{Kind: KindSelf}, ""},
		{"$request.header.X-Api-Key", Ref{Kind: KindRequest, Field: "header", Name: "X-Api-Key"}, ""},
		{"$request.query.page size", Ref{Kind: KindRequest, Field: "query", Name: "page size"}, ""},
		{"$request.path.petId", Ref{Kind: KindRequest, Field: "path", Name: "petId"}, ""},
		{"$request.body", Ref{Kind: KindRequest, Field: "body"}, ""},
		{"$response.body#/id", Ref{Kind: KindResponse, Field: "body", Pointer: "/id", HasPointer: true}, ""},
		{"$response.body#", Ref{Kind: KindResponse, Field: "body", HasPointer: true}, ""},
		{"$response.body#/a~1b/~0c/0", Ref{Kind: KindResponse, Field: "body", Pointer: "/a~1b/~0c/0", HasPointer: true}, ""},
		{"$response.header.Content-Type", Ref{Kind: KindResponse, Field: "header", Name: "Content-Type"}, ""},
		{"$message.payload#/x", Ref{Kind: KindMessage, Field: "payload", Pointer: "/x", HasPointer: true}, ""},
		{"$message.header.id", Ref{Kind: KindMessage, Field: "header", Name: "id"}, ""},
		{"$inputs.token", Ref{Kind: KindInputs, Name: "token"}, ""},
		{"$inputs.user.name", Ref{Kind: KindInputs, Name: "user.name"}, ""},
		{"$inputs.user#/name", Ref{Kind: KindInputs, Name: "user", Pointer: "/name", HasPointer: true}, ""},
		{"$outputs.a-b_c.1", Ref{Kind: KindOutputs, Name: "a-b_c.1"}, ""},
		{"$steps.createImage.outputs.imageId", Ref{Kind: KindSteps, Step: "createImage", Name: "imageId"}, ""},
		{"$steps.s-1.outputs.pets#/0/id", Ref{Kind: KindSteps, Step: "s-1", Name: "pets", Pointer: "/0/id", HasPointer: true}, ""},
		{"$workflows.wf.outputs.x.y", Ref{Kind: KindWorkflows, Workflow: "wf", Field: "outputs", Name: "x.y"}, ""},
		{"$workflows.wf.inputs.x#/0", Ref{Kind: KindWorkflows, Workflow: "wf", Field: "inputs", Name: "x", Pointer: "/0", HasPointer: true}, ""},
		{"$sourceDescriptions.petstore.url", Ref{Kind: KindSourceDescriptions, Name: "petstore", Member: "url"}, ""},
		{"$sourceDescriptions.petstore.get pet.by/id", Ref{Kind: KindSourceDescriptions, Name: "petstore", Member: "get pet.by/id"}, ""},
		{"$components.parameters.page.size", Ref{Kind: KindComponents, Field: "parameters", Name: "page.size"}, ""},
		{"$components.successActions.done", Ref{Kind: KindComponents, Field: "successActions", Name: "done"}, ""},
		{"$components.inputs.pet", Ref{Kind: KindComponents, Field: "inputs", Name: "pet"}, ""},
		{"$workflows.wf.steps.s1", Ref{Kind: KindWorkflows, Workflow: "wf", Field: "steps", Step: "s1"}, ""},
		{"$sourceDescriptions.api#/paths/~1users/get", Ref{Kind: KindSourceDescriptions, Name: "api", Pointer: "/paths/~1users/get", HasPointer: true}, ""},
		{"$sourceDescriptions.api.wf.steps.s", Ref{Kind: KindSourceDescriptions, Name: "api", Member: "wf.steps.s"}, ""},
		// lenient forms
		{"$message.header#/orderRequestId", Ref{Kind: KindMessage, Field: "header", Name: "orderRequestId"}, "$message.header.orderRequestId"},
		{"$response.headers.X-Rate", Ref{Kind: KindResponse, Field: "header", Name: "X-Rate"}, "$response.header.X-Rate"},
		{"$response.body.a.b", Ref{Kind: KindResponse, Field: "body", Path: []string{"a", "b"}}, ""},
		{"$response.body.data[0].id", Ref{Kind: KindResponse, Field: "body", Path: []string{"data", "0", "id"}}, ""},
		{"$inputs.list[2]", Ref{Kind: KindInputs, Name: "list", Path: []string{"2"}}, ""},
	}
	for _, tc := range tests {
		e, err := Parse(tc.src)
		if err != nil {
			t.Errorf("Parse(%q) error: %v", tc.src, err)
			continue
		}
		want := tc.want
		want.End = len(tc.src)
		if !reflect.DeepEqual(*e.Ref(), want) {
			t.Errorf("Parse(%q).Ref() = %+v, want %+v", tc.src, *e.Ref(), want)
		}
		str := tc.str
		if str == "" {
			str = tc.src
		}
		if got := e.String(); got != str {
			t.Errorf("Parse(%q).String() = %q, want %q", tc.src, got, str)
		}
	}
}

func TestParseNotes(t *testing.T) {
	t.Parallel()
	tests := []struct{ src, rule, fix string }{
		{"$response.headers.Location", RuleHeaderPlural, "$response.header.Location"},
		{"$response.body.a.b", RuleDotNavigation, "$response.body#/a/b"},
		{"$message.header#/id", RuleHeaderPointer, "$message.header.id"},
		{"$response.body.data[0].a/b", RuleDotNavigation, "$response.body#/data/0/a~1b"},
		{"$steps.s.outputs.list[0]", RuleDotNavigation, "$steps.s.outputs.list#/0"},
	}
	for _, tc := range tests {
		e, err := Parse(tc.src)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tc.src, err)
		}
		n := e.Notes()
		if len(n) != 1 || n[0].Rule != tc.rule || n[0].Fix != tc.fix {
			t.Errorf("Parse(%q).Notes() = %+v, want rule %s fix %q", tc.src, n, tc.rule, tc.fix)
		}
	}
	if n := MustParse("$response.body#/a").Notes(); len(n) != 0 {
		t.Errorf("standard form has notes: %+v", n)
	}
	// The form of the 1.1 specification's own examples is not reported.
	e := MustParse("$message.payload.orderId")
	if n := e.Notes(); len(n) != 0 {
		t.Errorf("$message.payload.orderId has notes: %+v", n)
	}
	if got, want := e.Ref().Standard(), "$message.payload#/orderId"; got != want {
		t.Errorf("$message.payload.orderId reads %s, want %s", got, want)
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		src, msg string
		off      int
	}{
		{"", "runtime expression must start with '$'", 0},
		{"inputs.x", "runtime expression must start with '$'", 0},
		{"$", "expected a runtime expression name after '$' in \"$\"", 0},
		{"$foo.bar", "unknown runtime expression \"$foo\"", 0},
		{"$inputs", "expected \".\" after \"$inputs\"", 7},
		{"$inputs.", "expected input name at offset 8 of \"$inputs.\"", 8},
		{"$steps.s", "expected \".outputs.<name>\" after \"$steps.s\"", 8},
		{"$steps.s.result.x", "\"$steps.s.result.x\" names no output: a step's values are read through \".outputs.\", as $steps.s.outputs.result.x", 8},
		{"$steps.s.outputs", "expected \".outputs.<name>\" after \"$steps.s\"", 8},
		{"$steps.s.inputs.x", "expected \".outputs.<name>\" after \"$steps.s\"", 8},
		{"$workflows.w.files.x", "\"$workflows.w.files.x\" names no output: a workflow's values are read through \".outputs.\", as $workflows.w.outputs.files.x", 13},
		{"$workflows.w.input.x", "expected inputs, outputs or steps after \"$workflows.w.\"", 13},
		{"$workflows.w.steps.s.outputs.x", "\"$workflows.w.steps.s\" only names a step (dependsOn); read another workflow's values through $workflows.w.outputs.<name>", 20},
		{"$message.header#/", "expected a header name in \"$message.header#/<name>\"", 9},
		{"$response.bod", "unknown source \"bod\" in \"$response.bod\"; expected header, query, path, body or payload", 10},
		{"$response.body#a", "json pointer must be empty or start with '/' in \"$response.body#a\"", 15},
		{"$response.body#/a~2", "'~' in json pointer must be followed by 0 or 1", 17},
		{"$response.body#/a{b}", "\"{\" is not allowed in a json pointer", 17},
		{"$components.schemas.x", "unknown component type \"schemas\"; expected parameters, successActions, failureActions or inputs", 12},
		{"$url.x", "unexpected \".x\" after runtime expression \"$url\"", 4},
		{"$inputs.a b", "unexpected \" b\" after runtime expression \"$inputs.a\"", 9},
		{"$response.body.", "expected member name after '.'", 15},
		{"$response.body[x]", "expected [index] with a non-negative integer", 14},
		{"$sourceDescriptions.a", "expected \".\" after \"$sourceDescriptions.a\"", 21},
	}
	for _, tc := range tests {
		_, err := Parse(tc.src)
		var pe *Error
		if !errors.As(err, &pe) {
			t.Errorf("Parse(%q) error = %v, want *Error", tc.src, err)
			continue
		}
		if pe.Msg != tc.msg || pe.Offset != tc.off {
			t.Errorf("Parse(%q) error = %q at %d, want %q at %d", tc.src, pe.Msg, pe.Offset, tc.msg, tc.off)
		}
	}
}

// TestMissingOutputsSegment: $steps.<id>.<name> without ".outputs." is an
// error with a rule of its own and the expression meant as its fix; a
// near miss (no name follows, another field) keeps the plain error.
func TestMissingOutputsSegment(t *testing.T) {
	t.Parallel()
	for src, fix := range map[string]string{
		"$steps.find.id":                "$steps.find.outputs.id",
		"$steps.find.output.id":         "$steps.find.outputs.id",
		"$steps.find.Outputs.id#/0":     "$steps.find.outputs.id",
		"$workflows.login.token":        "$workflows.login.outputs.token",
		"$workflows.login.output.token": "$workflows.login.outputs.token",
		"$steps.find.outputs":           "",
		"$steps.find":                   "",
		"$steps.find.inputs.x":          "",
		"$workflows.login.inputs.x":     "-", // parses
		"$steps.find.outputs.id":        "-",
	} {
		_, err := Parse(src)
		var pe *Error
		switch {
		case fix == "-":
			if err != nil {
				t.Errorf("Parse(%q) = %v, want no error", src, err)
			}
		case !errors.As(err, &pe):
			t.Errorf("Parse(%q) error = %v, want *Error", src, err)
		case fix == "" && (pe.Rule != "" || pe.Fix != ""):
			t.Errorf("Parse(%q): rule %q, fix %q; want a plain syntax error", src, pe.Rule, pe.Fix)
		case fix != "" && (pe.Rule != RuleMissingOutputs || pe.Fix != fix):
			t.Errorf("Parse(%q): rule %q, fix %q; want %q, %q", src, pe.Rule, pe.Fix, RuleMissingOutputs, fix)
		}
	}
	// In a template and in a condition the error keeps its rule.
	for _, compile := range []func(string) error{
		func(s string) error { _, err := ParseValue("id={" + s + "}"); return err },
		func(s string) error { _, err := ParseCondition(s + " > 0"); return err },
	} {
		var pe *Error
		if err := compile("$steps.find.count"); !errors.As(err, &pe) || pe.Rule != RuleMissingOutputs || pe.Fix != "$steps.find.outputs.count" {
			t.Errorf("in a template or condition: %v (%+v), want a %s error", err, pe, RuleMissingOutputs)
		}
	}
}

func TestExprEval(t *testing.T) {
	t.Parallel()
	body := map[string]any{
		"id":    "img-1",
		"count": 3.0,
		"a/b":   map[string]any{"~c": true},
		"data":  []any{map[string]any{"id": 7}},
		"null":  nil,
	}
	scope := MapScope{
		"$statusCode":                      200,
		"$response.body":                   body,
		"$response.header.Content-Type":    "application/json",
		"$inputs.user":                     map[string]any{"name": "ann"},
		"$inputs.a.b":                      "exact",
		"$inputs.a":                        map[string]any{"b": "nav", "c": "nav-c"},
		"$steps.s.outputs.raw":             `{"x":[1,2]}`,
		"$steps.s.outputs.typed":           map[string]int{"n": 4},
		"$workflows.w.outputs.list":        []string{"p", "q"},
		"$sourceDescriptions.petstore.url": "https://x/openapi.yaml",
	}
	tests := []struct {
		src  string
		want any
	}{
		{"$statusCode", 200},
		{"$response.body#/id", "img-1"},
		{"$response.body#/count", 3.0},
		{"$response.body#/a~1b/~0c", true},
		{"$response.body#/data/0/id", 7},
		{"$response.body#/null", nil},
		{"$response.body.data[0].id", 7},
		{"$response.header.content-type", "application/json"},
		{"$inputs.user#/name", "ann"},
		{"$inputs.user.name", "ann"}, // dotted-name fallback
		{"$inputs.a.b", "exact"},     // exact name wins
		{"$inputs.a.c", "nav-c"},
		{"$steps.s.outputs.raw#/x/1", 2.0}, // JSON text navigated lazily
		{"$steps.s.outputs.typed#/n", 4},
		{"$workflows.w.outputs.list#/1", "q"},
		{"$sourceDescriptions.petstore.url", "https://x/openapi.yaml"},
	}
	for _, tc := range tests {
		got, err := MustParse(tc.src).Eval(scope)
		if err != nil {
			t.Errorf("Eval(%q) error: %v", tc.src, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Eval(%q) = %#v, want %#v", tc.src, got, tc.want)
		}
	}
}

func TestExprEvalAbsent(t *testing.T) {
	t.Parallel()
	scope := MapScope{"$response.body": map[string]any{"a": map[string]any{"b": 1}, "list": []any{1}, "s": "x", "n": nil}}
	tests := []struct{ src, msg string }{
		{"$response.body#/a/c", `$response.body#/a/c: json pointer: member "c" not found at /a`},
		{"$response.body#/list/1", `$response.body#/list/1: json pointer: index "1" out of range at /list`},
		{"$response.body#/list/01", `$response.body#/list/01: json pointer: token "01" is not an array index at /list`},
		{"$response.body#/s/x", `$response.body#/s/x: json pointer: cannot read "x": value at /s is a string`},
		{"$response.body#/n/x", `$response.body#/n/x: json pointer: cannot read "x": value at /n is null`},
		{"$response.body.a.z", `$response.body.a.z: member "z" not found at /a`},
		{"$steps.x.outputs.y", `$steps.x.outputs.y: $steps.x.outputs.y: not set`},
	}
	for _, tc := range tests {
		_, err := MustParse(tc.src).Eval(scope)
		if !errors.Is(err, ErrAbsent) {
			t.Errorf("Eval(%q) error = %v, want ErrAbsent", tc.src, err)
			continue
		}
		if err.Error() != tc.msg {
			t.Errorf("Eval(%q) error = %q, want %q", tc.src, err.Error(), tc.msg)
		}
	}
	if _, err := MustParse("$url").Eval(nil); !errors.Is(err, ErrAbsent) {
		t.Errorf("Eval(nil scope) = %v, want ErrAbsent", err)
	}
}

func TestPointer(t *testing.T) {
	t.Parallel()
	doc := map[string]any{"foo": []any{"bar", "baz"}, "": 0.0, "a/b": 1.0, "m~n": 8.0, " ": 7.0}
	// RFC 6901 §5 examples.
	tests := []struct {
		ptr  string
		want any
	}{
		{"", doc}, {"/foo", doc["foo"]}, {"/foo/0", "bar"}, {"/", 0.0}, {"/a~1b", 1.0}, {"/m~0n", 8.0}, {"/ ", 7.0},
		{"#/foo/1", "baz"},
	}
	for _, tc := range tests {
		p, err := ParsePointer(tc.ptr)
		if err != nil {
			t.Fatalf("ParsePointer(%q): %v", tc.ptr, err)
		}
		got, err := p.Get(doc)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Get(%q) = %v, %v; want %v", tc.ptr, got, err, tc.want)
		}
	}
	for _, bad := range []string{"foo", "/a~", "/~2"} {
		if _, err := ParsePointer(bad); err == nil {
			t.Errorf("ParsePointer(%q) succeeded, want error", bad)
		}
	}
	if _, err := MustPointer("/foo/2").Get(doc); !errors.Is(err, ErrAbsent) || !strings.Contains(err.Error(), `index "2" out of range at /foo`) {
		t.Errorf("Get(/foo/2) error = %v", err)
	}
}

func MustPointer(s string) *Pointer {
	p, err := ParsePointer(s)
	if err != nil {
		panic(err)
	}
	return p
}
