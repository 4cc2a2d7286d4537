package openapi

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
)

// member is one key/value of an object value, its value already rendered.
type member struct{ key, value string }

// valueShape is an evaluated parameter value reduced to what the OpenAPI
// styles distinguish: a primitive, an array or an object. Members and
// elements are rendered to text; nil elements and members are dropped, as
// RFC 6570 drops undefined values.
type valueShape struct {
	kind    shapeKind
	scalar  string
	list    []string
	members []member
}

type shapeKind uint8

const (
	shapeScalar shapeKind = iota
	shapeList
	shapeObject
)

// formatScalar renders a primitive the way JSON writes it (strings as they
// are). It reports false for anything that is not a primitive.
func formatScalar(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case bool:
		return strconv.FormatBool(x), true
	case int:
		return strconv.Itoa(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case int32:
		return strconv.FormatInt(int64(x), 10), true
	case int16:
		return strconv.FormatInt(int64(x), 10), true
	case int8:
		return strconv.FormatInt(int64(x), 10), true
	case uint:
		return strconv.FormatUint(uint64(x), 10), true
	case uint64:
		return strconv.FormatUint(x, 10), true
	case uint32:
		return strconv.FormatUint(uint64(x), 10), true
	case uint16:
		return strconv.FormatUint(uint64(x), 10), true
	case uint8:
		return strconv.FormatUint(uint64(x), 10), true
	case float64:
		return formatFloat(x, 64), true
	case float32:
		return formatFloat(float64(x), 32), true
	case json.Number:
		return x.String(), true
	case fmt.Stringer:
		return x.String(), true
	}
	return "", false
}

// formatFloat writes a float as encoding/json does, so 3.0 is "3" and
// 1e21 is "1e+21"; NaN and infinities, which JSON cannot hold, get Go's
// spelling rather than an error.
func formatFloat(f float64, bits int) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return strconv.FormatFloat(f, 'g', -1, bits)
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21)) {
		format = 'e'
	}
	s := strconv.FormatFloat(f, format, -1, bits)
	if format == 'e' {
		// "1e-07" -> "1e-7", as encoding/json writes it.
		if n := len(s); n >= 4 && s[n-4] == 'e' && s[n-3] == '-' && s[n-2] == '0' {
			s = s[:n-2] + s[n-1:]
		}
	}
	return s
}

// formatText renders any value as text: primitives as formatScalar does,
// anything structured as JSON.
func formatText(v any) string {
	if s, ok := formatScalar(v); ok {
		return s
	}
	if v == nil {
		return "null"
	}
	b, err := marshalJSON(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// shapeOf classifies a value. Maps are listed in sorted key order, since Go
// maps (and the JSON and YAML decoders that produce them) keep none.
func shapeOf(v any) valueShape {
	switch x := v.(type) {
	case []any:
		list := make([]string, 0, len(x))
		for _, e := range x {
			if e != nil {
				list = append(list, formatText(e))
			}
		}
		return valueShape{kind: shapeList, list: list}
	case []string:
		return valueShape{kind: shapeList, list: x}
	case map[string]any:
		keys := sortedKeys(x)
		members := make([]member, 0, len(keys))
		for _, k := range keys {
			if x[k] != nil {
				members = append(members, member{k, formatText(x[k])})
			}
		}
		return valueShape{kind: shapeObject, members: members}
	case map[string]string:
		keys := sortedKeys(x)
		members := make([]member, 0, len(keys))
		for _, k := range keys {
			members = append(members, member{k, x[k]})
		}
		return valueShape{kind: shapeObject, members: members}
	}
	if s, ok := formatScalar(v); ok {
		return valueShape{kind: shapeScalar, scalar: s}
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() == reflect.Uint8 {
			return valueShape{kind: shapeScalar, scalar: string(rv.Bytes())}
		}
		list := make([]string, 0, rv.Len())
		for i := 0; i < rv.Len(); i++ {
			if e := rv.Index(i).Interface(); e != nil {
				list = append(list, formatText(e))
			}
		}
		return valueShape{kind: shapeList, list: list}
	case reflect.Map, reflect.Struct, reflect.Pointer:
		// Anything else structured goes through JSON, which gives it the
		// object shape its JSON form has.
		var generic any
		if b, err := marshalJSON(v); err == nil && json.Unmarshal(b, &generic) == nil {
			if _, isMap := generic.(map[string]any); isMap {
				return shapeOf(generic)
			}
		}
	}
	return valueShape{kind: shapeScalar, scalar: formatText(v)}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
