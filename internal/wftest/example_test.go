package wftest_test

import (
	"context"
	"fmt"
	"os"

	"github.com/arazzo-go/arazzo/internal/wftest"
	"github.com/arazzo-go/arazzo/runtime"
)

func Example() {
	f, err := wftest.ParseFile("tests/ping.arazzo-test.yaml", []byte(`
workflow: ../ping.arazzo.yaml
cases:
  - name: healthy service answers
    inputs: {password: hunter22}
    expect:
      status: succeeded
      outputs: {healthy: true}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	// A fake engine; the default executor loads the document and runs it
	// against the case's mocks.
	r := &wftest.Runner{Exec: func(ctx context.Context, c *wftest.Case) *wftest.Execution {
		return &wftest.Execution{Result: &runtime.Result{
			Status:  runtime.Succeeded,
			Outputs: map[string]any{"healthy": false, "echo": "hunter22"},
		}}
	}}
	res := r.Run(context.Background(), f)
	_ = wftest.WriteText(os.Stdout, []*wftest.FileResult{res}, false)
	// Output:
	// FAIL  tests/ping.arazzo-test.yaml: healthy service answers
	//     outputs.healthy: expected true, got false
	//     run: succeeded
	//     outputs: {"echo":"<redacted>","healthy":false}
	// FAILED: 0 passed, 1 failed
}
