package runtime_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/arazzo-go/arazzo/runtime"
)

const budgetDoc = `
workflows:
  - workflowId: poll
    steps:
      - stepId: job
        operationId: getJob
        parameters: [{name: id, in: path, value: "1"}]
        onSuccess:
          - {name: again, type: goto, stepId: job, criteria: [{context: $response.body, condition: $.state == "busy", type: jsonpath}]}
        outputs: {body: $response.body}
  - workflowId: once
    steps:
      - stepId: job
        operationId: getJob
        parameters: [{name: id, in: path, value: "1"}]
  - workflowId: hold
    steps:
      - stepId: job
        operationId: getJob
        parameters: [{name: id, in: path, value: "1"}]
      - stepId: wait
        operationId: getItem
        parameters: [{name: id, in: path, value: "1"}]
`

// bigBody is a JSON object of about n bytes whose state is busy.
func bigBody(n int) []byte {
	return []byte(`{"state":"busy","pad":"` + strings.Repeat("a", n) + `"}`)
}

// TestBodyBudgetEndsAHostilePoll (issue 12, defect 10): a server that answers 100 KB bodies to a poll that
// never ends cannot make the run hold more than the engine's body budget: the run fails once its bodies
// reach it, naming the option, instead of polling on while every attempt's outputs keep a body. The budget
// is the run's until it ends: the next run on the engine has all of it again.
func TestBodyBudgetEndsAHostilePoll(t *testing.T) {
	body := bigBody(100 << 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	doc := loadDoc(t, "testdata/rules/body-budget.arazzo.yaml", rulesHeader+budgetDoc)
	eng, err := runtime.New(doc, runtime.Options{Servers: map[string]string{"api": srv.URL}, LoopDelay: runtime.Off,
		KeepDetails: -1, MaxBodyBytesTotal: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	for run := range 2 {
		res, err := eng.Run(context.Background(), "poll", nil)
		if err == nil || res.Status != runtime.Failed || !strings.Contains(res.Error, "MaxBodyBytesTotal") {
			t.Fatalf("run %d: status %s, error %q (%v); want a failure naming the budget", run, res.Status, res.Error, err)
		}
		// 1 MiB holds ten 100 KB bodies; the eleventh is refused.
		if n := len(res.Steps); n < 10 || n > 11 {
			t.Errorf("run %d: %d attempts before the budget ran out, want 10 or 11", run, n)
		}
	}
}

// TestBodyBudgetIsPerEngine: the budget is shared by the runs in progress. On an engine with a 1 MiB
// budget, run A reads a 600 KB body and then waits in its second step; only then does run B read its own
// 600 KB body, which the budget refuses part-way: together the two runs never held more than the budget.
// Once both ended, a run reads its body again. The order is fixed by the transport (B's first request
// waits until A's second has arrived, A's second answers once B has ended), so the test does not depend
// on how the scheduler interleaves the reads.
func TestBodyBudgetIsPerEngine(t *testing.T) {
	body := bigBody(600 << 10)
	aWaiting, bEnded := make(chan struct{}), make(chan struct{})
	var firstJob sync.Once
	transport := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		answer := func(b []byte) (*http.Response, error) {
			return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, ContentLength: -1,
				Body: io.NopCloser(strings.NewReader(string(b))), Request: req}, nil
		}
		if strings.HasPrefix(req.URL.Path, "/v1/items/") { // A's second step
			close(aWaiting)
			select {
			case <-bEnded:
			case <-req.Context().Done():
				return nil, req.Context().Err()
			}
			return answer([]byte(`{}`))
		}
		isA := false
		firstJob.Do(func() { isA = true })
		if !isA {
			select {
			case <-aWaiting:
			case <-req.Context().Done():
				return nil, req.Context().Err()
			}
		}
		return answer(body)
	})
	doc := loadDoc(t, "testdata/rules/body-budget.arazzo.yaml", rulesHeader+budgetDoc)
	eng, err := runtime.New(doc, runtime.Options{Transport: transport, MaxBodyBytesTotal: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var a, b *runtime.Result
	var wg sync.WaitGroup
	wg.Go(func() { a, _ = eng.Run(ctx, "hold", nil) })
	wg.Go(func() {
		<-aWaiting
		b, _ = eng.Run(ctx, "once", nil)
		close(bEnded)
	})
	wg.Wait()
	if a.Status != runtime.Succeeded {
		t.Fatalf("run A: status %s, error %q; want it to succeed", a.Status, a.Error)
	}
	if b.Status != runtime.Failed || !strings.Contains(b.Error, "MaxBodyBytesTotal") {
		t.Fatalf("run B: status %s, error %q; want a failure naming the budget", b.Status, b.Error)
	}
	held := 0
	for _, res := range []*runtime.Result{a, b} {
		for _, s := range res.Steps {
			if s.Response != nil && s.StepID == "job" { // A's second body is read after B ended
				held += s.Response.BodySize
			}
		}
	}
	if held > 1<<20 || held < 1<<20-64<<10 {
		t.Errorf("the two runs held %d bytes together; want at most the budget (%d) and near it", held, 1<<20)
	}
	if res, err := eng.Run(ctx, "once", nil); err != nil {
		t.Errorf("after both runs ended: %v (%s)", err, res.Error)
	}
}

// TestBodyBudgetDefault: the default holds 32 bodies at the per-response cap.
func TestBodyBudgetDefault(t *testing.T) {
	if runtime.DefaultMaxBodyBytesTotal != 32*runtime.DefaultMaxBodyBytes {
		t.Errorf("DefaultMaxBodyBytesTotal = %d", runtime.DefaultMaxBodyBytesTotal)
	}
}
