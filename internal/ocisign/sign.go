// Package ocisign signs and verifies Oracle Cloud Infrastructure API requests (signature version 1:
// draft-cavage-http-signatures-08 with rsa-sha256) and reads the OCI SDK/CLI configuration file.
//
// A signature covers the request's date, method, path and query, host, and for POST, PUT and PATCH the body's
// length, type and SHA-256, so it must be computed for every request and again for every retry. Signer does
// that with an injectable clock; Transport applies it to every request an http.Client sends.
package ocisign

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Signed header lists, in the order OCI's SDKs sign them.
var (
	// HeadersWithoutBody are signed on every request.
	HeadersWithoutBody = []string{"date", "(request-target)", "host"}
	// HeadersWithBody are signed on POST, PUT and PATCH.
	HeadersWithBody = []string{"date", "(request-target)", "host", "content-length", "content-type", "x-content-sha256"}
)

// maxSignedBody bounds how much of a body the signer reads into memory to hash it.
const maxSignedBody = 1 << 30

// Key is a signing identity: the keyId sent with the signature and the private key behind it.
type Key struct {
	// ID is "<tenancy OCID>/<user OCID>/<fingerprint>" for API keys, or "ST$<token>" for session tokens.
	ID string
	// PrivateKey signs the requests.
	PrivateKey *rsa.PrivateKey
}

// String describes the key without its private half or a session token.
func (k Key) String() string {
	return "ocisign.Key{ID: " + redactKeyID(k.ID) + "}"
}

// GoString keeps %#v from printing the private key.
func (k Key) GoString() string { return k.String() }

func redactKeyID(id string) string {
	if strings.HasPrefix(id, "ST$") {
		return "ST$[redacted]"
	}
	return id
}

// APIKeyID builds the keyId of an API signing key.
func APIKeyID(tenancy, user, fingerprint string) string {
	return tenancy + "/" + user + "/" + fingerprint
}

// SessionKeyID builds the keyId of a session or instance-principal token.
func SessionKeyID(token string) string { return "ST$" + token }

// hasBody reports whether OCI signs the body headers for the method.
func hasBody(method string) bool {
	switch strings.ToUpper(method) {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
		return true
	}
	return false
}

// Signer signs requests with a key, stamping each with a fresh Date from its clock.
type Signer struct {
	Key Key
	// Clock gives the time for the Date header; nil means time.Now.
	Clock func() time.Time
}

// NewSigner returns a Signer using the system clock.
func NewSigner(key Key) *Signer { return &Signer{Key: key} }

// Sign sets Date to the signer's clock and signs the request (see Sign).
func (s *Signer) Sign(req *http.Request) error {
	now := time.Now
	if s.Clock != nil {
		now = s.Clock
	}
	if req == nil {
		return errors.New("ocisign: nil request")
	}
	if req.Header == nil {
		req.Header = http.Header{}
	}
	req.Header.Set("Date", now().UTC().Format(http.TimeFormat))
	return Sign(req, s.Key)
}

// Sign signs the request as it stands and sets its Authorization header, replacing any value there. A missing
// Date header is set to the current time; an existing one is kept (Signer always sets a fresh one). For POST,
// PUT and PATCH it reads the body, sets Content-Length, x-content-sha256 and (when absent) Content-Type
// application/json, and restores the body so it can still be sent and replayed.
func Sign(req *http.Request, key Key) error {
	if req == nil || req.URL == nil {
		return errors.New("ocisign: request has no URL")
	}
	if key.PrivateKey == nil {
		return errors.New("ocisign: key has no private key")
	}
	if key.ID == "" {
		return errors.New("ocisign: key has no keyId")
	}
	if req.Header == nil {
		req.Header = http.Header{}
	}
	if req.Header.Get("Date") == "" {
		req.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	}
	headers := HeadersWithoutBody
	if hasBody(req.Method) {
		headers = HeadersWithBody
		body, err := readBody(req)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		req.Header.Set("X-Content-Sha256", base64.StdEncoding.EncodeToString(sum[:]))
		req.Header.Set("Content-Length", strconv.Itoa(len(body)))
		if req.Header.Get("Content-Type") == "" {
			req.Header.Set("Content-Type", "application/json")
		}
	}
	signingString, err := SigningString(req, headers)
	if err != nil {
		return err
	}
	digest := sha256.Sum256([]byte(signingString))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key.PrivateKey, crypto.SHA256, digest[:])
	if err != nil {
		return fmt.Errorf("ocisign: sign: %w", err)
	}
	req.Header.Set("Authorization", AuthorizationValue(headers, key.ID, base64.StdEncoding.EncodeToString(sig)))
	return nil
}

