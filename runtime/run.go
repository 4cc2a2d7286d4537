package runtime

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/arazzo-go/arazzo/arazzo"
	"github.com/arazzo-go/arazzo/expr"
	"github.com/arazzo-go/arazzo/openapi"
	"github.com/arazzo-go/arazzo/runtime/store"
)

// runState is the state of one Run, shared by every workflow it executes.
type runState struct {
	e      *Engine
	root   context.Context // the run's context (with the overall timeout)
	res    *Result
	redact *redactor
	// lateSecrets is set when a nested workflow's secret inputs added
	// values to redact: attempts recorded before then are redacted again
	// when the Result is built.
	lateSecrets bool
	creds       runCredentials // credential values the transport reported (AddSecret)
	steps       int            // step executions so far
	// completed holds the outcome of every workflow run to completion in
	// this run, so that dependsOn runs each dependency once; records are
	// what $workflows.<id> sees. Lists, not maps: a run has one workflow
	// or a few, and two maps cost four allocations and ≈ 500 bytes a run.
	completed []completedWorkflow
	records   []namedRecord
	stack     []string // workflow ids being executed, outermost first
	// id and observer come from RunOptions (observer: else the engine's).
	id       string
	observer Observer
	// mockCalls counts, per mock transport and operation key, the answers
	// this run received: each run walks its own answer sequence.
	mockCalls mockCounters
	// fx performs the run's exchanges and waits (RunOptions.Effects, else
	// the engine's); sends numbers each step's exchanges (Call.Send).
	fx    Effects
	sends map[string]int
	// journal is fx for a durable run (RunOptions.Store), else nil.
	journal *journal
	// servers and vars are RunOptions.Servers and ServerVars.
	servers map[string]string
	vars    map[string]map[string]string
	// resend is set when fx may send a request again (a durable run, a
	// driver of the caller's): exchanges then carry an idempotency key.
	resend bool
	// bodyBytes is this run's share of the engine's bodyBytes, given back
	// when the run ends (bodybudget.go).
	bodyBytes bodyCounter
	// bw and inputs are the workflow the run executes and its prepared
	// inputs; lease, cancelCause and cancelTimeout are released by end.
	bw            *boundWorkflow
	inputs        map[string]any
	lease         *leaseKeeper
	cancelCause   context.CancelCauseFunc
	cancelTimeout context.CancelFunc
	// deadlines bounds each request by Options.RequestTimeout (deadline.go).
	deadlines requestDeadlines
	// paramBuf is the parameter list of the request being built, reused.
	paramBuf []openapi.ParamValue
}

// RunOptions are the per-run settings of Engine.RunWith; the zero value
// means the engine's settings and a generated run id.
type RunOptions struct {
	// ID names the run in Result.RunID and Event.RunID; "" means a
	// random 16-hex-digit id.
	ID string
	// Observer receives this run's events instead of Options.Observer;
	// nil means Options.Observer (which may also be nil).
	Observer Observer
	// Labels are copied to Result.Labels, for the caller's bookkeeping.
	Labels map[string]string
	// Servers and ServerVars override Options.Servers and
	// Options.ServerVars for this run, source by source (and variable by
	// variable); RunWith refuses names the document does not declare, as
	// New does.
	Servers    map[string]string
	ServerVars map[string]map[string]string
	// Effects perform the run's exchanges and waits; nil means the
	// engine's (EngineEffects). A driver (a durable-execution system, a
	// recorder) sets it; operations that declare an idempotency header
	// then get one, since such a driver may send a request again.
	Effects Effects
	// Store, when set, makes the run durable: every exchange and wait is
	// recorded in it before the run moves on, so that Engine.Resume can
	// continue the run after a crash (docs/durable.md). The run is created
	// in the store under ID.
	Store store.Store
	// Document names the document in the store (its path, and a content
	// hash that Resume compares); Meta is stored with the run for the
	// caller (the CLI keeps its server overrides there). Both only with
	// Store.
	Document DocumentRef
	Meta     map[string]string
	// LeaseTTL is how long the durable run's lease lasts without renewal
	// (with Store, and for Engine.Resume): the process executing a run
	// holds its lease and renews it every LeaseTTL/3, so another process
	// cannot execute it at the same time, and one that crashed keeps it
	// from being resumed for at most LeaseTTL. 0 means DefaultLeaseTTL
	// (30 s); negative is refused.
	LeaseTTL time.Duration

	resume *resumeState // set by Engine.Resume and Engine.History
}

// runKey keys the *runState in the context of the run's requests.
type runKey struct{}

// RunIDFromContext returns the id of the run that sent a request, for a
// RoundTripper that logs or tags what it sends.
func RunIDFromContext(req *http.Request) (string, bool) {
	r, ok := req.Context().Value(runKey{}).(*runState)
	if !ok {
		return "", false
	}
	return r.id, true
}

// newRunID returns 16 random hex digits.
func newRunID() string {
	// Not a secret, only unique: math/rand/v2's generator (ChaCha8, seeded
	// from the system's randomness per process) is enough, and does not make
	// a system call per run as crypto/rand's reader can.
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], rand.Uint64())
	return hex.EncodeToString(b[:])
}

