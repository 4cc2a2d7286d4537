package graph

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arazzo-go/arazzo/arazzo"
	"github.com/arazzo-go/arazzo/internal/testutil"
)

var update = flag.Bool("update", false, "update golden files")

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	testutil.Golden(t, filepath.Join("testdata", name), got, *update)
}

func ptr[T any](v T) *T { return &v }

func crit(cond string) []*arazzo.Criterion { return []*arazzo.Criterion{{Condition: cond}} }

// richDoc exercises every construct the graph draws: calls, gotos to local
// and foreign workflows, retries with and without a call, failure ends,
// workflow-level actions (inherited and overridden), reusable actions, a
// self-loop, an operationPath, a missing goto target and a long condition.
func richDoc() *arazzo.Document {
	doc := &arazzo.Document{
		Components: &arazzo.Components{
			FailureActions: map[string]*arazzo.Action{
				"refresh": {Name: "refreshToken", Type: "retry", WorkflowID: "login", RetryLimit: ptr[int64](2),
					Criteria: crit("$statusCode == 401")},
			},
		},
	}
	login := &arazzo.Workflow{WorkflowID: "login", Steps: []*arazzo.Step{
		{StepID: "getToken", OperationPath: "{$sourceDescriptions.auth.url}#/paths/~1oauth~1token/post",
			SuccessCriteria: crit("$statusCode == 200")},
	}}
	orders := &arazzo.Workflow{
		WorkflowID: "place-order",
		SuccessActions: []*arazzo.Action{
			{Name: "logged", Type: "goto", WorkflowID: "$sourceDescriptions.audit.record", Criteria: crit("$statusCode == 299")},
		},
		FailureActions: []*arazzo.Action{
			{Name: "giveUp", Type: "end"},
			{Reference: "$components.failureActions.refresh"},
			{Reference: "$components.failureActions.nope"},
		},
		Steps: []*arazzo.Step{
			{StepID: "auth", WorkflowID: "login"},
			{StepID: "create", OperationID: "$sourceDescriptions.shop.createOrder",
				OnSuccess: []*arazzo.Action{
					{Name: "tooLong", Type: "goto", StepID: "create", Criteria: []*arazzo.Criterion{
						{Context: "$response.body", Condition: "$[?(@.status == 'pending' && @.items.length > 100 && @.flag)]", Type: "jsonpath"},
					}},
				},
				OnFailure: []*arazzo.Action{
					{Name: "busy", Type: "retry", RetryAfter: ptr(1.5), RetryLimit: ptr[int64](3), Criteria: crit("$statusCode == 503")},
					{Name: "again", Type: "retry", StepID: "auth"},
					{Name: "giveUp", Type: "goto", StepID: "cleanup", Criteria: crit(`$response.header.X-Reason == "quota"`)},
				}},
			{StepID: "confirm", OperationID: "confirmOrder",
				OnSuccess: []*arazzo.Action{
					{Name: "done", Type: "end"},
					{Name: "unreachable", Type: "goto", StepID: "create"},
				},
				OnFailure: []*arazzo.Action{{Name: "lost", Type: "goto", StepID: "ghost"}}},
			{StepID: "cleanup", OperationID: "cancelOrder",
				OnSuccess: []*arazzo.Action{{Name: "restart", Type: "goto", WorkflowID: "login", Criteria: crit("$inputs.retry == true")}}},
		},
	}
	empty := &arazzo.Workflow{WorkflowID: "noop"}
	doc.Workflows = []*arazzo.Workflow{orders, login, empty}
	return doc
}

func TestGolden(t *testing.T) {
	doc := richDoc()
	for _, tc := range []struct {
		name string
		wfs  []*arazzo.Workflow
	}{
		{"rich", doc.Workflows},
		{"single", doc.Workflows[:1]},
	} {
		g := Build(doc, tc.wfs)
		var m, d bytes.Buffer
		if err := g.WriteMermaid(&m); err != nil {
			t.Fatal(err)
		}
		if err := g.WriteDOT(&d); err != nil {
			t.Fatal(err)
		}
		checkGolden(t, tc.name+".mmd", m.Bytes())
		checkGolden(t, tc.name+".dot", d.Bytes())
	}
}

