package expr_test

import (
	"fmt"

	"github.com/arazzo-go/arazzo/expr"
)

func ExampleParse() {
	e, err := expr.Parse("$steps.createImage.outputs.image#/lifecycleState")
	if err != nil {
		panic(err)
	}
	r := e.Ref()
	fmt.Println(r.Kind, r.Step, r.Name, r.Pointer)
	v, err := e.Eval(expr.MapScope{
		"$steps.createImage.outputs.image": map[string]any{"lifecycleState": "AVAILABLE"},
	})
	fmt.Println(v, err)
	// Output:
	// $steps createImage image /lifecycleState
	// AVAILABLE <nil>
}

func ExampleParseValue() {
	scope := expr.MapScope{"$inputs.count": 3, "$inputs.token": "abc"}
	for _, src := range []string{"$inputs.count", "{$inputs.count} items", "$100", "Bearer $inputs.token"} {
		v, _ := expr.ParseValue(src)
		out, _ := v.Eval(scope)
		fmt.Printf("%-22q %-10v %#v\n", src, v.Kind(), out)
		for _, n := range v.Notes() {
			fmt.Printf("  note %s: write %q\n", n.Rule, n.Fix)
		}
	}
	// Output:
	// "$inputs.count"        expression 3
	// "{$inputs.count} items" template   "3 items"
	// "$100"                 literal    "$100"
	// "Bearer $inputs.token" template   "Bearer abc"
	//   note unbraced-expression: write "Bearer {$inputs.token}"
}

func ExampleCompileCriterion() {
	c, err := expr.CompileCriterion(expr.CriterionSpec{
		Context:   "$response.body",
		Condition: `$.lifecycleState == "AVAILABLE"`,
		Type:      "jsonpath",
	})
	if err != nil {
		panic(err)
	}
	for _, n := range c.Notes() {
		fmt.Println("note:", n.Rule, "->", n.Fix)
	}
	out := c.Eval(expr.MapScope{"$response.body": map[string]any{"lifecycleState": "PROVISIONING"}})
	fmt.Println(out.Pass, out.Explanation)
	// Output:
	// note: jsonpath-comparison-dialect -> $response.body#/lifecycleState == 'AVAILABLE'
	// false $.lifecycleState was "PROVISIONING", expected == 'AVAILABLE' (jsonpath comparison dialect)
}

func ExampleParseCondition() {
	c, err := expr.ParseCondition(`$statusCode == 200 && $response.body#/state == "stopped"`)
	if err != nil {
		panic(err)
	}
	fmt.Println(c.String())
	pass, why, _ := c.Explain(expr.MapScope{"$statusCode": 200, "$response.body": map[string]any{"state": "STOPPED"}})
	fmt.Println(pass, why)
	// Output:
	// $statusCode == 200 && $response.body#/state == 'stopped'
	// true $statusCode was 200, expected == 200; $response.body#/state was "STOPPED", expected == 'stopped'
}
