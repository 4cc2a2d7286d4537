package runtime_test

import (
	"context"
	"errors"
	"fmt"
	"github.com/arazzo-go/arazzo/arazzo"
	"net/http"
	"sync"
	"time"

	"github.com/arazzo-go/arazzo/runtime"
)

// Mock files answer operations offline; the last answer repeats.
func ExampleParseMocks() {
	m, err := runtime.ParseMocks("mocks.yaml", []byte(`
mocks:
  getImage:
    - {status: 200, body: {lifecycleState: PROVISIONING}}
    - {status: 200, body: {lifecycleState: AVAILABLE}}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Keys(), len(m.Operations["getImage"]))

	// The engine attaches the operation to each request it sends (see
	// OperationFromContext); a request built elsewhere is refused.
	req, _ := http.NewRequestWithContext(context.Background(), "GET", "https://example.com/images/1", nil)
	_, err = m.Transport().RoundTrip(req)
	fmt.Println(err)
	// Output:
	// [getImage] 2
	// mock: GET /images/1 was not sent by the engine (no operation attached)
}

// Retry-After is read as seconds or as an HTTP date.
func ExampleParseRetryAfter() {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	d, _ := runtime.ParseRetryAfter("5", now)
	fmt.Println(d)
	d, _ = runtime.ParseRetryAfter("Thu, 26 Nov 2026 12:01:00 GMT", now)
	fmt.Println(d)
	// Output:
	// 5s
	// 1m0s
}

// Run the bundled seed workflow offline: the mock file answers getInstance
// with a STOPPED instance, createImage with a new image, and getImage with
// PROVISIONING twice, then AVAILABLE.
func ExampleEngine_Run() {
	ctx := context.Background()
	doc, diags, err := arazzo.Load(ctx, "../workflows/oracle/oracle-create-custom-image-from-instance-workflow.yml", arazzo.LoadOptions{})
	if err != nil || diags.HasErrors() {
		fmt.Println(err, diags)
		return
	}
	mocks, err := runtime.LoadMocks("../workflows/oracle/mocks/stopped-instance.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	eng, err := runtime.New(doc, runtime.Options{Transport: mocks.Transport(), LoopDelay: runtime.Off})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := eng.Run(ctx, "create-custom-image-from-instance", map[string]any{
		"compartmentId": "ocid1.compartment.oc1..example",
		"instanceId":    "ocid1.instance.oc1.phx.example",
		"displayName":   "my-image",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Status, res.Outputs["imageId"], res.Outputs["lifecycleState"])
	for _, a := range res.Steps {
		fmt.Println(a.StepID, a.Response.Status, a.Action)
	}
	// Output:
	// succeeded ocid1.image.oc1.phx.exampleimage0001 AVAILABLE
	// readInstance 200 goto createImage
	// createImage 200 next
	// pollImage 200 goto pollImage
	// pollImage 200 goto pollImage
	// pollImage 200 end
}

// A run that does not succeed returns its Result (status, partial outputs,
// every attempt) and an error: errors.Is finds the context's error in a
// cancelled run, errors.As a *StepError or *AbortError.
func ExampleEngine_Run_cancelled() {
	ctx := context.Background()
	doc, _, err := arazzo.Load(ctx, "../workflows/oracle/oracle-create-custom-image-from-instance-workflow.yml", arazzo.LoadOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	mocks, err := runtime.LoadMocks("../workflows/oracle/mocks/stopped-instance.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	eng, err := runtime.New(doc, runtime.Options{Transport: mocks.Transport()})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, cancel := context.WithCancel(ctx)
	cancel() // e.g. the service is shutting down
	res, err := eng.Run(ctx, "create-custom-image-from-instance", map[string]any{
		"compartmentId": "ocid1.compartment.oc1..example",
		"instanceId":    "ocid1.instance.oc1.phx.example",
		"displayName":   "my-image",
	})
	var abort *runtime.AbortError
	fmt.Println(errors.Is(err, context.Canceled), errors.As(err, &abort) && abort.Guard == runtime.GuardCancelled)
	fmt.Println(res.Status, res.FailedAt, err)
	// Output:
	// true true
	// aborted readInstance run cancelled
}

// Runs on one Engine are independent: each has its own id, observer, labels
// and mock answer sequence, and the Engine is shared by every goroutine.
func ExampleEngine_RunWith() {
	ctx := context.Background()
	doc, _, err := arazzo.Load(ctx, "../workflows/oracle/oracle-create-custom-image-from-instance-workflow.yml", arazzo.LoadOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	mocks, err := runtime.LoadMocks("../workflows/oracle/mocks/stopped-instance.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	eng, err := runtime.New(doc, runtime.Options{Transport: mocks.Transport(), LoopDelay: runtime.Off})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer eng.Close()
	ids := []string{"tenant-a", "tenant-b", "tenant-c"}
	polls := make([]int, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			count := runtime.ObserverFunc(func(ev runtime.Event) {
				if ev.Kind == runtime.EventRequestSent && ev.StepID == "pollImage" && ev.RunID == id {
					polls[i]++
				}
			})
			_, err := eng.RunWith(ctx, "create-custom-image-from-instance", map[string]any{
				"compartmentId": "ocid1.compartment.oc1..example",
				"instanceId":    "ocid1.instance.oc1.phx.example",
				"displayName":   id,
			}, runtime.RunOptions{ID: id, Observer: count})
			if err != nil {
				fmt.Println(err)
			}
		}()
	}
	wg.Wait()
	fmt.Println(polls) // every run polled three times: PROVISIONING, PROVISIONING, AVAILABLE
	// Output:
	// [3 3 3]
}

// tagging is a custom RoundTripper: it names the run and the operation of
// every request the engine sends, then hands it to the next transport.
type tagging struct{ next http.RoundTripper }

func (t tagging) RoundTrip(req *http.Request) (*http.Response, error) {
	id, _ := runtime.RunIDFromContext(req)
	op, _ := runtime.OperationFromContext(req)
	req = req.Clone(req.Context()) // a RoundTripper must not modify its request
	req.Header.Set("X-Run-Id", id)
	fmt.Println(id, op, req.Method)
	return t.next.RoundTrip(req)
}

// The README's library example, compiled: a custom RoundTripper (auth,
// tracing, here a tag per run) wraps the mocks, and the run's error is a
// value checked like any other.
func ExampleOptions_transport() {
	ctx := context.Background()
	doc, diags, err := arazzo.Load(ctx, "../workflows/oracle/oracle-create-custom-image-from-instance-workflow.yml", arazzo.LoadOptions{})
	if err != nil || diags.HasErrors() {
		fmt.Println(err, diags)
		return
	}
	mocks, err := runtime.LoadMocks("../workflows/oracle/mocks/stopped-instance.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	eng, err := runtime.New(doc, runtime.Options{
		Transport: tagging{next: mocks.Transport()},
		Servers:   map[string]string{"ociComputeApi": "https://iaas.us-phoenix-1.oraclecloud.com/20160918"},
		LoopDelay: runtime.Off,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer eng.Close()
	res, err := eng.RunWith(ctx, "create-custom-image-from-instance", map[string]any{
		"compartmentId": "ocid1.compartment.oc1..example",
		"instanceId":    "ocid1.instance.oc1.phx.example",
		"displayName":   "my-image",
	}, runtime.RunOptions{ID: "r1"})
	var stepErr *runtime.StepError
	switch {
	case errors.As(err, &stepErr):
		fmt.Println("failed at", stepErr.StepID, "attempt", stepErr.Attempt)
	case err != nil:
		fmt.Println(err)
	}
	fmt.Println(res.RunID, res.Status)
	// Output:
	// r1 getInstance GET
	// r1 createImage POST
	// r1 getImage GET
	// r1 getImage GET
	// r1 getImage GET
	// r1 succeeded
}
