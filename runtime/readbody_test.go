package runtime

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestReadBody(t *testing.T) {
	resp := func(body string, declared int64) *http.Response {
		return &http.Response{Body: io.NopCloser(strings.NewReader(body)), ContentLength: declared}
	}
	for _, tc := range []struct {
		name    string
		r       *http.Response
		limit   int64
		want    string
		wantErr string
	}{
		{"declared length", resp(`{"id":"x"}`, 10), 100, `{"id":"x"}`, ""},
		{"unknown length", resp(`{"id":"x"}`, -1), 100, `{"id":"x"}`, ""},
		{"more than declared", resp(`{"id":"x"}tail`, 10), 100, `{"id":"x"}tail`, ""},
		{"more than declared, over the limit", resp(strings.Repeat("a", 30), 10), 20, strings.Repeat("a", 21), "larger than 20 bytes"},
		{"shorter than declared", resp(`{"id"`, 10), 100, `{"id"`, "shorter than its Content-Length 10"},
		{"declared but not delivered", resp("", 10), 100, "", ""},
		{"no body object", &http.Response{Body: http.NoBody, ContentLength: 10}, 100, "", ""},
		{"over the limit, unknown length", resp(strings.Repeat("a", 30), -1), 20, strings.Repeat("a", 21), "larger than 20 bytes"},
		{"declared over the limit", resp(strings.Repeat("a", 30), 30), 20, strings.Repeat("a", 21), "larger than 20 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readBody(tc.r, tc.limit)
			if string(got) != tc.want {
				t.Errorf("body = %q, want %q", got, tc.want)
			}
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("unexpected error %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("error = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestRedactValueCopiesOnlyWhatChanges(t *testing.T) {
	rd := newRedactor([]string{"s3cr3t-value"})
	clean := map[string]any{"id": "img-1", "tags": []any{"a", map[string]any{"k": "v"}}}
	if got := redactValue(clean, rd).(map[string]any); !sameMapInstance(got, clean) {
		t.Error("a value without secrets was copied")
	}

	inner := map[string]any{"token": "Bearer s3cr3t-value", "n": 1}
	list := []any{"x", inner}
	dirty := map[string]any{"id": "img-1", "list": list}
	got := redactValue(dirty, rd).(map[string]any)
	if sameMapInstance(got, dirty) {
		t.Fatal("a value with a secret was not copied")
	}
	if s := got["list"].([]any)[1].(map[string]any)["token"]; s != "Bearer "+Redacted {
		t.Errorf("nested secret = %v, want it redacted", s)
	}
	if inner["token"] != "Bearer s3cr3t-value" || list[1].(map[string]any)["token"] != "Bearer s3cr3t-value" {
		t.Error("redaction modified the original value")
	}
	if got["id"] != "img-1" || got["list"].([]any)[0] != "x" || got["list"].([]any)[1].(map[string]any)["n"] != 1 {
		t.Errorf("unchanged members lost in the copy: %v", got)
	}
}

// sameMapInstance reports whether a and b are one map (a write to one shows in the other).
func sameMapInstance(a, b map[string]any) bool {
	const probe = "\x00probe"
	a[probe] = true
	_, shared := b[probe]
	delete(a, probe)
	return shared
}
