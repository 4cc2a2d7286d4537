package arazzo_test

import (
	"context"
	"fmt"

	"github.com/arazzo-go/arazzo/arazzo"
)

func ExampleLoadBytes() {
	src := []byte(`arazzo: 1.0.1
info: {title: Example, version: 1.0.0}
sourceDescriptions:
  - name: petstore
    url: https://example.com/openapi.yaml
workflows:
  - workflowId: adopt
    steps:
      - stepId: find
        operationId: findPets
        onSuccess:
          - name: next
            type: goto
            stepId: fetchPet
      - stepId: fetch
        operationId: getPet
`)
	doc, diags := arazzo.LoadBytes(context.Background(), "adopt.arazzo.yaml", src, arazzo.LoadOptions{})
	fmt.Println(doc.Workflows[0].Steps[1].StepID, doc.Workflows[0].Steps[1].Loc.Pos.Line)
	for _, d := range diags {
		if d.Severity == arazzo.SeverityError {
			fmt.Println(d)
		}
	}
	// Output:
	// fetch 15
	// adopt.arazzo.yaml:14:21: error: goto target step "fetchPet" not found in workflow "adopt"; did you mean "fetch"? [goto-target]
}
