package runtime_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/arazzo-go/arazzo/runtime"
)

const seedWorkflow = "create-custom-image-from-instance"

func seedInputs(instance string) map[string]any {
	return map[string]any{
		"compartmentId": "ocid1.compartment.oc1..example",
		"instanceId":    instance,
		"displayName":   "my-image",
		"authToken":     "Bearer s3cr3t-example-token",
	}
}

func seedEngine(t testing.TB, url string, mod func(*runtime.Options)) (*runtime.Engine, *sleepRecorder) {
	t.Helper()
	doc := loadSeed(t)
	sl := &sleepRecorder{}
	opts := runtime.Options{
		Servers: map[string]string{"ociComputeApi": url + "/20160918"},
		Clock:   sl,
	}
	if mod != nil {
		mod(&opts)
	}
	eng, err := runtime.New(doc, opts)
	if err != nil {
		t.Fatal(err)
	}
	return eng, sl
}

func trace(res *runtime.Result) string {
	var parts []string
	for _, a := range res.Steps {
		parts = append(parts, a.StepID+":"+a.Action)
	}
	return strings.Join(parts, " ")
}

func TestSeedStoppedInstanceCreatesImageAndPolls(t *testing.T) {
	oci, srv := newFakeOCI(t)
	oci.requireAuth = true
	eng, sl := seedEngine(t, srv.URL, nil)
	res, err := eng.Run(context.Background(), seedWorkflow, seedInputs("ocid1.instance.oc1.phx.stopped"))
	if err != nil && res == nil {
		t.Fatal(err)
	}
	if res.Status != runtime.Succeeded {
		t.Fatalf("status %s: %s", res.Status, res.Error)
	}
	wantTrace := "readInstance:goto createImage createImage:next pollImage:goto pollImage pollImage:goto pollImage pollImage:end"
	if got := trace(res); got != wantTrace {
		t.Errorf("trace:\n got %s\nwant %s", got, wantTrace)
	}
	wantOut := map[string]any{"imageId": "ocid1.image.oc1.phx.img0001", "lifecycleState": "AVAILABLE"}
	if !reflect.DeepEqual(res.Outputs, wantOut) {
		t.Errorf("outputs = %v, want %v", res.Outputs, wantOut)
	}

	reqs := oci.Requests()
	var lines []string
	for _, r := range reqs {
		lines = append(lines, r.Method+" "+r.Path)
		if got := r.Header.Get("Authorization"); got != "Bearer s3cr3t-example-token" {
			t.Errorf("%s %s: Authorization = %q", r.Method, r.Path, got)
		}
	}
	wantReqs := []string{
		"GET /20160918/instances/ocid1.instance.oc1.phx.stopped",
		"POST /20160918/images",
		"GET /20160918/images/ocid1.image.oc1.phx.img0001",
		"GET /20160918/images/ocid1.image.oc1.phx.img0001",
		"GET /20160918/images/ocid1.image.oc1.phx.img0001",
	}
	if !reflect.DeepEqual(lines, wantReqs) {
		t.Errorf("requests:\n got %q\nwant %q", lines, wantReqs)
	}
	var body map[string]any
	if err := json.Unmarshal([]byte(reqs[1].Body), &body); err != nil {
		t.Fatalf("POST body %q: %v", reqs[1].Body, err)
	}
	wantBody := map[string]any{"compartmentId": "ocid1.compartment.oc1..example", "displayName": "my-image", "instanceId": "ocid1.instance.oc1.phx.stopped"}
	if !reflect.DeepEqual(body, wantBody) {
		t.Errorf("POST body = %v, want exactly %v", body, wantBody)
	}
	if ct := reqs[1].Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("POST Content-Type = %q", ct)
	}
	// The poll loop is paced: 1s, then 2s (default LoopDelay, doubling).
	if got, want := sl.Waits(), []time.Duration{time.Second, 2 * time.Second}; !reflect.DeepEqual(got, want) {
		t.Errorf("poll waits = %v, want %v", got, want)
	}
	if res.Steps[3].Waited != 1*time.Second || res.Steps[4].Waited != 2*time.Second {
		t.Errorf("attempt Waited = %v, %v", res.Steps[3].Waited, res.Steps[4].Waited)
	}

	// The token never appears in the result.
	b, _ := json.Marshal(res)
	if strings.Contains(string(b), "s3cr3t") {
		t.Errorf("the result leaks the token: %s", b)
	}
	if res.Inputs["authToken"] != runtime.Redacted {
		t.Errorf("Inputs.authToken = %v", res.Inputs["authToken"])
	}
}

