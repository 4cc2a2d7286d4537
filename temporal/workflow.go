package temporal

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	sdktemporal "go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/arazzo-go/arazzo/runtime"
)

// Error types of the workflow's and the activity's failures.
const (
	ErrUnknownDocument = "ArazzoUnknownDocument"
	ErrDocumentChanged = "ArazzoDocumentChanged"
	ErrRunRefused      = "ArazzoRunRefused"
	errConnect         = "ArazzoConnect"   // retried by Temporal
	errTransport       = "ArazzoTransport" // not retried: Arazzo decides
)

// errCancelled is the cause of a run whose Temporal workflow was cancelled.
var errCancelled = errors.New("the Temporal workflow was cancelled")

// Workflow is the Temporal workflow: it interprets in.WorkflowID of the
// document the worker serves as in.Document. A run that starts returns its
// RunResult whatever its status (failed and aborted included); a run that
// cannot start (unknown document or workflow, changed document, invalid
// inputs) fails the Temporal workflow with a non-retryable error.
func (w *Worker) Workflow(ctx workflow.Context, in RunInput) (*RunResult, error) {
	d := w.docs[in.Document]
	if d == nil {
		names := make([]string, 0, len(w.docs))
		for n := range w.docs {
			names = append(names, n)
		}
		sort.Strings(names)
		return nil, sdktemporal.NewNonRetryableApplicationError(
			fmt.Sprintf("this worker does not serve a document named %q (it serves %s)", in.Document, strings.Join(names, ", ")),
			ErrUnknownDocument, nil)
	}
	if in.Hash != "" && in.Hash != d.Hash {
		return nil, sdktemporal.NewNonRetryableApplicationError(
			fmt.Sprintf("document %s: the run was started for content hash %s, the worker serves %s: run it with the same file the worker serves", in.Document, in.Hash, d.Hash),
			ErrDocumentChanged, nil)
	}
	prog := &progressObserver{}
	if err := workflow.SetQueryHandler(ctx, ProgressQuery, prog.query); err != nil {
		return nil, err
	}
	// The interpreter's context: never cancelled by a timer, only by the
	// effects when they see the Temporal workflow cancelled.
	goctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	fx := &effects{wctx: ctx, cancel: cancel, goctx: goctx, w: w, d: d}
	defer fx.closeSession()
	if in.Call != nil {
		// A child workflow that runs a nested workflow of another run.
		started := workflow.Now(ctx)
		ret, err := d.eng.RunWorkflowCall(goctx, in.Call, fx, prog)
		if err != nil {
			return nil, sdktemporal.NewNonRetryableApplicationError(err.Error(), ErrRunRefused, nil)
		}
		return callResult(in.Call, ret, started, workflow.Now(ctx)), nil
	}
	// The run id (and so the idempotency keys) is Temporal's run id: the
	// same on every replay of this execution, new for a new execution
	// that reuses the workflow id (which would otherwise send an old key
	// with a different request).
	runID := workflow.GetInfo(ctx).WorkflowExecution.RunID
	res, err := d.eng.RunWith(goctx, in.WorkflowID, in.Inputs, runtime.RunOptions{ID: runID, Effects: fx, Observer: prog})
	if res == nil {
		return nil, sdktemporal.NewNonRetryableApplicationError(err.Error(), ErrRunRefused, nil)
	}
	return summarize(res), nil
}

// progressObserver keeps what ProgressQuery returns. It is called in the
// workflow goroutine, in the order of the run's events, so it is as
// deterministic as the run.
type progressObserver struct {
	p       Progress
	done    []StepSummary // the latest finished attempts
	dropped int           // finished attempts no longer in done
}

// query returns the progress with the finished attempts from index from.
func (o *progressObserver) query(from int) (Progress, error) {
	p := o.p
	if i := from - o.dropped; i < len(o.done) {
		p.Steps = append([]StepSummary(nil), o.done[max(i, 0):]...)
	}
	return p, nil
}

func (o *progressObserver) Observe(ev runtime.Event) {
	switch ev.Kind {
	case runtime.EventStepStarted:
		o.p.WorkflowID, o.p.StepID, o.p.Waiting, o.p.WaitUntil = ev.WorkflowID, ev.StepID, "", time.Time{}
		if ev.Attempt != nil {
			o.p.Attempt = ev.Attempt.Attempt
		}
	case runtime.EventResponseReceived:
		if ev.Response != nil {
			o.p.LastStatus = ev.Response.Status
		}
	case runtime.EventWaiting:
		o.p.Waiting, o.p.WaitUntil = ev.Reason, ev.Time.Add(ev.Wait)
	case runtime.EventStepFinished:
		o.p.Attempts++
		if ev.Attempt != nil {
			if len(o.done) == maxProgressSteps {
				o.done = append(o.done[:0], o.done[1:]...)
				o.dropped++
			}
			o.done = append(o.done, stepSummary(ev.Attempt))
		}
	}
}

// effects perform a run's exchanges as activities and its waits as durable
// timers.
type effects struct {
	wctx   workflow.Context
	goctx  context.Context
	cancel context.CancelCauseFunc
	w      *Worker
	d      *Document
	msg    messages // AsyncAPI steps' state
}

func (x *effects) Now() time.Time { return workflow.Now(x.wctx) }

// stop turns a cancellation of the Temporal workflow into the end of the
// interpreter's context, which the run reports as aborted.
func (x *effects) stop(err error) error {
	if x.wctx.Err() != nil || sdktemporal.IsCanceledError(err) {
		x.cancel(errCancelled)
		return x.goctx.Err()
	}
	return nil
}

