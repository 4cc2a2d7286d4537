package runtime_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/arazzo-go/arazzo/runtime"
)

// TestConcurrentMockedRunsKeepTheirOwnAnswers runs 1,000 mocked polls at once
// on one Engine and one mock transport: each run must walk the whole answer
// sequence (busy, busy, done) itself, and its observer must see only its own
// events, tagged with its run id.
func TestConcurrentMockedRunsKeepTheirOwnAnswers(t *testing.T) {
	doc := loadDoc(t, "testdata/rules/concurrent-mocked-runs.arazzo.yaml", rulesHeader+`
workflows:
  - workflowId: main
    steps:
      - stepId: poll
        operationId: getJob
        parameters: [{name: id, in: path, value: "1"}]
        onSuccess:
          - {name: again, type: goto, stepId: poll, criteria: [{context: $response.body, condition: $.state == "busy", type: jsonpath}]}
        outputs: {state: $response.body#/state}
    outputs: {state: $steps.poll.outputs.state}
`)
	mocks, err := runtime.ParseMocks("mocks.yaml", []byte(`
mocks:
  getJob:
    - {body: {state: busy}}
    - {body: {state: busy}}
    - {body: {state: done}}
`))
	if err != nil {
		t.Fatal(err)
	}
	eng, err := runtime.New(doc, runtime.Options{Transport: mocks.Transport(), LoopDelay: runtime.Off})
	if err != nil {
		t.Fatal(err)
	}
	const n = 1000
	var wg sync.WaitGroup
	var bad atomic.Int32
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := fmt.Sprintf("run-%d", i)
			var events int
			obs := runtime.ObserverFunc(func(ev runtime.Event) {
				if ev.RunID != id {
					t.Errorf("run %s observed an event of run %s", id, ev.RunID)
				}
				events++ // one run's events come from its own goroutine
			})
			res, err := eng.RunWith(context.Background(), "main", nil, runtime.RunOptions{ID: id, Observer: obs, Labels: map[string]string{"n": id}})
			if err != nil || res.RunID != id || res.Labels["n"] != id || len(res.Steps) != 3 || res.Outputs["state"] != "done" || events == 0 {
				if bad.Add(1) <= 3 {
					t.Errorf("run %s: err %v, id %q, %d attempts, outputs %v, %d events", id, err, res.RunID, len(res.Steps), res.Outputs, events)
				}
			}
		}()
	}
	wg.Wait()
	if b := bad.Load(); b > 0 {
		t.Errorf("%d of %d runs did not get their own answer sequence", b, n)
	}
}