// AuthorizationValue formats the Authorization header in the parameter order of OCI's Go SDK.
func AuthorizationValue(headers []string, keyID, signature string) string {
	return fmt.Sprintf(`Signature version="1",headers="%s",keyId="%s",algorithm="rsa-sha256",signature="%s"`,
		strings.Join(headers, " "), keyID, signature)
}

// readBody reads the whole body, puts an equivalent one back, and makes the request replayable.
func readBody(req *http.Request) ([]byte, error) {
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(io.LimitReader(req.Body, maxSignedBody+1))
		_ = req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("ocisign: read body: %w", err)
		}
		if len(b) > maxSignedBody {
			return nil, fmt.Errorf("ocisign: body larger than %d bytes", maxSignedBody)
		}
		body = b
	}
	req.ContentLength = int64(len(body))
	if len(body) == 0 {
		req.Body = http.NoBody
		req.GetBody = func() (io.ReadCloser, error) { return http.NoBody, nil }
	} else {
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	return body, nil
}

// requestTarget is "<lowercase method> <path>?<query>" exactly as on the request line: the server sees
// RequestURI, a client the URL it will send.
func requestTarget(req *http.Request) string {
	uri := req.RequestURI
	if uri == "" || !strings.HasPrefix(uri, "/") {
		uri = req.URL.RequestURI()
	}
	return strings.ToLower(req.Method) + " " + uri
}

// hostOf is the value of the Host header the request carries or will carry, port included.
func hostOf(req *http.Request) string {
	if req.Host != "" {
		return req.Host
	}
	return req.URL.Host
}

// SigningString builds the string that is signed: one "name: value" line per header, joined by "\n".
func SigningString(req *http.Request, headers []string) (string, error) {
	lines := make([]string, 0, len(headers))
	for _, h := range headers {
		name := strings.ToLower(h)
		var value string
		switch name {
		case "(request-target)":
			value = requestTarget(req)
		case "host":
			value = hostOf(req)
		case "content-length":
			value = req.Header.Get("Content-Length")
			if value == "" && req.ContentLength >= 0 {
				value = strconv.FormatInt(req.ContentLength, 10)
			}
		default:
			vs := req.Header.Values(name)
			if len(vs) == 0 {
				return "", fmt.Errorf("ocisign: signed header %q is missing", name)
			}
			value = strings.Join(vs, ", ")
		}
		if value == "" {
			return "", fmt.Errorf("ocisign: signed header %q is empty", name)
		}
		lines = append(lines, name+": "+value)
	}
	return strings.Join(lines, "\n"), nil
}

// Transport signs every request before handing it to Base.
type Transport struct {
	Signer *Signer
	// Base sends the signed request; nil means http.DefaultTransport.
	Base http.RoundTripper
}

// RoundTrip signs a copy of the request, so the caller's headers are left unchanged, and sends it. The copy
// takes over the body, which the signer reads and the base transport closes.
//
// A redirect hop is signed only while the redirect chain stays on the origin (scheme, host, port) of its
// first request: once a hop has left it, that hop and every later one go unsigned, even one that comes back.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.Signer == nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, errors.New("ocisign: transport has no signer")
	}
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	send := func(r *http.Request) (*http.Response, error) {
		resp, err := base.RoundTrip(r)
		if resp != nil && resp.Request == nil {
			resp.Request = r // the next hop finds the chain's start through it
		}
		return resp, err
	}
	if chainLeftOrigin(req) {
		return send(req)
	}
	clone := req.Clone(req.Context())
	if err := t.Signer.Sign(clone); err != nil {
		if clone.Body != nil {
			_ = clone.Body.Close()
		}
		return nil, err
	}
	return send(clone)
}

// chainLeftOrigin reports whether req is a redirect hop of a chain that has left the origin of its first
// request, at this hop or before; a chain whose start cannot be found counts as having left. (runtime.Origin
// is the same rule; this package does not import the runtime.)
func chainLeftOrigin(req *http.Request) bool {
	if req.Response == nil {
		return false
	}
	hops := []*url.URL{req.URL}
	for r := req; r.Response != nil; r = r.Response.Request {
		prev := r.Response.Request
		if prev == nil || prev.URL == nil || len(hops) > 64 {
			return true
		}
		hops = append(hops, prev.URL)
	}
	first := origin(hops[len(hops)-1])
	for _, u := range hops[:len(hops)-1] {
		if origin(u) != first {
			return true
		}
	}
	return false
}

// origin is scheme://host:port, lower-cased, with the scheme's default port.
func origin(u *url.URL) string {
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
