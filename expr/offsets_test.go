package expr

import (
	"errors"
	"testing"
)

// TestOffsets: refs, notes and errors point into the string they came from,
// so the loader can turn them into file:line:col.
func TestOffsets(t *testing.T) {
	t.Parallel()
	v, err := ParseValue("id={$steps.s.outputs.id}&x={$response.headers.X}")
	if err != nil {
		t.Fatal(err)
	}
	refs := v.Refs()
	if len(refs) != 2 || refs[0].Offset != 4 || refs[0].End != 23 || refs[1].Offset != 28 || refs[1].End != 47 {
		t.Errorf("template refs offsets: %d-%d %d-%d", refs[0].Offset, refs[0].End, refs[1].Offset, refs[1].End)
	}
	if n := v.Notes(); len(n) != 1 || n[0].Offset != 38 || n[0].End != 45 {
		t.Errorf("template note offsets: %+v", n)
	}

	c, err := ParseCondition(`$statusCode == 200 && $response.body#/a == "x"`)
	if err != nil {
		t.Fatal(err)
	}
	if r := c.Refs(); len(r) != 2 || r[1].Offset != 22 || r[1].End != 39 {
		t.Errorf("condition refs: %+v", r)
	}
	if n := c.Notes(); len(n) != 1 || n[0].Offset != 43 || n[0].End != 46 {
		t.Errorf("condition note: %+v", n)
	}

	_, err = ParseValue("Bearer {$inputs.}")
	var pe *Error
	if !errors.As(err, &pe) || pe.Offset != 16 {
		t.Errorf("embedded error = %+v", err)
	}
	_, err = ParseCondition("$statusCode == 200 && $steps.x.y == 1")
	if !errors.As(err, &pe) || pe.Offset != 30 {
		t.Errorf("condition operand error = %+v", err)
	}
}

func TestErrorSnippet(t *testing.T) {
	t.Parallel()
	tests := []struct{ src, want string }{
		{"$statusCode = 200", "$statusCode = 200\n            ^"},
		{"$inputs.a & $inputs.b", "$inputs.a & $inputs.b\n          ^"},
		{"1 < $inputs.x < 3", "1 < $inputs.x < 3\n              ^"},
		{"$statusCode == 'abc", "$statusCode == 'abc\n               ^^^^"},
		{"($statusCode == 200", "($statusCode == 200\n                   ^"},
	}
	for _, tc := range tests {
		_, err := ParseCondition(tc.src)
		var pe *Error
		if !errors.As(err, &pe) {
			t.Fatalf("ParseCondition(%q) = %v", tc.src, err)
		}
		if got := pe.Snippet(tc.src); got != tc.want {
			t.Errorf("Snippet(%q) =\n%s\nwant\n%s", tc.src, got, tc.want)
		}
	}
	e := &Error{Offset: 99, End: 100, Msg: "x"}
	if got := e.Snippet("short"); got != "short" {
		t.Errorf("out-of-range snippet = %q", got)
	}
}
