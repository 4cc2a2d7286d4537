package arazzo

import (
	"strings"
	"testing"
)

func TestExecutionOrder(t *testing.T) {
	ids := func(ss []*Step) string {
		var out []string
		for _, s := range ss {
			out = append(out, s.StepID)
		}
		return strings.Join(out, " ")
	}
	w := &Workflow{Steps: []*Step{
		{StepID: "a", DependsOn: []string{"c"}},
		{StepID: "b"},
		{StepID: "c", DependsOn: []string{"b"}},
		{StepID: "d", DependsOn: []string{"nosuch"}},
	}}
	if got := ids(w.ExecutionOrder()); got != "b c a d" {
		t.Errorf("order %q, want dependencies first: b c a d", got)
	}
	cyclic := &Workflow{Steps: []*Step{{StepID: "x", DependsOn: []string{"y"}}, {StepID: "y", DependsOn: []string{"x"}}}}
	if got := ids(cyclic.ExecutionOrder()); got != "y x" && got != "x y" {
		t.Errorf("a cycle must still list every step once: %q", got)
	}
	plain := &Workflow{Steps: []*Step{{StepID: "p"}, {StepID: "q"}}}
	if got := ids(plain.ExecutionOrder()); got != "p q" {
		t.Errorf("list order %q", got)
	}
}