func TestSeedRunningInstanceEndsWithNullOutputs(t *testing.T) {
	oci, srv := newFakeOCI(t)
	eng, _ := seedEngine(t, srv.URL, nil)
	res, err := eng.Run(context.Background(), seedWorkflow, seedInputs("ocid1.instance.oc1.phx.running"))
	if err != nil && res == nil {
		t.Fatal(err)
	}
	if res.Status != runtime.Succeeded || trace(res) != "readInstance:end" {
		t.Fatalf("status %s trace %s: %s", res.Status, trace(res), res.Error)
	}
	if res.Steps[0].ActionName != "notStopped" {
		t.Errorf("action name = %q", res.Steps[0].ActionName)
	}
	want := map[string]any{"imageId": nil, "lifecycleState": nil}
	if !reflect.DeepEqual(res.Outputs, want) {
		t.Errorf("outputs = %#v, want %#v", res.Outputs, want)
	}
	if n := len(oci.Requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestSeedUnknownInstanceFailsAtReadInstance(t *testing.T) {
	_, srv := newFakeOCI(t)
	eng, _ := seedEngine(t, srv.URL, nil)
	res, err := eng.Run(context.Background(), seedWorkflow, seedInputs("ocid1.instance.oc1.phx.nope"))
	if err != nil && res == nil {
		t.Fatal(err)
	}
	if res.Status != runtime.Failed || res.FailedAt != "readInstance" {
		t.Fatalf("status %s at %q: %s", res.Status, res.FailedAt, res.Error)
	}
	if !strings.Contains(res.Error, "readInstance") || !strings.Contains(res.Error, "$statusCode == 200") || !strings.Contains(res.Error, "404 NotAuthorizedOrNotFound") {
		t.Errorf("error %q should name the step and the criterion", res.Error)
	}
	if res.Steps[0].Response == nil || res.Steps[0].Response.Status != 404 || !strings.Contains(res.Steps[0].Response.BodyPreview(), "NotAuthorizedOrNotFound") {
		t.Errorf("response summary = %+v", res.Steps[0].Response)
	}
}

func TestSeedWithoutAuthTokenSendsNoAuthorizationHeader(t *testing.T) {
	oci, srv := newFakeOCI(t)
	eng, _ := seedEngine(t, srv.URL, func(o *runtime.Options) { o.LoopDelay = runtime.Off })
	in := seedInputs("ocid1.instance.oc1.phx.stopped")
	delete(in, "authToken")
	res, err := eng.Run(context.Background(), seedWorkflow, in)
	if err != nil && res == nil {
		t.Fatal(err)
	}
	if res.Status != runtime.Succeeded {
		t.Fatalf("status %s: %s", res.Status, res.Error)
	}
	for _, r := range oci.Requests() {
		if _, ok := r.Header["Authorization"]; ok {
			t.Errorf("%s %s sent Authorization %q", r.Method, r.Path, r.Header.Get("Authorization"))
		}
	}

	// Against a server that wants credentials, the run fails at readInstance.
	oci.requireAuth = true
	res, err = eng.Run(context.Background(), seedWorkflow, in)
	if err != nil && res == nil {
		t.Fatal(err)
	}
	if res.Status != runtime.Failed || res.FailedAt != "readInstance" || res.Steps[0].Response.Status != 401 {
		t.Errorf("with auth required: %s at %s", res.Status, res.FailedAt)
	}
}

func TestSeedNeverAvailableIsAbortedByTheStepGuard(t *testing.T) {
	oci, srv := newFakeOCI(t)
	oci.polls = -1
	eng, sl := seedEngine(t, srv.URL, func(o *runtime.Options) { o.MaxSteps = 25 })
	res, err := eng.Run(context.Background(), seedWorkflow, seedInputs("ocid1.instance.oc1.phx.stopped"))
	if err != nil && res == nil {
		t.Fatal(err)
	}
	if res.Status != runtime.Aborted {
		t.Fatalf("status %s: %s", res.Status, res.Error)
	}
	for _, want := range []string{"step pollImage re-entered", "via goto keepPolling", "25 step executions"} {
		if !strings.Contains(res.Error, want) {
			t.Errorf("error %q does not contain %q", res.Error, want)
		}
	}
	if n := len(oci.Requests()); n != 25 {
		t.Errorf("%d requests, want 25", n)
	}
	// Waits double up to 30s and stay there: the API is never hammered.
	waits := sl.Waits()
	if len(waits) != 23 || waits[0] != time.Second || waits[5] != 30*time.Second || waits[22] != 30*time.Second {
		t.Errorf("waits = %v", waits)
	}
}

func TestSeedDeletedImageFallsThroughToTheEnd(t *testing.T) {
	oci, srv := newFakeOCI(t)
	oci.polls, oci.final = 1, "DELETED"
	eng, _ := seedEngine(t, srv.URL, func(o *runtime.Options) { o.LoopDelay = runtime.Off })
	res, err := eng.Run(context.Background(), seedWorkflow, seedInputs("ocid1.instance.oc1.phx.stopped"))
	if err != nil && res == nil {
		t.Fatal(err)
	}
	// Decision (docs/decisions.md): no matching success action means the
	// next step; pollImage is the last one, so the workflow succeeds and
	// reports the state it saw.
	if res.Status != runtime.Succeeded || res.Outputs["lifecycleState"] != "DELETED" {
		t.Fatalf("status %s outputs %v: %s", res.Status, res.Outputs, res.Error)
	}
	if got := trace(res); !strings.HasSuffix(got, "pollImage:goto pollImage pollImage:next") {
		t.Errorf("trace %s", got)
	}

	strict, _ := seedEngine(t, srv.URL, func(o *runtime.Options) { o.LoopDelay = runtime.Off; o.Strict = true })
	res, err = strict.Run(context.Background(), seedWorkflow, seedInputs("ocid1.instance.oc1.phx.stopped"))
	if err != nil && res == nil {
		t.Fatal(err)
	}
	if res.Status != runtime.Failed || res.FailedAt != "pollImage" {
		t.Errorf("strict: %s at %s: %s", res.Status, res.FailedAt, res.Error)
	}
}

func TestSeedRetryAfterHeaderPacesThePoll(t *testing.T) {
	oci, srv := newFakeOCI(t)
	oci.retryAfter = "7"
	eng, sl := seedEngine(t, srv.URL, nil)
	res, err := eng.Run(context.Background(), seedWorkflow, seedInputs("ocid1.instance.oc1.phx.stopped"))
	if err != nil || res.Status != runtime.Succeeded {
		t.Fatalf("%v %v", err, res)
	}
	if got, want := sl.Waits(), []time.Duration{7 * time.Second, 7 * time.Second}; !reflect.DeepEqual(got, want) {
		t.Errorf("waits = %v, want %v", got, want)
	}
}

func TestSeedInvalidInputs(t *testing.T) {
	_, srv := newFakeOCI(t)
	eng, _ := seedEngine(t, srv.URL, nil)
	_, err := eng.Run(context.Background(), seedWorkflow, map[string]any{"instanceId": 5, "authToken": "tok-123456"})
	var ie *runtime.InputError
	if !errors.As(err, &ie) {
		t.Fatalf("err = %v, want *runtime.InputError", err)
	}
	msg := ie.Error()
	for _, want := range []string{"compartmentId: missing required input", "displayName: missing required input", "instanceId"} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q does not contain %q", msg, want)
		}
	}
	if _, err := eng.Run(context.Background(), "nope", nil); !errors.Is(err, runtime.ErrUnknownWorkflow) || !strings.Contains(err.Error(), `no workflow "nope"`) {
		t.Errorf("unknown workflow: %v", err)
	}
}

