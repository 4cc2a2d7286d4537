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
