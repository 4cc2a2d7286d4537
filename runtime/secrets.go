package runtime

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/arazzo-go/arazzo/arazzo"
)

// MaxRequestSecrets is how many per-request secrets (AddRequestSecret: OCI
// signatures) a run keeps hiding. A signature is valid only for the request
// it signs; keeping every one of a long poll loop would make redacting each
// later value cost more and more.
const MaxRequestSecrets = 32

// credentialSinkKey keys a run's *credentialSink in the context of every
// request the run sends.
type credentialSinkKey struct{}

// AddSecret tells the run that sends a request with this context that value
// is a credential: from then on the run hides it wherever it could show it
// (results, events, reports, errors, explanations), as it hides secret
// inputs. A RoundTripper that adds credentials below the engine (bearer
// tokens, API keys, a Basic value, an OAuth2 token) calls it with the
// request's context before sending, for every value it puts on the
// request. It is safe for concurrent use, cheap for a value already known,
// and does nothing outside a run. Values shorter than 4 bytes are hidden
// only where a whole value equals them.
func AddSecret(ctx context.Context, value string) {
	if s, ok := ctx.Value(credentialSinkKey{}).(*credentialSink); ok && value != "" {
		s.add(value, false)
	}
}

// AddRequestSecret is AddSecret for a value valid for one request only, such
// as a request signature: the run hides the latest MaxRequestSecrets of them.
func AddRequestSecret(ctx context.Context, value string) {
	if s, ok := ctx.Value(credentialSinkKey{}).(*credentialSink); ok && value != "" {
		s.add(value, true)
	}
}

// credentialSink collects the credential values a run's transport reported.
// Transports may call it from any goroutine; the run reads it between
// requests.
type credentialSink struct {
	gen atomic.Uint64 // changes whenever the set of values changes

	mu       sync.Mutex
	static   map[string]bool
	order    []string // static values in the order they came, for a stable redactor
	perReq   []string // ring of the latest per-request values
	perReqAt int      // next slot of perReq once it is full
}

func (s *credentialSink) add(v string, perRequest bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.static[v] {
		return
	}
	if !perRequest {
		if s.static == nil {
			s.static = map[string]bool{}
		}
		s.static[v] = true
		s.order = append(s.order, v)
		s.gen.Add(1)
		return
	}
	for _, p := range s.perReq {
		if p == v {
			return
		}
	}
	if len(s.perReq) < MaxRequestSecrets {
		s.perReq = append(s.perReq, v)
	} else {
		s.perReq[s.perReqAt] = v
		s.perReqAt = (s.perReqAt + 1) % MaxRequestSecrets
	}
	s.gen.Add(1)
}

// values returns every value to hide now.
func (s *credentialSink) values() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.order)+len(s.perReq))
	out = append(out, s.order...)
	return append(out, s.perReq...)
}

// runCredentials is a run's view of its credential sink.
type runCredentials struct {
	sink credentialSink
	seen uint64 // the sink generation the run's redactor reflects
}

// runContext is ctx carrying the run (runKey) and its credential sink, so
// that every request of the run can report its credentials: one value
// answering both keys, where two context.WithValue were two allocations a
// run and two more hops for every lookup below them.
type runContext struct {
	context.Context
	r *runState
}

func (c *runContext) Value(key any) any {
	switch key.(type) {
	case runKey:
		return c.r
	case credentialSinkKey:
		return &c.r.creds.sink
	}
	return c.Context.Value(key)
}

// context returns ctx carrying the run and its credential sink.
func (r *runState) context(ctx context.Context) context.Context {
	return &runContext{Context: ctx, r: r}
}

// learnCredentials brings the run's redactor up to date with the values the
// transport reported. It runs after every request: one atomic load when
// nothing changed, which is every request of a run without credentials.
func (r *runState) learnCredentials() {
	g := r.creds.sink.gen.Load()
	if g == r.creds.seen {
		return
	}
	r.creds.seen = g
	r.redact = r.redact.withCredentials(r.creds.sink.values())
	// An attempt recorded before a value was known may show it (a server
	// can echo a token it is about to issue): redact the record again.
	if len(r.res.Steps) > 0 {
		r.lateSecrets = true
	}
}

// IsSecretInput reports whether a workflow input's value must never be
// shown: its schema says format: password or writeOnly, or its name is
// credential-like (IsSecretName). The CLI asks before quoting a --input
// value in an error.
func IsSecretInput(doc *arazzo.Document, wf *arazzo.Workflow, name string) bool {
	if IsSecretName(name) {
		return true
	}
	_, secrets := inputDefaultsAndSecrets(doc, wf.Inputs)
	return secrets[name]
}
