package openapi_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"path/filepath"

	"github.com/arazzo-go/arazzo/openapi"
)

func Example() {
	ctx := context.Background()
	loc, _ := filepath.Abs("testdata/compute31.yaml")
	src, err := (&openapi.Loader{}).Load(ctx, loc)
	if err != nil {
		log.Fatal(err)
	}

	op, _ := src.Operation("getInstance")
	req, err := op.NewRequest(ctx, openapi.RequestInput{
		ServerVars: map[string]string{"region": "us-ashburn-1"},
		Params: []openapi.ParamValue{
			{Name: "instanceId", In: "path", Value: "ocid1.instance.oc1..x"},
			{Name: "Authorization", In: "header", Value: nil}, // absent: no header at all
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(req.Method, req.URL, len(req.Header))

	create, _ := src.OperationByPointer("/paths/~1images/post")
	req, _ = create.NewRequest(ctx, openapi.RequestInput{
		BaseURL: "http://127.0.0.1:8080/20160918",
		HasBody: true,
		Body:    map[string]any{"compartmentId": "c", "instanceId": "i", "displayName": "nightly"},
	})
	body, _ := io.ReadAll(req.Body)
	fmt.Println(req.Method, req.URL, req.Header.Get("Content-Type"))
	fmt.Println(string(body))

	_, err = src.OperationByPointer("/paths/~1images~1{imageId}")
	fmt.Println(err)
	// Output:
	// GET https://iaas.us-ashburn-1.example.com/20160918/instances/ocid1.instance.oc1..x 0
	// POST http://127.0.0.1:8080/20160918/images application/json
	// {"compartmentId":"c","displayName":"nightly","instanceId":"i"}
	// pointer "/paths/~1images~1{imageId}" points at a path item, not an operation; add /get
}

// An operation describes itself in this package's own types: parameters
// with the serialisation in effect, servers with their variables, the
// security in effect, and the schemas of its responses.
func ExampleOperation() {
	const description = `openapi: 3.0.3
info: {title: images, version: "1"}
servers:
  - url: "https://iaas.{region}.example.com/20160918"
    variables: {region: {default: us-phoenix-1, enum: [us-phoenix-1, us-ashburn-1]}}
paths:
  /images/{imageId}:
    parameters: [{name: imageId, in: path, required: true, schema: {type: string}}]
    get:
      operationId: getImage
      parameters: [{name: fields, in: query, explode: false, schema: {type: array, items: {type: string}}}]
      security: []
      responses:
        "200":
          description: the image
          content:
            application/json:
              schema:
                properties: {lifecycleState: {type: string, enum: [PROVISIONING, AVAILABLE]}}
`
	src, err := (&openapi.Loader{}).Parse(context.Background(), "", []byte(description))
	if err != nil {
		log.Fatal(err)
	}
	op, _ := src.Operation("getImage")
	for _, p := range op.Params {
		fmt.Printf("%s %s required=%v style=%s explode=%v\n", p.In, p.Name, p.Required, p.Style, p.Explode)
	}
	srv := op.Servers[0]
	fmt.Println(srv.URL, srv.Variables["region"].Enum)
	fmt.Println("security declared:", op.SecurityDeclared, "requirements:", len(op.Security))
	for _, r := range op.Responses("200") {
		state, ok := r.Content["application/json"].At("/lifecycleState")
		fmt.Println(r.Status, ok, state.Types(), state.Enum())
	}
	// Output:
	// path imageId required=true style=simple explode=false
	// query fields required=false style=form explode=false
	// https://iaas.{region}.example.com/20160918 [us-phoenix-1 us-ashburn-1]
	// security declared: true requirements: 0
	// 200 true [string] [PROVISIONING AVAILABLE]
}

func ExampleEncodeBody() {
	form, ct, _ := openapi.EncodeBody("application/x-www-form-urlencoded", map[string]any{
		"name":  "Rex Jr",
		"owner": map[string]any{"id": 7},
		"tags":  []any{"a", "b"},
	})
	fmt.Println(ct)
	fmt.Println(string(form))

	// A JSON payload written as a string template is sent as written.
	body, _, _ := openapi.EncodeBody("application/json", `{"quantity": "3"}`)
	fmt.Println(string(body))
	// Output:
	// application/x-www-form-urlencoded
	// name=Rex+Jr&owner%5Bid%5D=7&tags=a&tags=b
	// {"quantity": "3"}
}

func ExampleNearest() {
	ids := []string{"getInstance", "createImage", "listImages"}
	fmt.Printf("%q\n", openapi.Nearest("getInstanse", ids, 2))
	fmt.Printf("%q\n", openapi.Nearest("getImage", ids, 2))
	// Output:
	// "getInstance"
	// ""
}
