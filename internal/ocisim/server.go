package ocisim

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/arazzo-go/arazzo/internal/ocisign"
)

// BasePath is the API version prefix every OCI Core Services path starts with.
const BasePath = "/20160918"

// ControlPath prefixes the simulator's own control API, which is never authenticated.
const ControlPath = "/_sim"

// AuthMode selects how the simulator checks the Authorization header.
type AuthMode string

const (
	// AuthPresence rejects requests without a non-empty Authorization header and accepts any value, so a
	// workflow that passes a placeholder token works. It is the default.
	AuthPresence AuthMode = "presence"
	// AuthNone accepts every request.
	AuthNone AuthMode = "none"
	// AuthSignature verifies OCI request signatures (see package ocisign) against configured public keys.
	AuthSignature AuthMode = "signature"
)

// Values for Options.ProvisioningPolls other than a positive count.
const (
	DefaultProvisioningPolls = 2
	// ZeroPolls makes a new image settle on its first read.
	ZeroPolls = -1
	// Forever keeps new images in PROVISIONING for good, to test a client's loop guard.
	Forever = -2
)

// DefaultMaxClockSkew is how far a signed request's Date may be from the simulator's clock, as on real OCI.
const DefaultMaxClockSkew = 5 * time.Minute

// maxBodyBytes bounds request bodies; real CreateImage bodies are well under a kilobyte.
const maxBodyBytes = 1 << 20

// maxLoggedBody bounds the body kept per request log entry, so a full log stays small.
const maxLoggedBody = 64 << 10

// MaxRequestLog bounds the request log; a long demo with time-based provisioning would otherwise grow it
// without end. The oldest entries are dropped first; Seq keeps counting.
const MaxRequestLog = 10000

// Options configure a Server. The zero value is a working simulator in presence mode.
type Options struct {
	// Auth is the authentication mode; empty means AuthPresence.
	Auth AuthMode
	// PublicKeys maps signature keyIds (tenancy/user/fingerprint, or ST$<token>) to public keys for
	// AuthSignature.
	PublicKeys map[string]crypto.PublicKey
	// PublicKey, when set, verifies signatures of any keyId that PublicKeys does not list.
	PublicKey crypto.PublicKey
	// MaxClockSkew bounds the Date of signed requests; zero means DefaultMaxClockSkew.
	MaxClockSkew time.Duration

	// ProvisioningPolls is how many GET /images/{id} calls report PROVISIONING before a new image settles.
	// Zero means DefaultProvisioningPolls; ZeroPolls settles on the first read; Forever never settles.
	ProvisioningPolls int
	// ProvisioningTime, when positive, replaces the read count with a duration on the simulator's clock, for
	// demos that should feel like the real service.
	ProvisioningTime time.Duration
	// SettleState is the state a new image settles into: empty or AVAILABLE, or DELETED or DISABLED to
	// simulate a failed capture.
	SettleState string

	// Instances adds instances (OCID → lifecycle state) to the fixtures, or sets a fixture's state; they are
	// restored by every Reset. New ones copy the STOPPED fixture's shape and compartment.
	Instances map[string]string

	// Faults inject errors and latency into chosen calls.
	Faults []Fault
	// Clock gives the current time; nil means time.Now. It drives signature skew checks, timestamps of new
	// images and the time-based provisioning mode.
	Clock func() time.Time
	// Sleep waits for injected latency; nil means a timer that stops when the request is cancelled. Tests
	// replace it to avoid real waiting.
	Sleep func(ctx context.Context, d time.Duration)
	// Log, when set, receives one line per request. Authorization values never appear in it.
	Log io.Writer
}

// Request is one entry of the request log.
type Request struct {
	Seq       int         `json:"seq"`
	Time      time.Time   `json:"time"`
	Method    string      `json:"method"`
	URI       string      `json:"uri"`
	Operation string      `json:"operation,omitempty"`
	Header    http.Header `json:"header"`         // non-empty Authorization values are replaced by "[redacted]"
	Body      []byte      `json:"body,omitempty"` // at most the first 64 KiB
	Status    int         `json:"status"`
	ErrorCode string      `json:"errorCode,omitempty"`
	Reason    string      `json:"reason,omitempty"` // why authentication failed, in signature mode
	RequestID string      `json:"opcRequestId"`
}

