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
// with their serialisation in effect, servers with their variables, the
// security in effect, and the schemas of its responses.
func ExampleOperation() {
	ctx := context.Background()
	loc, _ := filepath.Abs("testdata/compute31.yaml")
	src, err := (&openapi.Loader{}).Load(ctx, loc)
	if err != nil {
		log.Fatal(err)
	}

	op, _ := src.Operation("getInstance")
	for _, p := range op.Params {
		fmt.Printf("%s %s required=%v style=%s\n", p.In, p.Name, p.Required, p.Style)
	}
	srv := op.Servers[0]
	fmt.Println(srv.URL, srv.Variables["region"].Enum)
	fmt.Println("security declared:", op.SecurityDeclared)

	img, _ := src.Operation("getImage")
	for _, r := range img.Responses("200") {
		state, ok := r.Content["application/json"].At("/lifecycleState")
		fmt.Println(r.Status, ok, state.Enum()[:3])
	}
	// Output:
	// path instanceId required=true style=simple
	// header Authorization required=false style=simple
	// header opc-request-id required=false style=simple
	// https://iaas.{region}.example.com/20160918 [us-phoenix-1 us-ashburn-1]
	// security declared: false
	// 200 true [PROVISIONING IMPORTING AVAILABLE]
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
