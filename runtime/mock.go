package runtime

import (
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/arazzo-go/arazzo/internal/regfile"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/arazzo-go/arazzo/expr"
)

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
// Keys may also be "METHOD /path/template" for operations without an
// operationId. Bodies may use {$request...} expressions ($request.path.x,
// $request.query.x, $request.header.x, $request.body#/ptr, $url, $method),
// evaluated against the incoming request. A called operation without a mock
// fails with a message naming it.
type Mocks struct {
	Operations map[string][]MockResponse
	// Messages answer AsyncAPI receive steps, under
	// "sourceName.operationId", "operationId" or the channel address (the
	// first of these that has answers), in order with the last repeating.
	Messages map[string][]MockMessage

	record func(*OutMessage) // WithRecorder
}

// MockResponse is one canned answer.
type MockResponse struct {
	Status  int
	Headers map[string]string
	Body    any // JSON-encoded unless a string with a non-JSON Content-Type header
}

type mockFile struct {
	Mocks    map[string][]mockEntry   `yaml:"mocks"`
	Messages map[string][]mockMessage `yaml:"messages"`
}

type mockEntry struct {
	Status  *int              `yaml:"status"`
	Headers map[string]string `yaml:"headers"`
	Body    any               `yaml:"body"`
}

// ParseMocks reads the mock file format (the top-level "mocks" key).
func ParseMocks(file string, data []byte) (*Mocks, error) {
	var f mockFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		if err == io.EOF {
			return nil, fmt.Errorf("%s: empty mock file: want a top-level \"mocks\" map", file)
		}
		return nil, fmt.Errorf("%s: %v", file, err)
	}
	if f.Mocks == nil && f.Messages == nil {
		return nil, fmt.Errorf("%s: no top-level \"mocks\" or \"messages\" map", file)
	}
	m := &Mocks{Operations: map[string][]MockResponse{}}
	if err := m.parseMessages(file, f.Messages); err != nil {
		return nil, err
	}
	for _, key := range slices.Sorted(maps.Keys(f.Mocks)) {
		entries := f.Mocks[key]
		if strings.TrimSpace(key) == "" {
			return nil, fmt.Errorf("%s: empty operation key", file)
		}
		if len(entries) == 0 {
			return nil, fmt.Errorf("%s: mocks.%s: no responses", file, key)
		}
		for i, e := range entries {
			status := 200
			if e.Status != nil {
				status = *e.Status
			}
			if status < 100 || status > 599 {
				return nil, fmt.Errorf("%s: mocks.%s[%d]: status %d is not an HTTP status", file, key, i, status)
			}
			body, err := jsonable(e.Body)
			if err != nil {
				return nil, fmt.Errorf("%s: mocks.%s[%d].body: %v", file, key, i, err)
			}
			m.Operations[key] = append(m.Operations[key], MockResponse{Status: status, Headers: e.Headers, Body: body})
		}
	}
	return m, nil
}

// jsonable converts YAML-decoded values into JSON-compatible ones
// (map[any]any keys become strings), rejecting what JSON cannot hold.
func jsonable(v any) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			c, err := jsonable(e)
			if err != nil {
				return nil, err
			}
			out[k] = c
		}
		return out, nil
	case map[any]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			c, err := jsonable(e)
			if err != nil {
				return nil, err
			}
			out[fmt.Sprint(k)] = c
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			c, err := jsonable(e)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case float64:
		if x != x || x > 1e308 || x < -1e308 {
			return nil, fmt.Errorf("number %v cannot be sent as JSON", x)
		}
	}
	return v, nil
}

// MaxMockFileBytes is the largest mock file LoadMocks reads.
const MaxMockFileBytes = 64 << 20

// LoadMocks reads a mock file: a regular file of at most MaxMockFileBytes
// (a FIFO, device or directory is refused at once).
func LoadMocks(path string) (*Mocks, error) {
	data, err := regfile.ReadFile(path, MaxMockFileBytes)
	if err != nil {
		return nil, err
	}
	return ParseMocks(path, data)
}

