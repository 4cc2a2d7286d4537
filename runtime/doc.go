// Package runtime executes Arazzo workflows: it builds requests from the
// OpenAPI operations, sends them, evaluates success criteria, selects and
// performs actions (end, goto, retry), computes outputs and reports every
// step attempt. One Engine serves many concurrent runs of a loaded document.
//
// Steps run in order; successCriteria decide success (none means success
// when the transport succeeded); the first matching action of the step
// list, followed by the workflow's actions not overridden by name, is
// taken; no success action means the next step, no failure action means
// the workflow fails. Loops made with goto are paced and bounded.
//
// # Errors
//
// Engine.Run returns a nil *Result only when the run did not start: an
// unknown workflow (errors.Is(err, ErrUnknownWorkflow)), document errors in
// what the workflow needs (*DocumentError) or invalid inputs (*InputError).
// Once a run has started, Run always returns its Result (status, partial
// outputs, every attempt), and an error exactly when the Result's Status is
// not Succeeded: a *StepError (workflow, step, attempt, message) for a
// failed run, an *AbortError for an aborted one. An AbortError names the
// guard that stopped the run; for a cancelled or timed-out run it wraps the
// context's error, so errors.Is(err, context.Canceled) and
// errors.Is(err, context.DeadlineExceeded) work. The error's text is
// Result.Error, with secrets redacted.
//
// # JSON
//
// A Result encodes itself as the run report: json.Marshal(result) gives
// the document `arazzo run --json` prints, versioned by "formatVersion"
// (ResultFormatVersion), in camelCase, with durations in milliseconds and
// times in RFC 3339, and json.Unmarshal reads it back. Its JSON Schema is
// docs/schemas/run-report.schema.json in the repository.
package runtime