// edgeSet renders edges as "from -kind-> to: label" for table assertions.
func edgeSet(g *Graph) map[string]bool {
	kinds := map[EdgeKind]string{EdgeNext: "next", EdgeSuccess: "ok", EdgeFailure: "fail", EdgeRetry: "retry", EdgeCall: "call"}
	out := map[string]bool{}
	for _, e := range g.Edges {
		label, _, _ := strings.Cut(e.Label, "\n")
		out[e.From+" -"+kinds[e.Kind]+"-> "+e.To+": "+label] = true
	}
	return out
}

func TestEdges(t *testing.T) {
	doc := richDoc()
	g := Build(doc, doc.Workflows)
	edges := edgeSet(g)
	for _, tc := range []struct {
		edge string
		want bool
	}{
		{"w0_start -next-> w0_s0: ", true},
		{"w0_s0 -call-> w1_start: calls", true},                           // nested workflow call to a drawn workflow
		{"w0_s0 -next-> w0_s1: otherwise", true},                          // inherited conditional success action
		{"w0_s0 -ok-> wf__sourceDescriptions_audit_record: logged", true}, // goto a foreign workflow
		{"w0_s0 -fail-> w0_failed: giveUp", true},                         // inherited failure end
		{"w0_s1 -ok-> w0_s1: tooLong", true},                              // self-loop
		{"w0_s1 -retry-> w0_s1: busy (retry ≤3, after 1.5s)", true},
		{"w0_s1 -retry-> w0_s1: again (retry ≤1)", true}, // spec default: one retry
		{"w0_s1 -call-> w0_s0: before retry", true},
		{"w0_s1 -fail-> w0_s3: giveUp", true}, // step action overrides the workflow's giveUp
		{"w0_s1 -fail-> w0_failed: giveUp", false},
		{"w0_s1 -retry-> w0_s1: refreshToken (retry ≤2)", true}, // reusable action resolved
		{"w0_s1 -call-> w1_start: before retry", true},
		{"w0_s1 -fail-> w0_s1: $components.failureActions.nope", false}, // unresolved: no target
		{"w0_s2 -ok-> w0_done: done", true},
		{"w0_s2 -ok-> w0_s1: unreachable", false}, // after an unconditional action
		{"w0_s2 -next-> w0_s3: otherwise", false},
		{"w0_s2 -fail-> w0_missing_ghost: lost", true},
		{"w0_s3 -ok-> w1_start: restart", true},
		{"w0_s3 -next-> w0_done: otherwise", true}, // last step falls through to the end
		{"w1_s0 -next-> w1_done: ", true},
		{"w2_start -next-> w2_done: ", true}, // a workflow without steps
	} {
		if edges[tc.edge] != tc.want {
			t.Errorf("edge %q present = %v, want %v", tc.edge, edges[tc.edge], tc.want)
		}
	}
	if t.Failed() {
		for e := range edges {
			t.Log(e)
		}
	}
}

func TestStepLabels(t *testing.T) {
	for _, tc := range []struct {
		step *arazzo.Step
		want string
	}{
		{&arazzo.Step{StepID: "a", OperationID: "getPet"}, "a\ngetPet"},
		{&arazzo.Step{StepID: "a", OperationID: "$sourceDescriptions.pets.getPet"}, "a\npets.getPet"},
		{&arazzo.Step{StepID: "a", OperationPath: "{$sourceDescriptions.p.url}#/paths/~1pets~1%7Bid%7D/get"}, "a\nGET /pets/{id}"},
		{&arazzo.Step{StepID: "a", OperationPath: "{$sourceDescriptions.p.url}#/components/x"}, "a\n{$sourceDescriptions.p.url}#/components/x"},
		{&arazzo.Step{StepID: "a", WorkflowID: "$sourceDescriptions.lib.auth"}, "a\nworkflow lib.auth"},
		{&arazzo.Step{StepID: "a", ChannelPath: "/orders", Action: "send"}, "a\nsend /orders"},
		{&arazzo.Step{StepID: "a"}, "a"},
	} {
		if got := stepLabel(tc.step); got != tc.want {
			t.Errorf("stepLabel(%+v) = %q, want %q", tc.step, got, tc.want)
		}
	}
}

