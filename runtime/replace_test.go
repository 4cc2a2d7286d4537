package runtime

import (
	"github.com/arazzo-go/arazzo/arazzo"

	"encoding/json"
	"strings"
	"testing"
)

func TestSetPointer(t *testing.T) {
	tests := []struct {
		name, doc, ptr string
		value          any
		want, err      string
	}{
		{"replace member", `{"a":1}`, "/a", 2.0, `{"a":2}`, ""},
		{"create member", `{"a":1}`, "/b", "x", `{"a":1,"b":"x"}`, ""},
		{"create nested objects", `{}`, "/a/b/c", true, `{"a":{"b":{"c":true}}}`, ""},
		{"array index", `{"l":[1,2,3]}`, "/l/1", 9.0, `{"l":[1,9,3]}`, ""},
		{"append", `{"l":[1]}`, "/l/-", 2.0, `{"l":[1,2]}`, ""},
		{"escaped tokens", `{}`, "/a~1b/c~0d", 1.0, `{"a/b":{"c~d":1}}`, ""},
		{"whole document", `{"a":1}`, "", "x", `"x"`, ""},
		{"object value", `{"a":1}`, "/a", map[string]any{"k": "v"}, `{"a":{"k":"v"}}`, ""},
		{"index out of range", `{"l":[1]}`, "/l/5", 1.0, "", "out of range"},
		{"leading zero index", `{"l":[1,2]}`, "/l/01", 1.0, "", "not an array index"},
		{"into a scalar", `{"a":1}`, "/a/b", 1.0, "", "cannot set"},
		{"no slash", `{}`, "a", 1.0, "", "must start with '/'"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var doc any
			if err := json.Unmarshal([]byte(tc.doc), &doc); err != nil {
				t.Fatal(err)
			}
			got, err := setPointer(doc, tc.ptr, tc.value)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(got)
			if string(b) != tc.want {
				t.Errorf("setPointer(%s, %q) = %s, want %s", tc.doc, tc.ptr, b, tc.want)
			}
		})
	}
}

func TestSetXPath(t *testing.T) {
	doc := `<order><id>0</id><item sku="a">x</item><item sku="b">y</item></order>`
	got, err := setXPath(doc, "/order/id", 42.0)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got, "<id>42</id>") {
		t.Errorf("element replacement: %s", got)
	}
	got, err = setXPath(doc, "//item", "z")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(got, ">z</item>") != 2 {
		t.Errorf("every selected node: %s", got)
	}
	got, err = setXPath(doc, "/order/item[1]/@sku", "q")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got, `sku="q"`) {
		t.Errorf("attribute replacement: %s", got)
	}
	if _, err := setXPath(doc, "/nothing", "z"); err == nil || !strings.Contains(err.Error(), "selects no node") {
		t.Errorf("no match: %v", err)
	}
	if _, err := setXPath("<a>", "/a", "z"); err == nil {
		t.Errorf("broken XML accepted")
	}
}

func TestApplyReplacementsParsesJSONStringPayload(t *testing.T) {
	reps := replacementList(t, "/qty", 3.0)
	got, err := applyReplacements(`{"qty":"1","sku":"a"}`, "application/json", reps, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(got)
	if string(b) != `{"qty":3,"sku":"a"}` {
		t.Errorf("got %s", b)
	}
	if _, err := applyReplacements("not json", "text/plain", reps, nil); err == nil {
		t.Errorf("replacement on text accepted")
	}
	xml, err := applyReplacements("<a><qty>1</qty></a>", "application/xml", replacementList(t, "/a/qty", 7.0), nil)
	if err != nil || !strings.Contains(xml.(string), "<qty>7</qty>") {
		t.Errorf("xml: %v %v", xml, err)
	}
}

func replacementList(t *testing.T, target string, v any) []*arazzo.Replacement {
	t.Helper()
	return []*arazzo.Replacement{{Target: target, Value: v}}
}

func TestSetJSONPath(t *testing.T) {
	var doc any
	json.Unmarshal([]byte(`{"items":[{"qty":1,"sku":"a"},{"qty":2,"sku":"b"}]}`), &doc)
	got, err := setJSONPath(doc, "$.items[*].qty", 0.0)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(got)
	if string(b) != `{"items":[{"qty":0,"sku":"a"},{"qty":0,"sku":"b"}]}` {
		t.Errorf("got %s", b)
	}
	if _, err := setJSONPath(doc, "$.nothing", 1.0); err == nil || !strings.Contains(err.Error(), "selects no node") {
		t.Errorf("no match: %v", err)
	}
	if _, err := setJSONPath(doc, "$[", 1.0); err == nil {
		t.Errorf("bad query accepted")
	}
	reps := []*arazzo.Replacement{{Target: "$.items[?@.sku == 'b'].qty", TargetSelectorType: "jsonpath", Value: 9.0}}
	out, err := applyReplacements(doc, "application/json", reps, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = json.Marshal(out)
	if string(b) != `{"items":[{"qty":0,"sku":"a"},{"qty":9,"sku":"b"}]}` {
		t.Errorf("filter target: %s", b)
	}
}
