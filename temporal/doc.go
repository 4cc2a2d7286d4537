// Package temporal runs Arazzo workflows as Temporal workflows, so that
// thousands of long polls and runs that must survive any single host are
// carried by Temporal's durable execution instead of one process.
//
// One Temporal workflow type (WorkflowName) interprets any Arazzo workflow
// of the documents a Worker serves. The interpreter of package runtime runs
// inside the workflow function, in the workflow goroutine: it is
// deterministic given its inputs and what its runtime.Effects return, and
// this package supplies effects that Temporal records in the workflow's
// history:
//
//   - each HTTP exchange is an activity (SendActivityName) that sends the
//     serialised request with the worker's credentials and returns the
//     status, headers and body (bounded);
//   - each pacing or retry wait is a durable timer (workflow.Sleep), so a
//     run waiting 30 minutes holds no worker memory once evicted;
//   - the run's clock is workflow.Now.
//
// A replay of the history therefore takes the same path and sends nothing.
// The workflow's result is a RunResult (status, outputs, steps); the
// ProgressQuery query returns the current step and the last response
// status; cancelling the Temporal workflow ends the run as aborted.
//
// The package lives in its own Go module so that users of the root module
// never download the Temporal SDK. The decisions (timeouts, retries,
// secrets, nested workflows) are in docs/temporal.md.
package temporal
