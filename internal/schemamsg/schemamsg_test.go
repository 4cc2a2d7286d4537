package schemamsg

import (
	"fmt"
	"math/big"
	"testing"
)

func TestValues(t *testing.T) {
	if got := Values([]any{"fast", 2.0, nil, true, map[string]any{"a": 1}}); got != `"fast", 2, null, true, {"a":1}` {
		t.Errorf("Values = %s", got)
	}
	if got := Values([]any{func() {}}); got == "" {
		t.Error("a value JSON cannot encode printed nothing")
	}
}

func TestNumber(t *testing.T) {
	for _, tc := range []struct {
		r    *big.Rat
		want string
	}{{big.NewRat(-5, 2), "-2.5"}, {big.NewRat(3, 1), "3"}, {big.NewRat(1, 3), "0.3333333333333333"}} {
		if got := Number(tc.r); got != tc.want {
			t.Errorf("Number(%v) = %s, want %s", tc.r, got, tc.want)
		}
	}
}

func ExampleValues() {
	fmt.Println(Values([]any{"fast", "slow"}), Number(big.NewRat(-5, 2)))
	// Output: "fast", "slow" -2.5
}
