package runtime

// CONTRACT STUBS for offline mocks; the runtime helper implements them.

import "net/http"

// Mocks answer operations without a network. File format (YAML):
//
//	mocks:
//	  getInstance:                 # operationId, or sourceName.operationId
//	    - status: 200
//	      headers: {opc-request-id: abc}
//	      body: {id: ocid1.instance.oc1..x, lifecycleState: STOPPED}
//	  getImage:                    # answered in order; the last answer repeats
//	    - {status: 200, body: {lifecycleState: PROVISIONING}}
//	    - {status: 200, body: {lifecycleState: AVAILABLE}}
//
// Bodies may use {$request...} expressions. A called operation without a mock
// fails with a message naming it.
type Mocks struct {
	Operations map[string][]MockResponse
}

// MockResponse is one canned answer.
type MockResponse struct {
	Status  int
	Headers map[string]string
	Body    any // JSON-encoded unless a string with a non-JSON Content-Type header
}

// ParseMocks reads the mock file format (the top-level "mocks" key).
func ParseMocks(file string, data []byte) (*Mocks, error) { return nil, errTODO }

// LoadMocks reads a mock file.
func LoadMocks(path string) (*Mocks, error) { return nil, errTODO }

// Transport returns a RoundTripper answering from the mocks. Each call of
// Transport starts fresh counters. It identifies the operation from the
// request context set by the engine (see OperationFromContext).
func (m *Mocks) Transport() http.RoundTripper { return nil }

// OperationKey identifies the operation a request was built for.
type OperationKey struct {
	Source      string // source description name
	OperationID string // may be empty
	Method      string
	Path        string // path template
}

// OperationFromContext returns the operation the engine attached to an
// outgoing request's context.
func OperationFromContext(req *http.Request) (OperationKey, bool) { return OperationKey{}, false }
