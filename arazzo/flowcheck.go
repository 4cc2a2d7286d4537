package arazzo

import (
	"fmt"
	"slices"
	"strings"

	"github.com/arazzo-go/arazzo/expr"
	"github.com/arazzo-go/arazzo/openapi"
)

// Control-flow rules: what a run does after each step, read from the
// document alone (no OpenAPI source needed). The model is the runtime's
// (docs/decisions.md, "No matching action" and "Action merge"): a step's
// effective action list is its own actions followed by the workflow's
// actions whose name it does not override; the first action whose criteria
// all hold is taken, an action without criteria always holds; a success
// with no matching action falls through to the next step (past the last
// one the workflow succeeds), a failure with no matching action fails the
// workflow.

// flowStep is what a step can do next, in the workflow's list order.
type flowStep struct {
	// succ are the steps a successful response can lead to (goto targets
	// and the fall-through to the next step); succExit is set when a
	// successful response can also leave the workflow (end, goto
	// workflowId, fall-through past the last step).
	succ     []int
	succExit bool
	// fail are the steps a failing response can lead to (goto, and the
	// step a retry runs first).
	fail []int
	// selfGotoFromWorkflow is set when the success loop back to the step
	// itself comes from a workflow-level action (endless-goto reports the
	// step-level one).
	selfGotoFromWorkflow bool
	// gotoActions maps each success goto target to the first action (as
	// written) that goes there, to place a goto-loop report on the goto
	// that closes the loop.
	gotoActions map[int]*Action
	// transfers is set when the step has any success action that ends the
	// workflow or jumps (with or without criteria), or any failure goto:
	// steps after it may then be skipped.
	transfers bool
	// unsure is set when an action's target is missing or names no step
	// (reported by other rules): where it leads is unknown, so
	// reachability is not judged.
	unsure bool
}

// lintState caches, per document check, what several flow and data rules
// need, so that each is computed once and the cost stays linear.
type lintState struct {
	flows      map[*Workflow]*workflowFlow
	usesByStep map[*Step][]use
	ops        map[*Step]*openapi.Operation // resolved by checkOperation
	// probeBudget bounds the condition evaluations of dead-failure-action
	// and unhandled-state over the whole document.
	probeBudget int
}

// workflowFlow is the flow of one workflow, nil steps when it cannot be
// told; inLoop is filled on first use.
type workflowFlow struct {
	steps  []flowStep
	inLoop []bool
}

// flow returns the cached flow of w (nil when it cannot be told).
func (c *checker) flow(w *Workflow) *workflowFlow {
	if c.lint.flows == nil {
		c.lint.flows = map[*Workflow]*workflowFlow{}
	}
	f, ok := c.lint.flows[w]
	if !ok {
		f = &workflowFlow{steps: c.flowOf(w)}
		c.lint.flows[w] = f
	}
	return f
}

// usesOf returns the runtime expressions written in step s.
func (c *checker) usesOf(s *Step) []use {
	if c.lint.usesByStep == nil {
		c.lint.usesByStep = map[*Step][]use{}
		for _, u := range c.uses {
			if u.step != nil {
				c.lint.usesByStep[u.step] = append(c.lint.usesByStep[u.step], u)
			}
		}
	}
	return c.lint.usesByStep[s]
}

// maxFlowWork bounds steps × workflow-level actions for the flow rules:
// the workflow's actions join every step's list, and a document built to
// make that product huge is not judged rather than checked slowly.
const maxFlowWork = 1 << 20

// checkFlow applies the control-flow rules to every workflow of the
// document, and the data rules that need no OpenAPI operation. It is
// called once, after the per-step checks.
func (c *checker) checkFlow() {
	for _, w := range c.doc.Workflows {
		for _, s := range w.Steps {
			if s.OperationID != "" || s.OperationPath != "" {
				c.checkPayloadMedia(s, c.lint.ops[s])
			}
		}
		if f := c.flow(w).steps; f != nil {
			c.checkGotoLoops(w, f)
			c.checkUnreachable(w, f)
		}
		c.checkDeadFailureActions(w)
		c.checkDeadWorkflowFailureActions(w)
	}
	c.checkRecursion()
}

