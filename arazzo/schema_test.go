package arazzo

import (
	"context"
	"fmt"
	goruntime "runtime"
	"strings"
	"testing"
)

// TestSchemaDiagnosticShapes pins what the mapping from validator findings
// to diagnostics adds: the pointer and position of the offending node (keys
// that need escaping included), one finding for a oneOf-like choice of
// missing fields, numbers as written, and no finding for values that are
// not JSON (.nan) inside free-form data.
func TestSchemaDiagnosticShapes(t *testing.T) {
	const head = "arazzo: 1.1.0\ninfo: {title: t, version: v}\nsourceDescriptions: [{name: api, url: ./api.yaml, type: openapi}]\n"
	const steps = "workflows:\n  - workflowId: w\n    steps:\n      - stepId: s\n        operationId: op\n"
	for _, tc := range []struct {
		name, src string
		want      []string // "rule pointer line:col msg", all schema-like findings in order
	}{
		{"escaped key", strings.Replace(head, "version: v}", "version: v, \"a/b~c d\": 1}", 1) + steps,
			[]string{`unknown-field /info/a~1b~0c d 2:30 unknown field "a/b~c d" in info`}},
		{"needs one of", head + steps + "        onSuccess: [{name: g, type: goto}]\n",
			[]string{`missing-field /workflows/0/steps/0/onSuccess/0 9:21 success action workflows[0].steps[0].onSuccess[0] needs one of "workflowId", "stepId"`}},
		{"fraction", head + steps + "        onFailure: [{name: r, type: retry, retryAfter: -2.5}]\n",
			[]string{`schema /workflows/0/steps/0/onFailure/0/retryAfter 9:56 workflows[0].steps[0].onFailure[0].retryAfter: must be >= 0 but found -2.5`}},
		{"repeat points at the second entry", head + steps + "        dependsOn: [a, b, a]\n",
			[]string{`schema /workflows/0/steps/0/dependsOn/2 9:27 workflows[0].steps[0].dependsOn must not repeat entries (items at index 0 and 2 are equal)`}},
		{"enum quoted as JSON", strings.Replace(head, "type: openapi", "type: soap", 1) + steps,
			[]string{`schema /sourceDescriptions/0/type 3:57 sourceDescriptions[0].type: value must be one of "openapi", "arazzo", "asyncapi"`}},
		{"not a JSON number in data", head + steps + "        requestBody: {payload: {a: .nan, b: [-.inf]}}\n", nil},
		// jsonschema v5 panicked here (a nil big.Rat for the minimum check).
		{"not a JSON number where a number is due", head + steps + "        onFailure: [{name: r, type: retry, retryAfter: .inf}]\n",
			[]string{`schema /workflows/0/steps/0/onFailure/0/retryAfter 9:56 workflows[0].steps[0].onFailure[0].retryAfter: expected number, but got string`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, ds := LoadBytes(context.Background(), "t.arazzo.yaml", []byte(tc.src), LoadOptions{})
			var got []string
			for _, d := range ds {
				switch d.Rule {
				case RuleSchema, RuleUnknownField, RuleMissingField:
					got = append(got, fmt.Sprintf("%s %s %d:%d %s", d.Rule, d.Pointer, d.Pos.Line, d.Pos.Col, d.Msg))
				}
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// The compiled schema stays while documents keep being loaded and is let go
// once loading stops: the collector would otherwise mark it on every cycle
// of a process that loaded its documents once (schemaCache).
func TestCompiledSchemaIsReleasedWhenLoadingStops(t *testing.T) {
	c := &schemaCache{minor: "1.1"}
	first, err := c.get()
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := c.get(); again != first {
		t.Fatal("a second use compiled the schema again")
	}
	first = nil
	released := false
	for range 10 {
		goruntime.GC()
		if c.weak.Value() == nil {
			released = true
			break
		}
	}
	if !released {
		t.Fatal("the compiled schema is still reachable after 10 collections without a use")
	}
	s, err := c.get()
	if err != nil || s == nil {
		t.Fatalf("compiling again: %v", err)
	}
	if err := s.Validate(map[string]any{}); err == nil {
		t.Error("the schema compiled again accepts an empty document")
	}
}
