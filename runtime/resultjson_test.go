package runtime_test

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/arazzo-go/arazzo/arazzo"
	"github.com/arazzo-go/arazzo/internal/testutil"
	"github.com/arazzo-go/arazzo/runtime"
)

// fullResult sets every field the JSON shape carries, with values that
// survive it exactly (UTC times, whole microseconds, criterion types).
func fullResult() *runtime.Result {
	t0 := time.Date(2026, 12, 4, 5, 0, 0, 123456000, time.UTC)
	return &runtime.Result{
		RunID:      "run-1",
		Labels:     map[string]string{"team": "images"},
		WorkflowID: "wf",
		Status:     runtime.Failed,
		Inputs:     map[string]any{"token": runtime.Redacted, "n": 3.0},
		Outputs:    map[string]any{"id": nil, "list": []any{"a", true}},
		Error:      "step poll: gave up",
		FailedAt:   "poll",
		Started:    t0,
		Duration:   2500 * time.Microsecond,
		Steps: []*runtime.StepAttempt{runtime.StepAttempt{
			WorkflowID: "wf", StepID: "poll", Attempt: 2, Operation: "getImage",
			Request:  runtime.RequestSummary{Method: "GET", URL: "https://x/images/1", BodySize: 0}.WithDetails(map[string]string{"Accept": "application/json"}, ""),
			Response: runtime.ResponseSummary{Status: 503, BodySize: 2}.WithDetails(map[string]string{"Retry-After": "1"}, "{}"),
			Criteria: []runtime.CriterionResult{
				runtime.CriterionResult{Condition: "$statusCode == 200", Type: "simple"}.WithExplanation("$statusCode is 503"),
				{Action: "again", Condition: "$statusCode == 503", Type: "simple", Pass: true},
			},
			Action: "fail", ActionName: "giveUp", Error: "gave up",
			Started: t0.Add(time.Millisecond), Duration: 1001 * time.Microsecond, Waited: time.Second,
		}.WithOutputs(map[string]any{"code": 503.0}), {
			WorkflowID: "wf", StepID: "poll", Attempt: 1, Operation: "getImage",
			Request:    runtime.RequestSummary{Method: "GET", URL: "https://x/images/1"}.WithDetails(map[string]string{}, ""),
			Criteria:   []runtime.CriterionResult{},
			Summarized: true, Action: "retry", Started: t0, Duration: time.Millisecond,
		}},
	}
}

func TestResultJSONRoundTrip(t *testing.T) {
	want := fullResult()
	data, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	var got runtime.Result
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatalf("reading %s: %v", data, err)
	}
	if !reflect.DeepEqual(&got, want) {
		g, _ := json.Marshal(got)
		t.Errorf("round trip changed the result:\n got %s\nwant %s", g, data)
	}
	again, _ := json.Marshal(&got)
	if !bytes.Equal(again, data) {
		t.Errorf("second encoding differs:\n%s\n%s", again, data)
	}
}