// flowOf builds the flow of workflow w, or nil when it cannot be told from
// the list order: 1.1 step dependsOn reorders the steps.
func (c *checker) flowOf(w *Workflow) []flowStep {
	if len(w.Steps) == 0 || len(w.Steps)*(1+len(w.SuccessActions)+len(w.FailureActions)) > maxFlowWork {
		return nil
	}
	for _, s := range w.Steps {
		if len(s.DependsOn) > 0 || s.StepID == "" {
			return nil
		}
	}
	flow := make([]flowStep, len(w.Steps))
	for i, s := range w.Steps {
		f := &flow[i]
		f.gotoActions = map[int]*Action{}
		unconditional := false
		for _, ea := range c.effectiveActions(w, s, false) {
			a := ea.action
			switch a.Type {
			case "goto":
				f.transfers = true
				if a.StepID != "" {
					if _, j := w.Step(a.StepID); j >= 0 {
						f.succ = append(f.succ, j)
						if _, ok := f.gotoActions[j]; !ok {
							f.gotoActions[j] = ea.written
						}
						if j == i && ea.fromWorkflow && len(a.Criteria) == 0 {
							f.selfGotoFromWorkflow = true
						}
					} else {
						f.succExit, f.unsure = true, true // goto-target reports it
					}
				} else {
					f.succExit = true
					f.unsure = a.WorkflowID == ""
				}
			default:
				// end, and types the schema rejects: leaving is the
				// conservative reading for every rule here.
				f.transfers = true
				f.succExit = true
			}
			if len(a.Criteria) == 0 {
				unconditional = true
				break
			}
		}
		if !unconditional {
			if i+1 < len(w.Steps) {
				f.succ = append(f.succ, i+1)
			} else {
				f.succExit = true
			}
		}
		for _, ea := range c.effectiveActions(w, s, true) {
			a := ea.action
			if a.Type == "goto" && a.StepID == "" && a.WorkflowID == "" {
				f.unsure = true
			}
			if a.StepID == "" {
				continue
			}
			if a.Type == "goto" {
				f.transfers = true
			}
			if _, j := w.Step(a.StepID); j >= 0 && (a.Type == "goto" || a.Type == "retry") {
				f.fail = append(f.fail, j)
			} else if j < 0 {
				f.unsure = true
			}
		}
	}
	return flow
}

// effectiveAction is one entry of a step's effective action list: the
// action (a component resolved) and the entry as written, for positions.
type effectiveAction struct {
	action, written *Action
	fromWorkflow    bool
}

// effectiveActions is the list the runtime selects from: the step's own
// actions, then the workflow's whose name no step action uses. A step
// action whose reference does not resolve (reported elsewhere) stands as
// a conditional goto to nowhere, which makes the rules that need to know
// where it leads stay silent.
func (c *checker) effectiveActions(w *Workflow, s *Step, failure bool) []effectiveAction {
	own, wf := s.OnSuccess, w.SuccessActions
	if failure {
		own, wf = s.OnFailure, w.FailureActions
	}
	var out []effectiveAction
	names := map[string]bool{}
	for _, a := range own {
		if r := c.resolveActionQuiet(a, failure); r == nil {
			out = append(out, effectiveAction{action: unresolvedAction, written: a})
		} else {
			out = append(out, effectiveAction{action: r, written: a})
			names[r.Name] = true
		}
	}
	for _, a := range wf {
		r := c.resolveActionQuiet(a, failure)
		if r == nil {
			r = unresolvedAction
		} else if r.Name != "" && names[r.Name] {
			continue // overridden by the step
		}
		out = append(out, effectiveAction{action: r, written: a, fromWorkflow: true})
	}
	return out
}

// unresolvedAction stands for an action whose reference does not resolve:
// a conditional goto with no target.
var unresolvedAction = &Action{Type: "goto", Criteria: []*Criterion{{}}}

func (c *checker) resolveActionQuiet(a *Action, failure bool) *Action {
	saved := c.diags
	r := c.resolveAction(a, failure)
	c.diags = saved
	return r
}

