package runtime

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/arazzo-go/arazzo/expr"
)

var bodyRef = &expr.Ref{Kind: expr.KindResponse, Field: "body"}

func rawScope(body, mediaType string) *scope {
	return &scope{ex: &exchange{hasResponse: true, respRaw: []byte(body), respType: mediaType}}
}

func TestLookupPathReadsOneMember(t *testing.T) {
	body := `{"id":"img1","lifecycleState":"PROVISIONING","n":2.5,"tags":["a",{"k":[1,2]}],"dup":1,"dup":2,"esc\"aped":true,"obj":{"x":null}}`
	for _, tc := range []struct {
		ptr  string
		want any
		ok   bool
	}{
		{"/id", "img1", true},
		{"/lifecycleState", "PROVISIONING", true},
		{"/n", 2.5, true},
		{"/tags/1/k/1", 2.0, true},
		{"/tags/1", map[string]any{"k": []any{1.0, 2.0}}, true},
		{"/dup", 2.0, true}, // the last of duplicate names, as json.Unmarshal keeps
		{"/esc\"aped", true, true},
		{"/obj/x", nil, true},
		{"/missing", nil, false},
		{"/tags/2", nil, false},
		{"/tags/01", nil, false}, // not canonical: the ordinary walk explains it
		{"/id/0", nil, false},    // inside a string
		{"", nil, false},         // the whole body: decoded the ordinary way
	} {
		p, err := expr.ParsePointer(tc.ptr)
		if err != nil {
			t.Fatal(err)
		}
		steps := p.Steps()
		if len(steps) == 0 {
			continue
		}
		got, ok := rawScope(body, "application/json").LookupPath(bodyRef, steps)
		if ok != tc.ok || (ok && !reflect.DeepEqual(got, tc.want)) {
			t.Errorf("%s: %#v, %v; want %#v, %v", tc.ptr, got, ok, tc.want, tc.ok)
		}
	}
}

// A path read through the cache gives what rawAt reads for it: a JSON
// Pointer token that is no array index and a member step share the
// cached value, an index does not.
func TestLookupPathCacheKnowsEquivalentPaths(t *testing.T) {
	ptr := func(s string) []expr.Step {
		p, err := expr.ParsePointer(s)
		if err != nil {
			t.Fatal(err)
		}
		return p.Steps()
	}
	member := func(names ...string) []expr.Step {
		var out []expr.Step
		for _, n := range names {
			out = append(out, expr.Step{Name: n, Kind: expr.StepMember})
		}
		return out
	}
	for _, tc := range []struct {
		body   string
		first  []expr.Step
		second []expr.Step
	}{
		{`{"state":"A","0":"zero"}`, ptr("/state"), member("state")},
		{`{"state":"A","0":"zero"}`, member("state"), ptr("/state")},
		{`{"0":"zero","a":["x","y"]}`, ptr("/0"), member("0")},
		{`{"a":["x","y"],"b":{"0":"m"}}`, ptr("/a/0"), member("a", "0")},
		{`{"a":["x","y"],"b":{"0":"m"}}`, ptr("/b/0"), member("b", "0")},
		{`{"a":["x","y"]}`, ptr("/a/1"), ptr("/a/0")},
	} {
		sc := rawScope(tc.body, "application/json")
		sc.LookupPath(bodyRef, tc.first)
		got, gotOK := sc.LookupPath(bodyRef, tc.second)
		want, wantOK := rawScope(tc.body, "application/json").LookupPath(bodyRef, tc.second)
		if gotOK != wantOK || !reflect.DeepEqual(got, want) {
			t.Errorf("%s after %v: %#v, %v; read alone %#v, %v", tc.body, tc.first, got, gotOK, want, wantOK)
		}
	}
	if !samePath(ptr("/state"), member("state")) || samePath(ptr("/0"), member("0")) || samePath(ptr("/a/0"), ptr("/a/1")) {
		t.Error("samePath: a name token must match a member step, and an index token nothing else")
	}
}

func TestLookupPathLeavesOtherBodiesAlone(t *testing.T) {
	idPtr, _ := expr.ParsePointer("/id")
	id := idPtr.Steps()
	for _, tc := range []struct{ body, mediaType string }{
		{`{"id":"x"}`, "text/plain"},                   // not JSON by its media type: a string
		{`{"id":"x",}`, "application/json"},            // invalid
		{`{"id":"x","big":1e999}`, "application/json"}, // json.Unmarshal refuses it whole
		{`{"id":"x"}{}`, "application/json"},
		{``, "application/json"},
	} {
		if v, ok := rawScope(tc.body, tc.mediaType).LookupPath(bodyRef, id); ok {
			t.Errorf("%q (%s): answered %v, want the ordinary path", tc.body, tc.mediaType, v)
		}
	}
	if v, ok := rawScope(` {"id":"x"} `, "").LookupPath(bodyRef, id); !ok || v != "x" {
		t.Errorf("JSON without a media type: %v, %v", v, ok)
	}
	other := &expr.Ref{Kind: expr.KindRequest, Field: "body"}
	if _, ok := rawScope(`{"id":"x"}`, "application/json").LookupPath(other, id); ok {
		t.Error("answered for $request.body")
	}
}

