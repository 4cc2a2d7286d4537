package expr

import (
	"errors"
	"reflect"
	"testing"
)

func TestSelector(t *testing.T) {
	t.Parallel()
	scope := MapScope{
		"$response.body":        map[string]any{"pets": []any{map[string]any{"id": 1.0}, map[string]any{"id": 2.0}}},
		"$steps.s.outputs.xml":  `<a><b>one</b><b>two</b></a>`,
		"$steps.s.outputs.text": `{"x":{"y":"z"}}`,
	}
	tests := []struct {
		ctx, sel, typ, version string
		want                   any
	}{
		{"$response.body", "$.pets[*].id", "jsonpath", "", 1.0},
		{"$response.body", "$.pets[1]", "jsonpath", "rfc9535", map[string]any{"id": 2.0}},
		{"$response.body", "$.pets[*].id", "jsonpath", JSONPathGoessner, 1.0},
		{"$response.body", "/pets/1/id", "jsonpointer", "", 2.0},
		{"$response.body", "#/pets/0", "jsonpointer", "", map[string]any{"id": 1.0}},
		{"$steps.s.outputs.xml", "/a/b[2]", "xpath", "", "two"},
		{"$steps.s.outputs.xml", "count(/a/b)", "xpath", "xpath-10", 2.0},
		{"$steps.s.outputs.text", "$.x.y", "jsonpath", "", "z"},
	}
	for _, tc := range tests {
		s, err := CompileSelector(tc.ctx, tc.sel, tc.typ, tc.version)
		if err != nil {
			t.Errorf("CompileSelector(%q, %q, %q): %v", tc.ctx, tc.sel, tc.typ, err)
			continue
		}
		got, err := s.Eval(scope)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("selector %s %q = %#v, %v; want %#v", tc.typ, tc.sel, got, err, tc.want)
		}
		if refs := s.Refs(); len(refs) != 1 || refs[0].String() != tc.ctx {
			t.Errorf("Refs() = %v", refs)
		}
	}
	for _, tc := range [][3]string{
		{"$response.body", "$.pets[99]", "jsonpath"},
		{"$response.body", "/nope", "jsonpointer"},
		{"$steps.s.outputs.xml", "/a/c", "xpath"},
		{"$inputs.missing", "/a", "jsonpointer"},
	} {
		s, err := CompileSelector(tc[0], tc[1], tc[2], "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Eval(scope); !errors.Is(err, ErrAbsent) {
			t.Errorf("selector %v: error %v, want ErrAbsent", tc, err)
		}
	}
	for _, tc := range [][4]string{
		{"$response.body", "$[", "jsonpath", ""},
		{"$response.body", "a", "jsonpointer", ""},
		{"$response.body", "/a[", "xpath", ""},
		{"$response.body", "$.a", "jmespath", ""},
		{"$bad", "$.a", "jsonpath", ""},
		{"$response.body", "$.a", "jsonpath", "v9"},
	} {
		if _, err := CompileSelector(tc[0], tc[1], tc[2], tc[3]); err == nil {
			t.Errorf("CompileSelector%v succeeded", tc)
		}
	}
}