// checkGotoLoops reports loops of two or more steps (and self-loops made by
// a workflow-level action) that no successful response leaves: no action
// in the loop ends the workflow or jumps out of it under any criteria, and
// no step falls through past it. The run then ends only when a request
// fails, or at the runtime's step guard. endless-goto reports the
// step-level self-loop.
func (c *checker) checkGotoLoops(w *Workflow, flow []flowStep) {
	succ := make([][]int, len(flow))
	for i := range flow {
		succ[i] = flow[i].succ
	}
	for _, scc := range stronglyConnected(succ) {
		if len(scc) == 1 {
			i := scc[0]
			if !flow[i].selfGotoFromWorkflow || flow[i].succExit || slices.ContainsFunc(flow[i].succ, func(j int) bool { return j != i }) {
				continue
			}
		}
		in := map[int]bool{}
		for _, i := range scc {
			in[i] = true
		}
		stuck := true
		for _, i := range scc {
			if flow[i].succExit || slices.ContainsFunc(flow[i].succ, func(j int) bool { return !in[j] }) {
				stuck = false
				break
			}
		}
		if !stuck {
			continue
		}
		// Report at the goto that jumps back: from the last step of the
		// loop to its first.
		slices.Sort(scc)
		last := scc[len(scc)-1]
		var back *Action
		for _, j := range scc {
			if a := flow[last].gotoActions[j]; a != nil {
				back = a
				break
			}
		}
		ids := make([]string, 0, len(scc)+1)
		for _, i := range scc {
			ids = append(ids, w.Steps[i].StepID)
		}
		ids = append(ids, ids[0])
		pos, ptr := w.Steps[last].Loc.FieldPos("onSuccess"), w.Steps[last].Loc.Pointer+"/onSuccess"
		if back != nil {
			pos, ptr = back.Loc.FieldPos("stepId"), back.Loc.Pointer+"/stepId"
		}
		loop := "steps " + strings.Join(ids, " -> ") + " loop"
		if len(scc) == 1 {
			loop = fmt.Sprintf("step %q goes back to itself (through the workflow's successActions)", ids[0])
		}
		d := c.warnf(RuleGotoLoop, pos, ptr, "%s on every successful response: no action in the loop ends it or leaves it, and no step falls through past it, so it ends only when a request fails (or at the step guard)", loop)
		d.Fix = "give the goto that closes the loop criteria that hold while it should go on, or add an end/goto action with criteria for the state that finishes it"
	}
}

// checkUnreachable reports steps that no run reaches: from the first step,
// following success gotos, fall-through and failure gotos/retry targets.
func (c *checker) checkUnreachable(w *Workflow, flow []flowStep) {
	for _, f := range flow {
		if f.unsure {
			return
		}
	}
	seen := make([]bool, len(flow))
	queue := []int{0}
	seen[0] = true
	for len(queue) > 0 {
		i := queue[0]
		queue = queue[1:]
		for _, j := range slices.Concat(flow[i].succ, flow[i].fail) {
			if !seen[j] {
				seen[j] = true
				queue = append(queue, j)
			}
		}
	}
	for i, s := range w.Steps {
		if seen[i] {
			continue
		}
		why := fmt.Sprintf("step %q before it is not reached either", w.Steps[i-1].StepID)
		if seen[i-1] {
			why = fmt.Sprintf("step %q before it never falls through (an action without criteria always ends or jumps)", w.Steps[i-1].StepID)
		}
		d := c.warnf(RuleUnreachableStep, s.Loc.FieldPos("stepId"), s.Loc.Pointer+"/stepId", "step %q of workflow %q is never run: %s, and no goto or retry of a reached step targets it", s.StepID, w.WorkflowID, why)
		d.Fix = "give the action that skips it criteria, add a goto to it, or remove the step"
	}
}

