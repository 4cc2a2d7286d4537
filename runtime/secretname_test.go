package runtime

import (
	"strings"
	"testing"
)

// isSecretNameByLowering is the plain definition IsSecretName must keep.
func isSecretNameByLowering(name string) bool {
	lower := strings.ToLower(name)
	for _, f := range secretFragments {
		if strings.Contains(lower, f) {
			return true
		}
	}
	return false
}

func FuzzIsSecretName(f *testing.F) {
	for _, s := range []string{"Authorization", "X-Api-Key", "x-API_KEY", "Content-Type", "opc-request-id", "SessionID",
		"\u212Aey", "api\u212Aey", "TOKEN", "tok", "Set-Cookie", "x-signature-ed25519", "PASSWORD", "pässword", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if got, want := IsSecretName(name), isSecretNameByLowering(name); got != want {
			t.Errorf("IsSecretName(%q) = %v, lower-cased definition says %v", name, got, want)
		}
	})
}
