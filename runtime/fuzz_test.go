package runtime

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"
)

func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"", "0", "120", "-1", "1e9", "99999999999999999999", "Thu, 26 Nov 2026 12:00:30 GMT", "Thursday, 26-Nov-26 12:01:00 GMT", "Thu Nov 26 12:00:30 2026", "junk"} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := ParseRetryAfter(s, now)
		if d < 0 {
			t.Fatalf("ParseRetryAfter(%q) = %v: negative wait", s, d)
		}
		if !ok && d != 0 {
			t.Fatalf("ParseRetryAfter(%q) = %v but not ok", s, d)
		}
	})
}

func FuzzSetPointer(f *testing.F) {
	f.Add(`{"a":{"b":[1,2]}}`, "/a/b/1", `"x"`)
	f.Add(`[]`, "/-", `1`)
	f.Add(`{}`, "/a~1b/~0", `null`)
	f.Add(`"s"`, "/0", `{}`)
	f.Fuzz(func(t *testing.T, doc, pointer, value string) {
		var d, v any
		if json.Unmarshal([]byte(doc), &d) != nil || json.Unmarshal([]byte(value), &v) != nil {
			return
		}
		got, err := setPointer(d, pointer, v)
		if err != nil {
			return
		}
		if _, err := json.Marshal(got); err != nil {
			t.Fatalf("setPointer produced a value JSON cannot encode: %v", err)
		}
	})
}

func FuzzRedactURL(f *testing.F) {
	f.Add("https://u:p@h/x?token=abc&a=s3cret", "s3cret")
	f.Add("http://h/%zz?x=%", "x")
	f.Fuzz(func(t *testing.T, raw, secret string) {
		if len(secret) < 4 || strings.Contains(secret, "%") || strings.Contains(Redacted, secret) {
			return
		}
		u, err := parseURLForFuzz(raw)
		if err != nil {
			return
		}
		out := newRedactor([]string{secret}).URL(u)
		if strings.Contains(out, secret) || strings.Contains(out, url.PathEscape(secret)) || strings.Contains(out, url.QueryEscape(secret)) {
			t.Fatalf("URL(%q) = %q still shows the secret %q", raw, out, secret)
		}
	})
}

func FuzzRedactorBody(f *testing.F) {
	f.Add(`{"access_token":"hunter22","n":1}`, "application/json", "hunter22", uint16(0))
	f.Add("client_secret=hunter22&x=1", "application/x-www-form-urlencoded", "hunter22", uint16(0))
	f.Add(`[{"a":{"password":["x"]}}] trailing`, "", "pass", uint16(0))
	f.Add("plain hunter22 text", "text/plain", "hunter22", uint16(previewBytes-3))
	f.Fuzz(func(t *testing.T, body, contentType, secret string, pad uint16) {
		// Padding moves the secret across the preview's cut.
		body = strings.Repeat("p", int(pad)%(previewBytes+64)) + body
		r := newRedactor([]string{secret})
		got := r.Body([]byte(body), contentType)
		if len(secret) >= minSubstringSecret && strings.Contains(got, secret) && !strings.Contains(Redacted+"…", secret) && strings.Trim(secret, "p") != "" {
			t.Fatalf("Body(%q, %q) = %q shows the secret %q", body, contentType, got, secret)
		}
	})
}
