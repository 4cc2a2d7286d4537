// Package runtime executes Arazzo workflows: it builds requests from the
// OpenAPI operations, sends them, evaluates success criteria, selects and
// performs actions (end, goto, retry), computes outputs and reports every
// step attempt. One Engine serves many concurrent runs of a loaded document.
//
// The execution model follows the reference algorithm of the project's spec
// notes (§8.8): steps run in order; successCriteria decide success (none
// means success when the transport succeeded); the first matching action of
// the step list, followed by the workflow's actions not overridden by name,
// is taken; no success action means the next step, no failure action means
// the workflow fails. Loops made with goto are paced and bounded.
package runtime