// FuzzLookupPath: whatever LookupPath answers is what decoding the whole
// body and walking the pointer gives; a body json.Unmarshal refuses is
// never answered.
func FuzzLookupPath(f *testing.F) {
	for _, s := range []struct{ body, ptr string }{
		{`{"a":{"b":[1,{"c":"d"}]}}`, "/a/b/1/c"},
		{`{"a":1,"a":2}`, "/a"},
		{`{"a\u0062":3}`, "/ab"},
		{`[0,[1,2],{"x":"\"]}"}]`, "/2/x"},
		{`{"n":-1.5e3,"m":1e400}`, "/n"},
		{` [ 1 , 2 ] `, "/1"},
		{`{"~":1,"/":2}`, "/~0"},
		{`{"":{"":5}}`, "//"},
	} {
		f.Add([]byte(s.body), s.ptr)
	}
	f.Fuzz(func(t *testing.T, body []byte, ptr string) {
		p, err := expr.ParsePointer(ptr)
		if err != nil || len(p.Tokens()) == 0 {
			return
		}
		steps := p.Steps()
		got, ok := rawScope(string(body), "application/json").LookupPath(bodyRef, steps)
		var full any
		if err := json.Unmarshal(body, &full); err != nil {
			if ok {
				t.Fatalf("answered %v for a body json.Unmarshal refuses (%v)", got, err)
			}
			return
		}
		if !ok {
			return
		}
		want, err := p.Get(full)
		if err != nil {
			t.Fatalf("answered %#v where the walk misses: %v", got, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("answered %#v, the walk gives %#v", got, want)
		}
	})
}

// A lookup after another in the same scope (the cache) answers what it
// answers in a fresh one, whether the paths are pointer tokens or member
// steps.
func FuzzLookupPathCache(f *testing.F) {
	f.Add([]byte(`{"a":{"0":1,"b":[2,3]},"0":"z"}`), "/a/0", "/a/0", true)
	f.Add([]byte(`[{"a":1},{"a":2}]`), "/0/a", "/1/a", false)
	f.Add([]byte(`{"s":"x","t":"y"}`), "/s", "/s", true)
	f.Fuzz(func(t *testing.T, body []byte, first, second string, asMembers bool) {
		steps := func(ptr string, members bool) []expr.Step {
			p, err := expr.ParsePointer(ptr)
			if err != nil || len(p.Tokens()) == 0 {
				return nil
			}
			out := p.Steps()
			if members {
				for i := range out {
					out[i] = expr.Step{Name: out[i].Name, Kind: expr.StepMember}
				}
			}
			return out
		}
		a, b := steps(first, asMembers), steps(second, false)
		if a == nil || b == nil {
			return
		}
		sc := rawScope(string(body), "application/json")
		sc.LookupPath(bodyRef, a)
		got, gotOK := sc.LookupPath(bodyRef, b)
		want, wantOK := rawScope(string(body), "application/json").LookupPath(bodyRef, b)
		if gotOK != wantOK || !reflect.DeepEqual(got, want) {
			t.Fatalf("after %v: %#v, %v; fresh %#v, %v", a, got, gotOK, want, wantOK)
		}
	})
}

func FuzzScalarValue(f *testing.F) {
	for _, s := range []string{`"abc"`, `"a\"b"`, "\"\xff\"", `-1.5e3`, `1e400`, `0`, `true`, `false`, `null`, `"é"`, `123456789012345678901234567890`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		// rawAt hands over exactly one valid JSON value, without spaces.
		if !json.Valid(b) || len(trimJSONSpace(b)) != len(b) {
			return
		}
		got, ok := scalarValue(b)
		if !ok {
			return
		}
		var want any
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatalf("%q: answered %#v, json.Unmarshal refuses it: %v", b, got, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: %#v, json.Unmarshal gives %#v", b, got, want)
		}
	})
}

// FuzzValidJSONAgrees: the fast validity check must answer exactly as
// encoding/json, which decides whether a body is JSON.
// TestValidJSONDepth: past encoding/json's depth limit validJSON says no too (segmentio's Valid alone said
// yes). Not a FuzzValidJSONAgrees seed: the fuzzer would spend its time minimising 20 KB.
func TestValidJSONDepth(t *testing.T) {
	for _, depth := range []int{MaxJSONDepth, MaxJSONDepth + 1} {
		b := []byte(strings.Repeat("[", depth) + strings.Repeat("]", depth))
		if got, want := validJSON(b), json.Valid(b); got != want {
			t.Errorf("depth %d: validJSON %v, encoding/json %v", depth, got, want)
		}
	}
}

func FuzzValidJSONAgrees(f *testing.F) {
	for _, s := range []string{`{"a":1}`, `[1,2]`, `01`, `1.`, `-`, "\"\x01\"", "\"\xff\"", `{"a":1,}`, `1e5`, `-0`,
		`"\u00e9"`, `"\ud800"`, `[]`, ` {} `, `nul`, `{"a" 1}`, "\"\x00\\b\"", `{"a":[1,{"b":null}]}x`, `"\/"`, `1e999`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := validJSON(b), json.Valid(b); got != want {
			t.Fatalf("validJSON(%q) = %v, encoding/json says %v", b, got, want)
		}
	})
}
