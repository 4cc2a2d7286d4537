package runtime

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/arazzo-go/arazzo/runtime/broker"
)

// Options configure an Engine. The zero value means defaults.
//
// One convention holds for every limit, delay and timeout: zero means the
// default (the Default* constants), and Off (any negative value) turns it
// off where off makes sense: no deadline (RequestTimeout, Timeout), no
// pacing (LoopDelay), no summarising (KeepDetails). New refuses a negative
// value where off would mean unbounded (MaxSteps, MaxDepth, MaxBodyBytes,
// MaxBodyBytesTotal, MaxLoopDelay, MaxRetryAfter).
type Options struct {
	// Client sends requests; nil -> a client on the package's shared
	// transport (SharedTransport), whose connection pool every engine
	// without its own transport uses, as http.DefaultClient does.
	// Transport, when set, replaces the client's transport (mocks, auth).
	// A Client or Transport given here stays the caller's: Engine.Close
	// does not close it.
	Client    *http.Client
	Transport http.RoundTripper
	// Servers overrides the base URL per source description name. New
	// refuses a name that is not a source description of the document.
	Servers map[string]string
	// ServerVars sets server variables per source: {"ociComputeApi": {"region": "us-phoenix-1"}}.
	// New refuses a source or variable name that the document does not
	// declare, with a "did you mean".
	ServerVars map[string]map[string]string
	Observer   Observer
	// Brokers carry the messages of AsyncAPI steps, one transport per
	// AsyncAPI source description name; a step of a source without one
	// fails when it is reached. The engine does not close them.
	Brokers map[string]broker.Transport
	// MessageMocks, when set, answer every AsyncAPI step instead of
	// Brokers (Mocks.MessageMocks): offline runs and tests.
	MessageMocks *Mocks

	MaxSteps int // step executions per run; 0 means 1000
	MaxDepth int // nested workflow depth; 0 means 32
	// RequestTimeout bounds each request, body included; 0 means the
	// default (30s). Off sets no per-request deadline, for
	// callers whose own context, Client.Timeout or transport bounds the
	// requests: a deadline per request costs a timer and a cancellable
	// context on every request.
	RequestTimeout time.Duration
	Timeout        time.Duration // whole run; 0 and Off mean none
	MaxBodyBytes   int64         // response body cap; 0 means 32 MiB
	// MaxBodyBytesTotal bounds the response-body bytes the engine's runs in
	// progress have read: each byte counts until its run ends, and a body
	// that would go past the limit fails its step. 0 means
	// DefaultMaxBodyBytesTotal (1 GiB, 32 bodies at the default cap). Bytes
	// read are counted rather than bytes still referenced: what a run
	// derives from its bodies (outputs, previews, decoded values) grows
	// with them, and counting reads is exact and cheap.
	MaxBodyBytesTotal int64

	// LoopDelay is the first wait before a step re-entered by goto runs
	// again; it doubles up to MaxLoopDelay. 0 means 1s; Off does not pace
	// (tests, mocks).
	LoopDelay    time.Duration
	MaxLoopDelay time.Duration // 0 means 30s
	// MaxRetryAfter caps Retry-After/retryAfter waits; 0 means 5m.
	MaxRetryAfter time.Duration

	// Clock is the time runs see and how their waits are spent; nil means
	// RealClock. RunOptions.Effects, when set, replaces it for that run.
	Clock Clock
	// Strict turns two lenient defaults into failures: a step whose
	// onSuccess list is present but matches nothing fails (instead of
	// falling through to the next step), and an operation step without
	// successCriteria fails on a non-2xx status (instead of succeeding
	// whenever the transport did).
	Strict bool
	// StrictDocument refuses a document with any error, or whose OpenAPI
	// sources loaded only repaired (arazzo.IsRepair): New fails with the
	// binding failures or a *DocumentError. By default (false) an error
	// stops only what needs it: a run of a workflow whose own structure,
	// or that of a workflow it calls, is broken is refused by Run; an
	// error local to a step fails that step when it is reached; errors in
	// other workflows are ignored (Engine.Problems lists all three).
	StrictDocument bool

	// KeepDetails bounds what a long poll loop accumulates: only the
	// latest KeepDetails attempts of each step keep their details in
	// Result.Steps (request and response headers and body previews,
	// criteria explanations, outputs). Older attempts of that step are
	// replaced by their summary (StepAttempt.Summarized), so a run that
	// polls for an hour holds about as much as one that polled three
	// times. 0 means DefaultKeepDetails; a negative value keeps every
	// attempt's details, as the CLI does for its reports. Observers see
	// every attempt in full before it is summarised.
	KeepDetails int
	// Lean records no details for any attempt (Request and Response keep
	// method, URL, status and sizes; outputs are in Result.Outputs only)
	// and explains only the criteria that fail: for callers that read a
	// Result's status, outputs and errors, not its per-attempt records,
	// and want the least work per request. Errors are the same as without.
	// KeepDetails still applies: older attempts of a step lose their
	// criteria as well.
	Lean bool
}

// Off turns off a delay, timeout or detail limit of Options (see Options).
const Off = -1

