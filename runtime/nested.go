package runtime

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/arazzo-go/arazzo/arazzo"
)

// A nested workflow (a step with workflowId) runs inline, in the calling
// run, unless the run's effects implement WorkflowEffects: then the call,
// with the part of the run's state that nested workflows share, goes to
// them, and what comes back is merged into the run as if the workflow had
// run inline. This file holds both halves: the calling run's
// (runNested, merge) and the one that runs the call (RunWorkflowCall).

// ErrInline is what WorkflowEffects.RunWorkflow returns to have the
// calling run execute the nested workflow itself, as effects without
// WorkflowEffects do: a driver replaying a run it recorded before it ran
// nested workflows elsewhere returns it.
var ErrInline = errors.New("run the nested workflow inline")

// WorkflowCall is one call of a nested workflow, with everything the
// nested run needs to behave exactly as inline: Engine.RunWorkflowCall
// runs it. It encodes to JSON, for a driver that runs it in another
// process.
type WorkflowCall struct {
	// RunID is the calling run's id: the nested workflow's exchanges get
	// the idempotency keys they would get inline.
	RunID string `json:"runId"`
	// Step names the calling step as "<workflow>/<stepId>", the workflow
	// written as WorkflowRef.String does; Call numbers the calls of that
	// step in the run from 1 (a retry, a goto re-entry and a second
	// execution of the calling workflow all count). Together they name
	// the call in the run whatever path led to it, as Call.Step and
	// Call.Send name an exchange: a driver derives the id of the place the
	// workflow runs from them.
	Step string `json:"step"`
	Call int    `json:"call"`
	// Workflow is the called workflow, Inputs its inputs with their
	// defaults applied, already validated.
	Workflow WorkflowRef    `json:"workflow"`
	Inputs   map[string]any `json:"inputs,omitempty"`
	// Depth is the call's nesting depth, which Options.MaxDepth bounds;
	// Stack lists the ids of the workflows being executed, outermost
	// first, for the message when it is exceeded.
	Depth int      `json:"depth"`
	Stack []string `json:"stack,omitempty"`
	// Servers and ServerVars are the calling run's RunOptions.Servers and
	// RunOptions.ServerVars.
	Servers    map[string]string            `json:"servers,omitempty"`
	ServerVars map[string]map[string]string `json:"serverVars,omitempty"`
	// Shared is the calling run's state when it made the call.
	Shared SharedState `json:"shared"`
}

// WorkflowRef names a workflow of the engine's document, or of an Arazzo
// source description of it: Sources names the source descriptions that
// lead from the engine's document to the workflow's, in order (none for
// the document's own workflows). Unlike a file path, it reads the same on
// every machine that loads the document.
type WorkflowRef struct {
	Sources    []string `json:"sources,omitempty"`
	WorkflowID string   `json:"workflowId"`
}

// String joins the source names and the workflow id with dots:
// "seed.create-image".
func (w WorkflowRef) String() string {
	return strings.Join(append(slices.Clone(w.Sources), w.WorkflowID), ".")
}

// SharedState is what the workflows of one run share: the step budget,
// the numbering of exchanges, $workflows, the dependencies already run and
// the values to hide. A WorkflowCall hands it to the nested run, whose
// WorkflowReturn hands it back.
type SharedState struct {
	// Steps counts the run's step executions so far: Options.MaxSteps
	// bounds a whole run, nested steps included.
	Steps int `json:"steps"`
	// Sends numbers each step's exchanges so far (Call.Send), by Call.Step.
	Sends map[string]int `json:"sends,omitempty"`
	// Workflows are what $workflows.<id> reads: in a WorkflowCall every
	// workflow the run has executed, in a WorkflowReturn those the call
	// executed (each replaces the calling run's record of its id).
	Workflows []WorkflowRecord `json:"workflows,omitempty"`
	// Completed are the workflows the run has run to their end, so that
	// dependsOn runs each dependency once per run.
	Completed []WorkflowOutcome `json:"completed,omitempty"`
	// Secrets are the values the run hides in everything it reports:
	// secret inputs, and credentials its transport reported.
	Secrets []string `json:"secrets,omitempty"`
}

// WorkflowRecord is one workflow execution as $workflows.<id> reads it.
// Its values are as the workflow saw them, secrets included.
type WorkflowRecord struct {
	WorkflowID string         `json:"workflowId"`
	Inputs     map[string]any `json:"inputs,omitempty"`
	Outputs    map[string]any `json:"outputs,omitempty"`
	Finished   bool           `json:"finished,omitempty"`
}

