package wftest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/arazzo-go/arazzo/arazzo"
	"github.com/arazzo-go/arazzo/runtime"
)

// Execution is what running one case produced.
type Execution struct {
	// Result is nil when the run was rejected before it started.
	Result *runtime.Result
	// Err says why the document, the workflow choice or the inputs were
	// rejected (for diagnostics: every error, one per line).
	Err error
	// Requests are the requests actually sent, unredacted, in order.
	Requests []*Request
	// SecretInputs names inputs the document marks as secret (format:
	// password), in addition to those whose names say so.
	SecretInputs []string
}

// Request is a request as it left the engine.
type Request struct {
	Source    string // source description name
	Operation string // operationId, or "METHOD path" when it has none
	Method    string
	URL       string
	Header    http.Header
	Body      []byte
}

// Executor runs one case. The default loads the document with arazzo.Load
// and runs it with the runtime against the case's mocks; tests of this
// package inject fakes.
type Executor func(ctx context.Context, c *Case) *Execution

// Runner runs test files. The zero value is ready to use.
type Runner struct {
	Exec Executor // nil: NewExecutor()
	// Filter, when set, selects the cases to run by name; the others are
	// left out of the results.
	Filter func(caseName string) bool
}

// FileResult is the outcome of one test file.
type FileResult struct {
	File string
	// Err is set when the file itself is invalid; Cases is then empty.
	Err   error
	Cases []*CaseResult
}

// Failed reports whether any case failed.
func (f *FileResult) Failed() bool {
	for _, c := range f.Cases {
		if !c.Pass {
			return true
		}
	}
	return false
}

// CaseResult is the outcome of one case.
type CaseResult struct {
	Case       *Case
	Pass       bool
	Mismatches []Mismatch
	Exec       *Execution
	Duration   time.Duration
	secrets    *secrets
}

// RunPaths discovers and runs every test file under paths.
func (r *Runner) RunPaths(ctx context.Context, paths []string) ([]*FileResult, error) {
	files, err := Discover(paths)
	if err != nil {
		return nil, err
	}
	out := make([]*FileResult, 0, len(files))
	for _, p := range files {
		out = append(out, r.RunFile(ctx, p))
	}
	return out, nil
}

// RunFile parses and runs one test file.
func (r *Runner) RunFile(ctx context.Context, path string) *FileResult {
	f, err := LoadFile(path)
	if err != nil {
		return &FileResult{File: path, Err: err}
	}
	return r.Run(ctx, f)
}

// Run runs every case of a parsed file, in order.
func (r *Runner) Run(ctx context.Context, f *File) *FileResult {
	exec := r.Exec
	if exec == nil {
		exec = NewExecutor()
	}
	fr := &FileResult{File: f.Path}
	for _, c := range f.Cases {
		if r.Filter != nil && !r.Filter(c.Name) {
			continue
		}
		fr.Cases = append(fr.Cases, runCase(ctx, exec, c))
	}
	return fr
}

func runCase(ctx context.Context, exec Executor, c *Case) *CaseResult {
	timeout := c.Options.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	x := safeExec(ctx, exec, c)
	cr := &CaseResult{Case: c, Exec: x, Duration: time.Since(start)}
	cr.secrets = collectSecrets(c, x)
	cr.Mismatches = match(c, x, cr.secrets)
	cr.Pass = len(cr.Mismatches) == 0
	return cr
}

// safeExec turns a panic in the engine into a failed case: one broken
// workflow must not take the whole test run down.
func safeExec(ctx context.Context, exec Executor, c *Case) (x *Execution) {
	defer func() {
		if v := recover(); v != nil {
			x = &Execution{Err: fmt.Errorf("internal error: the engine panicked: %v", v)}
		}
	}()
	x = exec(ctx, c)
	if x == nil {
		x = &Execution{Err: errors.New("internal error: the executor returned nothing")}
	}
	return x
}

