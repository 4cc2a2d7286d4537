package arazzo

import (
	"fmt"
	"strings"
	"testing"
)

const minimalDoc = `arazzo: 1.0.1
info:
  title: t
  version: 1.0
sourceDescriptions:
  - name: api
    url: ./api.yaml
    type: openapi
workflows:
  - workflowId: wf
    x-owner: team-a
    inputs:
      type: object
      properties:
        n: {type: integer, default: 3}
    steps:
      - stepId: s1
        operationId: getThing
        parameters:
          - name: id
            in: path
            value: 42
          - reference: $components.parameters.page
            value: 2
        requestBody:
          contentType: application/json
          payload: {a: [1, 2.5, true, null, "x"]}
        successCriteria:
          - condition: $statusCode == 200
          - context: $response.body
            condition: $[?@.ok]
            type: {type: jsonpath, version: draft-goessner-dispatch-jsonpath-00}
        onFailure:
          - name: again
            type: retry
            retryAfter: 1.5
            retryLimit: 3
        outputs:
          id: $response.body#/id
components:
  parameters:
    page: {name: page, in: query, value: 1}
`

func TestParseModelAndPositions(t *testing.T) {
	doc, ds := Parse("min.yaml", []byte(minimalDoc), LoadOptions{})
	if len(ds) != 0 {
		t.Fatalf("Parse: unexpected diagnostics:\n%v", ds)
	}
	if doc.Info.Version != "1.0" {
		t.Errorf("info.version = %q, want the YAML text \"1.0\"", doc.Info.Version)
	}
	w := doc.Workflow("wf")
	if w == nil || w.Doc != doc {
		t.Fatalf("workflow wf not found or Doc not set")
	}
	if got := w.Extensions["x-owner"]; got != "team-a" {
		t.Errorf("x-owner = %v", got)
	}
	if got := fmt.Sprint(w.Inputs); got != "map[properties:map[n:map[default:3 type:integer]] type:object]" {
		t.Errorf("inputs = %s", got)
	}
	s, idx := w.Step("s1")
	if s == nil || idx != 0 {
		t.Fatalf("step s1 not found")
	}
	if s.Loc.Pos != (Pos{17, 9}) || s.Loc.Pointer != "/workflows/0/steps/0" {
		t.Errorf("step loc = %v %q", s.Loc.Pos, s.Loc.Pointer)
	}
	if p := s.Loc.FieldPos("operationId"); p != (Pos{18, 22}) {
		t.Errorf("operationId pos = %v", p)
	}
	if s.Parameters[0].Value != 42 || !s.Parameters[0].HasValue {
		t.Errorf("parameter value = %#v", s.Parameters[0].Value)
	}
	if r := s.Parameters[1]; r.Reference != "$components.parameters.page" || r.Value != 2 {
		t.Errorf("reusable = %+v", r)
	}
	if got := fmt.Sprint(s.RequestBody.Payload); got != "map[a:[1 2.5 true <nil> x]]" {
		t.Errorf("payload = %s", got)
	}
	c := s.SuccessCriteria[1]
	if c.Type != "jsonpath" || c.Version != "draft-goessner-dispatch-jsonpath-00" || !c.TypeObject {
		t.Errorf("criterion type = %q %q %v", c.Type, c.Version, c.TypeObject)
	}
	a := s.OnFailure[0]
	if *a.RetryAfter != 1.5 || *a.RetryLimit != 3 {
		t.Errorf("retry = %v %v", *a.RetryAfter, *a.RetryLimit)
	}
	if o := s.Outputs[0]; o.Name != "id" || o.Expr != "$response.body#/id" || o.Loc.Pos != (Pos{39, 15}) {
		t.Errorf("output = %+v", o)
	}
	if p := doc.Components.Parameters["page"]; p == nil || p.In != "query" || p.Loc.Pointer != "/components/parameters/page" {
		t.Errorf("component parameter = %+v", p)
	}
}

func TestParseJSON(t *testing.T) {
	src := `{"arazzo": "1.1.0", "$self": "https://x/a.arazzo.json", "info": {"title": "t", "version": "1"},
 "sourceDescriptions": [{"name": "a", "url": "https://x/a.yaml"}],
 "workflows": [{"workflowId": "w", "steps": [{"stepId": "s", "operationId": "op", "timeout": 500, "dependsOn": ["q"],
   "outputs": {"v": {"context": "$response.body", "selector": "$.id", "type": "jsonpath"}}}]}]}`
	doc, ds := Parse("a.json", []byte(src), LoadOptions{})
	if len(ds) != 0 {
		t.Fatalf("unexpected diagnostics: %v", ds)
	}
	s := doc.Workflows[0].Steps[0]
	if doc.Self != "https://x/a.arazzo.json" || *s.Timeout != 500 || s.DependsOn[0] != "q" {
		t.Errorf("1.1 fields not decoded: self=%q step=%+v", doc.Self, s)
	}
	if sel := s.Outputs[0].Selector; sel == nil || sel.Selector != "$.id" || sel.Type != "jsonpath" {
		t.Errorf("selector output = %+v", s.Outputs[0])
	}
	if doc.Minor() != "1.1" {
		t.Errorf("Minor = %q", doc.Minor())
	}
}