// Server is the simulator. It implements http.Handler and is safe for concurrent use.
type Server struct {
	opts  Options
	clock func() time.Time
	sleep func(ctx context.Context, d time.Duration)

	mu          sync.Mutex
	instances   map[string]*instanceRecord
	instanceIDs []string // insertion order, for deterministic listing
	images      map[string]*imageRecord
	imageIDs    []string
	retryTokens map[string]retryRecord
	workImage   map[string]string // work request OCID → image OCID
	calls       map[string]int
	faults      []Fault
	log         []Request
	logged      int // requests logged since Reset, for Request.Seq
	seq         int // request counter, for opc-request-id
	imageSeq    int // new image counter, for OCIDs
	settleState string
	polls       int
	logMu       sync.Mutex // serialises writes to opts.Log
}

// New returns a simulator holding the fixtures.
func New(opts Options) (*Server, error) {
	switch opts.Auth {
	case "":
		opts.Auth = AuthPresence
	case AuthPresence, AuthNone:
	case AuthSignature:
		if opts.PublicKey == nil && len(opts.PublicKeys) == 0 {
			return nil, errors.New("ocisim: signature auth needs a public key")
		}
	default:
		return nil, fmt.Errorf("ocisim: unknown auth mode %q (want none, presence or signature)", opts.Auth)
	}
	if err := checkSettleState(opts.SettleState); err != nil {
		return nil, err
	}
	if err := checkPolls(opts.ProvisioningPolls); err != nil {
		return nil, err
	}
	for id, state := range opts.Instances {
		if id == "" || !instanceStates[state] {
			return nil, fmt.Errorf("ocisim: instance %q: state %q is not a lifecycle state", id, state)
		}
	}
	if opts.MaxClockSkew <= 0 {
		opts.MaxClockSkew = DefaultMaxClockSkew
	}
	for _, f := range opts.Faults {
		if err := f.validate(); err != nil {
			return nil, fmt.Errorf("ocisim: %w", err)
		}
	}
	s := &Server{opts: opts, clock: opts.Clock, sleep: opts.Sleep}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.sleep == nil {
		s.sleep = sleepContext
	}
	s.Reset()
	return s, nil
}

func checkSettleState(state string) error {
	switch state {
	case "", ImageAvailable, ImageDeleted, ImageDisabled:
		return nil
	}
	return fmt.Errorf("ocisim: settle state %q is not AVAILABLE, DELETED or DISABLED", state)
}

func checkPolls(n int) error {
	if n < Forever {
		return fmt.Errorf("ocisim: provisioning polls %d is invalid (use a count, ZeroPolls or Forever)", n)
	}
	return nil
}

func sleepContext(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// Reset restores the fixtures and the configured faults and clears counters and the request log.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.instances = map[string]*instanceRecord{}
	s.instanceIDs = nil
	for _, in := range fixtureInstances() {
		s.instances[in.ID] = in
		s.instanceIDs = append(s.instanceIDs, in.ID)
	}
	extra := slices.Sorted(maps.Keys(s.opts.Instances))
	for _, id := range extra {
		s.setInstanceStateLocked(id, s.opts.Instances[id])
	}
	s.images = map[string]*imageRecord{}
	s.imageIDs = nil
	for _, im := range fixtureImages() {
		s.images[im.ID] = im
		s.imageIDs = append(s.imageIDs, im.ID)
	}
	s.retryTokens = map[string]retryRecord{}
	s.workImage = map[string]string{}
	s.calls = map[string]int{}
	s.faults = slices.Clone(s.opts.Faults)
	s.log = nil
	s.logged = 0
	s.seq = 0
	s.imageSeq = 0
	s.settleState = s.opts.SettleState
	if s.settleState == "" {
		s.settleState = ImageAvailable
	}
	s.polls = s.opts.ProvisioningPolls
}

// Calls returns how many requests were routed to the operation (by operationId) since the last Reset,
// including those answered with an error.
func (s *Server) Calls(operation string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[operation]
}

// CallCounts returns a copy of the per-operation call counters.
func (s *Server) CallCounts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.calls))
	for k, v := range s.calls {
		out[k] = v
	}
	return out
}

// Requests returns a copy of the request log (API calls only, not the control API), oldest first, at most
// MaxRequestLog entries.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	kept := s.log[max(0, len(s.log)-MaxRequestLog):]
	out := make([]Request, len(kept))
	for i, r := range kept {
		r.Header = r.Header.Clone()
		r.Body = slices.Clone(r.Body)
		out[i] = r
	}
	return out
}