// NewExecutor returns the real executor: arazzo.Load (once per document)
// and runtime.Engine with the case's mocks, no loop delay and no sleeping.
func NewExecutor() Executor {
	var mu sync.Mutex
	type loaded struct {
		doc *arazzo.Document
		err error
	}
	docs := map[string]loaded{}
	load := func(ctx context.Context, path string) (*arazzo.Document, error) {
		mu.Lock()
		defer mu.Unlock()
		if l, ok := docs[path]; ok {
			return l.doc, l.err
		}
		// Errors in the document are sorted by the engine as for arazzo
		// run: they refuse the case's run only when its workflow needs
		// what is broken (runtime.Problems).
		doc, diags, err := arazzo.Load(ctx, path, arazzo.LoadOptions{})
		if err == nil && doc == nil {
			err = diags
		}
		if err == nil && doc == nil {
			err = fmt.Errorf("%s: no document", path)
		}
		docs[path] = loaded{doc, err}
		return doc, err
	}
	return func(ctx context.Context, c *Case) *Execution {
		x := &Execution{}
		doc, err := load(ctx, c.File.WorkflowPath)
		if err != nil {
			x.Err = err
			return x
		}
		id := c.WorkflowID
		if id == "" {
			if len(doc.Workflows) != 1 {
				x.Err = fmt.Errorf("%s has %d workflows: name one with workflowId", c.File.Workflow, len(doc.Workflows))
				return x
			}
			id = doc.Workflows[0].WorkflowID
		}
		if wf := doc.Workflow(id); wf != nil {
			x.SecretInputs = passwordInputs(wf.Inputs)
		}
		capture := &capturingTransport{inner: c.Mocks.Transport()}
		// Every answer is checked against its description: a mock that
		// drifted from the API is a warning in the trace, and a failure
		// with expect.contract: clean.
		cc := runtime.NewContractCheck(doc)
		eng, err := runtime.New(doc, runtime.Options{
			Transport:    cc.Transport(capture),
			Observer:     cc.Observer(nil),
			MessageMocks: c.Mocks.WithRecorder(capture.message),
			LoopDelay:    runtime.Off,
			Clock:        runtime.NewVirtualClock(time.Now()),
			MaxSteps:     c.Options.MaxSteps,
			Strict:       c.Options.Strict,
			// strict cases refuse a document with any error, as
			// arazzo run --strict does.
			StrictDocument: c.Options.Strict,
			// Test reports show every attempt of a failing case.
			KeepDetails: -1,
		})
		if err != nil {
			x.Err = err
			return x
		}
		inputs := c.Inputs
		if v, err := jsonShape(inputs); err == nil && v != nil {
			inputs = v.(map[string]any)
		}
		x.Result, x.Err = eng.Run(ctx, id, inputs)
		if x.Result != nil {
			// The run happened: its failure is in the Result; Err is
			// for a run refused before it started.
			x.Err = nil
		}
		x.Requests = capture.requests()
		return x
	}
}

// passwordInputs lists inputs whose schema says format: password.
func passwordInputs(schema any) []string {
	m, _ := schema.(map[string]any)
	props, _ := m["properties"].(map[string]any)
	var out []string
	for name, p := range props {
		if pm, ok := p.(map[string]any); ok && pm["format"] == "password" {
			out = append(out, name)
		}
	}
	return out
}

// capturingTransport records every request before the mocks answer it:
// the run result's headers are redacted, but a test must compare the real
// Authorization value.
type capturingTransport struct {
	inner http.RoundTripper
	mu    sync.Mutex
	reqs  []*Request
}

func (t *capturingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := &Request{Method: req.Method, URL: req.URL.String(), Header: req.Header.Clone()}
	if key, ok := runtime.OperationFromContext(req); ok {
		rec.Source, rec.Operation = key.Source, key.OperationID
		if rec.Operation == "" {
			rec.Operation = key.Method + " " + key.Path
		}
	} else {
		rec.Operation = req.Method + " " + req.URL.Path
	}
	out := req
	if req.Body != nil && req.Body != http.NoBody {
		body, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("reading request body: %w", err)
		}
		rec.Body = body
		out = req.Clone(req.Context())
		out.Body = io.NopCloser(bytes.NewReader(body))
		out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	t.mu.Lock()
	t.reqs = append(t.reqs, rec)
	t.mu.Unlock()
	if t.inner == nil {
		return nil, fmt.Errorf("no mock transport for %s", rec.Operation)
	}
	return t.inner.RoundTrip(out)
}

func (t *capturingTransport) requests() []*Request {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]*Request(nil), t.reqs...)
}

// message records a message an AsyncAPI send step published, in order with
// the requests, as a request of method SEND to the channel address: the
// case's calls and requests checks assert it like a request (operation is
// its operationId, or the address of a channelPath step; body is its
// payload).
func (t *capturingTransport) message(m *runtime.OutMessage) {
	h := http.Header{}
	for k, v := range m.Headers {
		h[k] = []string{v} // as sent: message header names are not canonicalised
	}
	op := m.Operation
	if op == "" {
		op = m.Address
	}
	t.mu.Lock()
	t.reqs = append(t.reqs, &Request{Source: m.Source, Operation: op, Method: "SEND", URL: m.Address, Header: h, Body: m.Payload})
	t.mu.Unlock()
}