// workflowRecord is what $workflows.<id> sees.
type workflowRecord struct {
	inputs   map[string]any
	outputs  map[string]any
	finished bool
}

// namedRecord is the record of the workflow id.
type namedRecord struct {
	id  string
	rec *workflowRecord
}

// completedWorkflow is a workflow run to completion and its outcome.
type completedWorkflow struct {
	bw  *boundWorkflow
	out *outcome
}

func (r *runState) workflowRecord(id string) *workflowRecord {
	for _, n := range r.records {
		if n.id == id {
			return n.rec
		}
	}
	return nil
}

// setRecord makes rec the record of the workflow id.
func (r *runState) setRecord(id string, rec *workflowRecord) {
	for i := range r.records {
		if r.records[i].id == id {
			r.records[i].rec = rec
			return
		}
	}
	r.records = append(r.records, namedRecord{id, rec})
}

// completedOutcome is the outcome of bw if it ran to completion.
func (r *runState) completedOutcome(bw *boundWorkflow) *outcome {
	for _, c := range r.completed {
		if c.bw == bw {
			return c.out
		}
	}
	return nil
}

// setCompleted records that bw ran to completion with out.
func (r *runState) setCompleted(bw *boundWorkflow, out *outcome) {
	for i := range r.completed {
		if r.completed[i].bw == bw {
			r.completed[i].out = out
			return
		}
	}
	r.completed = append(r.completed, completedWorkflow{bw, out})
}

// outcome is the end of one workflow execution.
type outcome struct {
	status   Status
	outputs  map[string]any
	err      string
	failedAt string
	guard    string // what stopped an aborted run, when not its context
}

// wfState is one workflow execution's state: its $inputs and $steps.
type wfState struct {
	run         *runState
	bw          *boundWorkflow
	inputs      map[string]any
	stepOutputs [][]namedValue              // by step index (bw.index); nil: none recorded
	executed    []bool                      // by step index
	retries     map[string]map[string]int64 // stepId -> retry action name -> retries done; nil until a retry
	pacer       loopPacer
	depth       int
	// spare is the last attempt's working state, for the next attempt;
	// dropped before a wait, so that a parked run does not keep the last
	// response alive.
	spare *attemptState
}

// Run executes the workflow with the given inputs. Before the run starts it
// may refuse it with a nil Result: ErrUnknownWorkflow, a *DocumentError (see
// Problems) or an *InputError. A run that started returns its Result, and a
// *StepError or *AbortError when it did not succeed (see the package doc).
func (e *Engine) Run(ctx context.Context, workflowID string, inputs map[string]any) (*Result, error) {
	return e.RunWith(ctx, workflowID, inputs, RunOptions{})
}

// RunWith is Run with per-run options: its own id, observer and labels. Any
// number of runs may use one Engine concurrently.
func (e *Engine) RunWith(ctx context.Context, workflowID string, inputs map[string]any, ro RunOptions) (*Result, error) {
	// The set-up's large frame is gone before the run starts: a run parked
	// in a poll wait keeps only the frames below, and a goroutine whose
	// live frames stay under a quarter of its stack gets it shrunk back to
	// the minimum by the collector (docs/performance.md, parked runs).
	r, err := e.startRun(ctx, workflowID, inputs, &ro)
	if err != nil {
		return nil, err
	}
	defer r.end()
	return r.execute()
}