func TestParseErrors(t *testing.T) {
	billion := "a: &a [x,x,x,x,x,x,x,x,x]\n"
	prev := "a"
	for _, n := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		billion += n + ": &" + n + " [" + strings.Repeat("*"+prev+",", 8) + "*" + prev + "]\n"
		prev = n
	}
	tests := []struct {
		name, src string
		opts      LoadOptions
		want      string
	}{
		{"syntax", "a: b\n c: : d\n", LoadOptions{}, "x.yaml:2:1: error: invalid YAML: mapping values are not allowed in this context [yaml-syntax]"},
		{"empty", "  \n", LoadOptions{}, "[not-an-object]"},
		{"list", "- a\n", LoadOptions{}, "x.yaml:1:1: error: the document root must be an object, not a list [not-an-object]"},
		{"size", minimalDoc, LoadOptions{MaxBytes: 100}, "over the limit of 100 bytes [input-too-large]"},
		{"billion laughs", billion, LoadOptions{}, "alias expansions [yaml-alias-limit]"},
		{"depth", strings.Repeat("[", 300) + strings.Repeat("]", 300), LoadOptions{}, "deeper than 200 levels [yaml-depth-limit]"},
		{"merge key", "base: &b {title: t}\ninfo:\n  <<: *b\n", LoadOptions{}, `x.yaml:3:3: error: YAML merge keys (<<) are not supported in Arazzo documents; write the fields out [yaml-syntax]`},
		{"duplicate key", "arazzo: 1.0.0\narazzo: 1.0.1\n", LoadOptions{}, `x.yaml:2:1: error: duplicate key "arazzo" [duplicate-key]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, ds := Parse("x.yaml", []byte(tc.src), tc.opts)
			if len(ds) != 1 || !strings.Contains(ds[0].String(), tc.want) {
				t.Errorf("Parse diagnostics = %v, want one containing %q", ds, tc.want)
			}
		})
	}
}

func TestScalarOffsetPos(t *testing.T) {
	src := "a: $x == 1\nb: '$x  == 1'\nc: \"\\t$x\"\nd: >-\n  one\n  $x two\ne: |\n    line\n    $y\n"
	doc, _ := Parse("p.yaml", []byte(src), LoadOptions{})
	tests := []struct {
		key  string
		off  int
		want Pos
	}{
		{"a", 0, Pos{1, 4}},
		{"a", 6, Pos{1, 10}},
		{"b", 6, Pos{2, 11}},
		{"c", 1, Pos{3, 7}},
		{"d", 4, Pos{6, 3}},
		{"e", 5, Pos{9, 5}},
	}
	for _, tc := range tests {
		n := childNode(doc.Loc.Node, tc.key)
		if got := scalarOffsetPos(newLineIndex(doc.Src), n, n.Value, tc.off); got != tc.want {
			t.Errorf("%s offset %d (%q): got %v, want %v", tc.key, tc.off, n.Value, got, tc.want)
		}
	}
}

// JSON surrogate-pair escapes (what Python's json.dumps writes for emoji)
// parse, and nodes after them on the same line keep their real columns.
func TestParseJSONSurrogatePairs(t *testing.T) {
	src := `{"arazzo":"1.0.1","info":{"title":"\ud83d\ude00\ud83d\ude00","version":"1"},"x-lone":"\ud83d","x-not":"\\ud83d"}`
	doc, ds := Parse("s.json", []byte(src), LoadOptions{})
	for _, d := range ds {
		if d.Rule == RuleYAMLSyntax {
			t.Fatalf("surrogate pairs rejected: %v", d)
		}
	}
	if doc == nil {
		t.Fatal("no document")
	}
	if got, want := doc.Info.Title, "😀😀"; got != want {
		t.Errorf("title = %q, want %q", got, want)
	}
	if got, want := doc.Info.Loc.FieldPos("version").Col, strings.Index(src, `"version":"1"`)+len(`"version":`)+1; got != want {
		t.Errorf("version value at column %d, want %d", got, want)
	}
	lone := childNode(doc.Loc.Node, "x-lone")
	if lone == nil || lone.Value != "\uFFFD" {
		t.Errorf("lone surrogate = %v, want U+FFFD", lone)
	}
	if n := childNode(doc.Loc.Node, "x-not"); n == nil || n.Value != `\ud83d` {
		t.Errorf("escaped backslash = %v, want the literal text", n)
	}
}

func TestParseMultipleDocuments(t *testing.T) {
	tests := []struct {
		name, src string
		want      bool
	}{
		{"leading marker", "# c\n---\n" + minimalDoc, false},
		{"end marker only", minimalDoc + "...\n", false},
		{"trailing empty document", minimalDoc + "---\n", false},
		{"text with dots", strings.Replace(minimalDoc, "title: ", "title: wait... ", 1), false},
		{"second document", minimalDoc + "---\narazzo: 1.0.1\n", true},
		{"leading marker and second document", "---\n" + minimalDoc + "---\na: 1\n", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ds := Parse("x.yaml", []byte(tt.src), LoadOptions{})
			got := false
			for _, d := range ds {
				got = got || d.Rule == RuleMultipleDocuments
			}
			if got != tt.want {
				t.Errorf("multiple-documents reported = %v, want %v (%v)", got, tt.want, ds)
			}
		})
	}
}
