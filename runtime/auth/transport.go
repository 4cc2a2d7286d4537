package auth

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/arazzo-go/arazzo/arazzo"
	"github.com/arazzo-go/arazzo/openapi"
	"github.com/arazzo-go/arazzo/runtime"
)

// Options configure a Transport.
type Options struct {
	// Log receives one line per decision (which credential an operation gets, an explicit parameter that
	// wins, a signer that replaces one, a token refresh). Each distinct line is logged once. Lines name
	// operations, schemes, kinds and headers, never a secret. nil discards them.
	Log func(msg string)
	// Now is the clock for OCI Date headers and token expiry; nil means time.Now.
	Now func() time.Time
}

// NewTransport returns a RoundTripper that adds credentials to each request the engine sends, by the
// OpenAPI security of the request's operation (found with runtime.OperationFromContext), then hands the
// request to base (nil means http.DefaultTransport). It runs on every attempt, so retries get fresh
// signatures and tokens. Requests without an operation in their context pass through unchanged.
//
// Credentials are read (environment, files, OCI config) on first use; use Check to report configuration
// problems before a run. A credential that cannot be read fails the request with an error that names the
// --auth flag, never a secret.
func NewTransport(base http.RoundTripper, doc *arazzo.Document, creds []Credential, opts Options) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	t := &transport{
		base:  base,
		doc:   doc,
		creds: append([]Credential(nil), creds...),
		opts:  opts,
		state: make([]*credState, len(creds)),
	}
	for i := range t.state {
		t.state[i] = &credState{}
	}
	return t
}

type transport struct {
	base  http.RoundTripper
	doc   *arazzo.Document
	creds []Credential
	opts  Options
	state []*credState // parallel to creds

	plans  sync.Map // runtime.OperationKey -> *plan
	logged sync.Map // message -> struct{}
}

// credState holds a credential's secrets once read.
type credState struct {
	once   sync.Once
	err    error
	token  string // bearer, apikey
	basic  string // "Basic ..." value
	signer Signer
	oauth  *tokenCache
	// secrets are the values read for the credential that a run must hide (runtime.AddSecret): the token,
	// the password and the Basic value, the OAuth2 client secret. A user name or client id is not one.
	secrets []string
}

func (t *transport) log(msg string) {
	if t.opts.Log == nil || msg == "" {
		return
	}
	if _, dup := t.logged.LoadOrStore(msg, struct{}{}); !dup {
		t.opts.Log(msg)
	}
}

// resolve reads a credential's secrets the first time it is needed.
func (t *transport) resolve(i int) (*credState, error) {
	st := t.state[i]
	st.once.Do(func() { st.err = st.load(t.creds[i], t.opts) })
	return st, st.err
}

func (st *credState) load(c Credential, opts Options) error {
	fail := func(err error) error { return fmt.Errorf("%s: %v", c.Name(), err) }
	switch c.Kind {
	case KindBearer, KindAPIKey:
		v, err := c.Token.Read()
		if err != nil {
			return fail(err)
		}
		if strings.ContainsAny(v, "\r\n") {
			return fail(errors.New("the token holds a line break"))
		}
		st.token = v
		st.secrets = []string{v}
	case KindBasic:
		u, err := c.User.Read()
		if err != nil {
			return fail(fmt.Errorf("user: %v", err))
		}
		p, err := c.Password.Read()
		if err != nil {
			return fail(fmt.Errorf("password: %v", err))
		}
		if strings.Contains(u, ":") {
			return fail(errors.New("the basic user name holds a colon"))
		}
		encoded := base64.StdEncoding.EncodeToString([]byte(u + ":" + p))
		st.basic = "Basic " + encoded
		st.secrets = []string{encoded, p}
	case KindOAuth2:
		id, err := c.ClientID.Read()
		if err != nil {
			return fail(fmt.Errorf("client id: %v", err))
		}
		secret, err := c.ClientSecret.Read()
		if err != nil {
			return fail(fmt.Errorf("client secret: %v", err))
		}
		st.oauth = &tokenCache{clientID: id, clientSecret: secret, now: opts.Now, tokens: map[string]*token{}}
		st.secrets = []string{secret, base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id) + ":" + url.QueryEscape(secret)))}
	case KindOCI:
		if c.Signer != nil {
			st.signer = c.Signer
			return nil
		}
		s, err := ociSigner(c, opts.Now)
		if err != nil {
			return fail(err)
		}
		st.signer = s
	default:
		return fail(fmt.Errorf("unknown credential kind %q", c.Kind))
	}
	return nil
}

// operation finds the OpenAPI operation of a key: by operationId, else by method and path template.
func (t *transport) operation(k runtime.OperationKey) *openapi.Operation {
	if t.doc == nil {
		return nil
	}
	sd := t.doc.Source(k.Source)
	if sd == nil || sd.OpenAPI == nil {
		return nil
	}
	if k.OperationID != "" {
		if op, ok := sd.OpenAPI.Operation(k.OperationID); ok {
			return op
		}
	}
	for _, op := range sd.OpenAPI.Operations() {
		if strings.EqualFold(op.Method, k.Method) && op.Path == k.Path {
			return op
		}
	}
	return nil
}