// Transport returns a RoundTripper answering from the mocks. It identifies
// the operation from the request context set by the engine (see
// OperationFromContext). Each run walks its own answer sequence, so one
// transport serves concurrent runs of one Engine; requests sent outside a
// run share counters that each call of Transport starts afresh.
func (m *Mocks) Transport() http.RoundTripper {
	return &mockTransport{m: m, calls: map[string]int{}, compiled: map[*MockResponse]*expr.Data{}}
}

type mockTransport struct {
	m        *Mocks
	mu       sync.Mutex
	calls    map[string]int
	compiled map[*MockResponse]*expr.Data
}

// lookup finds the answers for an operation: source.operationId, then
// operationId, then "METHOD path".
func (t *mockTransport) lookup(k OperationKey) (string, []MockResponse) {
	var keys []string
	if k.OperationID != "" {
		keys = append(keys, k.Source+"."+k.OperationID, k.OperationID)
	}
	keys = append(keys, k.Method+" "+k.Path)
	for _, key := range keys {
		if rs, ok := t.m.Operations[key]; ok {
			return key, rs
		}
	}
	return "", nil
}

func (t *mockTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		defer req.Body.Close()
	}
	k, ok := OperationFromContext(req)
	if !ok {
		return nil, fmt.Errorf("mock: %s %s was not sent by the engine (no operation attached)", req.Method, req.URL.Path)
	}
	key, answers := t.lookup(k)
	if answers == nil {
		return nil, fmt.Errorf("no mock for operation %s (add mocks.%s to the mock file)", k, mockKeyHint(k))
	}
	calls, mu := t.calls, &t.mu
	if r, ok := req.Context().Value(runKey{}).(*runState); ok {
		calls, mu = r.mockCalls.counters(t), &r.mockCalls.mu
	}
	mu.Lock()
	n := calls[key]
	calls[key] = n + 1
	mu.Unlock()
	t.mu.Lock()
	if n >= len(answers) {
		n = len(answers) - 1 // the last answer repeats
	}
	ans := &answers[n]
	data, err := t.compile(ans)
	t.mu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("mock %s answer %d: %v", key, n+1, err)
	}

	var reqBody []byte
	if req.Body != nil {
		reqBody, _ = io.ReadAll(io.LimitReader(req.Body, 32<<20))
	}
	body := ans.Body
	if data != nil {
		body, err = data.Eval(&requestScope{req: req, key: k, body: reqBody})
		if err != nil {
			return nil, fmt.Errorf("mock %s answer %d: %v", key, n+1, err)
		}
	}

	h := http.Header{}
	for name, v := range ans.Headers {
		h.Set(name, v)
	}
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		if ct := h.Get("Content-Type"); ct != "" && !isJSONType(mediaType(ct)) {
			raw = []byte(b)
			break
		}
		raw, err = json.Marshal(b)
	default:
		raw, err = json.Marshal(b)
	}
	if err != nil {
		return nil, fmt.Errorf("mock %s answer %d: encoding the body: %v", key, n+1, err)
	}
	if len(raw) > 0 && h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/json")
	}
	h.Set("Content-Length", strconv.Itoa(len(raw)))
	return NewResponse(req, ans.Status, h, raw), nil
}

func mockKeyHint(k OperationKey) string {
	if k.OperationID != "" {
		return k.OperationID
	}
	return strconv.Quote(k.Method + " " + k.Path)
}

// compile compiles a body holding expressions once per transport; bodies
// without any "$" are sent as written.
func (t *mockTransport) compile(ans *MockResponse) (*expr.Data, error) {
	if d, ok := t.compiled[ans]; ok {
		return d, nil
	}
	var d *expr.Data
	if hasDollar(ans.Body) {
		var err error
		d, err = expr.CompileData(ans.Body)
		if err != nil {
			return nil, err
		}
	}
	t.compiled[ans] = d
	return d, nil
}

