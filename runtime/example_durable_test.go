package runtime_test

import (
	"context"
	"errors"
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

// While one process executes a durable run it holds the run's lease in the
// store; Resume elsewhere fails at once with a *LeasedError that says who
// holds it and until when (a crashed holder's lease expires after
// RunOptions.LeaseTTL).
func ExampleLeasedError() {
	ctx := context.Background()
	doc, _, err := arazzo.Load(ctx, "../workflows/oracle/oracle-create-custom-image-from-instance-workflow.yml", arazzo.LoadOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	mocks, _ := runtime.LoadMocks("../workflows/oracle/mocks/stopped-instance.yaml")
	eng, _ := runtime.New(doc, runtime.Options{Transport: mocks.Transport(), Clock: runtime.NewVirtualClock(time.Date(2026, 12, 4, 6, 0, 0, 0, time.UTC))})
	storeNow := func() time.Time { return time.Date(2026, 12, 4, 6, 0, 0, 0, time.UTC) }
	st := store.NewMemory(store.Options{Now: storeNow})
	inputs := map[string]any{"compartmentId": "ocid1.compartment.oc1..example", "instanceId": "ocid1.instance.oc1.phx.example", "displayName": "my-image", "authToken": "t"}
	if _, err := eng.RunWith(ctx, "create-custom-image-from-instance", inputs, runtime.RunOptions{ID: "run-1", Store: st}); err != nil {
		fmt.Println(err)
		return
	}
	// Another process is executing run-1 (here: it took the lease by hand).
	st.AcquireLease(ctx, "run-1", store.Lease{Owner: "elsewhere", Host: "build-7", PID: 4242}, 30*time.Second)

	_, err = eng.Resume(ctx, st, "run-1", map[string]any{"authToken": "t"}, runtime.RunOptions{})
	var le *runtime.LeasedError
	if errors.As(err, &le) {
		fmt.Println("held by pid", le.Holder.PID, "on", le.Holder.Host, "until", le.Holder.Until.UTC().Format(time.TimeOnly))
	}
	fmt.Println(errors.Is(err, store.ErrLeased))
	// Output:
	// held by pid 4242 on build-7 until 06:00:30
	// true
}