// TestResultJSONNames pins the documented names and units: a field renamed
// back to Go's spelling, or a duration in nanoseconds, fails here.
func TestResultJSONNames(t *testing.T) {
	r := fullResult()
	r.Started = r.Started.In(time.FixedZone("CET", 3600))
	data, _ := json.Marshal(r)
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	keys := func(m map[string]any) []string {
		var ks []string
		for k := range m {
			ks = append(ks, k)
		}
		slices.Sort(ks)
		return ks
	}
	wantTop := []string{"durationMs", "error", "failedAt", "formatVersion", "inputs", "labels", "outputs", "runId", "started", "status", "steps", "workflowId"}
	if got := keys(doc); !slices.Equal(got, wantTop) {
		t.Errorf("top-level keys %v, want %v", got, wantTop)
	}
	if doc["formatVersion"] != float64(runtime.ResultFormatVersion) || doc["durationMs"] != 2.5 || doc["started"] != "2026-12-04T05:00:00.123456Z" {
		t.Errorf("formatVersion %v, durationMs %v, started %v", doc["formatVersion"], doc["durationMs"], doc["started"])
	}
	step := doc["steps"].([]any)[0].(map[string]any)
	wantStep := []string{"action", "actionName", "attempt", "criteria", "durationMs", "error", "operation", "outputs", "request", "response", "started", "stepId", "success", "waitedMs", "workflowId"}
	if got := keys(step); !slices.Equal(got, wantStep) {
		t.Errorf("attempt keys %v, want %v", got, wantStep)
	}
	if step["durationMs"] != 1.001 || step["waitedMs"] != 1000.0 {
		t.Errorf("attempt durationMs %v waitedMs %v, want 1.001 and 1000", step["durationMs"], step["waitedMs"])
	}
	if got := keys(step["request"].(map[string]any)); !slices.Equal(got, []string{"bodySize", "headers", "method", "url"}) {
		t.Errorf("request keys %v", got)
	}
	if got := keys(step["criteria"].([]any)[1].(map[string]any)); !slices.Equal(got, []string{"action", "condition", "pass", "type"}) {
		t.Errorf("criterion keys %v", got)
	}
	summarized := doc["steps"].([]any)[1].(map[string]any)
	if summarized["summarized"] != true {
		t.Errorf("summarized attempt: %v", summarized)
	}
}

