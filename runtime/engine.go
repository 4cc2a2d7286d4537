package runtime

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/arazzo-go/arazzo/arazzo"
	"github.com/arazzo-go/arazzo/expr"
	"github.com/arazzo-go/arazzo/openapi"
)

// Engine runs the workflows of one loaded document. It is immutable after
// New, so one Engine serves many concurrent runs.
type Engine struct {
	doc    *arazzo.Document
	opts   Options
	client *http.Client
	// workflows binds every workflow reachable from the document (its own
	// and those of arazzo-type sources), keyed by the model pointer.
	workflows map[*arazzo.Workflow]*boundWorkflow
	// problems holds, per workflow of the entry document, what a run of
	// it makes of the document's errors (problems.go).
	problems map[*arazzo.Workflow]*Problems
	// brokers holds the dispatchers of AsyncAPI receive steps (message.go).
	brokers brokerEffects
	// bodyBytes counts the response-body bytes of the runs in progress
	// (Options.MaxBodyBytesTotal, bodybudget.go).
	bodyBytes bodyCounter
	// explainAtOnce explains every criterion when it is evaluated, as the
	// engine did before explanations were built when read: tests compare
	// the two.
	explainAtOnce bool
}

// boundWorkflow is a workflow with every reference resolved once.
type boundWorkflow struct {
	wf     *arazzo.Workflow
	doc    *arazzo.Document
	key    string // workflowId, qualified by document file when not the entry document
	steps  []*boundStep
	index  map[string]int // stepId -> position in steps (execution order)
	schema *jsonschema.Schema
	// plain is schema when it is of the commonest shape, which inputs
	// that conform to it pass without the validator (plainInputs).
	plain *plainInputs
	// defaults are the top-level property defaults of the inputs schema.
	defaults map[string]any
	// secretInputs names the inputs whose values must never be shown.
	secretInputs map[string]bool
	deps         []*boundWorkflow
	outputs      []*arazzo.Output
	// bindErrs are the workflow-level binding failures (inputs schema,
	// dependsOn, workflow actions): a run that needs this workflow is
	// refused before any request.
	bindErrs []error
}

// boundStep is a step bound to its operation or workflow.
type boundStep struct {
	step   *arazzo.Step
	wf     *boundWorkflow
	op     *openapi.Operation
	source *arazzo.SourceDescription
	opKey  OperationKey
	// opKeyValue is opKey boxed once, for the context of every request.
	opKeyValue any
	target     *boundWorkflow // workflow steps
	async      *boundAsync    // AsyncAPI steps (message.go)
	// listenFor are the receive steps after this one in its workflow: a
	// step that sends makes them listen first (listenAhead).
	listenFor []*boundStep
	params    []*arazzo.Parameter
	body      *arazzo.RequestBody
	criteria  []*arazzo.Criterion
	// onSuccess and onFailure are the effective action lists: step actions
	// in order, then workflow actions not overridden by name.
	onSuccess, onFailure []*boundAction
	outputs              []*arazzo.Output
	label                string // operationId, "METHOD path" or workflowId
	// path is "workflowId/stepId" (the workflow key qualified by document
	// when not the entry document's): Call.Step and durable records.
	path string
	// idemHeader is the idempotency header the operation declares, if any.
	idemHeader string
	// bindErrs are the binding failures of this step (operation not
	// found, expressions that do not compile, broken actions); problem is
	// the error the step fails with when it is reached, set by New from
	// bindErrs and the document's diagnostics for the step ("" = none).
	bindErrs []error
	problem  string
}

// boundAction is an action with its Reusable Object and target resolved.
type boundAction struct {
	a      *arazzo.Action
	name   string
	typ    string
	step   int            // goto/retry stepId target index, -1 if none
	target *boundWorkflow // goto/retry workflowId target
	params []*arazzo.Parameter
	// gotoStepText is "goto <stepId>", built once: every poll of a
	// self-loop records it as its attempt's Action.
	gotoStepText string
}

// gotoLabel is "goto <stepId>" or "goto workflow <workflowId>".
func (a *boundAction) gotoLabel() string {
	if a.target != nil {
		return "goto workflow " + a.target.wf.WorkflowID
	}
	return a.gotoStepText
}