// stronglyConnected returns the strongly connected components of a graph
// given as adjacency lists (Tarjan's algorithm, with an explicit stack so
// that a long chain of steps cannot grow the goroutine stack), each with at
// least one edge inside: single nodes only when they have an edge to
// themselves.
func stronglyConnected(adj [][]int) [][]int {
	n := len(adj)
	index := make([]int, n)
	low := make([]int, n)
	onStack := make([]bool, n)
	for i := range index {
		index[i] = -1
	}
	type frame struct{ v, next int } // node, and the next edge to follow
	var out [][]int
	var comp []int
	var tarjan []int // Tarjan's stack of visited nodes
	var call []frame
	counter := 0
	for root := range n {
		if index[root] >= 0 {
			continue
		}
		call = append(call[:0], frame{v: root})
		index[root], low[root] = counter, counter
		counter++
		tarjan = append(tarjan, root)
		onStack[root] = true
		for len(call) > 0 {
			f := &call[len(call)-1]
			v := f.v
			if f.next < len(adj[v]) {
				u := adj[v][f.next]
				f.next++
				if index[u] < 0 {
					index[u], low[u] = counter, counter
					counter++
					tarjan = append(tarjan, u)
					onStack[u] = true
					call = append(call, frame{v: u})
				} else if onStack[u] {
					low[v] = min(low[v], index[u])
				}
				continue
			}
			call = call[:len(call)-1]
			if len(call) > 0 {
				p := call[len(call)-1].v
				low[p] = min(low[p], low[v])
			}
			if low[v] != index[v] {
				continue
			}
			comp = nil
			for {
				u := tarjan[len(tarjan)-1]
				tarjan = tarjan[:len(tarjan)-1]
				onStack[u] = false
				comp = append(comp, u)
				if u == v {
					break
				}
			}
			if len(comp) > 1 || slices.Contains(adj[v], v) {
				out = append(out, comp)
			}
		}
	}
	return out
}

// callEdge is one way a workflow starts another on every run.
type callEdge struct {
	from *Workflow
	to   *Workflow
	how  string // "calls", "goes to" or "depends on"
	ref  string // the reference as written ("pong", "$sourceDescriptions.sub.helper")
	pos  Pos
	ptr  string
	call bool // a step or goto, not a dependsOn
}

// callEdges returns the ways each workflow of the document starts another
// workflow (of this document or of an Arazzo source) on every run: its
// dependsOn entries, and the workflow calls and goto-workflow actions
// without criteria of the steps every successful run reaches, in document
// order.
func (c *checker) callEdges() []callEdge {
	var out []callEdge
	for _, w := range c.doc.Workflows {
		for k, d := range w.DependsOn {
			if t, ok := c.resolveWorkflowRefQuiet(d); ok && t != nil {
				pos := w.Loc.FieldPos("dependsOn")
				if items := c.itemNodes(childNode(w.Loc.Node, "dependsOn")); k < len(items) {
					pos = nodePos(items[k])
				}
				out = append(out, callEdge{from: w, to: t, how: "depends on", ref: d, pos: pos, ptr: fmt.Sprintf("%s/dependsOn/%d", w.Loc.Pointer, k)})
			}
		}
		flow := c.flow(w).steps
		if flow == nil {
			continue
		}
		for k, s := range w.Steps {
			if s.WorkflowID != "" && s.OperationID == "" && s.OperationPath == "" {
				if t, ok := c.resolveWorkflowRefQuiet(s.WorkflowID); ok && t != nil {
					out = append(out, callEdge{from: w, to: t, how: "calls", ref: s.WorkflowID, pos: s.Loc.FieldPos("workflowId"), ptr: s.Loc.Pointer + "/workflowId", call: true})
				}
			}
			if acts := c.effectiveActions(w, s, false); len(acts) > 0 && len(acts[0].action.Criteria) == 0 &&
				acts[0].action.Type == "goto" && acts[0].action.WorkflowID != "" {
				if t, ok := c.resolveWorkflowRefQuiet(acts[0].action.WorkflowID); ok && t != nil {
					a := acts[0].written
					out = append(out, callEdge{from: w, to: t, how: "goes to", ref: acts[0].action.WorkflowID, pos: a.Loc.FieldPos("workflowId"), ptr: a.Loc.Pointer + "/workflowId", call: true})
				}
			}
			if flow[k].transfers {
				break // later steps may be skipped
			}
		}
	}
	return out
}