// startRun checks and prepares a run: everything before its first step.
func (e *Engine) startRun(ctx context.Context, workflowID string, inputs map[string]any, ro *RunOptions) (*runState, error) {
	wf := e.doc.Workflow(workflowID)
	if wf == nil {
		return nil, &unknownWorkflowError{fmt.Sprintf("no workflow %q in %s (have %s)", workflowID, e.doc.File, strings.Join(e.WorkflowIDs(), ", "))}
	}
	bw := e.workflows[wf]
	if p := e.problems[wf]; p != nil && len(p.Refused) > 0 {
		return nil, &DocumentError{WorkflowID: workflowID, Diagnostics: p.Refused}
	}
	if len(ro.Servers) > 0 || len(ro.ServerVars) > 0 {
		if err := e.checkServers(ro.Servers, ro.ServerVars); err != nil {
			return nil, err
		}
	}
	prepared, err := bw.prepareInputs(inputs)
	rd := newRedactor(secretValues(bw, inputs))
	if err != nil {
		var ie *InputError
		if errors.As(err, &ie) {
			for i := range ie.Problems {
				ie.Problems[i].Msg = rd.String(ie.Problems[i].Msg)
			}
		}
		return nil, err
	}
	var cancelTimeout context.CancelFunc
	if e.opts.Timeout > 0 {
		ctx, cancelTimeout = context.WithTimeout(ctx, e.opts.Timeout)
	}
	if ro.ID == "" {
		ro.ID = newRunID()
	}
	if ro.Observer == nil {
		ro.Observer = e.opts.Observer
	}
	fx := ro.Effects
	if fx == nil {
		fx = engineEffects{e}
	}
	var cancelCause context.CancelCauseFunc
	if ro.Store != nil {
		ctx, cancelCause = context.WithCancelCause(ctx)
	}
	r := &runState{
		fx:            fx,
		servers:       ro.Servers,
		vars:          ro.ServerVars,
		resend:        ro.Effects != nil || ro.Store != nil,
		e:             e,
		root:          ctx,
		redact:        rd,
		id:            ro.ID,
		observer:      ro.Observer,
		bw:            bw,
		inputs:        prepared,
		cancelTimeout: cancelTimeout,
		cancelCause:   cancelCause,
		res: &Result{
			// Room for every step once and a few repeats (a poll loop):
			// growing from nothing cost four allocations in a seed run.
			Steps:      make([]*StepAttempt, 0, min(2*len(bw.steps), 256)),
			RunID:      ro.ID,
			Labels:     maps.Clone(ro.Labels),
			WorkflowID: workflowID,
			Inputs:     redactInputs(bw, prepared, rd),
			Started:    fx.Now(),
		},
	}
	if ro.Store != nil {
		j := &journal{inner: fx, st: ro.Store, runID: r.id, r: r, cancel: cancelCause, maxBody: e.opts.MaxBodyBytes}
		var lease *leaseKeeper
		if ro.resume != nil {
			j.pending, j.historyOnly, lease = ro.resume.records, ro.resume.historyOnly, ro.resume.lease
		} else {
			if lease, err = e.startDurable(ctx, r, bw, prepared, *ro); err != nil {
				r.end()
				return nil, err
			}
			r.lease = lease // closed by end, after the finished record: the run cannot be resumed while it is live
		}
		if lease != nil {
			j.lease = lease.owner.Owner
			lease.attach(cancelCause)
		}
		r.fx, r.journal = j, j
	}
	r.root = r.context(ctx)
	return r, nil
}

// execute runs a started run's workflow and builds its Result.
func (r *runState) execute() (*Result, error) {
	ctx := r.root
	out := r.runWorkflow(ctx, r.bw, r.inputs, 0, true)
	res := r.res
	res.Status = out.status
	// An output that echoes a secret input or a credential is hidden like
	// the input itself (r.redact has learnt the credentials sent since).
	res.Outputs, _ = redactValue(out.outputs, r.redact).(map[string]any)
	res.Error = r.redact.String(out.err)
	res.FailedAt = out.failedAt
	res.Duration = r.fx.Now().Sub(res.Started)
	if r.journal != nil {
		r.journal.finish(ctx, res)
	}
	return res, runError(ctx, res, out.guard)
}

// end releases what a run holds once it returns, in the order the run took
// them: its response-body budget, its lease, its contexts (the requests'
// first).
func (r *runState) end() {
	r.deadlines.release()
	r.releaseBodies()
	if r.lease != nil {
		r.lease.close()
	}
	if r.cancelCause != nil {
		r.cancelCause(nil)
	}
	if r.cancelTimeout != nil {
		r.cancelTimeout()
	}
}

// WorkflowIDs lists the workflows of the document, in order.
func (e *Engine) WorkflowIDs() []string {
	ids := make([]string, 0, len(e.doc.Workflows))
	for _, w := range e.doc.Workflows {
		ids = append(ids, w.WorkflowID)
	}
	return ids
}

