package openapi

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arazzo-go/arazzo/internal/testutil"
	"go.yaml.in/yaml/v4"
)

var update = flag.Bool("update", false, "rewrite golden files")

// describeRepairs renders what a tolerant load made of a document: every
// repair at its position, and the operation index that came out.
func describeRepairs(src *Source) string {
	var b strings.Builder
	for _, r := range src.Repairs {
		fmt.Fprintf(&b, "%s:%d:%d %s %s\n  %s\n  operations: %v\n", filepath.Base(r.File), r.Line, r.Column, r.Rule, r.Pointer, r.Msg, r.Operations)
	}
	b.WriteString("index:\n")
	for _, o := range src.Operations() {
		var params []string
		for _, p := range o.Params {
			params = append(params, p.In+":"+p.Name)
		}
		fmt.Fprintf(&b, "  %s %s %s params=%v body=%v\n", o.ID, o.Method, o.Path, params, o.RequestBodyTypes)
	}
	return b.String()
}

func TestRepairDamagedDescriptions(t *testing.T) {
	for _, name := range []string{"dangling", "keywords", "siblings", "mixed", "swagger"} {
		t.Run(name, func(t *testing.T) {
			path := testdata(t, "damaged/"+name+".yaml")
			if strict, err := (&Loader{Strict: true}).Load(context.Background(), path); err == nil && name != "mixed" {
				t.Fatal("the fixture loads strictly; it no longer tests a repair")
			} else if name == "mixed" && (err != nil || len(strict.Repairs) != 0) {
				t.Fatalf("a strict load of the Swagger forms: err %v, repairs %v; want it as kin-openapi reads it", err, strict.Repairs)
			}
			src, err := (&Loader{}).Load(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			if len(src.Repairs) == 0 {
				t.Fatal("no repairs recorded")
			}
			testutil.Golden(t, strings.TrimSuffix(path, ".yaml")+".golden", []byte(describeRepairs(src)), *update)
		})
	}
}

func TestRepairKeepsTheIndexExact(t *testing.T) {
	src, err := (&Loader{}).Load(context.Background(), testdata(t, "damaged/dangling.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// The damage is in listItems' second parameter, createItem's body and
	// the Item schema; the first parameter and the path-level id stay.
	list, ok := src.Operation("listItems")
	if !ok || len(list.Params) != 1 || list.Params[0].Name != "limit" {
		t.Fatalf("listItems params = %+v, want limit only", list.Params)
	}
	get, ok := src.Operation("getItem")
	if !ok || len(get.Params) != 1 || get.Params[0].Name != "id" || get.Params[0].In != "path" {
		t.Fatalf("getItem params = %+v, want the path id", get.Params)
	}
	if len(get.Servers) == 0 || get.Servers[0].URL != "https://shop.example.com/v1" {
		t.Errorf("servers lost: %+v", get.Servers)
	}
	health, _ := src.Operation("health")
	for _, r := range src.Repairs {
		for _, op := range r.Operations {
			if health != nil && op == health.ID {
				t.Errorf("repair %q claims to touch health, which uses nothing repaired", r.Msg)
			}
		}
	}
}

func TestUnreadableRefsBecomeRepairs(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	head := "openapi: 3.0.0\ninfo: {title: x, version: '1'}\npaths:\n  /a:\n    get:\n      operationId: a\n      responses:\n        '200': {description: ok}\n  /b:\n    $ref: "
	tests := []struct{ name, ref, why string }{
		{"device", "/dev/zero", "not a regular file"},
		{"missing", "./missing.yaml", "no such file"},
		{"remote refused", "http://127.0.0.1:1/paths.yaml", "remote loading is disabled"},
		{"not yaml", "./broken.yaml", "cannot be used"},
	}
	write("broken.yaml", "a: [\n")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := (&Loader{}).Load(context.Background(), write("doc.yaml", head+tt.ref+"\n"))
			if err != nil {
				t.Fatal(err)
			}
			if len(src.Repairs) != 1 || src.Repairs[0].Rule != RuleMissingFile || !strings.Contains(src.Repairs[0].Msg, tt.why) {
				t.Fatalf("repairs = %+v, want one %s saying %q", src.Repairs, RuleMissingFile, tt.why)
			}
			if r := src.Repairs[0]; r.Line != 10 || r.Column != 11 || r.Pointer != "/paths/~1b" {
				t.Errorf("repair at %d:%d %s, want 10:11 /paths/~1b", r.Line, r.Column, r.Pointer)
			}
			if _, ok := src.Operation("a"); !ok {
				t.Error("operation a lost")
			}
		})
	}
}

func TestRepairRefusesWhatIsNotADocument(t *testing.T) {
	_, err := (&Loader{}).Load(context.Background(), testdata(t, "damaged/notyaml.yaml"))
	if err == nil || !strings.Contains(err.Error(), "notyaml.yaml") {
		t.Fatalf("err = %v, want the YAML error naming the file", err)
	}
}