// New prepares an engine for a loaded, validated document (arazzo.Load).
// It binds every step to its operation or workflow once.
func New(doc *arazzo.Document, opts Options) (*Engine, error) {
	if doc == nil {
		return nil, errors.New("runtime: nil document")
	}
	if err := opts.check(); err != nil {
		return nil, err
	}
	e := &Engine{
		doc:       doc,
		opts:      opts.withDefaults(),
		workflows: map[*arazzo.Workflow]*boundWorkflow{},
	}
	e.client = e.opts.httpClient()
	b := &binder{e: e}
	for _, wf := range doc.Workflows {
		if wf != nil {
			b.workflow(doc, wf)
		}
	}
	if e.opts.StrictDocument {
		if errs := b.allErrs(); len(errs) > 0 {
			return nil, errors.Join(errs...)
		}
		if refused := strictRefusals(doc.Diagnostics); len(refused) > 0 {
			return nil, &DocumentError{Diagnostics: refused}
		}
	}
	e.problems = e.classify()
	if err := e.checkServerOptions(); err != nil {
		return nil, err
	}
	e.detach()
	return e, nil
}

// detach makes the engine keep copies of its documents (modelCopy): every
// object of the model, without the YAML syntax tree, and with OpenAPI
// sources that are openapi.Source.Detached, which keep what requests need
// but not the decoded descriptions. The descriptions and the syntax trees
// were most of what a running engine kept reachable, and the collector
// marked them on every cycle (docs/performance.md items 27f and 28). The
// bound workflows and steps move to the copies. The caller's document is
// not changed, and nothing of it stays reachable from the engine
// (TestEngineLetsTheCallersDocumentGo, TestEngineKeepsNoSyntaxTree).
func (e *Engine) detach() {
	var c modelCopy
	root := c.copyDocument(e.doc)
	// The loader reads a description once for all the documents that name
	// it, so it is detached once too.
	detached := map[*openapi.Source]*openapi.Source{}
	ops := map[*openapi.Operation]*openapi.Operation{}
	for _, d := range root.Documents() {
		for _, sd := range d.SourceDescriptions {
			if sd == nil || sd.OpenAPI == nil {
				continue
			}
			src, ok := detached[sd.OpenAPI]
			if !ok {
				src = sd.OpenAPI.Detached()
				for j, o := range sd.OpenAPI.Operations() {
					ops[o] = src.Operations()[j]
				}
				detached[sd.OpenAPI] = src
			}
			sd.OpenAPI = src
		}
	}
	bound := make(map[*arazzo.Workflow]*boundWorkflow, len(e.workflows))
	for w, bw := range e.workflows {
		bw.wf, bw.doc = copyOf(&c, bw.wf), copyOf(&c, bw.doc)
		bw.outputs = copiesOf(&c, bw.outputs)
		for _, bs := range bw.steps {
			bs.step, bs.source, bs.body = copyOf(&c, bs.step), copyOf(&c, bs.source), copyOf(&c, bs.body)
			bs.params, bs.criteria, bs.outputs = copiesOf(&c, bs.params), copiesOf(&c, bs.criteria), copiesOf(&c, bs.outputs)
			if o, ok := ops[bs.op]; ok {
				bs.op = o
			}
			if bs.async != nil {
				bs.async.target = copyOf(&c, bs.async.target)
			}
			for _, acts := range [][]*boundAction{bs.onSuccess, bs.onFailure} {
				for _, a := range acts {
					a.a, a.params = copyOf(&c, a.a), copiesOf(&c, a.params)
				}
			}
		}
		bound[copyOf(&c, w)] = bw
	}
	problems := make(map[*arazzo.Workflow]*Problems, len(e.problems))
	for w, p := range e.problems {
		problems[copyOf(&c, w)] = p
	}
	e.doc, e.workflows, e.problems = root, bound, problems
}

// Close releases what the engine holds once its runs have ended: the idle
// connections of the shared transport (SharedTransport) when the engine
// uses it, whose goroutines would otherwise wait for the idle timeout;
// other engines on it simply open new connections. A Client or Transport
// passed in Options belongs to the caller and is left alone. The Engine
// must not be used after Close; Close is safe to call more than once.
func (e *Engine) Close() error {
	if e.client.Transport == SharedTransport() {
		SharedTransport().CloseIdleConnections()
	}
	return nil
}

// Document returns the document the engine runs: a copy of the one given to
// New, with copies of its workflows, steps and components, that shares its
// diagnostics and decoded values. Its objects keep their own position and
// JSON pointer (Loc.Pos, Loc.Pointer) but not the YAML syntax tree or their
// fields' positions (Loc.Node, Loc.Fields and Loc.Keys are nil), and its
// OpenAPI sources are openapi.Source.Detached (they build requests but keep
// no decoded description: no response schemas, no CheckResponse). Keep the
// document given to New for what needs any of those.
func (e *Engine) Document() *arazzo.Document { return e.doc }

