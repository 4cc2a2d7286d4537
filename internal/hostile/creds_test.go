package hostile

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// credKind is one way a credential reaches a request, with the CLI flags that set it up.
type credKind struct {
	name     string // also the workflow id in testdata/creds.arazzo.yaml
	args     []string
	env      []string
	secrets  []string                       // values that must never be printed or written
	sent     func(r received) bool          // whether a request carried the credential
	extra    func(hops []received) []string // secrets known only once sent (OCI signatures)
	viaFlags bool                           // applied by --auth (the -v log explains a withheld credential)
}

// randomSecret returns a value no output could contain by chance.
func randomSecret(prefix string) string {
	b := make([]byte, 12)
	rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

var signatureParam = regexp.MustCompile(`signature="([^"]+)"`)

// credKinds returns every credential kind with fresh secret values; the token server issues the OAuth2 token.
func credKinds(t *testing.T, issued func() []string) []credKind {
	bearer, user, pass, key := randomSecret("tok-"), "alice", randomSecret("pw-"), randomSecret("key-")
	clientID, clientSecret, explicit := "client-1", randomSecret("cs-"), randomSecret("explicit-")
	basic := base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
	clientBasic := base64.StdEncoding.EncodeToString([]byte(clientID + ":" + clientSecret))
	has := func(s string) func(r received) bool {
		return func(r received) bool {
			return strings.Contains(r.text(), s) || strings.Contains(r.text(), url.QueryEscape(s))
		}
	}
	cfg := ociProfile(t)
	return []credKind{
		{name: "bearer", args: []string{"--auth", "api=bearer:env:HOSTILE_TOKEN"}, env: []string{"HOSTILE_TOKEN=" + bearer},
			secrets: []string{bearer}, sent: has(bearer), viaFlags: true},
		{name: "basic", args: []string{"--auth", "api=basic:env:HOSTILE_USER:file:PASSFILE"}, env: []string{"HOSTILE_USER=" + user},
			secrets: []string{pass, basic}, sent: has(basic), viaFlags: true},
		{name: "apikey-header", args: []string{"--auth", "api=apikey:env:HOSTILE_KEY"}, env: []string{"HOSTILE_KEY=" + key},
			secrets: []string{key}, sent: has(key), viaFlags: true},
		{name: "apikey-query", args: []string{"--auth", "api=apikey:env:HOSTILE_KEY"}, env: []string{"HOSTILE_KEY=" + key},
			secrets: []string{key}, sent: has(key), viaFlags: true},
		{name: "apikey-cookie", args: []string{"--auth", "api=apikey:env:HOSTILE_KEY"}, env: []string{"HOSTILE_KEY=" + key},
			secrets: []string{key}, sent: has(key), viaFlags: true},
		{name: "oauth2", args: []string{"--auth", "api=oauth2:env:HOSTILE_ID:env:HOSTILE_SECRET"},
			env:     []string{"HOSTILE_ID=" + clientID, "HOSTILE_SECRET=" + clientSecret},
			secrets: []string{clientSecret, clientBasic}, viaFlags: true,
			sent:  func(r received) bool { return strings.HasPrefix(r.header.Get("Authorization"), "Bearer oat-") },
			extra: func([]received) []string { return issued() }},
		{name: "oci", args: []string{"--auth", "api=oci:DEFAULT@" + cfg}, viaFlags: true,
			sent: func(r received) bool { return strings.HasPrefix(r.header.Get("Authorization"), "Signature ") },
			extra: func(hops []received) []string {
				var sigs []string
				for _, h := range hops {
					if m := signatureParam.FindStringSubmatch(h.header.Get("Authorization")); m != nil {
						sigs = append(sigs, m[1])
					}
				}
				return sigs
			}},
		// The workflow's own Authorization parameter from a secret input: the engine strips it off-origin.
		{name: "explicit", args: []string{"--input", "authorization=Bearer " + explicit}, secrets: []string{explicit}, sent: has(explicit)},
	}
}

// tokenServer issues a fresh random OAuth2 token per request and remembers them.
type tokenServer struct {
	*httptest.Server
	mu     sync.Mutex
	issued []string
}

func newTokenServer(t *testing.T) *tokenServer {
	ts := &tokenServer{}
	ts.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok := randomSecret("oat-")
		ts.mu.Lock()
		ts.issued = append(ts.issued, tok)
		ts.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": 3600})
	}))
	t.Cleanup(ts.Close)
	return ts
}

func (ts *tokenServer) tokens() []string {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]string(nil), ts.issued...)
}

// echoAnswer is the malicious API's answer: it repeats every credential it received in its body (a plain
// member, a secret-named one, an error message) and in a response header; with fail=yes it refuses (403).
func echoAnswer(w http.ResponseWriter, r *http.Request, _ []received) {
	got := strings.Join([]string{r.Header.Get("Authorization"), r.Header.Get("X-Api-Key"), r.Header.Get("Cookie"), r.URL.RawQuery}, " ")
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Echo", got)
	status := http.StatusOK
	if r.URL.Query().Get("fail") == "yes" {
		status = http.StatusForbidden
	}
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"echo": got, "message": "refused: you sent " + got, "access_token": got, "headers": r.Header})
}