func (t *transport) planOf(k runtime.OperationKey) *plan {
	if p, ok := t.plans.Load(k); ok {
		return p.(*plan)
	}
	op := t.operation(k)
	var p *plan
	if op == nil {
		p = &plan{note: fmt.Sprintf("%s: operation not found in source %s; no credentials sent", k, k.Source)}
	} else {
		p = t.planFor(k.Source, op)
	}
	actual, _ := t.plans.LoadOrStore(k, p)
	return actual.(*plan)
}

// RoundTrip applies the operation's credentials to a copy of the request and sends it. An OAuth2 token the
// server refuses with 401 is fetched anew and the request sent once more.
//
// Credentials go only to the origin (scheme, host, port) of the request the engine built: a redirect that
// leaves it, at any hop and in any way (another host or port, https to http), gets none, and neither does any
// later hop of the same chain, even one that comes back.
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	k, ok := runtime.OperationFromContext(req)
	if !ok || len(t.creds) == 0 {
		return t.base.RoundTrip(req)
	}
	p := t.planOf(k)
	t.log(p.note)
	if len(p.uses) == 0 {
		return t.send(req)
	}
	if from, to, left := leftOrigin(req); left {
		t.log(fmt.Sprintf("%s: redirected from %s to %s; no credentials are sent for the rest of this redirect chain", k, from, to))
		return t.send(req)
	}
	out, fresh, err := t.apply(req, k, p, false)
	if err != nil {
		closeBody(req)
		return nil, err
	}
	resp, err := t.send(out)
	if err != nil || resp.StatusCode != http.StatusUnauthorized || fresh || !p.hasOAuth2(t.creds) {
		return resp, err
	}
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		return resp, nil // the body cannot be sent twice
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	t.log(fmt.Sprintf("%s: the server refused the oauth2 token (401); fetching a new one and retrying once", k))
	retry, _, err := t.apply(req, k, p, true)
	if err != nil {
		return nil, err
	}
	return t.send(retry)
}

// send hands req to the base transport and makes sure the response names the request it answers: the next
// hop of a redirect finds the chain's first request through Response.Request (leftOrigin), and a transport
// that leaves it unset (a mock) would break the chain.
func (t *transport) send(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if resp != nil && resp.Request == nil {
		resp.Request = req
	}
	return resp, err
}

// maxChain bounds the walk back along a redirect chain; net/http stops after 10 redirects.
const maxChain = 64

// leftOrigin reports whether req is a redirect in a chain that has left the origin of its first request at
// some hop, this one included, and names that origin and the first hop away from it. Each hop is compared
// with the first request, not the previous hop: A -> B -> B leaves A at the first redirect, and A -> B -> A
// stays away. A chain whose start cannot be found counts as having left.
func leftOrigin(req *http.Request) (from, to string, left bool) {
	if req.Response == nil {
		return "", "", false
	}
	hops := []*url.URL{req.URL}
	for r := req; r.Response != nil; r = r.Response.Request {
		prev := r.Response.Request
		if prev == nil || prev.URL == nil || len(hops) > maxChain {
			return "an unknown origin", origin(req.URL), true
		}
		hops = append(hops, prev.URL)
	}
	from = origin(hops[len(hops)-1])
	for i := len(hops) - 2; i >= 0; i-- {
		if o := origin(hops[i]); o != from {
			return from, o, true
		}
	}
	return from, "", false
}

// origin is runtime.Origin: scheme://host:port, lower-cased, default port explicit.
func origin(u *url.URL) string { return runtime.Origin(u) }

