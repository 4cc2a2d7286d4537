// Package report writes run results as a JSON report, HAR 1.2 and JUnit XML.
//
// Secrets are already redacted in runtime.Result; the writers add none and,
// as a second line of defence, mask credential-bearing headers again
// (Authorization, Cookie, API keys) so that a redaction gap upstream does not
// reach a file that is uploaded as a CI artifact.
package report

import (
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
