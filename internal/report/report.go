// Package report writes run results as a JSON report, HAR 1.2 and JUnit XML.
//
// Secrets are already redacted in runtime.Result; the writers add none and,
// as a second line of defence, mask credential-bearing headers again
// (Authorization, Cookie, API keys) so that a redaction gap upstream does not
// reach a file that is uploaded as a CI artifact.
package report

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"time"
)

// Redacted replaces a secret value in every report.
const Redacted = "<redacted>"

// sensitiveName matches header and input names that carry credentials.
var sensitiveName = regexp.MustCompile(`(?i)(authorization|token|secret|password|passwd|api[-_]?key|cookie|credential|signature|session)`)

// IsSensitiveName reports whether a header or input name conventionally
// carries a credential, so that its value must never be printed.
func IsSensitiveName(name string) bool { return sensitiveName.MatchString(name) }

// redactHeaders returns a sorted copy of h with sensitive values masked.
func redactHeaders(h map[string]string) map[string]string {
	if h == nil {
		return map[string]string{}
	}
	out := make(map[string]string, len(h))
	for k, v := range h {
		if IsSensitiveName(k) && v != "" {
			v = Redacted
		}
		out[k] = v
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// millis expresses a duration in milliseconds with microsecond precision,
// the unit HAR and most dashboards use.
func millis(d time.Duration) float64 {
	return float64(d.Microseconds()) / 1000
}

// jsonValue turns decoded YAML/JSON data into something encoding/json can
// always marshal: map[any]any keys become strings, times become RFC 3339.
func jsonValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = jsonValue(e)
		}
		return out
	case map[any]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[fmt.Sprint(k)] = jsonValue(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonValue(e)
		}
		return out
	case time.Time:
		return x.Format(time.RFC3339Nano)
	case []byte:
		return string(x)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Sprint(x) // JSON has no NaN or Infinity
		}
		return x
	case nil, string, bool, float32, int, int8, int16, int32, int64,
		uint, uint8, uint16, uint32, uint64:
		return x
	case fmt.Stringer:
		return x.String()
	default:
		return fmt.Sprintf("%v", x)
	}
}

func jsonMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	return jsonValue(m).(map[string]any)
}
