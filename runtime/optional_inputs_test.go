package runtime_test

import (
	"strings"
	"testing"

	"github.com/arazzo-go/arazzo/runtime"
)

// optionalDoc is workflow main with optional inputs a and b (no defaults)
// and one createItem step with the given body and parameters.
func optionalDoc(stepBody string) string {
	return `workflows:
  - workflowId: main
    inputs:
      type: object
      properties:
        a: {type: string}
        b: {type: string}
    steps:
      - stepId: create
        operationId: createItem
` + stepBody
}

// Optional inputs that were not given (issue 11 section 4): wholly absent
// values are left out, embedded ones fail the step naming the input.
func TestOptionalInputsNotGiven(t *testing.T) {
	body := func(want string) func(*testing.T, *runtime.Result, []*recordedRequest) {
		return func(t *testing.T, _ *runtime.Result, reqs []*recordedRequest) {
			t.Helper()
			if len(reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(reqs))
			}
			if reqs[0].Body != want {
				t.Errorf("body %q, want %q", reqs[0].Body, want)
			}
		}
	}
	noRequest := func(t *testing.T, _ *runtime.Result, reqs []*recordedRequest) {
		if len(reqs) != 0 {
			t.Errorf("%d requests sent, want none", len(reqs))
		}
	}
	runRuleCases(t, []ruleCase{
		{
			name: "optional json members left out",
			doc: optionalDoc(`        requestBody:
          payload:
            name: $inputs.a
            nested: {note: $inputs.b, keep: 1}
            fixed: x
`),
			inputs: map[string]any{"a": "given"},
			status: runtime.Succeeded,
			check:  body(`{"fixed":"x","name":"given","nested":{"keep":1}}`),
		},
		{
			name: "optional form fields left out",
			doc: optionalDoc(`        requestBody:
          contentType: application/x-www-form-urlencoded
          payload: {first: $inputs.a, second: $inputs.b, third: "3"}
`),
			inputs: map[string]any{"b": "two"},
			status: runtime.Succeeded,
			check:  body(`second=two&third=3`),
		},
		{
			name: "optional multipart parts left out",
			doc: optionalDoc(`        requestBody:
          contentType: multipart/form-data
          payload: {first: $inputs.a, second: $inputs.b}
`),
			inputs: map[string]any{"a": "one"},
			status: runtime.Succeeded,
			check: func(t *testing.T, _ *runtime.Result, reqs []*recordedRequest) {
				if len(reqs) != 1 || !strings.Contains(reqs[0].Body, `name="first"`) || strings.Contains(reqs[0].Body, `name="second"`) {
					t.Errorf("multipart body %+v: want part first only", reqs)
				}
			},
		},
		{
			name:   "optional whole payload sends no body",
			doc:    optionalDoc("        requestBody:\n          payload: $inputs.a\n"),
			status: runtime.Succeeded,
			check:  body(""),
		},
		{
			name: "optional replacement target left out",
			doc: optionalDoc(`        requestBody:
          payload: {name: placeholder, size: 1}
          replacements:
            - {target: /name, value: $inputs.a}
            - {target: /size, value: 2}
`),
			status: runtime.Succeeded,
			check:  body(`{"size":2}`),
		},
		{
			name: "optional input in body template fails the step",
			doc: optionalDoc(`        requestBody:
          payload: {title: "Note {$inputs.a}"}
`),
			status: runtime.Failed,
			errHas: `optional input "a" was not given and has no default; it is used inside a template`,
			check:  noRequest,
		},
		{
			name: "optional input as array element fails the step",
			doc: optionalDoc(`        requestBody:
          payload: {tags: [x, $inputs.b]}
`),
			status: runtime.Failed,
			errHas: `optional input "b" was not given`,
			check:  noRequest,
		},
		{
			name: "optional input in parameter template fails and onFailure runs",
			doc: `workflows:
  - workflowId: main
    inputs:
      type: object
      properties:
        a: {type: string}
    steps:
      - stepId: get
        operationId: getItem
        parameters:
          - {name: id, in: path, value: "1"}
          - {name: q, in: query, value: "tag:{$inputs.a}"}
        onFailure:
          - {name: fallback, type: goto, stepId: plain}
      - stepId: plain
        operationId: getItem
        parameters:
          - {name: id, in: path, value: "2"}
          - {name: q, in: query, value: $inputs.a}
        successCriteria: [{condition: $statusCode == 200}]
`,
			status: runtime.Succeeded,
			check: func(t *testing.T, res *runtime.Result, reqs []*recordedRequest) {
				if len(reqs) != 1 || strings.Contains(reqs[0].URL, "q=") || !strings.HasSuffix(strings.SplitN(reqs[0].URL, "?", 2)[0], "/items/2") {
					t.Errorf("requests %+v, want one GET /items/2 without q", reqs)
				}
				if len(res.Steps) == 0 || !strings.Contains(res.Steps[0].Error, `optional input "a" was not given`) {
					t.Errorf("first step error does not name the input: %+v", res.Steps)
				}
			},
		},
	})
}
