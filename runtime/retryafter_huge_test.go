package runtime

import (
	"testing"
	"time"
)

// TestRetryAfterTooLargeToParse: delta-seconds too large for int64 still ask for the longest wait (which
// the engine then caps at MaxRetryAfter), not "unreadable", which would retry after the default 1 s
// (issue 12, defect 10).
func TestRetryAfterTooLargeToParse(t *testing.T) {
	for _, v := range []string{"99999999999999999999999999", " 9223372036854775808 "} {
		d, ok := ParseRetryAfter(v, time.Now())
		if !ok || d != 365*24*time.Hour {
			t.Errorf("ParseRetryAfter(%q) = %v, %v; want 8760h, true", v, d, ok)
		}
	}
	if _, ok := ParseRetryAfter("-99999999999999999999999999", time.Now()); ok {
		t.Error("a negative huge value is not a wait")
	}
}