func TestEscaping(t *testing.T) {
	for _, tc := range []struct{ in, mermaid, dot string }{
		{`a "b"`, "a #quot;b#quot;", `"a \"b\""`},
		{"x#/id", "x#35;/id", `"x#/id"`},
		{"<b>&`|", "#lt;b#gt;#amp;#96;#124;", "\"<b>&`|\""},
		{"one\ntwo", "one<br/>two", `"one\ntwo"`},
		{`back\slash`, `back\slash`, `"back\\slash"`},
	} {
		if got := mermaidText(tc.in); got != tc.mermaid {
			t.Errorf("mermaidText(%q) = %q, want %q", tc.in, got, tc.mermaid)
		}
		if got := dotString(tc.in); got != tc.dot {
			t.Errorf("dotString(%q) = %q, want %q", tc.in, got, tc.dot)
		}
	}
}

func TestShorten(t *testing.T) {
	long := strings.Repeat("é", MaxLabel+5)
	got := criteriaText(crit(long))
	if n := len([]rune(got)); n != MaxLabel || !strings.HasSuffix(got, "…") {
		t.Errorf("criteriaText(long) = %q (%d runes), want %d runes ending in …", got, n, MaxLabel)
	}
	if got := criteriaText(crit("a  ==\n 1")); got != "a == 1" {
		t.Errorf("criteriaText collapses spaces: got %q", got)
	}
}

func Example() {
	wf := &arazzo.Workflow{WorkflowID: "poll", Steps: []*arazzo.Step{
		{StepID: "check", OperationID: "getJob", OnSuccess: []*arazzo.Action{
			{Name: "ready", Type: "end", Criteria: crit(`$response.body#/state == "done"`)},
			{Name: "wait", Type: "goto", StepID: "check"},
		}},
	}}
	Build(&arazzo.Document{Workflows: []*arazzo.Workflow{wf}}, []*arazzo.Workflow{wf}).WriteMermaid(os.Stdout)
	// Output:
	// flowchart TD
	//   w0_start(["poll"])
	//   w0_s0["check<br/>getJob"]
	//   w0_done(("end"))
	//   w0_start --> w0_s0
	//   w0_s0 -->|"ready<br/>$response.body#35;/state == #quot;done#quot;"| w0_done
	//   w0_s0 -->|"wait"| w0_s0
}

func TestNilsInModel(t *testing.T) {
	wf := &arazzo.Workflow{WorkflowID: "w",
		SuccessActions: []*arazzo.Action{nil},
		Steps:          []*arazzo.Step{nil, {StepID: "a", OnSuccess: []*arazzo.Action{nil}, OnFailure: []*arazzo.Action{nil}}}}
	g := Build(nil, []*arazzo.Workflow{nil, wf})
	edges := edgeSet(g)
	if len(g.Clusters) != 1 || !edges["w0_start -next-> w0_s0: "] || !edges["w0_s0 -next-> w0_done: "] {
		t.Errorf("graph with nils = %v", edges)
	}
}

func TestCriteriaLines(t *testing.T) {
	cs := []*arazzo.Criterion{
		{Condition: "$statusCode == 200"},
		nil,
		{Context: "$response.body", Condition: "$.items[?(@.n > 1)]", Type: "jsonpath"},
		{Condition: "$response.header.X == 'a'", Type: "simple"},
		{Condition: "$a == 1"},
		{Condition: "$b == 2"},
	}
	want := "$statusCode == 200\njsonpath: $.items[?(@.n > 1)]\n$response.header.X == 'a'\nand 2 more"
	if got := criteriaText(cs); got != want {
		t.Errorf("criteriaText = %q, want %q", got, want)
	}
}
