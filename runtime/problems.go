package runtime

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/arazzo-go/arazzo/arazzo"
)

// RuleStepNotRunnable is the rule id of a binding failure of a step that no
// load diagnostic already describes (the step fails when it is reached).
const RuleStepNotRunnable = arazzo.RuleStepNotRunnable

// Problems is what a run of one workflow makes of the errors in its
// document: real documents often carry an error in a workflow or step that
// a given run never needs, and refusing the whole document for it would
// refuse runs that work.
//
// Only errors are sorted here; warnings stay in Document.Diagnostics.
// Steps and Elsewhere hold copies whose Severity is Warning and whose Msg
// says what the run does about them, ready to print.
type Problems struct {
	// Refused are errors in what the workflow needs before its first
	// step: the document's structure, the workflow itself (inputs,
	// parameters, workflow actions, dependsOn), or a workflow it calls or
	// depends on. A run with any is refused with a *DocumentError.
	Refused arazzo.Diagnostics
	// Steps are errors local to steps the run may reach (operation not
	// found, a parameter or expression that cannot work, a broken
	// action): such a step fails when it is reached, with the diagnostic
	// as its error, so its onFailure actions, the lenient workflow outputs
	// and the reports work as for any failed step. Steps before it run.
	Steps arazzo.Diagnostics
	// Elsewhere are errors in parts of the document the run does not use
	// (other workflows, components and sources it does not reach) and in
	// workflow outputs (such an output is null).
	Elsewhere arazzo.Diagnostics
}

// DocumentError is the error of New (with Options.StrictDocument) or Run
// when the document has errors that the run cannot work around.
type DocumentError struct {
	WorkflowID  string // "" from New with StrictDocument
	Diagnostics arazzo.Diagnostics
}

func (e *DocumentError) Error() string {
	var b strings.Builder
	if e.WorkflowID != "" {
		fmt.Fprintf(&b, "workflow %s cannot run: ", e.WorkflowID)
	}
	b.WriteString(countOf(len(e.Diagnostics), "error"))
	for i, d := range e.Diagnostics {
		if i == 5 {
			fmt.Fprintf(&b, "\n… and %d more", len(e.Diagnostics)-i)
			break
		}
		b.WriteString("\n")
		b.WriteString(d.String())
	}
	return b.String()
}

// Problems reports what a run of the workflow makes of the document's
// errors. It is computed once, in New.
func (e *Engine) Problems(workflowID string) (*Problems, error) {
	wf := e.doc.Workflow(workflowID)
	if wf == nil {
		return nil, fmt.Errorf("no workflow %q in %s (have %s)", workflowID, e.doc.File, strings.Join(e.WorkflowIDs(), ", "))
	}
	return e.problems[wf], nil
}

// strictRefusals are the diagnostics a strict engine refuses a document
// for: its errors, and the repairs a damaged OpenAPI source needed (a
// strict run does not run over a repaired description).
func strictRefusals(ds arazzo.Diagnostics) arazzo.Diagnostics {
	var out arazzo.Diagnostics
	for _, d := range ds {
		if d.Severity == arazzo.SeverityError || arazzo.IsRepair(d.Rule) {
			out = append(out, d)
		}
	}
	return out
}

func errorsOnly(ds arazzo.Diagnostics) arazzo.Diagnostics {
	var out arazzo.Diagnostics
	for _, d := range ds {
		if d.Severity == arazzo.SeverityError {
			out = append(out, d)
		}
	}
	return out
}

// classify sorts the document's errors and the binding failures for every
// workflow of the entry document, and sets each reachable step's problem.
func (e *Engine) classify() map[*arazzo.Workflow]*Problems {
	docs := map[string]*arazzo.Document{e.doc.File: e.doc}
	for _, bw := range e.workflows {
		docs[bw.doc.File] = bw.doc
	}
	errs := errorsOnly(e.doc.Diagnostics)
	out := map[*arazzo.Workflow]*Problems{}
	for _, wf := range e.doc.Workflows {
		bw := e.workflows[wf]
		if bw == nil {
			continue
		}
		closure := closureOf(bw)
		p := &Problems{}
		stepDiags := map[*boundStep]arazzo.Diagnostics{}
		for _, d := range errs {
			e.place(d, docs, closure, p, stepDiags)
		}
		for _, w := range closure.list {
			for _, err := range w.bindErrs {
				if !hasUnder(p.Refused, w.doc.File, w.wf.Loc.Pointer) {
					p.Refused = append(p.Refused, &arazzo.Diagnostic{Severity: arazzo.SeverityError, Rule: RuleStepNotRunnable,
						Msg: err.Error(), File: w.doc.File, Pos: w.wf.Loc.Pos, Pointer: w.wf.Loc.Pointer})
				}
			}
			for _, bs := range w.steps {
				ds := stepDiags[bs]
				if len(ds) == 0 {
					for _, err := range bs.bindErrs {
						ds = append(ds, &arazzo.Diagnostic{Severity: arazzo.SeverityError, Rule: RuleStepNotRunnable,
							Msg: err.Error(), File: w.doc.File, Pos: bs.step.Loc.Pos, Pointer: bs.step.Loc.Pointer})
					}
				}
				if len(ds) == 0 {
					continue
				}
				msgs := make([]string, len(ds))
				for i, d := range ds {
					msgs[i] = d.String()
					p.Steps = append(p.Steps, demote(d, fmt.Sprintf("step %s of workflow %s fails if it is reached", bs.step.StepID, w.wf.WorkflowID)))
				}
				// Every workflow shares the bound step, and a step's
				// problem does not depend on which workflow was run.
				bs.problem = strings.Join(msgs, "; ")
			}
		}
		out[wf] = p
	}
	return out
}

