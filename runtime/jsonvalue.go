package runtime

import (
	"fmt"
	"time"
)

// JSONValue returns a copy of YAML-decoded data in the shapes JSON and the
// engine use: map[any]any keys become strings (yaml.v3 produces them for
// non-string keys) and timestamps become strings again — yaml.v3 turns an
// unquoted 2024-01-01 into a time.Time, which a "type: string" input schema
// would reject. A date without a clock keeps its date-only text.
func JSONValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = JSONValue(e)
		}
		return out
	case map[any]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[fmt.Sprint(k)] = JSONValue(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = JSONValue(e)
		}
		return out
	case time.Time:
		if x.Location() == time.UTC && x.Equal(x.Truncate(24*time.Hour)) {
			return x.Format(time.DateOnly)
		}
		return x.Format(time.RFC3339Nano)
	}
	return v
}
