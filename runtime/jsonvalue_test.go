package runtime_test

import (
	"reflect"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/arazzo-go/arazzo/runtime"
)

func TestJSONValue(t *testing.T) {
	var decoded any
	src := "date: 2024-01-31\nstamp: 2024-01-31T10:20:30Z\n1: one\nlist: [{2: two}]\nn: 3\nquoted: '2024-01-31'\n"
	if err := yaml.Unmarshal([]byte(src), &decoded); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"date": "2024-01-31", "stamp": "2024-01-31T10:20:30Z", "1": "one",
		"list": []any{map[string]any{"2": "two"}}, "n": 3, "quoted": "2024-01-31",
	}
	if got := runtime.JSONValue(decoded); !reflect.DeepEqual(got, want) {
		t.Errorf("JSONValue = %#v\nwant %#v", got, want)
	}
}