// SetFaults replaces the active faults.
func (s *Server) SetFaults(faults []Fault) error {
	for _, f := range faults {
		if err := f.validate(); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = slices.Clone(faults)
	return nil
}

// SetProvisioning changes how images created from now on settle: after polls reads (see
// Options.ProvisioningPolls) into settleState (empty means AVAILABLE).
func (s *Server) SetProvisioning(polls int, settleState string) error {
	if err := checkPolls(polls); err != nil {
		return err
	}
	if err := checkSettleState(settleState); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.polls = polls
	s.settleState = settleState
	if s.settleState == "" {
		s.settleState = ImageAvailable
	}
	return nil
}

// Instance returns a copy of an instance's current state.
func (s *Server) Instance(id string) (Instance, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.instances[id]
	if !ok {
		return Instance{}, false
	}
	return in.Instance, true
}

// Image returns a copy of an image's current state, without counting as a read.
func (s *Server) Image(id string) (Image, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	im, ok := s.images[id]
	if !ok {
		return Image{}, false
	}
	s.settleByTime(im)
	return im.Image, true
}

// SetInstanceState puts an instance into a lifecycle state, creating it from the fixture template when the id
// is new.
func (s *Server) SetInstanceState(id, state string) error {
	if !instanceStates[state] {
		return fmt.Errorf("instance state %q is not a lifecycle state", state)
	}
	if id == "" {
		return errors.New("instance id is empty")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.setInstanceStateLocked(id, state)
	return nil
}

func (s *Server) setInstanceStateLocked(id, state string) {
	in, ok := s.instances[id]
	if !ok {
		in = fixtureInstances()[0]
		in.ID = id
		in.DisplayName = "sim-" + strconv.Itoa(len(s.instanceIDs)+1)
		s.instances[id] = in
		s.instanceIDs = append(s.instanceIDs, id)
	}
	in.LifecycleState = state
	in.stateBeforeImage = ""
	in.version++
}

// SetImageState puts an existing image into a lifecycle state. An image forced out of PROVISIONING no longer
// advances by reads.
func (s *Server) SetImageState(id, state string) error {
	if !imageStates[state] {
		return fmt.Errorf("image state %q is not a lifecycle state", state)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	im, ok := s.images[id]
	if !ok {
		return fmt.Errorf("image %q not found", id)
	}
	im.LifecycleState = state
	im.version++
	if state != ImageProvisioning && state != ImageImporting {
		s.releaseSource(im)
	}
	return nil
}

func etagOf(id string, version int) string {
	sum := sha256.Sum256([]byte(id + "#" + strconv.Itoa(version)))
	return hex.EncodeToString(sum[:16])
}

// operationIDs lists the operations the simulator serves, named as in the bundled OpenAPI description.
var operationIDs = map[string]bool{
	"listInstances": true, "getInstance": true, "instanceAction": true,
	"listImages": true, "createImage": true, "getImage": true, "updateImage": true, "deleteImage": true,
	"getWorkRequest": true,
}

// route names the operation for a method and path below BasePath, or reports why there is none.
func route(method, path string) (op string, id string, status int) {
	rest, ok := strings.CutPrefix(path, BasePath+"/")
	if !ok {
		return "", "", http.StatusNotFound
	}
	segs := strings.Split(strings.Trim(rest, "/"), "/")
	allow := func(ops map[string]string) (string, string, int) {
		if o, ok := ops[method]; ok {
			return o, id, 0
		}
		return "", "", http.StatusMethodNotAllowed
	}
	switch {
	case len(segs) == 1 && segs[0] == "instances":
		return allow(map[string]string{http.MethodGet: "listInstances"})
	case len(segs) == 2 && segs[0] == "instances" && segs[1] != "":
		id = segs[1]
		return allow(map[string]string{http.MethodGet: "getInstance", http.MethodPost: "instanceAction"})
	case len(segs) == 4 && segs[0] == "instances" && segs[1] != "" && segs[2] == "actions" && segs[3] != "":
		// The form some scaffold descriptions use; served so sibling workflows written against them run.
		id = segs[1]
		return allow(map[string]string{http.MethodPost: "instanceAction"})
	case len(segs) == 2 && segs[0] == "workRequests" && segs[1] != "":
		id = segs[1]
		return allow(map[string]string{http.MethodGet: "getWorkRequest"})
	case len(segs) == 1 && segs[0] == "images":
		return allow(map[string]string{http.MethodGet: "listImages", http.MethodPost: "createImage"})
	case len(segs) == 2 && segs[0] == "images" && segs[1] != "":
		id = segs[1]
		return allow(map[string]string{
			http.MethodGet: "getImage", http.MethodPut: "updateImage", http.MethodDelete: "deleteImage",
		})
	}
	return "", "", http.StatusNotFound
}

// apiError is an OCI error response.
type apiError struct {
	status     int
	code       string
	message    string
	retryAfter int
	// reason is logged but not sent: why a signature was refused, which the real service never says.
	reason string
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.code, e.message) }

func errNotFound() *apiError {
	return newErr(http.StatusNotFound, "NotAuthorizedOrNotFound", "Authorization failed or requested resource not found.")
}

func errNotAuthenticated() *apiError {
	return &apiError{status: http.StatusUnauthorized, code: "NotAuthenticated",
		message: "The required information to complete authentication was not provided or was incorrect."}
}

func errorFor(status int) *apiError {
	switch status {
	case http.StatusTooManyRequests:
		return &apiError{status: status, code: "TooManyRequests", message: "Too many requests for the user."}
	case http.StatusInternalServerError:
		return &apiError{status: status, code: "InternalServerError", message: "Internal error occurred."}
	case http.StatusServiceUnavailable:
		return &apiError{status: status, code: "ServiceUnavailable", message: "The service is currently unavailable."}
	case http.StatusUnauthorized:
		return errNotAuthenticated()
	case http.StatusNotFound:
		return errNotFound()
	case http.StatusConflict:
		return &apiError{status: status, code: "IncorrectState", message: "The resource is in a conflicting state."}
	case http.StatusPreconditionFailed:
		return &apiError{status: status, code: "NoEtagMatch", message: "The resource's etag does not match the if-match header."}
	}
	return &apiError{status: status, code: strings.ReplaceAll(http.StatusText(status), " ", ""), message: "Injected fault."}
}

// errorBody writes the error as OCI does: flat JSON with spaces around the colons.
func errorBody(code, message string) []byte {
	c, _ := json.Marshal(code)
	m, _ := json.Marshal(message)
	return []byte(fmt.Sprintf("{\n  \"code\" : %s,\n  \"message\" : %s\n}", c, m))
}

// response is what a handler produces; ServeHTTP writes it and logs it.
type response struct {
	status int
	header http.Header
	body   []byte
	err    *apiError
}

func jsonResponse(status int, v any, header http.Header) *response {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return &response{err: newErr(http.StatusInternalServerError, "InternalServerError", "cannot encode the response")}
	}
	if header == nil {
		header = http.Header{}
	}
	return &response{status: status, header: header, body: b}
}

func errResponse(e *apiError) *response { return &response{err: e} }

// ServeHTTP serves the OCI API under BasePath and the control API under ControlPath.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == ControlPath || strings.HasPrefix(r.URL.Path, ControlPath+"/") {
		s.serveControl(w, r)
		return
	}
	body, readErr := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	r.Body = io.NopCloser(bytes.NewReader(body))

	op, id, routeStatus := route(r.Method, r.URL.Path)

	s.mu.Lock()
	s.seq++
	requestID := fmt.Sprintf("sim%029d", s.seq)
	if client := r.Header.Get("opc-request-id"); client != "" && len(client) <= 98 {
		requestID = client + "/" + requestID
	}
	var call int
	var fault *Fault
	if op != "" {
		s.calls[op]++
		call = s.calls[op]
		for i := range s.faults {
			if s.faults[i].matches(op, call) {
				f := s.faults[i]
				fault = &f
				break
			}
		}
	}
	s.mu.Unlock()

	if fault != nil && fault.Latency > 0 {
		s.sleep(r.Context(), fault.Latency)
	}

	var resp *response
	switch {
	case routeStatus == http.StatusNotFound:
		resp = errResponse(&apiError{status: http.StatusNotFound, code: "NotFound",
			message: "The requested operation was not found."})
	case routeStatus == http.StatusMethodNotAllowed:
		resp = errResponse(&apiError{status: http.StatusMethodNotAllowed, code: "MethodNotAllowed",
			message: fmt.Sprintf("Method %s is not allowed on this resource.", r.Method)})
	case fault != nil && fault.Status != 0:
		e := errorFor(fault.Status)
		e.retryAfter = fault.RetryAfter
		resp = errResponse(e)
	case readErr != nil:
		resp = errResponse(newErr(http.StatusBadRequest, "CannotParseRequest", "The request body could not be read."))
	case len(body) > maxBodyBytes:
		resp = errResponse(newErr(http.StatusBadRequest, "InvalidParameter", fmt.Sprintf("The request body is larger than %d bytes.", maxBodyBytes)))
	default:
		if e := s.authenticate(r); e != nil {
			resp = errResponse(e)
		} else {
			resp = s.handle(op, id, r, body)
		}
	}
	s.write(w, r, op, body, requestID, resp)
}

