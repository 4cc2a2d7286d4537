package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/arazzo-go/arazzo/arazzo"
	"github.com/arazzo-go/arazzo/internal/jsonlimit"
	"github.com/arazzo-go/arazzo/runtime"
)

// --dry-run builds the request of every step of the workflow, in the
// engine's order (list order, dependsOn first: the path a run takes when
// every step succeeds and no action jumps elsewhere), prints them
// redacted, and sends nothing. A step whose request
// uses an earlier step's response ($steps, $response, $outputs,
// $workflows, $statusCode) cannot be built without sending, so it is listed
// with the expressions it waits for instead. Each buildable step runs alone
// in an engine whose transport refuses to send: the engine builds the
// request exactly as a real run would (parameters, body, servers, secrets
// redacted) and the progress observer captures it; the interpreter needs
// no dry-run mode of its own.

// errDryRun is what the dry-run transport answers instead of sending.
var errDryRun = errors.New("not sent (dry run)")

type runDryTransport struct{}

func (runDryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		req.Body.Close()
	}
	return nil, errDryRun
}

// runDryStep is one step of a dry run, as printed with --json.
type runDryStep struct {
	Step string `json:"step"`
	// Workflow is set for a request of a nested workflow (a workflow step).
	Workflow  string                  `json:"workflow,omitempty"`
	Operation string                  `json:"operation,omitempty"`
	Request   *runtime.RequestSummary `json:"request,omitempty"`
	// WaitsFor lists the expressions that need an earlier response.
	WaitsFor []string `json:"waitsFor,omitempty"`
	// Message is what an AsyncAPI send step would publish.
	Message *runDryMessage `json:"message,omitempty"`
	// Error says why the request could not be built.
	Error string `json:"error,omitempty"`
	Note  string `json:"note,omitempty"`
}

// runDependsOnResponse finds the expressions of an earlier result.
var runDependsOnResponse = regexp.MustCompile(`\$(steps|workflows|response|outputs|statusCode|message)\b[A-Za-z0-9_.\-#/\[\]]*`)

func runDryRun(ctx context.Context, doc *arazzo.Document, wf *arazzo.Workflow, inputs map[string]any, opts runtime.Options, asJSON bool, stdout, stderr io.Writer) int {
	opts.Client = nil
	opts.Transport = runDryTransport{}
	var out []runDryStep
	if len(wf.DependsOn) > 0 {
		out = append(out, runDryStep{Step: "(dependsOn)", Note: "workflows " + strings.Join(wf.DependsOn, ", ") + " run first; their requests are not shown"})
	}
	validated := false
	failed := false
	// Secret input values, hidden in the messages shown (the engine hides
	// them in requests itself).
	var secrets []string
	for name, v := range inputs {
		if s, ok := v.(string); ok && s != "" && (runtime.IsSecretInput(doc, wf, name) || runtime.IsSecretName(name)) {
			secrets = append(secrets, s)
		}
	}
	for _, step := range wf.ExecutionOrder() {
		entry := runDryStep{Step: step.StepID, Operation: runStepTarget(step)}
		if step.Async != nil && step.Action != "send" {
			entry.Note = runDryReceiveNote(step)
			out = append(out, entry)
			continue
		}
		if step.Async == nil && (step.ChannelPath != "" || (step.Action != "" && step.OperationID == "" && step.OperationPath == "" && step.WorkflowID == "")) {
			entry.Note = "an AsyncAPI step whose channel did not resolve: nothing to show"
			out = append(out, entry)
			continue
		}
		if waits := runStepWaitsFor(doc, wf, step); len(waits) > 0 {
			entry.WaitsFor = waits
			out = append(out, entry)
			continue
		}
		var reqs []runDryStep
		opts.Observer = runtime.ObserverFunc(func(ev runtime.Event) {
			if ev.Kind == runtime.EventRequestSent && ev.Request != nil {
				r := runDryStep{Step: ev.StepID, Request: ev.Request}
				if ev.WorkflowID != wf.WorkflowID {
					r.Workflow = ev.WorkflowID
				}
				if ev.Attempt != nil {
					r.Operation = ev.Attempt.Operation
				}
				reqs = append(reqs, r)
			}
		})
		// A send step publishes into a recorder instead of a broker.
		opts.MessageMocks = (&runtime.Mocks{}).WithRecorder(func(m *runtime.OutMessage) {
			reqs = append(reqs, runDryStep{Step: step.StepID, Operation: runStepTarget(step), Message: runDryMessageOf(m, secrets)})
		})
		eng, err := runtime.New(runDryDoc(doc, wf, step), opts)
		if err != nil {
			fmt.Fprintf(stderr, "arazzo run: --dry-run: %v\n", err)
			return exitUsage
		}
		res, err := eng.Run(ctx, wf.WorkflowID, inputs)
		eng.Close()
		validated = true
		if res == nil {
			var ie *runtime.InputError
			if errors.As(err, &ie) {
				fmt.Fprintf(stderr, "arazzo run: invalid inputs for workflow %s:\n", ie.WorkflowID)
				for _, p := range ie.Problems {
					fmt.Fprintf(stderr, "  %s\n", strings.TrimPrefix(p.Field+": "+p.Msg, ": "))
				}
				return exitUsage
			}
			fmt.Fprintf(stderr, "arazzo run: --dry-run: %v\n", err)
			return exitUsage
		}
		switch {
		case len(reqs) == 0:
			entry.Error = "the request could not be built"
			if len(res.Steps) > 0 && res.Steps[0].Error != "" {
				entry.Error = res.Steps[0].Error
			}
			failed = true
			out = append(out, entry)
		case step.WorkflowID != "":
			entry.Note = fmt.Sprintf("runs workflow %s: its first request below; the rest wait for its response", step.WorkflowID)
			out = append(out, entry)
			out = append(out, reqs[0])
		default:
			out = append(out, reqs[0])
		}
	}
	if !validated {
		// No step could be built: still say whether the inputs are valid.
		if code, bad := runDryValidateInputs(ctx, doc, wf, inputs, opts, stderr); bad {
			return code
		}
	}
	if asJSON {
		// Request bodies come from inputs, up to 10,000 levels deep: indentation stops at 32.
		if err := jsonlimit.Encode(stdout, out); err != nil {
			fmt.Fprintf(stderr, "arazzo run: writing the dry run: %v\n", err)
			return exitUsage
		}
	} else {
		runPrintDry(stdout, wf, out)
	}
	if failed {
		return exitFailed
	}
	return exitOK
}

