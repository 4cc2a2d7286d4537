package runtime

import (
	"encoding/json"
	"mime"
	"reflect"
	"strings"
	"testing"
)

func TestParseBody(t *testing.T) {
	for _, tc := range []struct {
		name, mediaType, raw string
		want                 any
	}{
		{"object", "application/json", `{"a":1,"b":[true,null]}`, map[string]any{"a": 1.0, "b": []any{true, nil}}},
		{"trailing whitespace", "application/json", "{\"a\":\"x\"} \n", map[string]any{"a": "x"}},
		{"vendor json", "application/problem+json", `{"title":"t"}`, map[string]any{"title": "t"}},
		{"sniffed without a type", "", ` [1,2]`, []any{1.0, 2.0}},
		{"scalar", "application/json", `"text"`, "text"},
		{"trailing bracket is not JSON", "application/json", `{"a":1}}`, `{"a":1}}`},
		{"two values are not JSON", "application/json", `{"a":1} {"b":2}`, `{"a":1} {"b":2}`},
		{"invalid JSON stays text", "application/json", `{"a":`, `{"a":`},
		{"text", "text/plain", `{"a":1}`, `{"a":1}`},
		{"empty", "application/json", ``, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := parseBody(tc.mediaType, []byte(tc.raw)); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("parseBody(%q, %q) = %#v, want %#v", tc.mediaType, tc.raw, got, tc.want)
			}
		})
	}
}

// A JSON body is decoded exactly when it is one JSON value that fits Go's
// types (a number beyond float64 does not); anything else is kept as its
// text.
func FuzzParseBody(f *testing.F) {
	for _, s := range []string{`{"a":1}`, `{"a":1}}`, `[1,2] `, `"x"`, `nul`, ``, "{\"a\":\"\xff\"}", `1e400`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got := parseBody("application/json", []byte(raw))
		var want any
		if raw != "" {
			if err := json.Unmarshal([]byte(raw), &want); err != nil {
				want = raw
				if json.Valid([]byte(raw)) && !strings.ContainsAny(raw, "0123456789") {
					t.Fatalf("%q is valid JSON without numbers but does not decode: %v", raw, err)
				}
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("parseBody(%q) = %#v, want %#v", raw, got, want)
		}
	})
}

func TestMediaTypeFastPathAgreesWithMime(t *testing.T) {
	for _, ct := range []string{
		"application/json", "application/problem+json", "text/plain", "application/vnd.oci.v1+json",
		"Application/JSON", "application/json; charset=utf-8", " application/json", "application/json ",
		"application/", "/json", "application//json", "json", "", "text/x-c++src", "application/json;",
	} {
		want := func() string {
			mt, _, err := mime.ParseMediaType(ct)
			if err != nil {
				mt, _, _ = strings.Cut(ct, ";")
			}
			return strings.ToLower(strings.TrimSpace(mt))
		}()
		if got := mediaType(ct); got != want {
			t.Errorf("mediaType(%q) = %q, mime says %q", ct, got, want)
		}
	}
}
