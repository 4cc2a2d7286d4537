package runtime

import (
	"bytes"
	"testing"
)

func TestMayNameSecret(t *testing.T) {
	for _, tc := range []struct {
		body string
		want bool
	}{
		{`{"id":"ocid1.image","lifecycleState":"AVAILABLE"}`, false},
		{`{"access_token":"x"}`, true},
		{`{"Client-SECRET":"x"}`, true},
		{`{"X-Api-Key":"x"}`, true},
		{`{"items":[{"Password":"x"}]}`, true},
		{`{"note":"a token in a value"}`, false}, // a value is not a name
		{`{"note":"x\"token\":1"}`, false},       // nor is an escaped quote inside a value
		{`{"a" : {"b":[{"refresh_Token" :1}]}}`, true},
		{`{"cafÃ©":"x"}`, true}, // non-ASCII in a name: decoded to be sure
		{`{"x":"cafÃ©"}`, false},
		{`{"a\"":"x"}`, true},        // an escape in a name: decoded to be sure
		{`{"\u0074oken":"x"}`, true}, // an escape may spell a fragment
		{`{"to\u212aen":"x"}`, true}, // non-ASCII may fold into one
		{"{\"sessionId\":1}", true},
		{`[1,2,3]`, false},
		{``, false},
	} {
		if got := mayNameSecret([]byte(tc.body)); got != tc.want {
			t.Errorf("mayNameSecret(%s) = %v, want %v", tc.body, got, tc.want)
		}
	}
}

// Skipping the decode must never skip a member hideSecretJSON would hide.
func FuzzMayNameSecret(f *testing.F) {
	for _, s := range []string{`{"access_token":"x"}`, `{"a":{"\u0054OKEN":1}}`, `{"k\u0130":"x"}`, `[{"cookie":null}]`, `{"id":"x"}`} {
		f.Add([]byte(s))
	}
	for _, s := range []string{`{"a\\":{"token":1}}`, `{"x":"\\","secret":2}`, `{"x":"a\"","passwd" : 1}`, `{"k":"v"}:`, `{"Set-Cookie": "a"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if mayNameSecret(body) {
			return
		}
		if got := hideSecretJSON(bytes.Clone(body)); !bytes.Equal(got, body) {
			t.Errorf("mayNameSecret(%q) = false, but hideSecretJSON changes it to %q", body, got)
		}
	})
}

// seedImageBody is an OCI image as the seed polls it: about half a
// kilobyte, no member that names a secret.
const seedImageBody = `{"baseImageId":"ocid1.image.oc1.phx.aaaaaaaaplatform","compartmentId":"ocid1.compartment.oc1..aaaaaaaabench","createImageAllowed":true,"displayName":"bench-image","id":"ocid1.image.oc1.phx.aaaaaaaabenchimage0001","launchMode":"PARAVIRTUALIZED","lifecycleState":"PROVISIONING","operatingSystem":"Oracle Linux","operatingSystemVersion":"9","sizeInMBs":47694,"timeCreated":"2026-11-26T10:00:00.000Z","freeformTags":{},"definedTags":{}}`

func BenchmarkMayNameSecret(b *testing.B) {
	for _, tc := range []struct{ name, body string }{
		{"image", seedImageBody},
		{"value-with-fragment", `{"id":"x","note":"the session ended","lifecycleState":"AVAILABLE","displayName":"token holder"}`},
	} {
		body := []byte(tc.body)
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if mayNameSecret(body) {
					b.Fatal("no member names a secret")
				}
			}
		})
	}
}
