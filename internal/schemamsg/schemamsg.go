// Package schemamsg words the values that JSON Schema messages quote, the
// same way for document diagnostics (arazzo) and input problems (runtime).
package schemamsg

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// Values renders the values of an enum or const as JSON: "fast", "slow"
// (the schema library writes 'fast', 'slow', unlike every other message
// of ours).
func Values(values []any) string {
	q := make([]string, len(values))
	for i, v := range values {
		b, err := json.Marshal(v)
		if err != nil {
			b = []byte(fmt.Sprint(v))
		}
		q[i] = string(b)
	}
	return strings.Join(q, ", ")
}

// Number renders a number as it is usually written: -2.5, not -5/2.
func Number(r *big.Rat) string {
	if r.IsInt() {
		return r.Num().String()
	}
	f, _ := r.Float64()
	return strconv.FormatFloat(f, 'g', -1, 64)
}
