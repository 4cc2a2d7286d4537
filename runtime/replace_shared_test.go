package runtime_test

import (
	"testing"

	"github.com/arazzo-go/arazzo/runtime"
)

// A replacement changes the request being built, never a value it was
// built from: an earlier step's output stays as that step produced it.
func TestReplacementsDoNotChangeTheValuesTheyStartFrom(t *testing.T) {
	runRuleCases(t, []ruleCase{{
		name: "payload taken whole from an earlier output",
		doc: mainSteps + `
      - stepId: get
        operationId: getItem
        parameters: [{name: id, in: path, value: "1"}]
        outputs: {item: $response.body#/item}
      - stepId: create
        operationId: createItem
        requestBody:
          contentType: application/json
          payload: $steps.get.outputs.item
          replacements:
            - {target: /name, value: changed}
            - {target: /tags/0, value: changed}
    outputs: {original: $steps.get.outputs.item}
`,
		script:  map[string][]answer{"getItem": {{body: `{"item":{"name":"first","tags":["a","b"]}}`}}},
		status:  runtime.Succeeded,
		outputs: `{"original":{"name":"first","tags":["a","b"]}}`,
		check: func(t *testing.T, res *runtime.Result, reqs []*recordedRequest) {
			if got := reqs[1].Body; got != `{"name":"changed","tags":["changed","b"]}` {
				t.Errorf("sent %s", got)
			}
		},
	}})
}
