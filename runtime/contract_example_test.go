package runtime_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"

	"github.com/arazzo-go/arazzo/arazzo"
	"github.com/arazzo-go/arazzo/runtime"
)

// Check every response of a run against the OpenAPI description: the
// ContractCheck's transport reads each response, its observer lists what
// differs on the step attempt. The run itself is unchanged.
func ExampleNewContractCheck() {
	dir, _ := os.MkdirTemp("", "contract")
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, "openapi.yaml"), []byte(contractOpenAPI), 0o600)
	os.WriteFile(filepath.Join(dir, "pets.arazzo.yaml"), []byte(contractArazzo), 0o600)
	doc, _, err := arazzo.Load(context.Background(), filepath.Join(dir, "pets.arazzo.yaml"), arazzo.LoadOptions{})
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id":"p1","status":"lost"}`)
	}))
	defer srv.Close()

	cc := runtime.NewContractCheck(doc)
	eng, err := runtime.New(doc, runtime.Options{
		Servers:   map[string]string{"pets": srv.URL},
		Transport: cc.Transport(nil),
		Observer:  cc.Observer(nil),
	})
	if err != nil {
		panic(err)
	}
	defer eng.Close()
	res, _ := eng.Run(context.Background(), "twoPets", nil)
	fmt.Println(res.Status)
	for _, a := range res.Steps {
		for _, v := range a.Contract {
			fmt.Printf("%s: %s\n", a.StepID, v)
		}
	}
	// Output:
	// succeeded
	// first: body /status: value is not one of the allowed values ["available","sold"]
	// second: body /status: value is not one of the allowed values ["available","sold"]
}
