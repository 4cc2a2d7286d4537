package runtime_test

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/arazzo-go/arazzo/arazzo"
	"github.com/arazzo-go/arazzo/runtime"
)

// A Result encodes itself as the run report (docs/schemas/run-report.schema.json),
// the JSON `arazzo run --json` prints: camelCase, a formatVersion,
// durations in milliseconds, times in RFC 3339. json.Unmarshal reads it back,
// for a service that stores its runs' reports.
func ExampleResult_MarshalJSON() {
	ctx := context.Background()
	doc, _, err := arazzo.Load(ctx, "../workflows/oracle/oracle-create-custom-image-from-instance-workflow.yml", arazzo.LoadOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	mocks, err := runtime.LoadMocks("../workflows/oracle/mocks/running-instance.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	eng, err := runtime.New(doc, runtime.Options{Transport: mocks.Transport()})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer eng.Close()
	res, err := eng.RunWith(ctx, "create-custom-image-from-instance", map[string]any{
		"compartmentId": "ocid1.compartment.oc1..example",
		"instanceId":    "ocid1.instance.oc1.phx.example",
		"displayName":   "my-image",
	}, runtime.RunOptions{ID: "nightly-42", Labels: map[string]string{"team": "images"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	data, err := json.Marshal(res)
	if err != nil {
		fmt.Println(err)
		return
	}

	// What a consumer in any language reads.
	var report struct {
		FormatVersion int               `json:"formatVersion"`
		RunID         string            `json:"runId"`
		Labels        map[string]string `json:"labels"`
		Status        string            `json:"status"`
		DurationMs    *float64          `json:"durationMs"`
		Steps         []struct {
			StepID   string `json:"stepId"`
			Attempt  int    `json:"attempt"`
			Response struct {
				Status int `json:"status"`
			} `json:"response"`
			Action string `json:"action"`
		} `json:"steps"`
	}
	if err := json.Unmarshal(data, &report); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(report.FormatVersion, report.RunID, report.Labels["team"], report.Status, report.DurationMs != nil)
	for _, s := range report.Steps {
		fmt.Println(s.StepID, s.Attempt, s.Response.Status, s.Action)
	}

	// And a Go service reading a stored report back.
	var back runtime.Result
	if err := json.Unmarshal(data, &back); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(back.RunID, back.Status, back.Steps[0].StepID, back.Duration == res.Duration.Truncate(time.Microsecond))
	// Output:
	// 1 nightly-42 images succeeded true
	// readInstance 1 200 end
	// nightly-42 succeeded readInstance true
}
