package runtime_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/arazzo-go/arazzo/runtime"
)

// deadlineRecorder sends requests on and notes whether each had a deadline.
type deadlineRecorder struct{ deadlines []bool }

func (d *deadlineRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	_, has := req.Context().Deadline()
	d.deadlines = append(d.deadlines, has)
	return http.DefaultTransport.RoundTrip(req)
}

func TestRequestTimeoutSetsADeadlinePerRequestUnlessNegative(t *testing.T) {
	_, srv := newFakeOCI(t)
	for _, tc := range []struct {
		timeout time.Duration
		want    bool
	}{{0, true}, {time.Minute, true}, {-1, false}} {
		rec := &deadlineRecorder{}
		eng, _ := seedEngine(t, srv.URL, func(o *runtime.Options) {
			o.RequestTimeout = tc.timeout
			o.Transport = rec
		})
		res, err := eng.Run(context.Background(), seedWorkflow, seedInputs("ocid1.instance.oc1.phx.stopped"))
		if err != nil || res.Status != runtime.Succeeded {
			t.Fatalf("RequestTimeout %v: %v %v %s", tc.timeout, err, res.Status, res.Error)
		}
		for i, has := range rec.deadlines {
			if has != tc.want {
				t.Errorf("RequestTimeout %v: request %d has a deadline: %v, want %v", tc.timeout, i+1, has, tc.want)
			}
		}
		if len(rec.deadlines) != 5 {
			t.Errorf("RequestTimeout %v: %d requests, want 5", tc.timeout, len(rec.deadlines))
		}
	}
}

// retryDoc gets an item, retrying a failed attempt twice at once.
const retryDoc = rulesHeader + `workflows:
  - workflowId: main
    steps:
      - stepId: get
        operationId: getItem
        parameters: [{name: id, in: path, value: "1"}, {name: q, in: query, value: "x"}]
        successCriteria: [{condition: $statusCode == 200}]
        onFailure: [{name: again, type: retry, retryAfter: 0, retryLimit: 2}]
        outputs: {state: $response.body#/state}
      - stepId: again
        operationId: getItem
        parameters: [{name: id, in: path, value: "2"}, {name: q, in: query, value: "x"}]
        successCriteria: [{condition: $statusCode == 200}]
    outputs: {state: $steps.get.outputs.state}
`

// stallFirst stalls the first request until its context is done and notes
// what the context said; later requests wait delay, then go on.
type stallFirst struct {
	delay    time.Duration
	n        int
	err      error
	deadline bool
}

func (s *stallFirst) RoundTrip(req *http.Request) (*http.Response, error) {
	s.n++
	if s.n == 1 {
		_, s.deadline = req.Context().Deadline()
		<-req.Context().Done()
		s.err = req.Context().Err()
		return nil, s.err
	}
	select {
	case <-time.After(s.delay):
	case <-req.Context().Done():
		return nil, req.Context().Err()
	}
	return http.DefaultTransport.RoundTrip(req)
}

// The requests of a run share one context and one timer (deadline.go): a
// request that outlives its deadline sees context.DeadlineExceeded as with
// a context of its own, the retry after it gets a live context, and each
// later request has the whole timeout from its own start, however long the
// run has been going.
func TestEachRequestGetsItsOwnTimeoutOnASharedContext(t *testing.T) {
	doc := loadDoc(t, "testdata/rules/retry.arazzo.yaml", retryDoc)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"state":"ok"}`)
	}))
	t.Cleanup(srv.Close)
	const timeout = 200 * time.Millisecond
	tr := &stallFirst{delay: 120 * time.Millisecond}
	eng, err := runtime.New(doc, runtime.Options{
		Servers: map[string]string{"api": srv.URL + "/v1"}, LoopDelay: runtime.Off,
		RequestTimeout: timeout, Transport: tr,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	start := time.Now()
	res, err := eng.Run(context.Background(), "main", nil)
	if err != nil {
		t.Fatalf("run: %v (%s)", err, res.Error)
	}
	// 200 ms for the stalled request, then two of 120 ms each: the last
	// one ends 440 ms in, past the deadline the first of them had (400 ms),
	// with 80 ms to spare for each on a busy machine.
	if took := time.Since(start); took < timeout+2*tr.delay {
		t.Errorf("run took %v, want at least %v", took, timeout+2*tr.delay)
	}
	if !errors.Is(tr.err, context.DeadlineExceeded) || !tr.deadline {
		t.Errorf("the stalled request's context: deadline set %v, error %v; want a deadline and context.DeadlineExceeded", tr.deadline, tr.err)
	}
	if len(res.Steps) != 3 || !strings.Contains(res.Steps[0].Error, "no response within 200ms") || !res.Steps[1].Success || !res.Steps[2].Success {
		for _, a := range res.Steps {
			t.Logf("%s attempt %d: success %v %s", a.StepID, a.Attempt, a.Success, a.Error)
		}
		t.Fatalf("want a timed-out attempt, then a successful retry and step")
	}
}

// A request the run's own timeout cuts short is reported as the run's
// timeout, not the request's, although both timers run.
func TestRunTimeoutShorterThanRequestTimeout(t *testing.T) {
	doc := loadDoc(t, "testdata/rules/retry.arazzo.yaml", retryDoc)
	tr := &stallFirst{}
	eng, err := runtime.New(doc, runtime.Options{
		Servers: map[string]string{"api": "http://127.0.0.1:9/v1"}, LoopDelay: runtime.Off,
		RequestTimeout: 300 * time.Millisecond, Timeout: 100 * time.Millisecond, Transport: tr,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	res, err := eng.Run(context.Background(), "main", nil)
	if res == nil {
		t.Fatalf("no result: %v", err)
	}
	if res.Status != runtime.Aborted || !strings.Contains(res.Error, "100ms") {
		t.Fatalf("status %v, error %q (%v): want the run aborted after 100ms", res.Status, res.Error, err)
	}
}

// An engine runs on copies of its document's OpenAPI sources that keep no
// decoded description (openapi.Source.Detached), and leaves the caller's
// document as it was.
func TestEngineKeepsDetachedSourcesAndLeavesTheDocumentAlone(t *testing.T) {
	_, srv := newFakeOCI(t)
	doc := loadSeed(t)
	eng, err := runtime.New(doc, runtime.Options{Servers: map[string]string{"ociComputeApi": srv.URL + "/20160918"}, LoopDelay: runtime.Off})
	if err != nil {
		t.Fatal(err)
	}
	mine, theirs := doc.SourceDescriptions[0].OpenAPI, eng.Document().SourceDescriptions[0].OpenAPI
	if mine == theirs {
		t.Fatal("the engine keeps the caller's source")
	}
	for _, o := range mine.Operations() {
		if len(o.Responses()) == 0 {
			t.Errorf("the caller's %s lost its responses", o)
		}
	}
	for _, o := range theirs.Operations() {
		if len(o.Responses()) != 0 {
			t.Errorf("the engine's %s keeps the decoded description", o)
		}
	}
	res, err := eng.Run(context.Background(), seedWorkflow, seedInputs("ocid1.instance.oc1.phx.stopped"))
	if err != nil || res.Status != runtime.Succeeded {
		t.Fatalf("run: %v %v", err, res)
	}
}
