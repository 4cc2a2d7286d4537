package expr

import (
	"sync"
	"testing"
)

// TestConcurrentEval: compiled criteria are shared by concurrent runs
// (run with -race).
func TestConcurrentEval(t *testing.T) {
	t.Parallel()
	specs := []CriterionSpec{
		{Condition: "$statusCode == 200 && $response.body#/state == 'on'"},
		{Context: "$response.body", Condition: `$.state == "on"`, Type: "jsonpath"},
		{Context: "$response.body", Condition: `$[?@ == 'on']`, Type: "jsonpath"},
		{Context: "$statusCode", Condition: `^2\d\d$`, Type: "regex"},
		{Context: "$request.body", Condition: `/a/b[.='on']`, Type: "xpath"},
		{Context: "$response.body", Condition: "$.state", Type: "jsonpath", Version: JSONPathGoessner},
	}
	var crits []*Criterion
	for _, s := range specs {
		crits = append(crits, mustCriterion(t, s))
	}
	scope := MapScope{"$statusCode": 200, "$response.body": map[string]any{"state": "on"}, "$request.body": "<a><b>on</b></a>"}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				for j, c := range crits {
					if out := c.Eval(scope); !out.Pass || out.Err != nil {
						t.Errorf("criterion %d: %+v", j, out)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
}