// redirectShapes are the chains a request is sent along, hop 0 first (node names of hostileServer).
var redirectShapes = [][]string{
	{"A"},                      // no redirect
	{"A", "A"},                 // within the origin
	{"A", "B", "B"},            // away, then within the foreign host
	{"A", "B", "A"},            // away and back
	{"A", "A2", "A", "A", "A"}, // another port of the same host, five hops
	{"S", "A"},                 // https -> http, same host
	{"S", "S", "S2", "C", "S"}, // https, another port, another host, back
}

// TestCredentialMatrix runs every credential kind along every redirect shape through the CLI against a
// server that echoes what it gets, and checks (1) exactly which hops received the credential: those before
// the chain first left the origin of the operation's server, and (2) that no credential value, nor its
// base64 form, appears in stdout, --json, --report, --har, --junit or stderr (with -v).
func TestCredentialMatrix(t *testing.T) {
	srv := newHostileServer(t)
	tokens := newTokenServer(t)
	docDir := t.TempDir()
	copyTestdata(t, docDir, credsFixtures, "TOKEN_URL", tokens.URL+"/token")
	doc := filepath.Join(docDir, "creds.arazzo.yaml")
	kinds := credKinds(t, tokens.tokens)
	for _, k := range kinds {
		for si, shape := range redirectShapes {
			t.Run(k.name+"/"+strings.Join(shape, ">"), func(t *testing.T) {
				t.Parallel()
				id := fmt.Sprintf("%s-%d", k.name, si)
				base := srv.add(id, &hostileCase{chain: shape, answer: echoAnswer})
				args := append([]string{"run", doc, "--workflow", k.name, "--server", "api=" + base, "-v", "--loop-delay", "0"}, k.args...)
				if si%2 == 0 {
					args = append(args, "--json") // stdout: the full result; else the outputs
				}
				env := append(srv.env(t), k.env...)
				for i, a := range args {
					if strings.Contains(a, "PASSFILE") {
						args[i] = strings.Replace(a, "PASSFILE", filepath.Join(writeFiles(t, map[string]string{"pass": k.secrets[0] + "\n"}), "pass"), 1)
					}
				}
				res := arazzo(t, invocation{args: args, env: env, reports: true})
				if res.code != 1 {
					t.Fatalf("exit %d, want 1 (the second step is refused)\nstderr: %s", res.code, clipForLog(res.stderr))
				}
				hops := srv.received(id)
				if len(hops) != 2*len(shape) {
					t.Fatalf("the server saw %d requests, want %d (two calls along %d hops)", len(hops), 2*len(shape), len(shape))
				}
				// (1) Which hops got the credential.
				for i, h := range hops {
					hop := i % len(shape)
					want := true
					for _, n := range shape[:hop+1] {
						want = want && n == shape[0]
					}
					if got := k.sent(h); got != want {
						t.Errorf("request %d, hop %d (%s): credential sent = %v, want %v", i/len(shape)+1, hop, h.node, got, want)
					}
				}
				leftOrigin := false
				for _, n := range shape {
					leftOrigin = leftOrigin || n != shape[0]
				}
				if leftOrigin && k.viaFlags && !strings.Contains(res.stderr, "no credentials are sent for the rest of this redirect chain") {
					t.Errorf("-v does not say that the credentials were withheld:\n%s", clipForLog(res.stderr))
				}
				if !leftOrigin && !strings.Contains(res.all(), "<redacted>") {
					t.Errorf("the echo of the credential was not redacted anywhere; did the server echo it?\n%s", clipForLog(res.stdout))
				}
				// (2) No leak anywhere.
				secrets := append([]string(nil), k.secrets...)
				if k.extra != nil {
					secrets = append(secrets, k.extra(hops)...)
				}
				if len(secrets) == 0 {
					t.Fatal("no secret to look for")
				}
				out := res.all()
				for _, s := range secrets {
					for _, form := range []string{s, base64.StdEncoding.EncodeToString([]byte(s)), url.QueryEscape(s)} {
						if strings.Contains(out, form) {
							t.Errorf("%q (a form of a credential) appears in the output", form)
						}
					}
				}
			})
		}
	}
}

// TestCredentialLeakThroughReferer: a query api key must not reach another host through the Referer net/http
// adds on a redirect, nor through the redirect's URL.
func TestCredentialLeakThroughReferer(t *testing.T) {
	srv := newHostileServer(t)
	key := randomSecret("key-")
	dir := t.TempDir()
	copyTestdata(t, dir, credsFixtures)
	base := srv.add("referer", &hostileCase{chain: []string{"A", "B"}})
	res := arazzo(t, invocation{args: []string{"run", filepath.Join(dir, "creds.arazzo.yaml"), "--workflow", "apikey-query",
		"--server", "api=" + base, "--auth", "api=apikey:env:K"}, env: []string{"K=" + key}})
	hops := srv.received("referer")
	if len(hops) < 2 {
		t.Fatalf("%d requests; stderr: %s", len(hops), res.stderr)
	}
	if !strings.Contains(hops[0].url, key) {
		t.Errorf("the origin did not get the key: %s", hops[0].url)
	}
	if strings.Contains(hops[1].text(), key) {
		t.Errorf("the other host got the key:\n%s", hops[1].text())
	}
}