// Operations lists the operations the document's steps call (those of
// arazzo-type sources included), once each, sorted by their String.
func (e *Engine) Operations() []OperationKey {
	seen := map[OperationKey]bool{}
	var out []OperationKey
	for _, bw := range e.workflows {
		for _, bs := range bw.steps {
			if bs.op != nil && !seen[bs.opKey] {
				seen[bs.opKey] = true
				out = append(out, bs.opKey)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if a, b := out[i].String(), out[j].String(); a != b {
			return a < b
		}
		return out[i].Source < out[j].Source
	})
	return out
}

// binder resolves references and compiles expressions once. A failure is
// recorded where it belongs (sink: the workflow or the step being bound),
// so that it stops only the runs, or the steps, that need what failed.
type binder struct {
	e    *Engine
	sink *[]error
	all  []*[]error
}

func (b *binder) fail(format string, args ...any) {
	*b.sink = append(*b.sink, fmt.Errorf(format, args...))
}

// into directs failures to sink until the returned func restores the
// previous one (binding a workflow may bind another one midway).
func (b *binder) into(sink *[]error) (restore func()) {
	prev := b.sink
	b.sink = sink
	b.all = append(b.all, sink)
	return func() { b.sink = prev }
}

// allErrs lists every binding failure, in binding order.
func (b *binder) allErrs() []error {
	var out []error
	seen := map[*[]error]bool{}
	for _, s := range b.all {
		if !seen[s] {
			seen[s] = true
			out = append(out, *s...)
		}
	}
	return out
}

func (b *binder) workflow(doc *arazzo.Document, wf *arazzo.Workflow) *boundWorkflow {
	if bw, ok := b.e.workflows[wf]; ok {
		return bw
	}
	bw := &boundWorkflow{wf: wf, doc: doc, key: wf.WorkflowID, index: map[string]int{}, outputs: wf.Outputs}
	if doc != b.e.doc {
		bw.key = doc.File + "#" + wf.WorkflowID
	}
	b.e.workflows[wf] = bw // before binding steps: workflows may call each other
	defer b.into(&bw.bindErrs)()
	order := wf.ExecutionOrder()
	for i, s := range order {
		bw.index[s.StepID] = i
	}

	schema, err := compileInputs(doc, wf)
	if err != nil {
		b.fail("workflow %s: inputs schema: %v", wf.WorkflowID, err)
	}
	bw.schema = schema
	if schema != nil {
		bw.plain = plainInputsOf(wf.Inputs)
	}
	bw.defaults, bw.secretInputs = inputDefaultsAndSecrets(doc, wf.Inputs)

	for _, dep := range wf.DependsOn {
		if t := b.workflowRef(doc, dep); t != nil {
			bw.deps = append(bw.deps, t)
		} else {
			b.fail("workflow %s: dependsOn %q: no such workflow", wf.WorkflowID, dep)
		}
	}

	for _, o := range wf.Outputs {
		b.compileOutput(o, "workflow "+wf.WorkflowID)
	}

	wfParams := b.params(doc, wf.Parameters, "workflow "+wf.WorkflowID)
	wfSuccess := b.actions(doc, bw, wf.SuccessActions, "successActions")
	wfFailure := b.actions(doc, bw, wf.FailureActions, "failureActions")

	for _, s := range order {
		bs := &boundStep{step: s, wf: bw, body: s.RequestBody, criteria: s.SuccessCriteria, outputs: s.Outputs, path: bw.key + "/" + s.StepID}
		restore := b.into(&bs.bindErrs)
		where := fmt.Sprintf("workflow %s step %s", wf.WorkflowID, s.StepID)
		switch {
		case s.WorkflowID != "":
			bs.target = b.workflowRef(doc, s.WorkflowID)
			if bs.target == nil {
				b.fail("%s: workflowId %q: no such workflow", where, s.WorkflowID)
			} else {
				bs.label = bs.target.wf.WorkflowID
			}
		case s.Async != nil:
			b.asyncStep(bs, where)
		case s.OperationID != "" || s.OperationPath != "":
			b.operation(doc, bs, where)
		default:
			b.fail("%s: no operationId, operationPath or workflowId (AsyncAPI steps are not supported)", where)
		}
		bs.params = mergeParams(wfParams, b.params(doc, s.Parameters, where))
		for _, c := range s.SuccessCriteria {
			b.compileCriterion(c, where)
		}
		if s.RequestBody != nil {
			b.compileBody(s.RequestBody, where)
		}
		for _, o := range s.Outputs {
			b.compileOutput(o, where)
		}
		restore()
		bw.steps = append(bw.steps, bs)
	}
	for i, bs := range bw.steps {
		if bs.target != nil || (bs.async != nil && !bs.async.send) {
			continue
		}
		for _, later := range bw.steps[i+1:] {
			if later.async != nil && !later.async.send {
				bs.listenFor = append(bs.listenFor, later)
			}
		}
	}
	// Action targets need every step index, so bind actions after steps.
	for _, bs := range bw.steps {
		restore := b.into(&bs.bindErrs)
		bs.onSuccess = mergeActions(b.actions(doc, bw, bs.step.OnSuccess, "onSuccess"), wfSuccess)
		bs.onFailure = mergeActions(b.actions(doc, bw, bs.step.OnFailure, "onFailure"), wfFailure)
		restore()
	}
	return bw
}

func (b *binder) stepIndex(bw *boundWorkflow, id, where string) int {
	if i, ok := bw.index[id]; ok {
		return i
	}
	b.fail("workflow %s: %s: stepId %q: no such step", bw.wf.WorkflowID, where, id)
	return -1
}

// workflowRef resolves a workflowId: a local id, or
// $sourceDescriptions.<name>.<workflowId> (also the older
// $sourceDescriptions.<name>.workflows.<workflowId>) for arazzo sources.
func (b *binder) workflowRef(doc *arazzo.Document, ref string) *boundWorkflow {
	if rest, ok := strings.CutPrefix(ref, "$sourceDescriptions."); ok {
		name, id, ok := strings.Cut(rest, ".")
		if !ok {
			return nil
		}
		src := doc.Source(name)
		if src == nil || src.Arazzo == nil {
			return nil
		}
		wf := src.Arazzo.Workflow(id)
		if wf == nil {
			if id2, ok := strings.CutPrefix(id, "workflows."); ok {
				wf = src.Arazzo.Workflow(id2)
			}
		}
		if wf == nil {
			return nil
		}
		return b.workflow(src.Arazzo, wf)
	}
	if wf := doc.Workflow(ref); wf != nil {
		return b.workflow(doc, wf)
	}
	return nil
}

// operation binds an operation step through operationId (bare or
// qualified) or operationPath.
func (b *binder) operation(doc *arazzo.Document, bs *boundStep, where string) {
	s := bs.step
	var op *openapi.Operation
	var src *arazzo.SourceDescription
	if s.OperationID != "" {
		id := s.OperationID
		if rest, ok := strings.CutPrefix(id, "$sourceDescriptions."); ok {
			name, opID, ok := strings.Cut(rest, ".")
			src = doc.Source(name)
			if !ok || src == nil {
				b.fail("%s: operationId %q: no source description %q", where, id, name)
				return
			}
			if src.OpenAPI == nil {
				b.fail("%s: operationId %q: source %q is not a loaded OpenAPI description%s", where, id, name, loadErrNote(src))
				return
			}
			o, found := src.OpenAPI.Operation(opID)
			if !found {
				b.fail("%s: operationId %q not found in source %q", where, opID, name)
				return
			}
			op = o
		} else {
			var names []string
			for _, sd := range doc.SourceDescriptions {
				if sd.OpenAPI == nil {
					continue
				}
				if o, found := sd.OpenAPI.Operation(id); found {
					op, src = o, sd
					names = append(names, sd.Name)
				}
			}
			switch len(names) {
			case 0:
				var notes []string
				for _, sd := range doc.SourceDescriptions {
					if sd.OpenAPI == nil && sd.Arazzo == nil {
						notes = append(notes, fmt.Sprintf("%q%s", sd.Name, loadErrNote(sd)))
					}
				}
				if len(notes) > 0 {
					b.fail("%s: operationId %q not found in the loaded source descriptions (not loaded: %s)", where, id, strings.Join(notes, ", "))
				} else {
					b.fail("%s: operationId %q not found in any source description", where, id)
				}
				return
			case 1:
			default:
				b.fail("%s: operationId %q is ambiguous: found in sources %s; qualify it as $sourceDescriptions.<name>.%s", where, id, strings.Join(names, ", "), id)
				return
			}
		}
	} else {
		name, pointer, err := splitOperationPath(s.OperationPath)
		if err != nil {
			b.fail("%s: operationPath %q: %v", where, s.OperationPath, err)
			return
		}
		src = doc.Source(name)
		if src == nil || src.OpenAPI == nil {
			note := ""
			if src != nil {
				note = loadErrNote(src)
			}
			b.fail("%s: operationPath %q: no loaded OpenAPI source %q%s", where, s.OperationPath, name, note)
			return
		}
		o, err := src.OpenAPI.OperationByPointer(pointer)
		if err != nil {
			b.fail("%s: operationPath %q: %v", where, s.OperationPath, err)
			return
		}
		op = o
	}
	bs.op, bs.source = op, src
	bs.opKey = OperationKey{Source: src.Name, OperationID: op.ID, Method: op.Method, Path: op.Path}
	bs.opKeyValue = bs.opKey
	bs.idemHeader, _ = op.IdempotencyHeader()
	bs.label = op.ID
	if bs.label == "" {
		bs.label = op.Method + " " + op.Path
	}
}

// loadErrNote says why a source did not load, for binding failures.
func loadErrNote(src *arazzo.SourceDescription) string {
	if src.AsyncAPI != nil {
		// Loaded and validated; running its steps comes later.
		return " (an AsyncAPI description: validate checks its steps, running them is not supported yet)"
	}
	if src.LoadErr == nil {
		return ""
	}
	return " (" + src.LoadErr.Error() + ")"
}

// splitOperationPath reads '{$sourceDescriptions.<name>.url}#<pointer>'
// (also without braces) into the source name and the JSON Pointer.
func splitOperationPath(p string) (name, pointer string, err error) {
	base, frag, ok := strings.Cut(p, "#")
	if !ok {
		return "", "", errors.New("missing '#' before the JSON Pointer")
	}
	base = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(base), "{"), "}")
	rest, ok := strings.CutPrefix(base, "$sourceDescriptions.")
	if !ok {
		return "", "", errors.New("must start with {$sourceDescriptions.<name>.url}")
	}
	name, _, _ = strings.Cut(rest, ".")
	if name == "" {
		return "", "", errors.New("missing source description name")
	}
	return name, frag, nil
}