// checkRecursion reports workflows of this document that start themselves
// again on every run, directly or through other workflows: a step that is
// always reached (every step before it falls through on success, and none
// jumps on failure) calls a workflow, or goes to one with an action
// without criteria, or the workflow dependsOn one; and those edges close a
// cycle with at least one call or goto in it (a dependsOn-only cycle is
// depends-on-cycle). Such a run nests until the runtime's depth or step
// guard aborts it, so it cannot succeed.
func (c *checker) checkRecursion() {
	wfs := c.doc.Workflows
	idx := map[*Workflow]int{}
	for i, w := range wfs {
		idx[w] = i
	}
	// Every edge, into other Arazzo documents too, is kept on the document
	// for the check across documents (recursion.go), which runs once all
	// of them are loaded; this check follows the document's own.
	c.doc.calls = c.callEdges()
	edges := make([][]callEdge, len(wfs))
	for _, e := range c.doc.calls {
		if e.to.Doc == c.doc {
			i := idx[e.from]
			edges[i] = append(edges[i], e)
		}
	}
	adj := make([][]int, len(wfs))
	for i := range edges {
		for _, e := range edges[i] {
			adj[i] = append(adj[i], idx[e.to])
		}
	}
	for _, scc := range stronglyConnected(adj) {
		slices.Sort(scc)
		in := map[int]bool{}
		for _, i := range scc {
			in[i] = true
		}
		// Walk the cycle from its first workflow, preferring call edges,
		// so that the message shows one concrete path.
		var first *callEdge
		var from int
		for _, i := range scc {
			for k := range edges[i] {
				if e := &edges[i][k]; e.call && in[idx[e.to]] {
					first, from = e, i
					break
				}
			}
			if first != nil {
				break
			}
		}
		if first == nil {
			continue
		}
		path := []string{wfs[from].WorkflowID + " " + first.how + " " + first.to.WorkflowID}
		cur := idx[first.to]
		for steps := 0; cur != from && steps < len(scc); steps++ {
			var next *callEdge
			for k := range edges[cur] {
				if e := &edges[cur][k]; in[idx[e.to]] {
					next = e
					if e.call {
						break
					}
				}
			}
			if next == nil {
				break
			}
			path = append(path, wfs[cur].WorkflowID+" "+next.how+" "+next.to.WorkflowID)
			cur = idx[next.to]
		}
		d := c.warnf(RuleRecursiveWorkflow, first.pos, first.ptr, "workflow %q starts itself again on every run (%s), so a run never ends by itself: the depth or step guard aborts it, and it never succeeds", wfs[from].WorkflowID, strings.Join(path, ", "))
		d.Fix = "put the call behind a step whose success actions decide (criteria), or remove it"
	}
}

// checkSelfOutput reports a step that reads its own outputs outside its
// outputs map: they are set only after the step succeeds, so on its first
// run the value is absent (a parameter is then omitted, a condition is
// false). A step that a goto loop runs again reads the previous round's
// value, which is how paging and polling carry a cursor: not reported.
func (c *checker) checkSelfOutput(u use, r *expr.Ref) {
	if f := c.flow(u.wf); f.steps == nil || f.loops()[u.stepIdx] {
		return
	}
	d := c.warnf(RuleSelfOutput, u.pos, u.ptr, "step %q reads its own output %q, which is set only after the step succeeds: here it has no value", u.step.StepID, r.Name)
	d.Fix = "read the value from the response ($response.body#/...) or from the step that produced it"
}

// loops tells for each step whether it can run again after it ran: it
// lies on a cycle of success or failure gotos.
func (f *workflowFlow) loops() []bool {
	if f.inLoop == nil {
		f.inLoop = make([]bool, len(f.steps))
		adj := make([][]int, len(f.steps))
		for k := range f.steps {
			adj[k] = slices.Concat(f.steps[k].succ, f.steps[k].fail)
		}
		for _, scc := range stronglyConnected(adj) {
			for _, i := range scc {
				f.inLoop[i] = true
			}
		}
	}
	return f.inLoop
}