func hasDollar(v any) bool {
	switch x := v.(type) {
	case string:
		return strings.Contains(x, "$")
	case map[string]any:
		for _, e := range x {
			if hasDollar(e) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if hasDollar(e) {
				return true
			}
		}
	}
	return false
}

// requestScope answers $request..., $url and $method from an incoming
// request, for mock bodies.
type requestScope struct {
	req  *http.Request
	key  OperationKey
	body []byte
}

func (s *requestScope) Lookup(ref *expr.Ref) (any, error) {
	switch ref.Kind {
	case expr.KindURL:
		return s.req.URL.String(), nil
	case expr.KindMethod:
		return s.req.Method, nil
	case expr.KindRequest:
		switch ref.Field {
		case "header":
			return headerValue(s.req.Header, ref.Name, "request")
		case "query":
			q := s.req.URL.Query()
			if vs, ok := q[ref.Name]; ok && len(vs) > 0 {
				return vs[0], nil
			}
			return nil, absent("request has no query parameter %q", ref.Name)
		case "path":
			// A query-style key ("/{Bucket}?lifecycle") matches by its path part.
			tmpl, _, _ := strings.Cut(s.key.Path, "?")
			tmpl, _, _ = strings.Cut(tmpl, "#")
			if v, ok := pathParams(tmpl, s.req.URL.EscapedPath())[ref.Name]; ok {
				return v, nil
			}
			return nil, absent("request has no path parameter %q", ref.Name)
		case "body":
			if len(s.body) == 0 {
				return nil, absent("request has no body")
			}
			return parseBody(mediaType(s.req.Header.Get("Content-Type")), s.body), nil
		}
	}
	return nil, absent("a mock body can only use $request, $url and $method")
}

// pathParams matches a path template against the end of an escaped URL
// path (the server URL may add a prefix) and returns the parameters.
func pathParams(template, path string) map[string]string {
	tp := strings.Split(strings.Trim(template, "/"), "/")
	pp := strings.Split(strings.Trim(path, "/"), "/")
	if len(pp) < len(tp) {
		return nil
	}
	pp = pp[len(pp)-len(tp):]
	out := map[string]string{}
	for i, seg := range tp {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			v, err := url.PathUnescape(pp[i])
			if err != nil {
				v = pp[i]
			}
			out[seg[1:len(seg)-1]] = v
		}
	}
	return out
}

// Unmatched lists the mock keys that answer none of ops (Engine.Operations),
// sorted: usually a typo, which would otherwise surface only as "no mock
// for operation X" when the step runs.
func (m *Mocks) Unmatched(ops []OperationKey) []string {
	used := map[string]bool{}
	for _, k := range ops {
		if k.OperationID != "" {
			used[k.Source+"."+k.OperationID] = true
			used[k.OperationID] = true
		}
		used[k.Method+" "+k.Path] = true
	}
	var out []string
	for _, key := range m.Keys() {
		if !used[key] {
			out = append(out, key)
		}
	}
	return out
}

// Keys lists the mocked operations, sorted.
func (m *Mocks) Keys() []string {
	keys := make([]string, 0, len(m.Operations))
	for k := range m.Operations {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// mockCounters are one run's answer counters, per mock transport (a run
// could use two) and operation key.
type mockCounters struct {
	mu       sync.Mutex
	byTpt    map[*mockTransport]map[string]int
	messages map[string]int // message mocks answered, by key
}

// counters returns the run's counters for transport t.
func (m *mockCounters) counters(t *mockTransport) map[string]int {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.byTpt[t]
	if c == nil {
		if m.byTpt == nil {
			m.byTpt = map[*mockTransport]map[string]int{}
		}
		c = map[string]int{}
		m.byTpt[t] = c
	}
	return c
}