// A document whose repair is circular ($refs that only lead to each other)
// still loads, with the loop reported.
func TestRepairCircularRefs(t *testing.T) {
	doc := "openapi: 3.0.0\ninfo: {title: x, version: '1'}\npaths:\n  /a:\n    get:\n      operationId: a\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/A'}\ncomponents:\n  schemas:\n    A: {$ref: '#/components/schemas/B'}\n    B: {$ref: '#/components/schemas/Missing'}\n"
	src, err := (&Loader{}).Parse(context.Background(), "", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if len(src.Repairs) == 0 {
		t.Fatal("no repairs")
	}
	for _, r := range src.Repairs {
		if r.Rule != RuleDanglingRef {
			t.Errorf("unexpected repair %+v", r)
		}
	}
}

// The Swagger 2.0 forms come out as OpenAPI 3 ones: a query array with its
// serialisation, a form body (multipart for a file), a JSON body.
func TestRepairSwaggerForms(t *testing.T) {
	src, err := (&Loader{}).Load(context.Background(), testdata(t, "damaged/mixed.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	list, _ := src.Operation("listFiles")
	if p := list.Params[0]; !p.Schema.IsArray() || p.Style != "form" || p.Explode {
		t.Errorf("tags = %+v, want an array schema, style form, explode false", p)
	}
	if rs := list.Responses("200"); len(rs) != 1 || rs[0].Content["application/json"].IsZero() {
		t.Error("the 200 response schema was not read as application/json content")
	}
	upload, _ := src.Operation("uploadFile")
	if got := upload.RequestBodyTypes; len(got) != 1 || got[0] != "multipart/form-data" {
		t.Errorf("uploadFile body types = %v, want multipart/form-data", got)
	}
	put, _ := src.Operation("putMeta")
	if got := put.RequestBodyTypes; len(got) != 1 || got[0] != "application/json" {
		t.Errorf("putMeta body types = %v, want application/json (the document's consumes)", got)
	}
	if len(put.Params) != 1 || put.Params[0].Name != "id" || put.Params[0].Schema.IsZero() {
		t.Errorf("putMeta params = %+v, want id with a schema", put.Params)
	}
}

// nodeYAML must write back the same data it read, for every shape of
// scalar and nesting (block layout, the JSON layout past blockDepth,
// aliases, numbers JSON cannot hold).
func TestNodeYAMLRoundTrip(t *testing.T) {
	deep := strings.Repeat("[", 60) + "1" + strings.Repeat("]", 60)
	docs := []string{
		"a: 1\nb: [x, 'y', \"z\\n\", 2.5, true, null, ~]\nc: {}\nd: []\ne: {f: {g: [1, {h: i}]}}\n",
		"n: 0x1F\nm: 1_000\ninf: .inf\nbig: 123456789012345678901234567890\nneg: -0.5e3\ns: '0012'\n",
		"anchor: &x {k: v}\nuse: *x\nlist:\n  - *x\n",
		"200: ok\ntrue: yes\nweird key: \"tab\\there\"\nu: \"\\u2028 é\"\n",
		"deep: " + deep + "\n",
	}
	for _, src := range docs {
		var in yaml.Node
		if err := yaml.Unmarshal([]byte(src), &in); err != nil {
			t.Fatal(err)
		}
		out, err := nodeYAML(&in, 1<<20)
		if err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		var want, got any
		if err := yaml.Unmarshal([]byte(src), &want); err != nil {
			t.Fatal(err)
		}
		if err := yaml.Unmarshal(out, &got); err != nil {
			t.Fatalf("%q: written as invalid YAML: %v\n%s", src, err, out)
		}
		if fmt.Sprint(normalise(want)) != fmt.Sprint(normalise(got)) {
			t.Errorf("round trip of %q:\n got %v\nwant %v\n%s", src, normalise(got), normalise(want), out)
		}
	}
}

// normalise makes decoded YAML comparable: keys as strings (nodeYAML
// writes every key as a string), numbers as float64.
func normalise(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			out[k] = normalise(e)
		}
		return out
	case map[any]any:
		out := map[string]any{}
		for k, e := range x {
			out[fmt.Sprint(k)] = normalise(e)
		}
		return out
	case []any:
		for i := range x {
			x[i] = normalise(x[i])
		}
		return x
	case int:
		return float64(x)
	case uint64:
		return float64(x)
	case int64:
		return float64(x)
	}
	return v
}

func TestNodeYAMLBudget(t *testing.T) {
	// An alias bomb stays small as a tree but not written out.
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 9; i++ {
		fmt.Fprintf(&b, "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(b.String()), &n); err != nil {
		t.Skip("the YAML parser refuses the alias bomb itself:", err)
	}
	if _, err := nodeYAML(&n, 1<<20); err == nil {
		t.Fatal("an alias bomb was written out in full")
	}
}