func (s *Server) authenticate(r *http.Request) *apiError {
	switch s.opts.Auth {
	case AuthNone:
		return nil
	case AuthSignature:
		lookup := func(keyID string) (crypto.PublicKey, error) {
			if k, ok := s.opts.PublicKeys[keyID]; ok {
				return k, nil
			}
			if s.opts.PublicKey != nil {
				return s.opts.PublicKey, nil
			}
			return nil, errors.New("unknown keyId")
		}
		if _, err := ocisign.Verify(r, lookup, s.clock(), s.opts.MaxClockSkew); err != nil {
			e := errNotAuthenticated()
			e.reason = err.Error() // ocisign errors never quote the signature or a session token
			return e
		}
		return nil
	default:
		if strings.TrimSpace(r.Header.Get("Authorization")) == "" {
			return errNotAuthenticated()
		}
		return nil
	}
}

func (s *Server) write(w http.ResponseWriter, r *http.Request, op string, body []byte, requestID string, resp *response) {
	h := w.Header()
	for k, v := range resp.header {
		h[k] = v
	}
	h.Set("opc-request-id", requestID)
	status, errCode, reason := resp.status, "", ""
	out := resp.body
	if resp.err != nil {
		status, errCode, reason = resp.err.status, resp.err.code, resp.err.reason
		out = errorBody(resp.err.code, resp.err.message)
		if resp.err.retryAfter > 0 {
			h.Set("Retry-After", strconv.Itoa(resp.err.retryAfter))
		}
	}
	if out != nil {
		h.Set("Content-Type", "application/json")
		h.Set("Content-Length", strconv.Itoa(len(out)))
	}
	w.WriteHeader(status)
	if out != nil && r.Method != http.MethodHead {
		_, _ = w.Write(out)
	}

	now := s.clock()
	entry := Request{
		Time: now, Method: r.Method, URI: r.URL.RequestURI(), Operation: op,
		Header: redactHeader(r.Header), Body: slices.Clone(body[:min(len(body), maxLoggedBody)]),
		Status: status, ErrorCode: errCode, Reason: reason, RequestID: requestID,
	}
	s.mu.Lock()
	s.logged++
	entry.Seq = s.logged
	if len(s.log) >= 2*MaxRequestLog {
		// Trim in bulk so the cost per request stays constant.
		s.log = append(s.log[:0], s.log[len(s.log)-MaxRequestLog:]...)
	}
	s.log = append(s.log, entry)
	s.mu.Unlock()

	if s.opts.Log != nil {
		line := fmt.Sprintf("ocisim: %s %s %s op=%s status=%d", now.UTC().Format(time.RFC3339), r.Method,
			entry.URI, orDash(op), status)
		if errCode != "" {
			line += " code=" + errCode
		}
		if reason != "" {
			line += " reason=" + strconv.Quote(reason)
		}
		line += " opc-request-id=" + requestID + "\n"
		s.logMu.Lock()
		_, _ = io.WriteString(s.opts.Log, line)
		s.logMu.Unlock()
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// redactHeader copies a header, hiding credentials but keeping whether they were sent and whether they were
// empty: tests check that a client omits an unset Authorization header rather than sending it empty.
func redactHeader(h http.Header) http.Header {
	out := h.Clone()
	for _, name := range []string{"Authorization", "Proxy-Authorization", "Cookie", "X-Api-Key"} {
		for i, v := range out[name] {
			if v != "" {
				out[name][i] = "[redacted]"
			}
		}
	}
	return out
}

// OrDefault names the mode a Server uses for this value: empty means AuthPresence.
func (m AuthMode) OrDefault() AuthMode {
	if m == "" {
		return AuthPresence
	}
	return m
}