func TestSeedCancellationAborts(t *testing.T) {
	oci, srv := newFakeOCI(t)
	oci.polls = -1
	doc := loadSeed(t)
	ctx, cancel := context.WithCancel(context.Background())
	sleeps := 0
	eng, err := runtime.New(doc, runtime.Options{
		Servers: map[string]string{"ociComputeApi": srv.URL + "/20160918"},
		Clock: sleepFunc(func(ctx context.Context, d time.Duration) error {
			if sleeps++; sleeps == 3 {
				cancel()
			}
			return ctx.Err()
		}),
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := eng.Run(ctx, seedWorkflow, seedInputs("ocid1.instance.oc1.phx.stopped"))
	if err != nil && res == nil {
		t.Fatal(err)
	}
	if res.Status != runtime.Aborted || !strings.Contains(res.Error, "cancelled") {
		t.Errorf("status %s: %s", res.Status, res.Error)
	}
}

func TestSeedOverallTimeoutAborts(t *testing.T) {
	oci, srv := newFakeOCI(t)
	oci.polls = -1
	eng, _ := seedEngine(t, srv.URL, func(o *runtime.Options) {
		o.Timeout = 50 * time.Millisecond
		o.Clock = nil // the real timer, which honours the deadline
		d := 20 * time.Millisecond
		o.LoopDelay = d
	})
	start := time.Now()
	res, err := eng.Run(context.Background(), seedWorkflow, seedInputs("ocid1.instance.oc1.phx.stopped"))
	if err != nil && res == nil {
		t.Fatal(err)
	}
	if res.Status != runtime.Aborted || !strings.Contains(res.Error, "timed out after 50ms") {
		t.Errorf("status %s: %s", res.Status, res.Error)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("the timeout was not honoured promptly")
	}
}

func TestSeedWithBundledMockFiles(t *testing.T) {
	doc := loadSeed(t)
	tests := []struct {
		file   string
		status runtime.Status
		out    map[string]any
	}{
		{"stopped-instance.yaml", runtime.Succeeded, map[string]any{"imageId": "ocid1.image.oc1.phx.exampleimage0001", "lifecycleState": "AVAILABLE"}},
		{"running-instance.yaml", runtime.Succeeded, map[string]any{"imageId": nil, "lifecycleState": nil}},
		{"not-found.yaml", runtime.Failed, map[string]any{"imageId": nil, "lifecycleState": nil}},
		{"deleted-image.yaml", runtime.Succeeded, map[string]any{"imageId": "ocid1.image.oc1.phx.exampleimage0001", "lifecycleState": "DELETED"}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			m, err := runtime.LoadMocks("../workflows/oracle/mocks/" + tc.file)
			if err != nil {
				t.Fatal(err)
			}
			eng, err := runtime.New(doc, runtime.Options{Transport: m.Transport(), LoopDelay: runtime.Off})
			if err != nil {
				t.Fatal(err)
			}
			res, err := eng.Run(context.Background(), seedWorkflow, seedInputs("ocid1.instance.oc1.phx.example"))
			if err != nil && res == nil {
				t.Fatal(err)
			}
			if res.Status != tc.status || !reflect.DeepEqual(res.Outputs, tc.out) {
				t.Errorf("%s %v, want %s %v (%s)", res.Status, res.Outputs, tc.status, tc.out, res.Error)
			}
			// The mock requests went through the real request path.
			if u := res.Steps[0].Request.URL; !strings.HasPrefix(u, "https://iaas.us-phoenix-1.oraclecloud.com/20160918/instances/") {
				t.Errorf("URL %s", u)
			}
		})
	}
}

func TestSeedConcurrentRunsOnOneEngine(t *testing.T) {
	_, srv := newFakeOCI(t)
	eng, _ := seedEngine(t, srv.URL, nil)
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for i := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			inst := "ocid1.instance.oc1.phx.stopped"
			if i%3 == 0 {
				inst = "ocid1.instance.oc1.phx.running"
			}
			res, err := eng.Run(context.Background(), seedWorkflow, seedInputs(inst))
			if err != nil && res == nil {
				errs <- err
				return
			}
			if res.Status != runtime.Succeeded {
				errs <- fmt.Errorf("run %d: %s %s", i, res.Status, res.Error)
				return
			}
			if i%3 != 0 && res.Outputs["lifecycleState"] != "AVAILABLE" {
				errs <- fmt.Errorf("run %d: outputs %v", i, res.Outputs)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