// params resolves Reusable Objects and compiles parameter values.
func (b *binder) params(doc *arazzo.Document, ps []*arazzo.Parameter, where string) []*arazzo.Parameter {
	var out []*arazzo.Parameter
	for _, p := range ps {
		r := p
		if p.Reference != "" {
			key, ok := strings.CutPrefix(p.Reference, "$components.parameters.")
			var comp *arazzo.Parameter
			if ok && doc.Components != nil {
				comp = doc.Components.Parameters[key]
			}
			if comp == nil {
				b.fail("%s: parameter reference %q: no such component", where, p.Reference)
				continue
			}
			c := *comp
			if p.HasValue {
				c.Value, c.HasValue, c.Compiled, c.Selector = p.Value, true, p.Compiled, nil
			}
			r = &c
		}
		if r.Selector != nil {
			b.compileSelector(r.Selector, where+" parameter "+r.Name)
		} else if r.Compiled == nil {
			d, err := expr.CompileData(r.Value)
			if err != nil {
				b.fail("%s: parameter %s: %v", where, r.Name, err)
				continue
			}
			r = copyParam(r)
			r.Compiled = d
		}
		out = append(out, r)
	}
	return out
}

func copyParam(p *arazzo.Parameter) *arazzo.Parameter { c := *p; return &c }