// runDryValidateInputs checks the inputs with an engine that has no steps
// to run: the workflow with an empty step list.
func runDryValidateInputs(ctx context.Context, doc *arazzo.Document, wf *arazzo.Workflow, inputs map[string]any, opts runtime.Options, stderr io.Writer) (int, bool) {
	if len(wf.Steps) == 0 {
		return 0, false
	}
	opts.Observer = nil
	eng, err := runtime.New(runDryDoc(doc, wf, nil), opts)
	if err != nil {
		return 0, false // the step list is what is odd; the real run says
	}
	defer eng.Close()
	if _, err := eng.Run(ctx, wf.WorkflowID, inputs); err != nil {
		var ie *runtime.InputError
		if errors.As(err, &ie) {
			fmt.Fprintf(stderr, "arazzo run: invalid inputs for workflow %s:\n", ie.WorkflowID)
			for _, p := range ie.Problems {
				fmt.Fprintf(stderr, "  %s\n", strings.TrimPrefix(p.Field+": "+p.Msg, ": "))
			}
			return exitUsage, true
		}
	}
	return 0, false
}

// runDryDoc returns a copy of doc whose workflow wf has only step (none
// when nil), without the actions, criteria and outputs that would look at
// its response or jump to other steps. The step's parameters and body are
// the very objects of doc, compiled as they are.
func runDryDoc(doc *arazzo.Document, wf *arazzo.Workflow, step *arazzo.Step) *arazzo.Document {
	w := *wf
	w.Steps = nil
	if step != nil {
		s := *step
		s.SuccessCriteria, s.OnSuccess, s.OnFailure, s.Outputs, s.DependsOn = nil, nil, nil, nil, nil
		w.Steps = []*arazzo.Step{&s}
	}
	w.SuccessActions, w.FailureActions, w.Outputs, w.DependsOn = nil, nil, nil, nil
	d := *doc
	d.Workflows = make([]*arazzo.Workflow, len(doc.Workflows))
	for i, x := range doc.Workflows {
		if x == wf {
			x = &w
		}
		d.Workflows[i] = x
	}
	return &d
}

