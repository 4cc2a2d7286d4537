package runtime

import (
	"bytes"
	"encoding/json"
	"strconv"
	"sync"
	"unicode/utf8"

	segjson "github.com/segmentio/encoding/json"

	"github.com/arazzo-go/arazzo/expr"
	"github.com/arazzo-go/arazzo/internal/jsonlimit"
)

// Reading one member of a JSON response body ($response.body#/id, or
// $.lifecycleState in a comparison-dialect criterion) does not need the
// whole body decoded: decoding every body into maps was a quarter of the
// CPU of a seed run. The scope finds the member's text in the body and
// decodes that alone, giving exactly the value the full decode would give.
// Whatever it cannot answer that way (a miss, a string holding JSON, an
// index it would have to interpret) it leaves to the ordinary path, which
// decodes the body and explains the miss.

// rawBody caches whether a response body can be read in place, and the
// last value read: an output and the criteria after it usually read the
// same member ($response.body#/lifecycleState, $.lifecycleState).
type rawBody struct {
	once     sync.Once
	ok       bool
	lastPath []expr.Step
	lastVal  any
}

// LookupPath implements expr.PathScope for $response.body.
func (s *scope) LookupPath(ref *expr.Ref, path []expr.Step) (any, bool) {
	x := s.ex
	if ref.Kind != expr.KindResponse || ref.Field != "body" || x == nil || !x.hasResponse {
		return nil, false
	}
	x.raw.once.Do(func() {
		// A body parseBody would not decode as JSON, or one json.Unmarshal
		// would refuse (invalid, nested too deep, or a number beyond
		// float64), is left to it.
		x.raw.ok = isJSONBody(x.respType, x.respRaw) && validJSON(x.respRaw) && numbersFitFloat64(x.respRaw)
	})
	if !x.raw.ok {
		return nil, false
	}
	if x.raw.lastPath != nil && samePath(x.raw.lastPath, path) {
		return x.raw.lastVal, true
	}
	sub, ok := rawAt(x.respRaw, path)
	if !ok {
		return nil, false
	}
	v, ok := scalarValue(sub)
	if !ok && json.Unmarshal(sub, &v) != nil {
		return nil, false
	}
	x.raw.lastPath, x.raw.lastVal = path, v
	return v, true
}

// samePath reports whether rawAt reads the same value for both paths. A
// JSON Pointer token that is not an array index ($response.body#/state)
// reads what a member step ($.state) reads: the member of an object, and
// nothing in an array. An output and the criteria after it read the same
// member that way, and compared as equal slices they missed the cache.
func samePath(a, b []expr.Step) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] && (a[i].Name != b[i].Name || !memberStep(a[i]) || !memberStep(b[i])) {
			return false
		}
	}
	return true
}

// memberStep reports whether rawAt reads st as a member name only.
func memberStep(st expr.Step) bool {
	return st.Kind == expr.StepMember || st.Kind == expr.StepPointer && st.Index < 0
}

// scalarValue decodes the scalars json.Unmarshal would decode the same way
// without it: a string without escapes in valid UTF-8 (Unmarshal would
// replace invalid bytes), a number (Unmarshal uses ParseFloat too), true,
// false and null.
func scalarValue(b []byte) (any, bool) {
	switch {
	case len(b) >= 2 && b[0] == '"':
		inner := b[1 : len(b)-1]
		if bytes.IndexByte(inner, '\\') >= 0 || !utf8.Valid(inner) {
			return nil, false
		}
		return string(inner), true
	case len(b) > 0 && (b[0] == '-' || '0' <= b[0] && b[0] <= '9'):
		f, err := strconv.ParseFloat(string(b), 64)
		return f, err == nil
	case string(b) == "true":
		return true, true
	case string(b) == "false":
		return false, true
	case string(b) == "null":
		return nil, true
	}
	return nil, false
}

// validJSON is encoding/json's Valid, three times as fast (segmentio's
// drop-in; FuzzValidJSONAgrees holds them to the same answers). It runs
// once on every JSON body read in place and was the largest cost left.
// segmentio's Valid has no depth limit (it accepted 10,001 levels, and
// spent 1.9 s on a 1 MB "[[[["): the depth is checked first.
func validJSON(b []byte) bool { return jsonlimit.CheckDepth(b) == nil && segjson.Valid(b) }

