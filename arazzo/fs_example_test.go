package arazzo_test

import (
	"context"
	"fmt"
	"testing/fstest"

	"github.com/arazzo-go/arazzo/arazzo"
)

// Documents and their sources can come from any fs.FS (an embed.FS, a
// bundle from a database) instead of the process's working directory;
// validation reads them the same way.
func ExampleLoad_fromFS() {
	fsys := fstest.MapFS{
		"flows/pets.arazzo.yaml": {Data: []byte(`arazzo: 1.0.1
info: {title: pets, version: "1"}
sourceDescriptions:
  - {name: petsApi, url: ../apis/pets.yaml, type: openapi}
workflows:
  - workflowId: getPet
    steps:
      - stepId: get
        operationId: getPett
`)},
		"apis/pets.yaml": {Data: []byte(`openapi: 3.0.3
info: {title: pets, version: "1"}
paths:
  /pets/{id}:
    get:
      operationId: getPet
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses: {"200": {description: ok}}
`)},
	}
	doc, diags, err := arazzo.Load(context.Background(), "flows/pets.arazzo.yaml", arazzo.LoadOptions{FS: fsys})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(doc.Source("petsApi").OpenAPI != nil)
	for _, d := range diags {
		if d.Severity == arazzo.SeverityError {
			fmt.Println(d.File, d.Rule, d.Msg)
		}
	}
	// Output:
	// true
	// flows/pets.arazzo.yaml operation-not-found operationId "getPett" not found; did you mean "getPet"?
}