// WorkflowOutcome is how one workflow execution ended. Outputs are the
// values the workflow computed, secrets included (the calling step reads
// them); Error is not redacted either. Guard names what stopped an aborted
// execution (AbortError.Guard), "" when its context ended.
type WorkflowOutcome struct {
	Workflow WorkflowRef    `json:"workflow"`
	Status   Status         `json:"status"`
	Outputs  map[string]any `json:"outputs,omitempty"`
	Error    string         `json:"error,omitempty"`
	FailedAt string         `json:"failedAt,omitempty"`
	Guard    string         `json:"guard,omitempty"`
}

// WorkflowReturn is the end of a WorkflowCall: how the workflow ended, the
// step attempts it made (redacted, numbered as inline), and the run's
// shared state afterwards.
type WorkflowReturn struct {
	Outcome WorkflowOutcome `json:"outcome"`
	Steps   []*StepAttempt  `json:"steps,omitempty"`
	Shared  SharedState     `json:"shared"`
}

// runNested runs the workflow a workflow step calls: through the run's
// WorkflowEffects when it has them, else inline.
func (st *wfState) runNested(ctx context.Context, bs *boundStep, inputs map[string]any) *outcome {
	r := st.run
	depth := st.depth + 1
	wfx, ok := r.fx.(WorkflowEffects)
	if !ok || depth > r.e.opts.MaxDepth {
		// Too deep: runWorkflow refuses it at once, with the message
		// inline nesting gives; no need to start a run elsewhere for that.
		return r.runWorkflow(ctx, bs.target, inputs, depth, false)
	}
	ret, err := wfx.RunWorkflow(ctx, r.workflowCall(bs, inputs, depth))
	if errors.Is(err, ErrInline) {
		return r.runWorkflow(ctx, bs.target, inputs, depth, false)
	}
	if err == nil && ret == nil {
		err = errors.New("the effects returned no outcome")
	}
	if err == nil {
		err = r.merge(ret)
	}
	if err != nil {
		if ctx.Err() != nil {
			return &outcome{status: Aborted, err: r.abortMessage(ctx.Err())}
		}
		return &outcome{status: Failed, err: r.redact.String(fmt.Sprintf("running it elsewhere: %v", err))}
	}
	return ret.Outcome.outcome()
}

// workflowCall describes the step's call of its workflow.
func (r *runState) workflowCall(bs *boundStep, inputs map[string]any, depth int) *WorkflowCall {
	return &WorkflowCall{
		RunID:      r.id,
		Step:       r.e.refOf(bs.wf).String() + "/" + bs.step.StepID,
		Call:       r.nextSend(bs),
		Workflow:   r.e.refOf(bs.target),
		Inputs:     inputs,
		Depth:      depth,
		Stack:      slices.Clone(r.stack),
		Servers:    r.servers,
		ServerVars: r.vars,
		Shared:     r.shared(nil),
	}
}

// shared returns the run's shared state, with the workflow records only
// accepts (nil: all of them).
func (r *runState) shared(only func(*workflowRecord) bool) SharedState {
	s := SharedState{Steps: r.steps, Sends: maps.Clone(r.sends)}
	for _, n := range r.records {
		if only == nil || only(n.rec) {
			s.Workflows = append(s.Workflows, WorkflowRecord{WorkflowID: n.id, Inputs: n.rec.inputs, Outputs: n.rec.outputs, Finished: n.rec.finished})
		}
	}
	slices.SortFunc(s.Workflows, func(a, b WorkflowRecord) int { return cmp.Compare(a.WorkflowID, b.WorkflowID) })
	for _, c := range r.completed {
		s.Completed = append(s.Completed, c.out.export(r.e.refOf(c.bw)))
	}
	slices.SortFunc(s.Completed, func(a, b WorkflowOutcome) int { return cmp.Compare(a.Workflow.String(), b.Workflow.String()) })
	s.Secrets = append(slices.Clone(r.redact.secrets), r.redact.creds...)
	return s
}

// restore takes over shared state from a WorkflowCall or WorkflowReturn.
func (r *runState) restore(s SharedState) error {
	completed := make([]completedWorkflow, 0, len(s.Completed))
	for _, o := range s.Completed {
		bw := r.e.workflowByRef(o.Workflow)
		if bw == nil {
			return fmt.Errorf("completed workflow %s: %w", o.Workflow, ErrUnknownWorkflow)
		}
		completed = append(completed, completedWorkflow{bw, o.outcome()})
	}
	r.completed = completed
	r.steps, r.sends = s.Steps, maps.Clone(s.Sends)
	for _, w := range s.Workflows {
		r.setRecord(w.WorkflowID, &workflowRecord{inputs: w.Inputs, outputs: w.Outputs, finished: w.Finished})
	}
	var added []string
	for _, v := range s.Secrets {
		if !slices.Contains(r.redact.secrets, v) && !slices.Contains(r.redact.creds, v) {
			added = append(added, v)
		}
	}
	if len(added) > 0 {
		r.redact = r.redact.with(added)
		// Attempts recorded before may show them: hide them there too.
		r.lateSecrets = r.lateSecrets || len(r.res.Steps) > 0
	}
	return nil
}

