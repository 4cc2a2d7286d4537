package expr

import (
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"strings"
)

// Comparison operators shared by simple conditions and the JSONPath
// comparison dialect.
type cmpOp uint8

const (
	opEq cmpOp = iota
	opNe
	opLt
	opLe
	opGt
	opGe
)

func (o cmpOp) String() string {
	return [...]string{"==", "!=", "<", "<=", ">", ">="}[o]
}

// compare applies the simple-condition semantics:
//   - strings compare case-insensitively;
//   - a numeric string is coerced when the other side is a number;
//   - null equals only null; relational comparisons with null are false;
//   - values of unrelated types are unequal and not ordered.
//
// Absent operands never reach here: the caller makes such comparisons false.
func compare(a any, op cmpOp, b any) bool {
	if a == nil || b == nil {
		switch op {
		case opEq:
			return a == nil && b == nil
		case opNe:
			return !(a == nil && b == nil)
		}
		return false
	}
	c, ok := order(a, b)
	switch op {
	case opEq:
		return ok && c == 0
	case opNe:
		return !(ok && c == 0)
	case opLt:
		return ok && c < 0 && c != unordered
	case opLe:
		return ok && c <= 0 && c != unordered
	case opGt:
		return ok && c > 0
	case opGe:
		return ok && c >= 0
	}
	return false
}

// unordered marks values that can be equal or not, but have no order
// (booleans, objects, arrays).
const unordered = -2

// order returns -1, 0, 1 (or unordered when only equality is defined) and
// whether the values are comparable at all.
func order(a, b any) (int, bool) {
	if x, ok := toNumber(a); ok {
		if y, ok := toNumber(b); ok {
			return cmpFloat(x, y)
		}
		if s, ok := b.(string); ok {
			if y, ok := numericString(s); ok {
				return cmpFloat(x, y)
			}
		}
		return 0, false
	}
	if s, ok := a.(string); ok {
		switch t := b.(type) {
		case string:
			return cmpFold(s, t), true
		case bool:
			if strings.EqualFold(s, strconv.FormatBool(t)) {
				return 0, true
			}
			return unordered, true
		}
		if y, ok := toNumber(b); ok {
			if x, ok := numericString(s); ok {
				return cmpFloat(x, y)
			}
		}
		return 0, false
	}
	if x, ok := a.(bool); ok {
		switch t := b.(type) {
		case bool:
			if x == t {
				return 0, true
			}
			return unordered, true
		case string:
			c, ok := order(t, x)
			return c, ok
		}
		return 0, false
	}
	if isComposite(a) && isComposite(b) {
		if reflect.DeepEqual(a, b) {
			return 0, true
		}
		return unordered, true
	}
	return 0, false
}

func isComposite(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return true
	}
	k := reflect.ValueOf(v).Kind()
	return k == reflect.Map || k == reflect.Slice || k == reflect.Array
}

func cmpFloat(x, y float64) (int, bool) {
	switch {
	case math.IsNaN(x) || math.IsNaN(y):
		return 0, false
	case x < y:
		return -1, true
	case x > y:
		return 1, true
	}
	return 0, true
}

// cmpFold compares case-insensitively without allocating for ASCII text.
func cmpFold(a, b string) int {
	for i, j := 0, 0; ; {
		if i >= len(a) || j >= len(b) {
			switch {
			case i >= len(a) && j >= len(b):
				return 0
			case i >= len(a):
				return -1
			}
			return 1
		}
		ca, cb := a[i], b[j]
		if ca < 0x80 && cb < 0x80 {
			if 'A' <= ca && ca <= 'Z' {
				ca += 'a' - 'A'
			}
			if 'A' <= cb && cb <= 'Z' {
				cb += 'a' - 'A'
			}
			if ca != cb {
				if ca < cb {
					return -1
				}
				return 1
			}
			i++
			j++
			continue
		}
		// Non-ASCII: fall back to full Unicode lower-casing of the rest.
		return strings.Compare(strings.ToLower(a[i:]), strings.ToLower(b[j:]))
	}
}

// toNumber converts every Go numeric kind and json.Number to float64.
func toNumber(v any) (float64, bool) {
	switch t := v.(type) {
	case float64:
		return t, true
	case int:
		return float64(t), true
	case int64:
		return float64(t), true
	case float32:
		return float64(t), true
	case int32:
		return float64(t), true
	case int16:
		return float64(t), true
	case int8:
		return float64(t), true
	case uint:
		return float64(t), true
	case uint64:
		return float64(t), true
	case uint32:
		return float64(t), true
	case uint16:
		return float64(t), true
	case uint8:
		return float64(t), true
	case json.Number:
		f, err := strconv.ParseFloat(string(t), 64)
		return f, err == nil
	}
	return 0, false
}

// numericString coerces a string that is entirely a JSON-style number.
func numericString(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" || !(isDigit(s[0]) || s[0] == '-' || s[0] == '+' || s[0] == '.') {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// truthy is the decision for a bare operand: present and not null/false
// passes (issue #517 leaves it open).
func truthy(v any) bool {
	switch t := v.(type) {
	case nil:
		return false
	case bool:
		return t
	}
	return true
}
