package runtime_test

import (
	"strings"
	"testing"

	"github.com/arazzo-go/arazzo/runtime"
)

// TestOptionsRefuseUnboundedLimits: zero means the default and Off turns a
// delay or timeout off, but a limit whose "off" would be unbounded is
// refused by New rather than quietly defaulted.
func TestOptionsRefuseUnboundedLimits(t *testing.T) {
	doc := loadDoc(t, "testdata/rules/options.arazzo.yaml", rulesHeader+mainSteps+getOK)
	for _, tc := range []struct {
		name string
		opts runtime.Options
		bad  string
	}{
		{"MaxSteps", runtime.Options{MaxSteps: runtime.Off}, "MaxSteps"},
		{"MaxDepth", runtime.Options{MaxDepth: -3}, "MaxDepth"},
		{"MaxBodyBytes", runtime.Options{MaxBodyBytes: -1}, "MaxBodyBytes"},
		{"two at once", runtime.Options{MaxLoopDelay: runtime.Off, MaxRetryAfter: runtime.Off}, "MaxLoopDelay, Options.MaxRetryAfter"},
	} {
		if _, err := runtime.New(doc, tc.opts); err == nil || !strings.Contains(err.Error(), tc.bad) {
			t.Errorf("%s: New = %v, want an error naming %s", tc.name, err, tc.bad)
		}
	}
	for _, ok := range []runtime.Options{{}, {LoopDelay: runtime.Off, RequestTimeout: runtime.Off, Timeout: runtime.Off, KeepDetails: runtime.Off}} {
		if _, err := runtime.New(doc, ok); err != nil {
			t.Errorf("New(%+v) = %v", ok, err)
		}
	}
}
