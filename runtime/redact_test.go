package runtime

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestRedactorHeaders(t *testing.T) {
	r := newRedactor([]string{"s3cr3t-token"})
	h := http.Header{
		"Authorization":       {"Bearer abc"},
		"Proxy-Authorization": {"Basic xyz"},
		"Cookie":              {"sid=1"},
		"Set-Cookie":          {"sid=2"},
		"X-Api-Key":           {"k"},
		"X-Custom":            {"carries s3cr3t-token inside"},
		"Content-Type":        {"application/json"},
	}
	got := r.Header(h)
	for _, name := range []string{"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "X-Api-Key"} {
		if got[name] != Redacted {
			t.Errorf("%s = %q, want redacted", name, got[name])
		}
	}
	if got["X-Custom"] != "carries "+Redacted+" inside" {
		t.Errorf("X-Custom = %q", got["X-Custom"])
	}
	if got["Content-Type"] != "application/json" {
		t.Errorf("Content-Type = %q", got["Content-Type"])
	}
}

func TestRedactorURL(t *testing.T) {
	r := newRedactor([]string{"hunter22"})
	tests := []struct{ in, want string }{
		{"https://h/p?a=1&b=2", "https://h/p?a=1&b=2"},
		{"https://h/p?access_token=zzz&a=1", "https://h/p?access_token=" + Redacted + "&a=1"},
		{"https://h/p?pw=hunter22", "https://h/p?pw=" + Redacted},
		{"https://user:pass@h/p", "https://" + url.PathEscape(Redacted) + "@h/p"},
		{"https://h/items/hunter22", "https://h/items/" + Redacted},
	}
	for _, tc := range tests {
		u, err := url.Parse(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.URL(u); got != tc.want {
			t.Errorf("URL(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestRedactorLongestSecretFirst(t *testing.T) {
	r := newRedactor([]string{"abcd", "abcdefgh", ""})
	if got := r.String("x abcdefgh y abcd"); got != "x "+Redacted+" y "+Redacted {
		t.Errorf("got %q", got)
	}
	var nilR *redactor
	if got := nilR.String("abc"); got != "abc" {
		t.Errorf("nil redactor changed the text: %q", got)
	}
}

func TestIsSecretName(t *testing.T) {
	for _, name := range []string{"authToken", "password", "client_secret", "Authorization", "apiKey", "api_key", "X-API-Key", "credentials"} {
		if !IsSecretName(name) {
			t.Errorf("IsSecretName(%q) = false", name)
		}
	}
	for _, name := range []string{"instanceId", "displayName", "compartmentId", "region"} {
		if IsSecretName(name) {
			t.Errorf("IsSecretName(%q) = true", name)
		}
	}
}

func TestRedactValue(t *testing.T) {
	r := newRedactor([]string{"tok123"})
	v := redactValue(map[string]any{"a": []any{"tok123", 1.0}, "b": "x tok123"}, r).(map[string]any)
	if v["a"].([]any)[0] != Redacted || !strings.Contains(v["b"].(string), Redacted) || v["a"].([]any)[1] != 1.0 {
		t.Errorf("redactValue = %v", v)
	}
}

func parseURLForFuzz(raw string) (*url.URL, error) { return url.Parse(raw) }

// A one-letter token must not turn every "t" of a message into <redacted>,
// yet a value that is exactly the secret is still hidden.
func TestRedactorShortSecrets(t *testing.T) {
	r := newRedactor([]string{"x"}).with([]string{"long-secret-value"})
	tests := []struct{ in, want string }{
		{"ocid1.instance.oc1.phx.simstopped0001 expected", "ocid1.instance.oc1.phx.simstopped0001 expected"},
		{"x", Redacted},
		{"uses long-secret-value here", "uses " + Redacted + " here"},
	}
	for _, tc := range tests {
		if got := r.String(tc.in); got != tc.want {
			t.Errorf("String(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := r.URL(&url.URL{Scheme: "https", Host: "h", Path: "/p", RawQuery: "q=x&y=xx"}); got != "https://h/p?q="+Redacted+"&y=xx" {
		t.Errorf("URL = %q", got)
	}
	if got := r.Header(http.Header{"X-Echo": {"x"}, "X-Other": {"box"}}); got["X-Echo"] != Redacted || got["X-Other"] != "box" {
		t.Errorf("Header = %v", got)
	}
}

func TestRedactorBodyHidesCredentialMembers(t *testing.T) {
	r := newRedactor([]string{"input-secret"})
	tests := []struct{ body, contentType, want string }{
		{`{"access_token":"at-123","expires_in":3600,"nested":[{"refresh_token":"rt"}],"note":"<b>&"}`, "application/json",
			`{"access_token":"<redacted>","expires_in":3600,"nested":[{"refresh_token":"<redacted>"}],"note":"<b>&"}`},
		{`{"state":"ok", "n": 12345678901234567890}`, "application/json", `{"state":"ok", "n": 12345678901234567890}`},
		{`{"token":null}`, "application/problem+json", `{"token":null}`},
		// Counts and flags under credential-like names are no credentials.
		{`{"usage":{"input_tokens":812,"output_tokens":64},"session_expired":false,"tokens":["t1"],"session":{"id":"s"}}`, "application/json",
			`{"session":"<redacted>","session_expired":false,"tokens":"<redacted>","usage":{"input_tokens":812,"output_tokens":64}}`},
		{"grant_type=client_credentials&client_secret=abc&scope=x", "application/x-www-form-urlencoded",
			"grant_type=client_credentials&client_secret=%3Credacted%3E&scope=x"},
		{"echo input-secret", "text/plain", "echo <redacted>"},
		{`not json {"access_token":`, "application/json", `not json {"access_token":`},
	}
	for _, tc := range tests {
		if got := r.Body([]byte(tc.body), tc.contentType); got != tc.want {
			t.Errorf("Body(%s)\n got %s\nwant %s", tc.body, got, tc.want)
		}
	}
}

func TestRedactorPreviewHidesASecretSplitByTheCut(t *testing.T) {
	r := newRedactor([]string{"SECRETVALUE"})
	body := strings.Repeat("x", previewBytes-4) + "SECRETVALUE and more"
	got := r.Body([]byte(body), "text/plain")
	if strings.Contains(got, "SECR") || !strings.HasSuffix(got, Redacted+"…") {
		t.Errorf("preview ends %q", got[len(got)-20:])
	}
	whole := strings.Repeat("y", 10) + "SECRETVALUE" + strings.Repeat("z", previewBytes)
	if got := r.Body([]byte(whole), "text/plain"); !strings.HasPrefix(got, strings.Repeat("y", 10)+Redacted+"zz") {
		t.Errorf("preview starts %q", got[:30])
	}
}

func TestRedactorHidesTheStartOfACutSecret(t *testing.T) {
	r := newRedactor([]string{"SECRETVALUE"})
	tests := map[string]string{
		`$response.body was "xxxxSECRE"…, expected == 'a'`: `$response.body was "xxxx<redacted>"…, expected == 'a'`,
		`{"a":"SECR…`:                  `{"a":"<redacted>…`,
		`plain text… then SECRETVALUE`: `plain text… then <redacted>`,
		`ends in SE…`:                  `ends in SE…`,
	}
	for in, want := range tests {
		if got := r.String(in); got != want {
			t.Errorf("String(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRedactorWithAddsOnlyNewSecrets(t *testing.T) {
	r := newRedactor([]string{"alpha-secret"})
	if got := r.with([]string{"alpha-secret"}); got != r {
		t.Errorf("with(a known secret) built a new redactor")
	}
	r2 := r.with([]string{"beta-secret", "beta-secret"})
	if len(r2.secrets) != 2 || r2.String("alpha-secret beta-secret") != "<redacted> <redacted>" {
		t.Errorf("secrets %q, String %q", r2.secrets, r2.String("alpha-secret beta-secret"))
	}
}