// failure is the run's view of an activity's or a child workflow's error:
// the end of the run's context when the Temporal workflow was cancelled,
// an application error's own message (not the SDK's wrapping of it), or
// nil for another error.
func (x *effects) failure(err error) error {
	if e := x.stop(err); e != nil {
		return e
	}
	var ae *sdktemporal.ApplicationError
	if errors.As(err, &ae) {
		return errors.New(ae.Message())
	}
	return nil
}

func (x *effects) Wait(ctx context.Context, wt runtime.Wait) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := workflow.Sleep(x.wctx, wt.Duration); err != nil {
		if e := x.stop(err); e != nil {
			return e
		}
		return err
	}
	return nil
}

func (x *effects) Send(ctx context.Context, c *runtime.Call) (*http.Response, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	req := Request{
		Document: x.d.Name, Operation: c.Operation, Step: c.Step,
		Method: c.Request.Method, URL: c.Request.URL.String(), Header: c.Request.Header,
		Timeout: x.w.opts.RequestTimeout,
	}
	if t, ok := x.d.stepTimeouts[c.Step]; ok && t < req.Timeout {
		req.Timeout = t
	}
	if c.Request.GetBody != nil {
		body, err := c.Request.GetBody()
		if err != nil {
			return nil, err
		}
		req.Body, err = io.ReadAll(body)
		body.Close()
		if err != nil {
			return nil, err
		}
	}
	ao := workflow.ActivityOptions{
		StartToCloseTimeout: req.Timeout + ActivityGrace,
		// Only a refused connection is retried here (the request never
		// left) and a worker that died mid-exchange (StartToClose timeout;
		// the idempotency key makes the resend safe where the API declares
		// one). Every answer, and every other transport error, goes back
		// to the interpreter: Arazzo's retry and goto actions decide.
		RetryPolicy: activityRetry(),
	}
	var resp Response
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(x.wctx, ao), SendActivityName, req).Get(x.wctx, &resp)
	if err != nil {
		if e := x.failure(err); e != nil {
			return nil, e
		}
		var te *sdktemporal.TimeoutError
		if errors.As(err, &te) {
			return nil, fmt.Errorf("no response within %s (the worker sending it did not answer: %v)", req.Timeout, te.TimeoutType())
		}
		return nil, err
	}
	return runtime.NewResponse(c.Request, resp.Status, resp.Header, resp.Body), nil
}

// activityRetry is the retry policy of the activities: errors typed
// errTransport are the run's to handle, others (a refused connection, a
// worker that died) Temporal retries a few times.
func activityRetry() *sdktemporal.RetryPolicy {
	return &sdktemporal.RetryPolicy{
		InitialInterval:        time.Second,
		BackoffCoefficient:     2,
		MaximumInterval:        30 * time.Second,
		MaximumAttempts:        5,
		NonRetryableErrorTypes: []string{errTransport},
	}
}

// childWorkflows versions the change that made nested workflows child
// workflows: a run whose history was recorded before (no marker) goes on
// running them inline, so that it replays.
const (
	childWorkflowsChange  = "arazzo.nested-as-child-workflows"
	childWorkflowsVersion = 1
)

// RunWorkflow runs a nested workflow (a step with workflowId) as a child
// workflow of the same type, on the same task queue, with an id derived
// from the parent's and the call's place in the run, so it is the same on
// every replay. The parent waits for a cancelled child to end, so that
// the attempts it made before are part of the run; a parent that closes
// otherwise (terminated, timed out) terminates the child.
func (x *effects) RunWorkflow(ctx context.Context, c *runtime.WorkflowCall) (*runtime.WorkflowReturn, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if workflow.GetVersion(x.wctx, childWorkflowsChange, workflow.DefaultVersion, childWorkflowsVersion) == workflow.DefaultVersion {
		return nil, runtime.ErrInline
	}
	opts := workflow.ChildWorkflowOptions{
		WorkflowID:          ChildWorkflowID(workflow.GetInfo(x.wctx).WorkflowExecution.ID, c),
		WaitForCancellation: true,
		ParentClosePolicy:   enumspb.PARENT_CLOSE_POLICY_TERMINATE,
	}
	in := RunInput{Document: x.d.Name, Hash: x.d.Hash, WorkflowID: c.Workflow.WorkflowID, Call: c}
	var res RunResult
	err := workflow.ExecuteChildWorkflow(workflow.WithChildOptions(x.wctx, opts), WorkflowName, in).Get(x.wctx, &res)
	if err != nil {
		if e := x.failure(err); e != nil {
			err = e
		}
		return nil, fmt.Errorf("child workflow %s: %w", opts.WorkflowID, err)
	}
	if res.Return == nil {
		return nil, fmt.Errorf("child workflow %s returned no outcome", opts.WorkflowID)
	}
	// A child cancelled with its parent returns its aborted run: the
	// parent's run must end too, as it does when the nested workflow runs
	// inline.
	x.stop(nil)
	return res.Return, nil
}

// ChildWorkflowID is the id of the child workflow that runs call for the
// Temporal workflow parentID: "<parentID>/<workflow>/<stepId>#<n>", n
// numbering the calls of that step in the run.
func ChildWorkflowID(parentID string, call *runtime.WorkflowCall) string {
	return fmt.Sprintf("%s/%s#%d", parentID, call.Step, call.Call)
}