// runStepWaitsFor lists the expressions of a step's request (its
// parameters, the workflow's, and its request body) that read an earlier
// response, sorted and without repeats.
func runStepWaitsFor(doc *arazzo.Document, wf *arazzo.Workflow, step *arazzo.Step) []string {
	set := map[string]bool{}
	var scan func(v any)
	scan = func(v any) {
		switch x := v.(type) {
		case string:
			for _, m := range runDependsOnResponse.FindAllString(x, -1) {
				set[m] = true
			}
		case []any:
			for _, e := range x {
				scan(e)
			}
		case map[string]any:
			for _, e := range x {
				scan(e)
			}
		}
	}
	param := func(p *arazzo.Parameter) {
		if p == nil {
			return
		}
		scan(p.Value)
		if p.Selector != nil {
			scan(p.Selector.Context)
		}
		if name, ok := strings.CutPrefix(p.Reference, "$components.parameters."); ok && doc.Components != nil && !p.HasValue {
			if c := doc.Components.Parameters[name]; c != nil {
				scan(c.Value)
			}
		}
	}
	for _, p := range wf.Parameters {
		param(p)
	}
	for _, p := range step.Parameters {
		param(p)
	}
	if b := step.RequestBody; b != nil {
		scan(b.Payload)
		for _, r := range b.Replacements {
			scan(r.Value)
			if r.Selector != nil {
				scan(r.Selector.Context)
			}
		}
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func runStepTarget(s *arazzo.Step) string {
	switch {
	case s.OperationID != "":
		return s.OperationID
	case s.OperationPath != "":
		return s.OperationPath
	case s.WorkflowID != "":
		return "workflow " + s.WorkflowID
	}
	return ""
}

// runPrintDry prints the dry run for people: each request as it would go
// on the wire (redacted), then what could not be built and why.
func runPrintDry(w io.Writer, wf *arazzo.Workflow, steps []runDryStep) {
	fmt.Fprintf(w, "# dry run of workflow %s: nothing was sent; secrets are redacted and --auth credentials are not shown\n", wf.WorkflowID)
	for _, s := range steps {
		name := s.Step
		if s.Workflow != "" {
			name = s.Workflow + "/" + s.Step
		}
		fmt.Fprintf(w, "\n## %s", name)
		if s.Operation != "" {
			fmt.Fprintf(w, " (%s)", s.Operation)
		}
		fmt.Fprintln(w)
		switch {
		case s.Message != nil:
			fmt.Fprintf(w, "SEND %s\n", s.Message.Address)
			runPrintHeaders(w, s.Message.Headers)
			if s.Message.Payload != "" {
				fmt.Fprintf(w, "\n%s\n", s.Message.Payload)
			}
		case s.Request != nil:
			fmt.Fprintf(w, "%s %s\n", s.Request.Method, s.Request.URL)
			runPrintHeaders(w, s.Request.Headers())
			if s.Request.BodySize > 0 {
				fmt.Fprintf(w, "\n%s\n", s.Request.BodyPreview())
			}
		case len(s.WaitsFor) > 0:
			fmt.Fprintf(w, "not built: it uses %s, known only once an earlier request is answered\n", strings.Join(s.WaitsFor, ", "))
		case s.Error != "":
			fmt.Fprintf(w, "cannot be built: %s\n", s.Error)
		}
		if s.Note != "" {
			fmt.Fprintf(w, "(%s)\n", s.Note)
		}
	}
}

// runDryMessage is the message a send step would publish, redacted.
type runDryMessage struct {
	Address string            `json:"address"`
	Headers map[string]string `json:"headers,omitempty"`
	Payload string            `json:"payload,omitempty"`
}

func runDryMessageOf(m *runtime.OutMessage, secrets []string) *runDryMessage {
	hide := func(s string) string {
		for _, secret := range secrets {
			s = strings.ReplaceAll(s, secret, runtime.Redacted)
		}
		return s
	}
	out := &runDryMessage{Address: m.Address, Payload: hide(string(m.Payload))}
	for k, v := range m.Headers {
		if out.Headers == nil {
			out.Headers = map[string]string{}
		}
		if runtime.IsSecretName(k) {
			v = runtime.Redacted
		}
		out.Headers[k] = hide(v)
	}
	return out
}

// runDryReceiveNote says what a receive step would wait for.
func runDryReceiveNote(step *arazzo.Step) string {
	wait := runtime.DefaultReceiveTimeout
	if step.Timeout != nil && *step.Timeout > 0 {
		wait = time.Duration(*step.Timeout) * time.Millisecond
	}
	address := step.Async.Channel.Address
	if address == "" {
		address = step.Async.Channel.Key
	}
	note := fmt.Sprintf("an AsyncAPI receive step: waits up to %s for a message on %s", wait, address)
	if step.CorrelationID != "" {
		note += " with correlation id " + step.CorrelationID
	}
	return note
}

// runPrintHeaders prints headers one per line, sorted by name.
func runPrintHeaders(w io.Writer, h map[string]string) {
	for _, k := range slices.Sorted(maps.Keys(h)) {
		fmt.Fprintf(w, "%s: %s\n", k, h[k])
	}
}