// TestResultJSONNeverFails: a Result always has a report, whatever its
// outputs hold; empty collections are [] and {}, never null.
func TestResultJSONNeverFails(t *testing.T) {
	r := &runtime.Result{
		WorkflowID: "w",
		Status:     runtime.Succeeded,
		Outputs: map[string]any{
			"nan": math.NaN(), "inf": math.Inf(1), "yaml": map[any]any{1: "one"},
			"bytes": []byte("raw"), "chan": make(chan int), "when": time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
			"bad": json.RawMessage("{"),
		},
		Steps: []*runtime.StepAttempt{nil, {StepID: "s", Attempt: 1}},
	}
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	var doc struct {
		Inputs  map[string]any   `json:"inputs"`
		Outputs map[string]any   `json:"outputs"`
		Steps   []map[string]any `json:"steps"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	o := doc.Outputs
	if o["nan"] != "NaN" || o["inf"] != "+Inf" || o["bytes"] != "raw" || o["when"] != "2026-01-02T03:04:05Z" || o["bad"] != "{" {
		t.Errorf("outputs %v", o)
	}
	if y, _ := o["yaml"].(map[string]any); y["1"] != "one" {
		t.Errorf("map[any]any output %v", o["yaml"])
	}
	if doc.Inputs == nil || len(doc.Steps) != 1 || doc.Steps[0]["criteria"] == nil {
		t.Errorf("inputs %v, steps %v: want {} and one attempt with criteria []", doc.Inputs, doc.Steps)
	}
	if !strings.Contains(string(data), `"inputs":{}`) || !strings.Contains(string(data), `"criteria":[]`) {
		t.Errorf("empty collections not written as {} and []: %s", data)
	}
}

// TestResultJSONMasksCredentialHeaders: a Result built by hand, or a gap in
// the engine's redaction, still cannot put a credential header in a report.
func TestResultJSONMasksCredentialHeaders(t *testing.T) {
	const secret = "s3cr3t-canary"
	r := &runtime.Result{WorkflowID: "w", Status: runtime.Succeeded, Steps: []*runtime.StepAttempt{{
		StepID: "s", Attempt: 1,
		Request:  runtime.RequestSummary{Method: "GET", URL: "https://x/", Body: []byte(secret)}.WithDetails(map[string]string{"Authorization": "Bearer " + secret, "X-Api-Key": secret}, ""),
		Response: runtime.ResponseSummary{Status: 200}.WithDetails(map[string]string{"Set-Cookie": "session=" + secret, "Content-Type": "text/plain"}, ""),
	}}}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), secret) {
		t.Errorf("the report shows the secret: %s", buf.String())
	}
	if strings.Count(buf.String(), `"<redacted>"`) != 3 || !strings.Contains(buf.String(), `"Content-Type":"text/plain"`) {
		t.Errorf("want three credential headers masked, Content-Type kept, and <redacted> unescaped: %s", buf.String())
	}
}

func TestResultJSONRefusesOtherVersions(t *testing.T) {
	for _, doc := range []string{
		`{"workflowId":"w","status":"succeeded"}`,
		`{"formatVersion":2,"workflowId":"w","status":"succeeded"}`,
		`{"format_version":1,"Workflow":"w"}`,
	} {
		var r runtime.Result
		if err := json.Unmarshal([]byte(doc), &r); err == nil {
			t.Errorf("Unmarshal(%s) accepted it: %+v", doc, r)
		}
	}
	var r runtime.Result
	if err := json.Unmarshal([]byte(`{"formatVersion":1,"workflowId":"w","status":"aborted","started":"yesterday"}`), &r); err == nil {
		t.Error("a started time that is not RFC 3339 was accepted")
	}
}

// TestResultJSONOfRealRunsMatchesSchema: what json.Marshal makes of the
// engine's own results, succeeded and failed, is the documented shape.
func TestResultJSONOfRealRunsMatchesSchema(t *testing.T) {
	schema := testutil.OutputSchema(t, "run-report.schema.json")
	ctx := context.Background()
	doc, _, err := arazzo.Load(ctx, "../workflows/oracle/oracle-create-custom-image-from-instance-workflow.yml", arazzo.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// (The polling run, stopped-instance, is checked through the CLI with
	// --loop-delay 0: TestJSONOutputsMatchTheirSchemas in cmd/arazzo.)
	for _, mock := range []string{"running-instance", "not-found"} {
		t.Run(mock, func(t *testing.T) {
			mocks, err := runtime.LoadMocks("../workflows/oracle/mocks/" + mock + ".yaml")
			if err != nil {
				t.Fatal(err)
			}
			eng, err := runtime.New(doc, runtime.Options{Transport: mocks.Transport()})
			if err != nil {
				t.Fatal(err)
			}
			defer eng.Close()
			res, _ := eng.RunWith(ctx, "create-custom-image-from-instance", map[string]any{
				"compartmentId": "c", "instanceId": "i", "displayName": "d", "authToken": "tok-canary-1234",
			}, runtime.RunOptions{Labels: map[string]string{"mock": mock}})
			if res == nil {
				t.Fatal("no result")
			}
			data, err := json.Marshal(res)
			if err != nil {
				t.Fatal(err)
			}
			var v any
			if err := json.Unmarshal(data, &v); err != nil {
				t.Fatal(err)
			}
			if err := schema.Validate(v); err != nil {
				t.Errorf("does not match run-report.schema.json: %v\n%s", err, data)
			}
			if strings.Contains(string(data), "tok-canary-1234") {
				t.Errorf("the report shows the token: %s", data)
			}
			if len(res.Steps) == 0 || !strings.Contains(string(data), `"runId":"`+res.RunID+`"`) || res.RunID == "" {
				t.Errorf("run id %q not in %s", res.RunID, data)
			}
		})
	}
	// The schema must refuse the old shapes, or the check proves nothing.
	for _, old := range []map[string]any{
		{"format_version": 1.0, "workflow": "w", "status": "succeeded", "inputs": map[string]any{}, "outputs": map[string]any{}, "steps": []any{}},
		{"RunID": "x", "WorkflowID": "w", "Status": "succeeded", "Steps": []any{}, "Duration": 1e6},
	} {
		if err := schema.Validate(old); err == nil {
			t.Errorf("the schema accepts an old shape: %v", old)
		}
	}
}
