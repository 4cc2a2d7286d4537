package runtime_test

import (
	"context"
	"fmt"
	"time"

	"github.com/arazzo-go/arazzo/arazzo"
	"github.com/arazzo-go/arazzo/runtime"
	"github.com/arazzo-go/arazzo/runtime/store"
)

// A durable run records what its effects returned in a store (here in
// memory; store.OpenSQLite for a file that survives the process). After a
// crash another process resumes it with Engine.Resume; History replays what
// was recorded without sending anything. VirtualClock makes the poll loop's
// waits instant while keeping their durations.
func ExampleEngine_Resume() {
	ctx := context.Background()
	doc, _, err := arazzo.Load(ctx, "../workflows/oracle/oracle-create-custom-image-from-instance-workflow.yml", arazzo.LoadOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	mocks, _ := runtime.LoadMocks("../workflows/oracle/mocks/stopped-instance.yaml")
	eng, _ := runtime.New(doc, runtime.Options{
		Transport: mocks.Transport(),
		Clock:     runtime.NewVirtualClock(time.Date(2026, 12, 4, 6, 0, 0, 0, time.UTC)),
	})
	st := store.NewMemory(store.Options{})
	inputs := map[string]any{
		"compartmentId": "ocid1.compartment.oc1..example",
		"instanceId":    "ocid1.instance.oc1.phx.example",
		"displayName":   "my-image",
		"authToken":     "never-stored",
	}
	res, err := eng.RunWith(ctx, "create-custom-image-from-instance", inputs, runtime.RunOptions{ID: "run-1", Store: st})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("run:", res.Status, res.Outputs["imageId"])

	// A finished run resumes to its recorded result; an interrupted one
	// would go on from where it stopped. Secret inputs are given again.
	res, err = eng.Resume(ctx, st, "run-1", map[string]any{"authToken": "never-stored"}, runtime.RunOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("resumed:", res.Status, len(res.Steps), "steps replayed")

	_, err = eng.Resume(ctx, st, "run-1", nil, runtime.RunOptions{})
	fmt.Println(err)
	// Output:
	// run: succeeded ocid1.image.oc1.phx.exampleimage0001
	// resumed: succeeded 5 steps replayed
	// run run-1 needs its secret inputs again (they are never stored): authToken
}
