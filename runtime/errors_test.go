package runtime_test

import (
	"context"
	"errors"
	"testing"

	"github.com/arazzo-go/arazzo/runtime"
)

// TestRunErrorKinds checks each kind of run error through errors.Is/As, and
// that the Result with its partial record comes back with it.
func TestRunErrorKinds(t *testing.T) {
	doc := loadDoc(t, "testdata/rules/run-error-kinds.arazzo.yaml", rulesHeader+`
workflows:
  - workflowId: main
    steps:
      - stepId: get
        operationId: getItem
        parameters: [{name: id, in: path, value: "1"}]
        successCriteria: [{condition: $statusCode == 200}]
        onFailure: [{name: again, type: retry, retryLimit: 2}]
  - workflowId: spin
    steps:
      - stepId: get
        operationId: getItem
        parameters: [{name: id, in: path, value: "1"}]
        onSuccess: [{name: loop, type: goto, stepId: get}]
`)
	_, srv := newScriptedAPI(t, map[string][]answer{"getItem": {{status: 500}}})
	eng, err := runtime.New(doc, runtime.Options{Servers: map[string]string{"api": srv.URL + "/v1"}, LoopDelay: runtime.Off, MaxSteps: 5})
	if err != nil {
		t.Fatal(err)
	}

	res, err := eng.Run(context.Background(), "main", nil)
	var se *runtime.StepError
	if res == nil || res.Status != runtime.Failed || !errors.As(err, &se) {
		t.Fatalf("failed run: %v %T %v", res, err, err)
	}
	if se.StepID != "get" || se.Attempt != 3 || se.WorkflowID != "main" || len(res.Steps) != 3 {
		t.Errorf("StepError %+v with %d attempts recorded, want step get attempt 3 of 3", se, len(res.Steps))
	}

	res, err = eng.Run(context.Background(), "spin", nil)
	var ae *runtime.AbortError
	if res == nil || res.Status != runtime.Aborted || !errors.As(err, &ae) || ae.Guard != runtime.GuardMaxSteps {
		t.Fatalf("guarded run: %v %T %v", res, err, err)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a guard is not a context error: %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err = eng.Run(ctx, "main", nil)
	if res == nil || res.Status != runtime.Aborted || !errors.Is(err, context.Canceled) || !errors.As(err, &ae) || ae.Guard != runtime.GuardCancelled {
		t.Fatalf("cancelled run: %v %T %v", res, err, err)
	}

	if res, err := eng.Run(context.Background(), "nope", nil); res != nil || !errors.Is(err, runtime.ErrUnknownWorkflow) {
		t.Errorf("unknown workflow: %v %v", res, err)
	}
}
