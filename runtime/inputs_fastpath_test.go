package runtime

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
)

// TestInputsValidatedAsTheyAreMatchTheRoundTrip: inputs made of decoded
// JSON values are validated without a JSON round trip; the verdict and
// every problem must be what the round trip gives.
func TestInputsValidatedAsTheyAreMatchTheRoundTrip(t *testing.T) {
	bw := boundInputs(t)
	roundTrip := func(in map[string]any) map[string]any {
		data, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		var out map[string]any
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		if err := dec.Decode(&out); err != nil {
			t.Fatal(err)
		}
		// json.Number is not on the fast path: this is the round trip's form.
		return out
	}
	for _, in := range []map[string]any{
		{"name": "n", "count": 2},
		{"name": "n", "count": 2.0},
		{"name": "n", "count": 2.5},
		{"name": "n", "count": 0},
		{"name": "n", "count": int64(1e15)},
		{"name": "n", "count": 1e21},
		{"name": 7, "count": "2"},
		{"name": nil, "count": true},
		{"name": "n", "count": 3, "mode": "medium"},
		{"name": "n", "count": 3, "customer": map[string]any{"id": 5}},
		{"name": "n", "count": 3, "customer": map[string]any{}},
		{"name": "n", "count": 3, "customer": []any{"id"}},
		{"count": -1, "pin": "12"},
	} {
		if !isDecodedJSON(in, 0) {
			t.Fatalf("%v: expected the fast path", in)
		}
		_, fastErr := bw.prepareInputs(in)
		_, slowErr := bw.prepareInputs(roundTrip(in))
		if errString(fastErr) != errString(slowErr) {
			t.Errorf("%v:\n as they are: %v\n round trip:  %v", in, fastErr, slowErr)
		}
	}
}

func TestIsDecodedJSON(t *testing.T) {
	deep := any("x")
	for range 40 {
		deep = []any{deep}
	}
	for _, tc := range []struct {
		v    any
		want bool
	}{
		{map[string]any{"a": []any{1, 2.5, "s", nil, true, map[string]any{"b": int64(3)}}}, true},
		{map[string]any{"a": json.Number("1")}, false},
		{map[string]any{"a": []string{"x"}}, false},
		{map[string]any{"a": math.NaN()}, false},
		{map[string]any{"a": math.Inf(1)}, false},
		{map[string]any{"a": "\xff"}, false},
		{map[string]any{"\xff": "a"}, false},
		{map[string]any{"a": uint8(1)}, false},
		{map[string]any{"a": struct{}{}}, false},
		{deep, false},
	} {
		if got := isDecodedJSON(tc.v, 0); got != tc.want {
			t.Errorf("isDecodedJSON(%#v) = %v, want %v", tc.v, got, tc.want)
		}
	}
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}