// paramKey identifies a parameter for overriding: name+in, header names
// compared case-insensitively.
func paramKey(p *arazzo.Parameter) string {
	if strings.EqualFold(p.In, "header") {
		return "header\x00" + strings.ToLower(p.Name)
	}
	return p.In + "\x00" + p.Name
}

// mergeParams applies step parameters over workflow parameters: a step
// entry with the same name+in replaces the workflow entry in place.
func mergeParams(wf, step []*arazzo.Parameter) []*arazzo.Parameter {
	if len(wf) == 0 {
		return step
	}
	out := append([]*arazzo.Parameter(nil), wf...)
	pos := map[string]int{}
	for i, p := range out {
		pos[paramKey(p)] = i
	}
	for _, p := range step {
		if i, ok := pos[paramKey(p)]; ok {
			out[i] = p
			continue
		}
		pos[paramKey(p)] = len(out)
		out = append(out, p)
	}
	return out
}

// actions resolves Reusable Objects and action targets.
func (b *binder) actions(doc *arazzo.Document, bw *boundWorkflow, as []*arazzo.Action, field string) []*boundAction {
	var out []*boundAction
	for _, a := range as {
		r := a
		if a.Reference != "" {
			var comp *arazzo.Action
			if doc.Components != nil {
				if key, ok := strings.CutPrefix(a.Reference, "$components.successActions."); ok {
					comp = doc.Components.SuccessActions[key]
				} else if key, ok := strings.CutPrefix(a.Reference, "$components.failureActions."); ok {
					comp = doc.Components.FailureActions[key]
				}
			}
			if comp == nil {
				b.fail("workflow %s: %s: action reference %q: no such component", bw.wf.WorkflowID, field, a.Reference)
				continue
			}
			r = comp
		}
		ba := &boundAction{a: r, name: r.Name, typ: r.Type, step: -1}
		where := fmt.Sprintf("workflow %s %s action %s", bw.wf.WorkflowID, field, r.Name)
		switch r.Type {
		case "end", "goto", "retry":
		default:
			b.fail("%s: unknown type %q", where, r.Type)
			continue
		}
		if r.StepID != "" {
			ba.step = b.stepIndex(bw, r.StepID, "action "+r.Name)
			ba.gotoStepText = "goto " + r.StepID
		}
		if r.WorkflowID != "" {
			ba.target = b.workflowRef(doc, r.WorkflowID)
			if ba.target == nil {
				b.fail("%s: workflowId %q: no such workflow", where, r.WorkflowID)
			}
		}
		if r.Type == "goto" && r.StepID == "" && r.WorkflowID == "" {
			b.fail("%s: goto needs a stepId or a workflowId", where)
		}
		for _, c := range r.Criteria {
			b.compileCriterion(c, where)
		}
		ba.params = b.params(doc, r.Parameters, where)
		out = append(out, ba)
	}
	return out
}

