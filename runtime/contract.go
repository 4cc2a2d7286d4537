package runtime

// Contract checking: does each response match what its operation's OpenAPI
// description declares? It is built from the engine's two public seams, a
// RoundTripper (which sees the whole response body, where the Result keeps
// only a preview) and an Observer (which puts what the RoundTripper found
// on the step attempt), so the interpreter itself is unchanged and a run
// without a ContractCheck pays nothing.

import (
	"bytes"
	"io"
	"net/http"
	"sync"

	"github.com/arazzo-go/arazzo/arazzo"
	"github.com/arazzo-go/arazzo/openapi"
)

// ContractCheck compares every response of a run with the response its
// operation declares (openapi.Operation.CheckResponse: status, media type,
// required headers, body schema) and lists the differences in
// StepAttempt.Contract. They are warnings: a step's outcome is decided by
// its successCriteria alone.
//
// Install both halves: Options.Transport = c.Transport(inner) and
// Options.Observer (or RunOptions.Observer) = c.Observer(yours). One
// ContractCheck serves concurrent runs; runs are told apart by their run
// id, so concurrent runs must not share a RunOptions.ID.
type ContractCheck struct {
	// MaxBodyBytes bounds the body read for the check; a larger response
	// is passed on unchecked. 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64

	ops     map[OperationKey]*openapi.Operation
	mu      sync.Mutex
	pending map[string][]openapi.Violation // by run id
}

// NewContractCheck indexes the operations of doc's OpenAPI sources, and of
// the Arazzo documents it names as sources, by the OperationKey the engine
// attaches to each request.
func NewContractCheck(doc *arazzo.Document) *ContractCheck {
	c := &ContractCheck{ops: map[OperationKey]*openapi.Operation{}, pending: map[string][]openapi.Violation{}}
	for _, d := range doc.Documents() {
		for _, sd := range d.SourceDescriptions {
			if sd.OpenAPI == nil {
				continue
			}
			for _, op := range sd.OpenAPI.Operations() {
				k := OperationKey{Source: sd.Name, OperationID: op.ID, Method: op.Method, Path: op.Path}
				if _, dup := c.ops[k]; !dup {
					c.ops[k] = op
				}
			}
		}
	}
	return c
}

// Transport returns a RoundTripper that checks each response inner
// returns for a request the engine built. nil inner means the engine's
// default (SharedTransport). The response goes on unchanged.
func (c *ContractCheck) Transport(inner http.RoundTripper) http.RoundTripper {
	if inner == nil {
		inner = SharedTransport()
	}
	return &contractTransport{c: c, inner: inner}
}

// Observer returns an Observer that records, on the attempt of each
// response-received event, what the Transport found, then passes the
// event to next (which may be nil).
func (c *ContractCheck) Observer(next Observer) Observer {
	return ObserverFunc(func(ev Event) {
		switch ev.Kind {
		case EventRequestSent, EventWorkflowFinished:
			// Whatever a response of an earlier request left (a redirect
			// whose next hop failed) is not this request's.
			c.take(ev.RunID)
		case EventResponseReceived:
			if vs := c.take(ev.RunID); len(vs) > 0 && ev.Attempt != nil {
				ev.Attempt.Contract = vs
			}
		}
		if next != nil {
			next.Observe(ev)
		}
	})
}

func (c *ContractCheck) take(runID string) []openapi.Violation {
	c.mu.Lock()
	defer c.mu.Unlock()
	vs := c.pending[runID]
	delete(c.pending, runID)
	return vs
}

type contractTransport struct {
	c     *ContractCheck
	inner http.RoundTripper
}

func (t *contractTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.inner.RoundTrip(req)
	if err != nil || resp == nil {
		return resp, err
	}
	key, ok := OperationFromContext(req)
	runID, ok2 := RunIDFromContext(req)
	op := t.c.ops[key]
	if !ok || !ok2 || op == nil {
		return resp, nil
	}
	var body []byte
	if resp.Body != nil && resp.Body != http.NoBody && req.Method != http.MethodHead {
		limit := t.c.MaxBodyBytes
		if limit <= 0 {
			limit = DefaultMaxBodyBytes
		}
		body, err = io.ReadAll(io.LimitReader(resp.Body, limit+1))
		// The engine reads the body again: what was read goes first, the
		// rest (beyond the limit) after it, and a read error surfaces to
		// the engine where it would have without the check.
		resp.Body = &replayBody{Reader: io.MultiReader(bytes.NewReader(body), errReader{err}, resp.Body), Closer: resp.Body}
		if err != nil || int64(len(body)) > limit {
			return resp, nil // not checked: incomplete or too large
		}
	}
	// The last response of a request wins: after a redirect, the final
	// answer is the operation's.
	vs := op.CheckResponse(req.Context(), resp.StatusCode, resp.Header, body)
	t.c.mu.Lock()
	if len(vs) > 0 {
		t.c.pending[runID] = vs
	} else {
		delete(t.c.pending, runID)
	}
	t.c.mu.Unlock()
	return resp, nil
}

type replayBody struct {
	io.Reader
	io.Closer
}

// errReader returns err once its turn comes, nothing when err is nil.
type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	return 0, io.EOF
}