// Defaults of Options.
const (
	DefaultMaxSteps          = 1000
	DefaultMaxDepth          = 32
	DefaultRequestTimeout    = 30 * time.Second
	DefaultMaxBodyBytes      = 32 << 20
	DefaultMaxBodyBytesTotal = 32 * DefaultMaxBodyBytes
	DefaultLoopDelay         = time.Second
	DefaultMaxLoopDelay      = 30 * time.Second
	DefaultMaxRetryAfter     = 5 * time.Minute
	DefaultKeepDetails       = 3
)

// withDefaults returns a copy of o with every zero field defaulted.
func (o Options) withDefaults() Options {
	if o.MaxSteps == 0 {
		o.MaxSteps = DefaultMaxSteps
	}
	if o.MaxDepth == 0 {
		o.MaxDepth = DefaultMaxDepth
	}
	if o.RequestTimeout == 0 {
		o.RequestTimeout = DefaultRequestTimeout
	}
	if o.MaxBodyBytes == 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.MaxBodyBytesTotal == 0 {
		o.MaxBodyBytesTotal = DefaultMaxBodyBytesTotal
	}
	switch {
	case o.LoopDelay == 0:
		o.LoopDelay = DefaultLoopDelay
	case o.LoopDelay < 0:
		o.LoopDelay = 0 // the pacer's "no pacing"
	}
	if o.MaxLoopDelay == 0 {
		o.MaxLoopDelay = DefaultMaxLoopDelay
	}
	if o.MaxRetryAfter == 0 {
		o.MaxRetryAfter = DefaultMaxRetryAfter
	}
	if o.KeepDetails == 0 {
		o.KeepDetails = DefaultKeepDetails
	}
	if o.Clock == nil {
		o.Clock = RealClock{}
	}
	return o
}

// check refuses the negative values that would mean "unbounded".
func (o Options) check() error {
	var bad []string
	for _, f := range []struct {
		name string
		neg  bool
	}{
		{"MaxSteps", o.MaxSteps < 0}, {"MaxDepth", o.MaxDepth < 0}, {"MaxBodyBytes", o.MaxBodyBytes < 0}, {"MaxBodyBytesTotal", o.MaxBodyBytesTotal < 0},
		{"MaxLoopDelay", o.MaxLoopDelay < 0}, {"MaxRetryAfter", o.MaxRetryAfter < 0},
	} {
		if f.neg {
			bad = append(bad, f.name)
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("runtime: Options.%s cannot be negative (0 means the default; these limits cannot be turned off)", strings.Join(bad, ", Options."))
	}
	return nil
}

// httpClient builds the client of an engine without mutating the caller's.
func (o Options) httpClient() *http.Client {
	var c http.Client
	if o.Client != nil {
		c = *o.Client
	}
	if o.Transport != nil {
		c.Transport = o.Transport
	}
	if c.Transport == nil {
		c.Transport = SharedTransport()
	}
	if c.CheckRedirect == nil {
		c.CheckRedirect = stripCredentialsOffOrigin
	}
	// Redirects are followed by the client as usual; the per-request
	// timeout is applied through the request context, not Client.Timeout,
	// so that a step timeout can be shorter.
	return &c
}

var (
	sharedOnce      sync.Once
	sharedTransport *http.Transport
)

// SharedTransport returns the transport of every Engine created without a
// Client or Transport of its own: http.DefaultTransport's settings with 16
// idle connections per host. Engines share its connection pool, so creating
// many engines does not multiply connections or their goroutines.
func SharedTransport() *http.Transport {
	sharedOnce.Do(func() {
		sharedTransport = http.DefaultTransport.(*http.Transport).Clone()
		sharedTransport.MaxIdleConnsPerHost = 16
	})
	return sharedTransport
}

// stripCredentialsOffOrigin follows up to 10 redirects like net/http, and
// once a hop has left the origin (scheme, host, port) of the first request
// it strips every credential-like header from that hop and every later one,
// even one back at the origin: Authorization and Cookie (net/http keeps them
// for another port, a subdomain or plain http of the same host), every other
// header with a credential-like name (X-Api-Key, an OCI signature...), which
// Arazzo documents pass as ordinary parameters, and the Referer, whose query
// may hold an api_key. net/http copies the first request's headers afresh on
// every hop, so the whole chain is looked at each time.
func stripCredentialsOffOrigin(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	first := Origin(via[0].URL)
	left := Origin(req.URL) != first
	for _, hop := range via[1:] {
		left = left || Origin(hop.URL) != first
	}
	if left {
		// The Referer net/http adds is the previous URL, query included.
		req.Header.Del("Referer")
		for k := range req.Header {
			if IsSecretName(k) || strings.EqualFold(k, "Proxy-Authorization") {
				req.Header.Del(k)
			}
		}
	}
	return nil
}

// Origin returns scheme://host:port of u, lower-cased, with the scheme's
// default port made explicit: https://API.example.com and
// https://api.example.com:443 are one origin, http://api.example.com and
// https://api.example.com:8443 two others. Credentials go only to the
// origin of the request the engine built (docs/security.md).
func Origin(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		switch scheme {
		case "https":
			port = "443"
		case "http":
			port = "80"
		}
	}
	return scheme + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}