// merge adds what a nested workflow run elsewhere did to the run, as if
// it had run inline: its attempts, in order, and the shared state.
func (r *runState) merge(ret *WorkflowReturn) error {
	for _, a := range ret.Steps {
		if a == nil {
			continue
		}
		r.res.Steps = append(r.res.Steps, a)
		r.emitAttempt(EventStepFinished, a)
		r.summarizeOldAttempts()
	}
	return r.restore(ret.Shared)
}

func (o *outcome) export(ref WorkflowRef) WorkflowOutcome {
	return WorkflowOutcome{Workflow: ref, Status: o.status, Outputs: o.outputs, Error: o.err, FailedAt: o.failedAt, Guard: o.guard}
}

func (o WorkflowOutcome) outcome() *outcome {
	return &outcome{status: o.Status, outputs: o.Outputs, err: o.Error, failedAt: o.FailedAt, guard: o.Guard}
}

// RunWorkflowCall runs a nested workflow call that WorkflowEffects were
// handed, on an engine of the calling run's document: it continues the
// calling run's state (the step budget, $workflows, dependencies already
// run, the values to hide) and returns it with the workflow's outcome and
// attempts, for RunWorkflow to return. fx performs its exchanges and waits
// (nil: the engine's effects; they may implement WorkflowEffects in turn),
// obs receives its events (nil: Options.Observer). It returns an error
// wrapping ErrUnknownWorkflow, and no WorkflowReturn, when the call names
// a workflow the engine does not have.
func (e *Engine) RunWorkflowCall(ctx context.Context, c *WorkflowCall, fx Effects, obs Observer) (*WorkflowReturn, error) {
	if c == nil {
		return nil, errors.New("RunWorkflowCall: no call")
	}
	bw := e.workflowByRef(c.Workflow)
	if bw == nil {
		return nil, &unknownWorkflowError{fmt.Sprintf("no workflow %s in %s (or its sources)", c.Workflow, e.doc.File)}
	}
	if fx == nil {
		fx = engineEffects{e}
	}
	if obs == nil {
		obs = e.opts.Observer
	}
	r := &runState{
		fx:       fx,
		servers:  c.Servers,
		vars:     c.ServerVars,
		resend:   true, // the calling run's effects are a driver's
		e:        e,
		redact:   newRedactor(nil),
		id:       c.RunID,
		observer: obs,
		stack:    slices.Clone(c.Stack),
		res:      &Result{RunID: c.RunID, WorkflowID: bw.wf.WorkflowID, Started: fx.Now()},
	}
	if err := r.restore(c.Shared); err != nil {
		return nil, err
	}
	// The calling run's records: those the call does not replace are not
	// handed back.
	inherited := make(map[*workflowRecord]bool, len(r.records))
	for _, n := range r.records {
		inherited[n.rec] = true
	}
	defer r.end()
	ctx = r.context(ctx)
	r.root = ctx
	out := r.runWorkflow(ctx, bw, c.Inputs, c.Depth, false)
	if r.lateSecrets {
		for _, a := range r.res.Steps {
			r.redact.attempt(a)
		}
	}
	return &WorkflowReturn{
		Outcome: out.export(c.Workflow),
		Steps:   r.res.Steps,
		Shared:  r.shared(func(rec *workflowRecord) bool { return !inherited[rec] }),
	}, nil
}

// refOf names a bound workflow by the source descriptions that lead to its
// document, breadth first from the engine's document.
func (e *Engine) refOf(bw *boundWorkflow) WorkflowRef {
	type visit struct {
		doc     *arazzo.Document
		sources []string
	}
	queue := []visit{{doc: e.doc}}
	seen := map[*arazzo.Document]bool{e.doc: true}
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		if v.doc == bw.doc {
			return WorkflowRef{Sources: v.sources, WorkflowID: bw.wf.WorkflowID}
		}
		for _, s := range v.doc.SourceDescriptions {
			if s.Arazzo != nil && !seen[s.Arazzo] {
				seen[s.Arazzo] = true
				queue = append(queue, visit{doc: s.Arazzo, sources: append(slices.Clone(v.sources), s.Name)})
			}
		}
	}
	// Not reached: every bound workflow's document is the engine's or a
	// source of it.
	return WorkflowRef{WorkflowID: bw.wf.WorkflowID}
}

// workflowByRef returns the bound workflow ref names, nil when none.
func (e *Engine) workflowByRef(ref WorkflowRef) *boundWorkflow {
	doc := e.doc
	for _, name := range ref.Sources {
		s := doc.Source(name)
		if s == nil || s.Arazzo == nil {
			return nil
		}
		doc = s.Arazzo
	}
	wf := doc.Workflow(ref.WorkflowID)
	if wf == nil {
		return nil
	}
	return e.workflows[wf]
}
