package jsonlimit

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func nested(depth int) []byte {
	return []byte(strings.Repeat(`[{"a":`, depth/2) + strings.Repeat("[", depth%2) + "1" + strings.Repeat("]", depth%2) + strings.Repeat("}]", depth/2))
}

// TestCheckDepthAgreesWithEncodingJSON: the limit is the one encoding/json enforces, so the two never
// disagree about what decodes.
func TestCheckDepthAgreesWithEncodingJSON(t *testing.T) {
	for _, depth := range []int{0, 1, MaxDepth - 1, MaxDepth, MaxDepth + 1, 3 * MaxDepth} {
		b := nested(depth)
		var v any
		jsonErr := json.Unmarshal(b, &v)
		err := CheckDepth(b)
		if (err == nil) != (jsonErr == nil) {
			t.Errorf("depth %d: CheckDepth %v, encoding/json %v", depth, err, jsonErr)
		}
		var de *DepthError
		if depth > MaxDepth && (!errors.As(err, &de) || de.Offset != bytes.LastIndexByte(b[:MaxDepth*3+1], '[')) {
			t.Errorf("depth %d: %v, want a DepthError at the bracket opening level %d", depth, err, MaxDepth+1)
		}
	}
}

// TestCheckDepthSkipsStrings: brackets inside strings, escaped quotes included, do not count.
func TestCheckDepthSkipsStrings(t *testing.T) {
	deepInString := `["` + strings.Repeat(`[\"{`, MaxDepth) + `"]`
	if err := CheckDepth([]byte(deepInString)); err != nil {
		t.Errorf("brackets in a string counted: %v", err)
	}
	afterEscape := `["\\"` + strings.Repeat("[", MaxDepth) + "]"
	if err := CheckDepth([]byte(afterEscape)); err == nil {
		t.Error("an escaped backslash before the closing quote hid the brackets after the string")
	}
}

// TestUnmarshalMessage: a million levels give one clear error naming the limit.
func TestUnmarshalMessage(t *testing.T) {
	var v any
	err := Unmarshal([]byte(strings.Repeat("[", 1_000_000)), &v)
	if err == nil || !strings.Contains(err.Error(), "nested deeper than 10000 levels (at byte 10000)") {
		t.Fatalf("err = %v", err)
	}
	if err := Unmarshal([]byte(`{"a":[1,{"b":null}]}`), &v); err != nil || !reflect.DeepEqual(v, map[string]any{"a": []any{1.0, map[string]any{"b": nil}}}) {
		t.Errorf("Unmarshal = %v, %v", v, err)
	}
}

// TestEncodeMatchesEncoder: up to MaxIndent levels Encode writes exactly what json.Encoder writes.
func TestEncodeMatchesEncoder(t *testing.T) {
	values := []any{
		nil, 1.5, "s", []any{}, map[string]any{},
		map[string]any{"a": []any{1, "x,y:[z]", map[string]any{}, []any{}}, "b<&>": "\"quoted\\"},
		json.RawMessage(nested(MaxIndent)),
	}
	for _, v := range values {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if err := Encode(&got, v); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("Encode(%v):\n%s\nwant\n%s", v, got.String(), want.String())
		}
	}
}

// TestEncodeLinear: a value nested MaxDepth levels deep is written in size linear in its compact form,
// and decodes back to the same value.
func TestEncodeLinear(t *testing.T) {
	for _, depth := range []int{MaxDepth / 10, MaxDepth} {
		var v any
		if err := json.Unmarshal(nested(depth), &v); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if err := Encode(&out, v); err != nil {
			t.Fatal(err)
		}
		compact := len(nested(depth))
		if bound := 2*compact + 4*MaxIndent*MaxIndent; out.Len() > bound {
			t.Errorf("depth %d: %d bytes for %d compact (bound %d)", depth, out.Len(), compact, bound)
		}
		var back any
		if err := json.Unmarshal(out.Bytes(), &back); err != nil || !reflect.DeepEqual(back, v) {
			t.Errorf("depth %d: the output does not decode to the value: %v", depth, err)
		}
	}
}

func BenchmarkCheckDepth(b *testing.B) {
	for _, tc := range []struct {
		name string
		text []byte
	}{
		{"flat 1MB", bytes.Repeat([]byte(`{"id":"abc","n":[1,2]},`), 1<<20/23)},
		{"deep 1M levels", []byte(strings.Repeat("[", 1_000_000))},
		{"many brackets 1MB", bytes.Repeat([]byte(`[[]]`), 1<<18)},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(tc.text)))
			for b.Loop() {
				CheckDepth(tc.text)
			}
		})
	}
}

// FuzzEncode: for any JSON value Encode writes what json.Encoder writes once both are compacted, so only
// whitespace differs, and byte for byte when the value is no deeper than MaxIndent.
func FuzzEncode(f *testing.F) {
	f.Add(`{"a":[1,{"b":"x,y:[z]\"\\"},[],{}],"c<>":null}`)
	f.Add(string(nested(MaxIndent + 3)))
	f.Fuzz(func(t *testing.T, text string) {
		var v any
		if err := Unmarshal([]byte(text), &v); err != nil {
			return
		}
		var want, got bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			return
		}
		if err := Encode(&got, v); err != nil {
			t.Fatal(err)
		}
		var cw, cg bytes.Buffer
		if err := json.Compact(&cg, got.Bytes()); err != nil {
			t.Fatalf("Encode wrote invalid JSON: %v\n%s", err, got.String())
		}
		json.Compact(&cw, want.Bytes())
		if cg.String() != cw.String() {
			t.Fatalf("Encode changed the value:\n%s\nwant\n%s", got.String(), want.String())
		}
		if depth(v) <= MaxIndent && got.String() != want.String() {
			t.Fatalf("Encode differs from json.Encoder:\n%s\nwant\n%s", got.String(), want.String())
		}
	})
}

// depth is the nesting of arrays and objects in a decoded value.
func depth(v any) int {
	d := 0
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			d = max(d, depth(e))
		}
		return d + 1
	case map[string]any:
		for _, e := range x {
			d = max(d, depth(e))
		}
		return d + 1
	}
	return 0
}
