package openapi

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"strings"
	"testing"
)

func TestEncodeBody(t *testing.T) {
	tests := []struct {
		name        string
		contentType string
		value       any
		wantType    string
		wantBody    string
		errHas      string
	}{
		{"json object", "application/json", map[string]any{"b": []any{1, "x"}, "a": "<&>"}, "application/json", `{"a":"<&>","b":[1,"x"]}`, ""},
		{"json default type", "", map[string]any{"a": 1}, "application/json", `{"a":1}`, ""},
		{"json with charset", "application/json; charset=utf-8", []any{true, nil}, "application/json; charset=utf-8", `[true,null]`, ""},
		{"json suffix", "application/merge-patch+json", map[string]any{"a": nil}, "application/merge-patch+json", `{"a":null}`, ""},
		{"json string that is JSON", "application/json", `{"quantity": "3"}`, "application/json", `{"quantity": "3"}`, ""},
		{"json string that is a number", "application/json", `42`, "application/json", `42`, ""},
		{"json string that is not JSON", "application/json", `hello "you"`, "application/json", `"hello \"you\""`, ""},
		{"json null", "application/json", nil, "application/json", `null`, ""},
		{"json raw bytes", "application/json", []byte(`{"raw":true}`), "application/json", `{"raw":true}`, ""},
		{"json unencodable", "application/json", map[string]any{"f": func() {}}, "", "", "encode JSON body"},
		{"form nested", "application/x-www-form-urlencoded", map[string]any{
			"name": "Rex Jr", "owner": map[string]any{"name": "A&B", "tags": []any{"x", "y"}},
			"list": []any{1, 2}, "objs": []any{map[string]any{"k": "v"}}, "skip": nil,
		}, "application/x-www-form-urlencoded", "list=1&list=2&name=Rex+Jr&objs%5B0%5D%5Bk%5D=v&owner%5Bname%5D=A%26B&owner%5Btags%5D=x&owner%5Btags%5D=y", ""},
		{"form string as is", "application/x-www-form-urlencoded", "code=a b&x=1", "application/x-www-form-urlencoded", "code=a b&x=1", ""},
		{"form map of strings", "application/x-www-form-urlencoded", map[string]string{"b": "2", "a": "1"}, "application/x-www-form-urlencoded", "a=1&b=2", ""},
		{"form scalar", "application/x-www-form-urlencoded", 3, "", "", "needs an object or a string payload, got a number"},
		{"form array", "application/x-www-form-urlencoded", []any{1}, "", "", "got an array"},
		{"xml string", "application/xml", "<a>{x}</a>", "application/xml", "<a>{x}</a>", ""},
		{"xml suffix", "application/atom+xml", "<feed/>", "application/atom+xml", "<feed/>", ""},
		{"text", "text/plain", "line\n", "text/plain", "line\n", ""},
		{"text number", "text/plain", 2.5, "text/plain", "2.5", ""},
		{"text object as JSON", "text/plain", map[string]any{"a": 1}, "text/plain", `{"a":1}`, ""},
		{"octet bytes", "application/octet-stream", []byte{0, 1, 2}, "application/octet-stream", "\x00\x01\x02", ""},
		{"other null", "application/octet-stream", nil, "application/octet-stream", "", ""},
		{"multipart string as is", "multipart/form-data; boundary=b", "--b--", "multipart/form-data; boundary=b", "--b--", ""},
		{"multipart scalar", "multipart/form-data", true, "", "", "needs an object payload, got a boolean"},
		{"bad content type", "application/json; =", 1, "", "", `invalid content type "application/json; ="`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, ct, err := EncodeBody(tt.contentType, tt.value)
			if tt.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errHas) {
					t.Fatalf("error = %v, want one containing %q", err, tt.errHas)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ct != tt.wantType || string(body) != tt.wantBody {
				t.Errorf("got %q %q, want %q %q", ct, body, tt.wantType, tt.wantBody)
			}
		})
	}
}

func TestEncodeBodyMultipart(t *testing.T) {
	payload := map[string]any{
		"name":   "Rex",
		"age":    3,
		"photo":  []byte("\x89PNG..."),
		"tags":   []any{"a", "b"},
		"owner":  map[string]any{"id": 7},
		"absent": nil,
	}
	for _, contentType := range []string{"multipart/form-data", "multipart/form-data; boundary=fixedBoundary42"} {
		body, ct, err := EncodeBody(contentType, payload)
		if err != nil {
			t.Fatal(err)
		}
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
			t.Fatalf("Content-Type %q: %v", ct, err)
		}
		if strings.Contains(contentType, "fixedBoundary42") && params["boundary"] != "fixedBoundary42" {
			t.Errorf("the given boundary must be kept, got %q", params["boundary"])
		}
		r := multipart.NewReader(bytes.NewReader(body), params["boundary"])
		type part struct{ name, file, ctype, data string }
		var got []part
		for {
			p, err := r.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			data, _ := io.ReadAll(p)
			got = append(got, part{p.FormName(), p.FileName(), p.Header.Get("Content-Type"), string(data)})
		}
		want := []part{
			{"age", "", "", "3"},
			{"name", "", "", "Rex"},
			{"owner", "", "application/json", `{"id":7}`},
			{"photo", "photo", "application/octet-stream", "\x89PNG..."},
			{"tags", "", "", "a"},
			{"tags", "", "", "b"},
		}
		if len(got) != len(want) {
			t.Fatalf("parts = %+v, want %+v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("part %d = %+v, want %+v", i, got[i], want[i])
			}
		}
	}
}

// A JSON body decodes back to the payload, whatever its shape.
func TestEncodeBodyJSONRoundTrip(t *testing.T) {
	payloads := []any{
		map[string]any{"nested": map[string]any{"list": []any{1.5, "two", nil, false}}},
		[]any{},
		"plain string",
		12.25,
	}
	for _, p := range payloads {
		body, _, err := EncodeBody("application/json", p)
		if err != nil {
			t.Fatal(err)
		}
		var back any
		if err := json.Unmarshal(body, &back); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		want, _ := json.Marshal(p)
		again, _ := json.Marshal(back)
		if string(want) != string(again) {
			t.Errorf("round trip %s -> %s", want, again)
		}
	}
}