// numbersFitFloat64 reports whether every number in valid JSON text
// parses as a float64, as json.Unmarshal into any requires. Only a number
// with an exponent or hundreds of digits can fail, so only those are
// parsed.
func numbersFitFloat64(b []byte) bool {
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c == '"' {
			end := stringEnd(b, i+1)
			if end < 0 {
				return false
			}
			i = end
			continue
		}
		if c != '-' && (c < '0' || c > '9') {
			continue
		}
		j, risky := i, false
		for j < len(b) && isNumberByte(b[j]) {
			risky = risky || b[j] == 'e' || b[j] == 'E'
			j++
		}
		if risky || j-i > 300 {
			if _, err := strconv.ParseFloat(string(b[i:j]), 64); err != nil {
				return false
			}
		}
		i = j - 1
	}
	return true
}

func isNumberByte(c byte) bool {
	return '0' <= c && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'
}

// rawAt returns the text of the value at path inside valid JSON text, or
// false where the ordinary walk should decide.
func rawAt(b []byte, path []expr.Step) ([]byte, bool) {
	v := trimJSONSpace(b)
	for _, st := range path {
		if len(v) == 0 {
			return nil, false
		}
		var ok bool
		switch v[0] {
		case '{':
			if st.Kind == expr.StepIndex {
				return nil, false
			}
			v, ok = memberOf(v, st.Name)
		case '[':
			if st.Kind == expr.StepMember || st.Index < 0 {
				return nil, false
			}
			v, ok = elementOf(v, st.Index)
		default:
			return nil, false
		}
		if !ok {
			return nil, false
		}
	}
	return v, true
}

// memberOf returns the value of the last member named name (json.Unmarshal
// keeps the last of duplicate names).
func memberOf(obj []byte, name string) ([]byte, bool) {
	var found []byte
	i := skipJSONSpace(obj, 1)
	for i < len(obj) && obj[i] == '"' {
		keyEnd := stringEnd(obj, i+1)
		if keyEnd < 0 {
			return nil, false
		}
		match := keyEquals(obj[i:keyEnd+1], name)
		i = skipJSONSpace(obj, keyEnd+1)
		if i >= len(obj) || obj[i] != ':' {
			return nil, false
		}
		i = skipJSONSpace(obj, i+1)
		end := skipValue(obj, i)
		if end < 0 {
			return nil, false
		}
		if match {
			found = obj[i:end]
		}
		i = skipJSONSpace(obj, end)
		if i < len(obj) && obj[i] == ',' {
			i = skipJSONSpace(obj, i+1)
		}
	}
	return found, found != nil
}

// keyEquals compares a quoted member name with name; a name with escapes
// is decoded first.
func keyEquals(quoted []byte, name string) bool {
	inner := quoted[1 : len(quoted)-1]
	if bytes.IndexByte(inner, '\\') >= 0 {
		var s string
		return json.Unmarshal(quoted, &s) == nil && s == name
	}
	return string(inner) == name
}

func elementOf(arr []byte, idx int) ([]byte, bool) {
	i := skipJSONSpace(arr, 1)
	for n := 0; i < len(arr) && arr[i] != ']'; n++ {
		end := skipValue(arr, i)
		if end < 0 {
			return nil, false
		}
		if n == idx {
			return arr[i:end], true
		}
		i = skipJSONSpace(arr, end)
		if i < len(arr) && arr[i] == ',' {
			i = skipJSONSpace(arr, i+1)
		}
	}
	return nil, false
}

// skipValue returns the index just past the value starting at b[i].
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		end := stringEnd(b, i+1)
		if end < 0 {
			return -1
		}
		return end + 1
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				if j = stringEnd(b, j+1); j < 0 {
					return -1
				}
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && !isJSONSpace(b[j]) {
		j++
	}
	return j
}

func isJSONSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipJSONSpace(b []byte, i int) int {
	for i < len(b) && isJSONSpace(b[i]) {
		i++
	}
	return i
}

func trimJSONSpace(b []byte) []byte {
	i, j := 0, len(b)
	for i < j && isJSONSpace(b[i]) {
		i++
	}
	for j > i && isJSONSpace(b[j-1]) {
		j--
	}
	return b[i:j]
}
