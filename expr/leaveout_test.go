package expr

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
)

// inputsScope answers $inputs.<name> from a map; others are absent.
type inputsScope map[string]any

func (s inputsScope) Lookup(r *Ref) (any, error) {
	if v, ok := s[r.Name]; ok && r.Kind == KindInputs {
		return v, nil
	}
	return nil, fmt.Errorf("input %s: %w", r.Name, ErrAbsent)
}

func TestEvalLeavingOut(t *testing.T) {
	leave := func(err error) bool { return errors.Is(err, ErrAbsent) }
	sc := inputsScope{"a": "A"}
	cases := []struct {
		data  any
		want  string // JSON, or "" for an error
		whole bool
	}{
		{map[string]any{"a": "$inputs.a", "b": "$inputs.b", "n": map[string]any{"b": "$inputs.b", "k": 1}}, `{"a":"A","n":{"k":1}}`, false},
		{map[string]any{"t": "x-{$inputs.b}"}, "", false},
		{map[string]any{"l": []any{"$inputs.a", "$inputs.b"}}, "", false},
		{"$inputs.b", "", true},
		{"x {$inputs.b}", "", false},
	}
	for _, c := range cases {
		d, err := CompileData(c.data)
		if err != nil {
			t.Fatal(err)
		}
		if d.WholeExpression() != c.whole {
			t.Errorf("%v: WholeExpression = %v", c.data, !c.whole)
		}
		got, err := d.EvalLeavingOut(sc, leave)
		if c.want == "" {
			if !errors.Is(err, ErrAbsent) {
				t.Errorf("%v: got %v, %v; want an absent error", c.data, got, err)
			}
			continue
		}
		b, _ := json.Marshal(got)
		if err != nil || string(b) != c.want {
			t.Errorf("%v: got %s, %v; want %s", c.data, b, err, c.want)
		}
	}
}