// apply returns a copy of req with the plan's credentials. fresh reports that every OAuth2 token used was
// just fetched, so a 401 would not be cured by fetching again. With renew, cached tokens are dropped first.
func (t *transport) apply(req *http.Request, k runtime.OperationKey, p *plan, renew bool) (*http.Request, bool, error) {
	out := req.Clone(req.Context())
	if renew && req.GetBody != nil {
		b, err := req.GetBody()
		if err != nil {
			return nil, false, fmt.Errorf("%s: replaying the request body: %v", k, err)
		}
		out.Body = b
	}
	fresh := true
	for _, u := range p.uses {
		c := t.creds[u.cred]
		st, err := t.resolve(u.cred)
		if err != nil {
			return nil, false, err
		}
		for _, v := range st.secrets {
			runtime.AddSecret(req.Context(), v)
		}
		what := string(c.Kind)
		if u.schemeName != "" {
			what = u.schemeName + " (" + what + ")"
		}
		switch c.Kind {
		case KindBearer:
			t.setAuthorization(out, k, what, "Bearer "+st.token)
		case KindBasic:
			t.setAuthorization(out, k, what, st.basic)
		case KindOAuth2:
			flow := u.scheme.Flows.ClientCredentials
			scopes := c.Scopes
			if len(scopes) == 0 {
				scopes = u.scopes
			}
			tokenURL, err := t.tokenURL(k.Source, flow.TokenURL)
			if err != nil {
				return nil, false, fmt.Errorf("%s: %v", c.Name(), err)
			}
			if renew {
				st.oauth.drop(tokenURL, scopes)
			}
			tok, fetched, err := st.oauth.get(req.Context(), t.base, tokenURL, scopes)
			if err != nil {
				return nil, false, fmt.Errorf("%s: %v", c.Name(), err)
			}
			fresh = fresh && fetched
			runtime.AddSecret(req.Context(), tok)
			t.setAuthorization(out, k, what, "Bearer "+tok)
		case KindAPIKey:
			t.setAPIKey(out, k, what, u.scheme.In, u.scheme.Name, st.token)
		case KindOCI:
			if out.Header.Get("Authorization") != "" {
				t.log(fmt.Sprintf("%s: %s replaces the explicit Authorization parameter (a signature is computed per request)", k, what))
				out.Header.Del("Authorization")
			}
			if err := st.signer.Sign(out); err != nil {
				return nil, false, fmt.Errorf("%s: signing %s: %v", c.Name(), k, err)
			}
			addSignatureSecrets(req.Context(), out.Header.Get("Authorization"))
		}
	}
	if !p.hasOAuth2(t.creds) {
		fresh = false
	}
	return out, fresh, nil
}

// setAuthorization sets Authorization unless the workflow set it: an explicit parameter wins over a static
// credential.
func (t *transport) setAuthorization(out *http.Request, k runtime.OperationKey, what, value string) {
	if out.Header.Get("Authorization") != "" {
		t.log(fmt.Sprintf("%s: the explicit Authorization parameter wins over %s", k, what))
		return
	}
	out.Header.Set("Authorization", value)
}

func (t *transport) setAPIKey(out *http.Request, k runtime.OperationKey, what, in, name, key string) {
	switch strings.ToLower(in) {
	case "header":
		if out.Header.Get(name) != "" {
			t.log(fmt.Sprintf("%s: the explicit %s header parameter wins over %s", k, name, what))
			return
		}
		out.Header.Set(name, key)
	case "query":
		if out.URL.Query().Has(name) {
			t.log(fmt.Sprintf("%s: the explicit %s query parameter wins over %s", k, name, what))
			return
		}
		u := *out.URL
		pair := url.QueryEscape(name) + "=" + url.QueryEscape(key)
		if u.RawQuery == "" {
			u.RawQuery = pair
		} else {
			u.RawQuery += "&" + pair
		}
		out.URL = &u
	case "cookie":
		if _, err := out.Cookie(name); err == nil {
			t.log(fmt.Sprintf("%s: the explicit %s cookie parameter wins over %s", k, name, what))
			return
		}
		if c := out.Header.Get("Cookie"); c != "" {
			out.Header.Set("Cookie", c+"; "+name+"="+key)
		} else {
			out.Header.Set("Cookie", name+"="+key)
		}
	}
}

// tokenURL resolves a relative tokenUrl against the description's location.
func (t *transport) tokenURL(source, raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("tokenUrl %q: %v", raw, err)
	}
	if u.IsAbs() {
		return raw, nil
	}
	sd := t.doc.Source(source)
	if sd != nil && sd.OpenAPI != nil {
		if base, err := url.Parse(sd.OpenAPI.Location); err == nil && (base.Scheme == "http" || base.Scheme == "https") {
			return base.ResolveReference(u).String(), nil
		}
	}
	return "", fmt.Errorf("tokenUrl %q is relative and the description is not served from a URL", raw)
}

// addSignatureSecrets reports the secret parts of a signature Authorization header (draft-cavage, as OCI
// signs): the signature, valid for this request only, and a session token in the keyId ("ST$<token>"). The
// rest (key id of an API key, algorithm, header list) identifies and does not authorise.
func addSignatureSecrets(ctx context.Context, authorization string) {
	if sig := signatureParam(authorization, "signature"); sig != "" {
		runtime.AddRequestSecret(ctx, sig)
	}
	if tok, ok := strings.CutPrefix(signatureParam(authorization, "keyId"), "ST$"); ok && tok != "" {
		runtime.AddSecret(ctx, tok)
	}
}

// signatureParam returns the quoted value of name="..." in a signature header.
func signatureParam(h, name string) string {
	for _, part := range strings.Split(h, ",") {
		part = strings.TrimSpace(part)
		part = strings.TrimPrefix(part, "Signature ")
		k, v, ok := strings.Cut(part, "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), name) {
			return strings.Trim(strings.TrimSpace(v), `"`)
		}
	}
	return ""
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}