// mergeActions returns the step actions followed by the workflow actions
// whose name no step action overrides.
func mergeActions(step, wf []*boundAction) []*boundAction {
	if len(wf) == 0 {
		return step
	}
	names := map[string]bool{}
	for _, a := range step {
		names[a.name] = true
	}
	out := append([]*boundAction(nil), step...)
	for _, a := range wf {
		if !names[a.name] {
			out = append(out, a)
		}
	}
	return out
}

func (b *binder) compileCriterion(c *arazzo.Criterion, where string) {
	if c.Compiled != nil {
		return
	}
	cc, err := expr.CompileCriterion(expr.CriterionSpec{Context: c.Context, Condition: c.Condition, Type: c.Type, Version: c.Version})
	if err != nil {
		b.fail("%s: criterion %q: %v", where, c.Condition, err)
		return
	}
	c.Compiled = cc
}

func (b *binder) compileSelector(s *arazzo.Selector, where string) {
	if s.Compiled != nil {
		return
	}
	cs, err := expr.CompileSelector(s.Context, s.Selector, s.Type, s.Version)
	if err != nil {
		b.fail("%s: selector %q: %v", where, s.Selector, err)
		return
	}
	s.Compiled = cs
}

func (b *binder) compileOutput(o *arazzo.Output, where string) {
	if o.Selector != nil {
		b.compileSelector(o.Selector, where+" output "+o.Name)
		return
	}
	if o.Compiled != nil {
		return
	}
	v, err := expr.ParseValue(o.Expr)
	if err != nil {
		b.fail("%s: output %s: %v", where, o.Name, err)
		return
	}
	o.Compiled = v
}

func (b *binder) compileBody(rb *arazzo.RequestBody, where string) {
	if rb.HasPayload && rb.Compiled == nil {
		d, err := expr.CompileData(rb.Payload)
		if err != nil {
			b.fail("%s: requestBody payload: %v", where, err)
		} else {
			rb.Compiled = d
		}
	}
	for _, r := range rb.Replacements {
		if r.Selector != nil {
			b.compileSelector(r.Selector, where+" replacement "+r.Target)
			continue
		}
		if r.Compiled == nil {
			d, err := expr.CompileData(r.Value)
			if err != nil {
				b.fail("%s: replacement %s: %v", where, r.Target, err)
				continue
			}
			r.Compiled = d
		}
	}
}