// closure is the set of workflows a run of one workflow may execute.
type closure struct {
	set  map[*boundWorkflow]bool
	list []*boundWorkflow
}

func closureOf(root *boundWorkflow) *closure {
	c := &closure{set: map[*boundWorkflow]bool{}}
	var visit func(bw *boundWorkflow)
	visit = func(bw *boundWorkflow) {
		if bw == nil || c.set[bw] {
			return
		}
		c.set[bw] = true
		c.list = append(c.list, bw)
		for _, d := range bw.deps {
			visit(d)
		}
		for _, bs := range bw.steps {
			visit(bs.target)
			for _, a := range bs.onSuccess {
				visit(a.target)
			}
			for _, a := range bs.onFailure {
				visit(a.target)
			}
		}
	}
	visit(root)
	return c
}

// place sorts one error diagnostic for the run of one workflow.
func (e *Engine) place(d *arazzo.Diagnostic, docs map[string]*arazzo.Document, c *closure, p *Problems, stepDiags map[*boundStep]arazzo.Diagnostics) {
	if d.Rule == arazzo.RuleRemoteLocalSource {
		// Not a messy document but a hostile one: a document read from a
		// server tried to make us read local files. Refuse the run.
		p.Refused = append(p.Refused, d)
		return
	}
	doc := docs[d.File]
	if doc == nil {
		// A file of a source this run does not bind (an Arazzo source
		// none of its workflows is called from, an OpenAPI file).
		p.Elsewhere = append(p.Elsewhere, demote(d, "not used by this run"))
		return
	}
	tokens := strings.Split(strings.TrimPrefix(d.Pointer, "/"), "/")
	if d.Pointer == "" || len(tokens) == 0 {
		p.Refused = append(p.Refused, d)
		return
	}
	switch tokens[0] {
	case "sourceDescriptions":
		p.Elsewhere = append(p.Elsewhere, demote(d, "steps that use this source fail if they are reached"))
		return
	case "components":
		p.Elsewhere = append(p.Elsewhere, demote(d, "steps that use this component fail if they are reached"))
		return
	case "workflows":
	default:
		p.Refused = append(p.Refused, d)
		return
	}
	wf := indexed(doc.Workflows, tokens, 1)
	if wf == nil {
		p.Refused = append(p.Refused, d)
		return
	}
	bw := e.workflows[*wf]
	if bw == nil || !c.set[bw] {
		p.Elsewhere = append(p.Elsewhere, demote(d, fmt.Sprintf("workflow %s is not run", (*wf).WorkflowID)))
		return
	}
	if len(tokens) < 3 {
		p.Refused = append(p.Refused, d)
		return
	}
	switch tokens[2] {
	case "outputs":
		p.Elsewhere = append(p.Elsewhere, demote(d, "this workflow output is null"))
		return
	case "steps":
	default:
		p.Refused = append(p.Refused, d)
		return
	}
	step := indexed((*wf).Steps, tokens, 3)
	if step == nil {
		p.Refused = append(p.Refused, d)
		return
	}
	// A step that calls a workflow which does not exist: the run calls
	// it, so it is refused like a missing dependsOn (issue 11 §2).
	if d.Rule == arazzo.RuleUnknownWorkflow && len(tokens) == 5 && tokens[4] == "workflowId" {
		p.Refused = append(p.Refused, d)
		return
	}
	for _, bs := range bw.steps {
		if bs.step == *step {
			stepDiags[bs] = append(stepDiags[bs], d)
			return
		}
	}
	p.Refused = append(p.Refused, d)
}

// indexed returns &list[i] for the index in tokens[at], or nil.
func indexed[T any](list []T, tokens []string, at int) *T {
	if len(tokens) <= at {
		return nil
	}
	i, err := strconv.Atoi(tokens[at])
	if err != nil || i < 0 || i >= len(list) {
		return nil
	}
	return &list[i]
}

// hasUnder reports whether ds holds a diagnostic of file at or below pointer.
func hasUnder(ds arazzo.Diagnostics, file, pointer string) bool {
	for _, d := range ds {
		if d.File == file && (d.Pointer == pointer || strings.HasPrefix(d.Pointer, pointer+"/")) {
			return true
		}
	}
	return false
}

// demote returns a warning copy of an error, saying what the run does.
func demote(d *arazzo.Diagnostic, note string) *arazzo.Diagnostic {
	c := *d
	c.Severity = arazzo.SeverityWarning
	c.Msg = d.Msg + " (error; " + note + ")"
	return &c
}
