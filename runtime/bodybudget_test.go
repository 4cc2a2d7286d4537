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

// TestBodyBudgetIsPerEngine: the budget is shared by the runs in progress. Two runs each reading a 600 KB
// body at once on an engine with a 1 MiB budget: at least one is refused, and together they never held
// more than the budget (the refused one, or both when their reads interleave, keep what they had read);
// once both ended, a run reads its body again. The last byte of each body waits until one run has ended, so
// neither run can end before the other has read as much as the budget lets it.
func TestBodyBudgetIsPerEngine(t *testing.T) {
	body := bigBody(600 << 10)
	gate := &bodyGate{release: make(chan struct{})}
	transport := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, ContentLength: -1,
			Body: &gatedBody{rest: body, gate: gate}, Request: req}, nil
	})
	doc := loadDoc(t, "testdata/rules/body-budget.arazzo.yaml", rulesHeader+budgetDoc)
	eng, err := runtime.New(doc, runtime.Options{Transport: transport, MaxBodyBytesTotal: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	results := make([]*runtime.Result, 2)
	var wg sync.WaitGroup
	for i := range results {
		wg.Go(func() {
			results[i], _ = eng.Run(context.Background(), "once", nil)
			gate.once.Do(func() { close(gate.release) })
		})
	}
	wg.Wait()
	refused, held := 0, 0
	for _, res := range results {
		switch {
		case res.Status == runtime.Succeeded:
		case strings.Contains(res.Error, "MaxBodyBytesTotal"):
			refused++
		default:
			t.Errorf("status %s, error %q", res.Status, res.Error)
		}
		if len(res.Steps) == 1 && res.Steps[0].Response != nil {
			held += res.Steps[0].Response.BodySize
		}
	}
	if refused == 0 || held > 1<<20 {
		t.Errorf("%d runs refused, %d bytes held together; want at least one refused and at most %d bytes", refused, held, 1<<20)
	}
	if res, err := eng.Run(context.Background(), "once", nil); err != nil {
		t.Errorf("after both runs ended: %v (%s)", err, res.Error)
	}
}

// TestBodyBudgetDefault: the default holds 32 bodies at the per-response cap.
func TestBodyBudgetDefault(t *testing.T) {
	if runtime.DefaultMaxBodyBytesTotal != 32*runtime.DefaultMaxBodyBytes {
		t.Errorf("DefaultMaxBodyBytesTotal = %d", runtime.DefaultMaxBodyBytesTotal)
	}
}

// bodyGate holds the last byte of each body until release is closed (or 5 s have passed).
type bodyGate struct {
	release chan struct{}
	once    sync.Once
}

type gatedBody struct {
	rest []byte
	gate *bodyGate
}

func (b *gatedBody) Read(p []byte) (int, error) {
	if len(b.rest) == 0 {
		return 0, io.EOF
	}
	if len(b.rest) == 1 {
		select {
		case <-b.gate.release:
		case <-time.After(5 * time.Second):
		}
	}
	n := copy(p, b.rest[:max(1, len(b.rest)-1)])
	b.rest = b.rest[n:]
	return n, nil
}

func (b *gatedBody) Close() error { return nil }