func secretValues(bw *boundWorkflow, inputs map[string]any) []string {
	var out []string
	for name := range bw.secretInputs {
		if s, ok := inputs[name].(string); ok && s != "" {
			out = append(out, s)
		}
	}
	for name, v := range inputs {
		if IsSecretName(name) {
			if s, ok := v.(string); ok && s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

func redactInputs(bw *boundWorkflow, inputs map[string]any, rd *redactor) map[string]any {
	out := make(map[string]any, len(inputs))
	for k, v := range inputs {
		if bw.secretInputs[k] || IsSecretName(k) {
			out[k] = Redacted
			continue
		}
		out[k] = redactValue(v, rd)
	}
	return out
}

// redactValue hides secret values inside strings of a decoded value.
// A map or array is copied only when something inside it changes: almost
// no output holds a secret, and copying every one was most of what
// recording outputs cost. The caller must not modify v afterwards.
func redactValue(v any, rd *redactor) any {
	r, _ := redactChanged(v, rd)
	return r
}

// redactChanged is redactValue, and whether it changed anything.
func redactChanged(v any, rd *redactor) (any, bool) {
	switch x := v.(type) {
	case string:
		// An unchanged string is returned as the interface it came in:
		// boxing r again would allocate for every string of every output.
		if r := rd.String(x); r != x {
			return r, true
		}
		return v, false
	case map[string]any:
		var m map[string]any
		for k, e := range x {
			if r, changed := redactChanged(e, rd); changed {
				if m == nil {
					m = maps.Clone(x)
				}
				m[k] = r
			}
		}
		if m == nil {
			return x, false
		}
		return m, true
	case []any:
		var l []any
		for i, e := range x {
			if r, changed := redactChanged(e, rd); changed {
				if l == nil {
					l = slices.Clone(x)
				}
				l[i] = r
			}
		}
		if l == nil {
			return x, false
		}
		return l, true
	}
	return v, false
}

func (r *runState) emit(ev Event) {
	if r.observer == nil {
		return
	}
	ev.Time = r.fx.Now()
	ev.RunID = r.id
	ev.Replayed = r.journal != nil && r.journal.replaying()
	r.observer.Observe(ev)
}

// abortMessage says why the run context ended.
func (r *runState) abortMessage(err error) string {
	var se *StoreError
	var re *ReplayError
	switch cause := context.Cause(r.root); {
	case errors.As(cause, &se), errors.As(cause, &re):
		return r.redact.Message(cause.Error())
	case errors.Is(cause, errHistoryEnd):
		return cause.Error()
	}
	if errors.Is(err, context.DeadlineExceeded) && r.e.opts.Timeout > 0 {
		return fmt.Sprintf("run timed out after %s", r.e.opts.Timeout)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "run deadline exceeded"
	}
	return "run cancelled"
}

// runWorkflow executes one workflow (the entry workflow, a dependency, a
// nested workflow step, a goto or retry target) with validated inputs.
func (r *runState) runWorkflow(ctx context.Context, bw *boundWorkflow, inputs map[string]any, depth int, top bool) *outcome {
	id := bw.wf.WorkflowID
	if depth > r.e.opts.MaxDepth {
		return &outcome{status: Aborted, guard: GuardMaxDepth, err: fmt.Sprintf("workflow nesting deeper than %d: %s -> %s", r.e.opts.MaxDepth, strings.Join(r.stack, " -> "), id)}
	}
	r.stack = append(r.stack, id)
	defer func() { r.stack = r.stack[:len(r.stack)-1] }()

	// dependsOn workflows get their own inputs' defaults only: Arazzo has
	// no mapping from the dependent's inputs, and passing them through by
	// name could hand a dependency credentials it never declared a use for.
	for _, dep := range bw.deps {
		done := r.completedOutcome(dep)
		if done == nil {
			in, err := dep.prepareInputs(nil)
			if err != nil {
				done = &outcome{status: Failed, err: err.Error()}
			} else {
				done = r.runWorkflow(ctx, dep, in, depth+1, false)
			}
			r.setCompleted(dep, done)
		}
		switch done.status {
		case Aborted:
			return done
		case Failed:
			return &outcome{status: Failed, err: fmt.Sprintf("workflow %s depends on %s, which failed: %s", id, dep.wf.WorkflowID, done.err)}
		}
	}

	if !top {
		// A value becomes secret by flowing into a secret input, e.g. a
		// token from a response passed to a called workflow's authToken.
		if vals := secretValues(bw, inputs); len(vals) > 0 {
			r.redact, r.lateSecrets = r.redact.with(vals), true
		}
	}
	st := &wfState{
		run:         r,
		bw:          bw,
		inputs:      inputs,
		stepOutputs: make([][]namedValue, len(bw.steps)),
		executed:    make([]bool, len(bw.steps)),
		pacer:       newLoopPacer(r.e.opts.LoopDelay, r.e.opts.MaxLoopDelay),
		depth:       depth,
	}
	rec := &workflowRecord{inputs: inputs}
	r.setRecord(id, rec)
	r.emitWorkflowEvent(EventWorkflowStarted, id, "", nil)

	out := st.loop(ctx)
	if out.outputs == nil {
		out.outputs = st.workflowOutputs()
	}
	rec.outputs, rec.finished = out.outputs, true
	if out.status == Succeeded {
		r.setCompleted(bw, out)
	}
	r.emitWorkflowEvent(EventWorkflowFinished, id, r.redact.String(out.err), r.resultIfTop(top, out))
	return out
}

// emitAttempt emits an event about an attempt. The Event is built in a
// frame of its own: built in the caller's, it took ≈ 300 bytes of the
// frames that stay on a run's stack below every request's wait, which the
// collector scans on every cycle.
//
//go:noinline
func (r *runState) emitAttempt(kind EventKind, att *StepAttempt) {
	if r.observer == nil {
		return
	}
	ev := Event{Kind: kind, WorkflowID: att.WorkflowID, StepID: att.StepID, Attempt: att}
	switch kind {
	case EventRequestSent:
		ev.Request = att.Request
	case EventResponseReceived:
		ev.Response = att.Response
	case EventActionTaken:
		ev.Action = att.Action
	}
	r.emit(ev)
}

// emitWorkflowEvent builds runWorkflow's events in a frame of their own,
// off the stack of a run parked below runWorkflow (see RunWith).
//
//go:noinline
func (r *runState) emitWorkflowEvent(kind EventKind, id, reason string, res *Result) {
	r.emit(Event{Kind: kind, WorkflowID: id, Reason: reason, Result: res})
}

func (r *runState) resultIfTop(top bool, out *outcome) *Result {
	if !top {
		return nil
	}
	if r.lateSecrets {
		// The attempts recorded before a nested workflow's secret input
		// became known are redacted again, for the Result too.
		for _, a := range r.res.Steps {
			r.redact.attempt(a)
		}
	}
	if r.observer == nil {
		return nil // the event's copy of the Result: nobody receives it
	}
	res := *r.res
	res.Status, res.Error, res.FailedAt = out.status, r.redact.String(out.err), out.failedAt
	res.Outputs, _ = redactValue(out.outputs, r.redact).(map[string]any)
	res.Duration = r.fx.Now().Sub(res.Started)
	return &res
}

// workflowOutputs evaluates the workflow outputs leniently: a value that
// cannot be computed (a step that never ran) is null.
func (st *wfState) workflowOutputs() map[string]any {
	outs := st.bw.outputs
	if len(outs) == 0 {
		return map[string]any{}
	}
	sc := &scope{st: st}
	m := make(map[string]any, len(outs))
	for _, o := range outs {
		v, _ := evalOutput(o, sc)
		m[o.Name] = v
	}
	return m
}

func evalOutput(o *arazzo.Output, sc *scope) (any, error) {
	var v any
	var err error
	switch {
	case o.Selector != nil && o.Selector.Compiled != nil:
		v, err = o.Selector.Compiled.Eval(sc)
	case o.Compiled != nil:
		v, err = o.Compiled.Eval(sc)
	default:
		return nil, fmt.Errorf("output %s is not compiled", o.Name)
	}
	if err != nil {
		return nil, err
	}
	return v, nil
}

// cursor is where a workflow execution is: the step to run next, how often
// each step has run (its attempt numbers), the wait that preceded it, and
// the innermost goto loop (to name it when the step guard stops the run).
type cursor struct {
	i         int
	runs      []int // by step index: executions so far
	waited    time.Duration
	loopHead  int // step index a goto jumped back to, -1 = not in a loop
	loopVia   string
	reentries []int // by step index: re-entries by goto
}

// next moves to the following step.
func (c *cursor) next(st *wfState) {
	c.i++
	if st.pacer.enter(c.i) {
		c.loopHead = -1
	}
}

// jump performs goto stepId, pacing a jump back to a step already run.
// takeGoto performs a goto, success or failure alike: to a workflow it is a
// tail call whose outcome ends this workflow; to a step it moves
// the cursor, and a non-nil outcome means a guard stopped the run.
func (st *wfState) takeGoto(ctx context.Context, c *cursor, a *boundAction, x *stepRun) *outcome {
	st.take(x, a, a.gotoLabel())
	if a.target != nil {
		return st.tailCall(ctx, a, x.scope)
	}
	return c.jump(ctx, st, a, x)
}

func (c *cursor) jump(ctx context.Context, st *wfState, a *boundAction, x *stepRun) *outcome {
	var stop *outcome
	c.i, c.waited, stop = st.gotoStep(ctx, c.i, a, x)
	if st.executed[c.i] {
		c.loopHead, c.loopVia = c.i, a.name
		c.reentries[c.i]++
	}
	return stop
}

// loop is the step-execution algorithm of the Arazzo specification for one workflow.
func (st *wfState) loop(ctx context.Context) *outcome {
	r := st.run
	opts := &r.e.opts
	steps := st.bw.steps
	counts := make([]int, 2*len(steps))
	c := &cursor{runs: counts[:len(steps)], loopHead: -1, reentries: counts[len(steps):]}
	for c.i < len(steps) {
		bs := steps[c.i]
		if err := ctx.Err(); err != nil {
			return &outcome{status: Aborted, err: r.abortMessage(err), failedAt: bs.step.StepID}
		}
		if r.steps >= opts.MaxSteps {
			msg := stepLimitMessage(r.steps)
			if c.loopHead >= 0 {
				msg = fmt.Sprintf("step %s re-entered %s via goto %s: %s", steps[c.loopHead].step.StepID, countOf(c.reentries[c.loopHead], "time"), c.loopVia, msg)
			}
			return &outcome{status: Aborted, guard: GuardMaxSteps, err: msg, failedAt: bs.step.StepID}
		}
		r.steps++
		st.executed[c.i] = true

		c.runs[c.i]++
		x := st.execute(ctx, bs, c.runs[c.i], c.waited)
		c.waited = 0
		if x.aborted != "" {
			x.att.Action = "abort"
			st.finishAttempt(x)
			return &outcome{status: Aborted, guard: x.abortGuard, err: x.aborted, failedAt: bs.step.StepID}
		}

		if x.att.Success && !st.recordOutputs(bs, x) {
			// An output that cannot be read at all (a JSON Pointer into
			// an XML body) fails the step, as a failed criterion would.
			x.att.Success = false
		}
		if x.att.Success {
			delete(st.retries, bs.step.StepID)
			a := st.selectAction(bs.onSuccess, x, bs, false)
			if a == nil || a.typ == "retry" { // retry is not a success action
				if opts.Strict && len(bs.step.OnSuccess) > 0 {
					x.att.Success = false
					x.att.Action = "fail"
					x.att.Error = joinMsg(x.att.Error, "no onSuccess action matched (strict mode)")
					st.finishAttempt(x)
					return &outcome{status: Failed, err: fmt.Sprintf("step %s: no onSuccess action matched (strict mode)", bs.step.StepID), failedAt: bs.step.StepID}
				}
				x.att.Action = "next"
				st.finishAttempt(x)
				c.next(st)
				continue
			}
			switch a.typ {
			case "end":
				st.take(x, a, "end")
				return &outcome{status: Succeeded}
			case "goto":
				if stop := st.takeGoto(ctx, c, a, x); stop != nil {
					return stop
				}
				continue
			}
		}

		// A failed attempt replaces the step's record and a
		// failed step has no outputs, so an earlier success's outputs
		// must not survive it.
		st.setOutputs(bs, nil)
		reason := x.att.Error
		if reason == "" {
			reason = "successCriteria not met"
		}
		a := st.selectAction(bs.onFailure, x, bs, true)
		if a == nil {
			x.att.Action = "fail"
			st.finishAttempt(x)
			return &outcome{status: Failed, err: fmt.Sprintf("step %s failed: %s", bs.step.StepID, reason), failedAt: bs.step.StepID}
		}
		switch a.typ {
		case "end":
			st.take(x, a, "end")
			return &outcome{status: Failed, err: fmt.Sprintf("step %s failed: %s; ended by failure action %s", bs.step.StepID, reason, a.name), failedAt: bs.step.StepID}
		case "goto":
			if stop := st.takeGoto(ctx, c, a, x); stop != nil {
				return stop
			}
		case "retry":
			st.countRetry(bs, a)
			st.take(x, a, "retry")
			wait := secondsToDuration(derefFloat(a.a.RetryAfter))
			if d, ok := x.retryAfter(r.fx.Now()); ok {
				wait = d
			}
			wait = min(wait, opts.MaxRetryAfter)
			if err := st.sleep(ctx, bs, wait, "retry"); err != nil {
				return &outcome{status: Aborted, err: r.abortMessage(err), failedAt: bs.step.StepID}
			}
			if stop := st.retryReference(ctx, a, x.scope); stop != nil {
				return stop
			}
			c.waited = wait
		}
	}
	return &outcome{status: Succeeded}
}

// recordOutputs evaluates a successful step's outputs into $steps. An
// output that refers to something absent is null; other errors are noted
// on the attempt. ok is false when an output read a body of a media type
// it cannot read (expr.ErrNotJSON): the step then fails.
func (st *wfState) recordOutputs(bs *boundStep, x *stepRun) (ok bool) {
	ok = true
	// A list, not a map: a step has a handful of outputs, and a map cost
	// ≈ 330 bytes a step (docs/performance.md item 27).
	outs := make([]namedValue, 0, len(bs.outputs))
	for _, o := range bs.outputs {
		v, err := evalOutput(o, x.scope)
		if err != nil && !errors.Is(err, expr.ErrAbsent) {
			x.att.Error = joinMsg(x.att.Error, st.run.redact.String(fmt.Sprintf("output %s: %v", o.Name, err)))
			ok = ok && !errors.Is(err, expr.ErrNotJSON)
		}
		outs = append(outs, namedValue{o.Name, v})
	}
	if !ok {
		return false // a failed step has no outputs
	}
	st.setOutputs(bs, outs)
	if !st.run.e.opts.Lean {
		// Redacted when read (StepAttempt.Outputs): outs is not changed
		// afterwards, and the run's redactor of this moment is kept.
		x.att.rec = x.record // already set for an operation step
		x.att.rec.outputs, x.att.rec.outputsRedactor = outs, st.run.redact
	}
	return true
}

// setOutputs records a step's outputs (nil: the step has none, having
// failed). A slice by step index: a map of them cost ≈ 400 bytes a run.
func (st *wfState) setOutputs(bs *boundStep, outs []namedValue) {
	if i, ok := st.bw.index[bs.step.StepID]; ok {
		st.stepOutputs[i] = outs
	}
}

func derefFloat(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}

func joinMsg(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// countRetry records one retry of the step by the action. Counters are
// dropped when the step succeeds or is entered by goto.
func (st *wfState) countRetry(bs *boundStep, a *boundAction) {
	m := st.retries[bs.step.StepID]
	if m == nil {
		if st.retries == nil {
			st.retries = map[string]map[string]int64{}
		}
		m = map[string]int64{}
		st.retries[bs.step.StepID] = m
	}
	m[a.name]++
}

// retryLimit is the number of retries an action allows: retryLimit, or 1.
func retryLimit(a *boundAction) int64 {
	if a.a.RetryLimit == nil {
		return 1
	}
	return *a.a.RetryLimit
}

// selectAction returns the first action whose criteria all pass. For
// failures, a retry action whose retries are exhausted is skipped so that
// evaluation continues with the later actions.
func (st *wfState) selectAction(as []*boundAction, x *stepRun, bs *boundStep, failure bool) *boundAction {
	for _, a := range as {
		if failure && a.typ == "retry" && st.retries[bs.step.StepID][a.name] >= retryLimit(a) {
			continue
		}
		if !failure && a.typ == "retry" {
			continue
		}
		ok := true
		for _, c := range a.a.Criteria {
			res := st.evalCriterion(c, x.scope, bs, false)
			res.Action = a.name
			x.att.Criteria = append(x.att.Criteria, res)
			if !res.Pass {
				ok = false
				break
			}
		}
		if ok {
			return a
		}
	}
	return nil
}

// evalCriterion evaluates a criterion of the step (successCriteria) or of
// one of its actions. explainFailure says whether a failure must be
// explained at once: a failed successCriteria fails the step with its
// explanation, while a failed action criterion only decides that the
// action does not apply, and the record can explain it when read.
func (st *wfState) evalCriterion(c *arazzo.Criterion, sc *scope, bs *boundStep, explainFailure bool) CriterionResult {
	typ := c.Type
	if typ == "" {
		typ = "simple"
	}
	res := CriterionResult{Condition: c.Condition, Type: typ}
	if c.Compiled == nil {
		res.Error = "criterion is not compiled"
	} else {
		var o expr.Outcome
		var rec *attemptRecord
		if sc.ex != nil {
			rec = sc.ex.rec
		}
		switch {
		case st.run.e.opts.Lean:
			o = c.Compiled.Check(sc)
		case st.run.e.explainAtOnce || !rec.canExplainLater(c.Compiled):
			o = c.Compiled.Eval(sc)
		case explainFailure:
			// Check explains only a failure, exactly as Eval would; a
			// pass is explained when read (CriterionResult.Explanation).
			if o = c.Compiled.Check(sc); o.Pass {
				res.lazy, res.rec = c.Compiled, rec
			}
		default:
			// An action's criterion, pass or failure, is explained when
			// read where Decide is sure of the outcome: a poll loop's
			// other action fails on every poll but one, and Check
			// evaluated it twice to explain that.
			if pass, certain := c.Compiled.Decide(sc); certain {
				o = expr.Outcome{Pass: pass}
				res.lazy, res.rec = c.Compiled, rec
			} else {
				o = c.Compiled.Eval(sc)
			}
		}
		res.Pass = o.Pass
		if o.Explanation != "" { // most passes now: nothing to redact
			res.explanation = st.run.redact.Message(o.Explanation)
		}
		if o.Err != nil {
			res.Pass = false
			res.Error = st.run.redact.Message(o.Err.Error())
		}
	}
	if st.run.observer != nil {
		// A copy, so that res itself stays on the stack when nobody observes.
		ev := res
		st.run.emit(Event{Kind: EventCriterionEvaluated, WorkflowID: st.bw.wf.WorkflowID, StepID: bs.step.StepID, Criterion: &ev})
	}
	return res
}

// take records the chosen action on the attempt and reports it.
func (st *wfState) take(x *stepRun, a *boundAction, action string) {
	x.att.Action, x.att.ActionName = action, a.name
	st.finishAttempt(x)
}

func (st *wfState) finishAttempt(x *stepRun) {
	r := st.run
	x.att.Duration = r.fx.Now().Sub(x.att.Started)
	r.res.Steps = append(r.res.Steps, x.att)
	if r.journal != nil {
		r.journal.checkpoint(r.root, x.path, x.att)
	}
	r.emitAttempt(EventActionTaken, x.att)
	r.emitAttempt(EventStepFinished, x.att)
	r.summarizeOldAttempts()
}

// shareURL makes a summary reuse the URL text of the step's previous
// summary when they are equal: a poll loop asks for the same URL every
// time, and a hundred bytes per poll were a third of a summary.
func shareURL(s *StepAttempt, earlier []*StepAttempt) {
	if s.Request == nil {
		return
	}
	for i := len(earlier) - 1; i >= 0; i-- {
		p := earlier[i]
		if p.StepID != s.StepID || p.WorkflowID != s.WorkflowID {
			continue
		}
		if p.Request != nil && p.Request.URL == s.Request.URL {
			s.Request.URL = p.Request.URL
		}
		return
	}
}

// summarizeOldAttempts keeps the details of only the latest KeepDetails
// attempts of the step that just finished: it summarises the one before
// them, if any. The history is walked backwards without an index, because
// runs are short (MaxSteps) and most never repeat a step.
func (r *runState) summarizeOldAttempts() {
	keep := r.e.opts.KeepDetails
	if keep < 0 {
		return
	}
	last := r.res.Steps[len(r.res.Steps)-1]
	detailed := 0
	for i := len(r.res.Steps) - 1; i >= 0; i-- {
		a := r.res.Steps[i]
		if a.compacted || a.StepID != last.StepID || a.WorkflowID != last.WorkflowID {
			continue
		}
		if detailed++; detailed > keep {
			// A copy, not an edit: an observer may still hold the original.
			s := a.summary()
			r.res.Steps[i] = s
			shareURL(s, r.res.Steps[:i])
			return
		}
	}
}

// gotoStep moves to the action's target step. Re-entering a step already
// executed (a poll loop) waits first: the Retry-After header of the last
// response when present, else the loop delay.
func (st *wfState) gotoStep(ctx context.Context, from int, a *boundAction, x *stepRun) (int, time.Duration, *outcome) {
	to := a.step
	delete(st.retries, st.bw.steps[to].step.StepID)
	if !st.executed[to] {
		st.pacer.enter(to)
		return to, 0, nil
	}
	wait := st.pacer.backward(from)
	if d, ok := x.retryAfter(st.run.fx.Now()); ok {
		wait = min(d, st.run.e.opts.MaxRetryAfter)
	}
	if err := st.sleep(ctx, st.bw.steps[to], wait, "poll"); err != nil {
		return to, wait, &outcome{status: Aborted, err: st.run.abortMessage(err), failedAt: st.bw.steps[to].step.StepID}
	}
	return to, wait, nil
}

func (st *wfState) sleep(ctx context.Context, next *boundStep, d time.Duration, reason string) error {
	if d <= 0 {
		return ctx.Err()
	}
	// A waiting run keeps nothing it can make again afterwards: the last
	// attempt's working state, the request context and its timer, the
	// parameter list (parked runs, docs/performance.md).
	st.spare, st.run.paramBuf = nil, nil
	st.run.deadlines.release()
	st.emitWaiting(next, d, reason)
	return st.run.fx.Wait(ctx, Wait{Step: next.path, Duration: d, Reason: reason})
}

// emitWaiting is sleep's event, in a frame of its own: a parked run waits
// in sleep, and an Event built there would stay on its stack for the whole
// wait (see RunWith).
//
//go:noinline
func (st *wfState) emitWaiting(next *boundStep, d time.Duration, reason string) {
	st.run.emit(Event{Kind: EventWaiting, WorkflowID: st.bw.wf.WorkflowID, StepID: next.step.StepID, Wait: d, Reason: reason})
}

// actionInputs evaluates 1.1 action parameters as the target's inputs.
func actionInputs(params []*arazzo.Parameter, sc *scope) (map[string]any, error) {
	in := map[string]any{}
	for _, p := range params {
		v, omit, err := evalParam(p, sc)
		if err != nil {
			return nil, fmt.Errorf("parameter %s: %w", p.Name, err)
		}
		if !omit {
			in[p.Name] = v
		}
	}
	return in, nil
}

// tailCall performs goto workflowId: the target runs and its status ends
// the current workflow; the current outputs come from its own state.
func (st *wfState) tailCall(ctx context.Context, a *boundAction, sc *scope) *outcome {
	in, err := actionInputs(a.params, sc)
	if err == nil {
		in, err = a.target.prepareInputs(in)
	}
	if err != nil {
		return &outcome{status: Failed, err: fmt.Sprintf("goto workflow %s: %v", a.target.wf.WorkflowID, st.run.redact.String(err.Error()))}
	}
	sub := st.run.runWorkflow(ctx, a.target, in, st.depth, false)
	out := &outcome{status: sub.status, failedAt: sub.failedAt, guard: sub.guard}
	if sub.status != Succeeded {
		out.err = fmt.Sprintf("workflow %s (goto %s): %s", a.target.wf.WorkflowID, a.name, sub.err)
	}
	return out
}

// retryReference runs the stepId or workflowId a retry names before the
// current step is retried. A failing reference consumes the retry; an
// aborted one aborts the run.
func (st *wfState) retryReference(ctx context.Context, a *boundAction, sc *scope) *outcome {
	switch {
	case a.target != nil:
		in, err := actionInputs(a.params, sc)
		if err == nil {
			in, err = a.target.prepareInputs(in)
		}
		if err != nil {
			// Skipping the reference silently would hide an authoring
			// error behind a plain retry; fail as a goto to it would.
			return &outcome{status: Failed, err: fmt.Sprintf("retry %s: workflow %s: %v", a.name, a.target.wf.WorkflowID, st.run.redact.String(err.Error()))}
		}
		sub := st.run.runWorkflow(ctx, a.target, in, st.depth+1, false)
		if sub.status == Aborted {
			return sub
		}
	case a.step >= 0:
		bs := st.bw.steps[a.step]
		if st.run.steps >= st.run.e.opts.MaxSteps {
			return &outcome{status: Aborted, guard: GuardMaxSteps, err: stepLimitMessage(st.run.steps), failedAt: bs.step.StepID}
		}
		st.run.steps++
		x := st.execute(ctx, bs, 1, 0)
		if x.aborted != "" {
			x.att.Action = "abort"
			st.finishAttempt(x)
			return &outcome{status: Aborted, guard: x.abortGuard, err: x.aborted, failedAt: bs.step.StepID}
		}
		if x.att.Success && !st.recordOutputs(bs, x) {
			x.att.Success = false
		}
		if !x.att.Success {
			st.setOutputs(bs, nil)
		}
		// The referenced step's own actions are not taken.
		x.att.Action = "return"
		st.finishAttempt(x)
	}
	return nil
}

func stepLimitMessage(n int) string {
	return fmt.Sprintf("stopped after %s (the --max-steps limit)", countOf(n, "step execution"))
}

// countOf returns "1 time" or "3 times".
func countOf(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
