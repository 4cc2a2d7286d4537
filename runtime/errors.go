package runtime

import (
	"context"
	"errors"
	"fmt"
)

// ErrUnknownWorkflow is wrapped by the error of Engine.Run when the
// document has no workflow of the given id.
var ErrUnknownWorkflow = errors.New("unknown workflow")

// unknownWorkflowError says which workflows there are; errors.Is matches it
// with ErrUnknownWorkflow.
type unknownWorkflowError struct{ msg string }

func (e *unknownWorkflowError) Error() string        { return e.msg }
func (e *unknownWorkflowError) Is(target error) bool { return target == ErrUnknownWorkflow }

// Guards name what stopped an aborted run (AbortError.Guard).
const (
	// GuardCancelled: the caller's context was cancelled.
	GuardCancelled = "cancelled"
	// GuardTimeout: Options.Timeout or the caller's context deadline passed.
	GuardTimeout = "timeout"
	// GuardMaxSteps: the run reached Options.MaxSteps step executions.
	GuardMaxSteps = "max-steps"
	// GuardMaxDepth: nested workflows went deeper than Options.MaxDepth.
	GuardMaxDepth = "max-depth"
	// GuardDurable: a durable run's store failed (*StoreError), or it lost
	// its lease to another process (*LeasedError), or a resumed run left
	// its recorded path (*ReplayError), or a history replay
	// (Engine.History) reached the end of the record.
	GuardDurable = "durable"
)

// StepError is the error of a run that failed: a step failed and no action
// recovered it (or a failure action ended the workflow). Result.FailedAt
// and the attempt's record in Result.Steps say the same.
type StepError struct {
	WorkflowID string // the run's workflow
	StepID     string // the step that failed ("" when no step ran: a failed dependency's inputs)
	Attempt    int    // its attempt number (StepAttempt.Attempt), 0 when unknown
	// Msg is why, as in Result.Error: secrets are redacted.
	Msg string
}

func (e *StepError) Error() string { return e.Msg }

// AbortError is the error of a run that was stopped before it could finish:
// by the caller's context (Guard GuardCancelled or GuardTimeout; Unwrap then
// returns context.Canceled or context.DeadlineExceeded, so errors.Is works
// on them), or by a loop guard (GuardMaxSteps, GuardMaxDepth).
type AbortError struct {
	WorkflowID string
	StepID     string // the step running or about to run, if any
	Guard      string
	Msg        string // as in Result.Error, secrets redacted
	cause      error
}

func (e *AbortError) Error() string { return e.Msg }

// Unwrap returns the context's error for a cancelled or timed-out run.
func (e *AbortError) Unwrap() error { return e.cause }

// runError turns the end of a run into its error value (nil on success).
func runError(ctx context.Context, res *Result, guard string) error {
	switch res.Status {
	case Succeeded:
		return nil
	case Aborted:
		e := &AbortError{WorkflowID: res.WorkflowID, StepID: res.FailedAt, Guard: guard, Msg: res.Error}
		if err := ctx.Err(); err != nil {
			e.cause = err
			e.Guard = GuardCancelled
			if errors.Is(err, context.DeadlineExceeded) {
				e.Guard = GuardTimeout
			}
			var se *StoreError
			var re *ReplayError
			var le *LeasedError
			if cause := context.Cause(ctx); errors.As(cause, &se) || errors.As(cause, &re) || errors.As(cause, &le) || errors.Is(cause, errHistoryEnd) {
				e.cause, e.Guard = cause, GuardDurable
			}
		}
		if e.Guard == "" {
			e.Guard = GuardMaxSteps
		}
		return e
	}
	e := &StepError{WorkflowID: res.WorkflowID, StepID: res.FailedAt, Msg: res.Error}
	for i := len(res.Steps) - 1; i >= 0 && res.FailedAt != ""; i-- {
		if res.Steps[i].StepID == res.FailedAt {
			e.Attempt = res.Steps[i].Attempt
			break
		}
	}
	if e.Msg == "" {
		e.Msg = fmt.Sprintf("workflow %s %s", res.WorkflowID, res.Status)
	}
	return e
}
