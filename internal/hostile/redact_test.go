package hostile

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

// smallAPI is an OpenAPI description with one operation, GET /data, for the tests below.
const smallAPI = `openapi: 3.0.3
info: {title: small, version: '1'}
servers: [{url: 'http://127.0.0.1:1/'}]
paths:
  /data:
    get:
      operationId: getData
      security: [{bearerAuth: []}]
      responses: {'200': {description: ok}}
components:
  securitySchemes:
    bearerAuth: {type: http, scheme: bearer}
`

// TestRegexTimeoutOnHugeBody: a 30 MB body and a catastrophic regex (nothing in the body has a "z", so it can
// only time out). The criterion fails with a short,
// redacted message (regexp2's own error quotes the whole input: 90-150 MB of stderr before), and the
// access_token and client_secret members of the body are shown nowhere.
func TestRegexTimeoutOnHugeBody(t *testing.T) {
	accessToken, clientSecret := randomSecret("at-"), randomSecret("cs-")
	body := []byte(`{"access_token":"` + accessToken + `","client_secret":"` + clientSecret + `","data":"` + strings.Repeat("a", 30<<20) + `"}`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	dir := writeFiles(t, map[string]string{"api.yaml": smallAPI, "flow.arazzo.yaml": `arazzo: 1.0.1
info: {title: regex bomb, version: '1'}
sourceDescriptions: [{name: api, url: ./api.yaml, type: openapi}]
workflows:
- workflowId: bomb
  steps:
  - stepId: get
    operationId: getData
    successCriteria:
    - {context: $response.body, condition: '(a+)+z', type: regex}
`})
	res := arazzo(t, invocation{args: []string{"run", filepath.Join(dir, "flow.arazzo.yaml"), "--server", "api=" + srv.URL, "-v", "--json"}, reports: true})
	if res.code != 1 {
		t.Fatalf("exit %d, want 1\nstderr: %s", res.code, clipForLog(res.stderr))
	}
	if !strings.Contains(res.stderr, "did not finish within") {
		t.Errorf("stderr does not say the regex timed out:\n%s", clipForLog(res.stderr))
	}
	// The explanation repeats a bounded preview (4 KiB per message at most): a few of them, not the body.
	const bound = 64 << 10
	for name, out := range map[string]string{"stdout": res.stdout, "stderr": res.stderr, "report": res.files["report"], "har": res.files["har"], "junit": res.files["junit"]} {
		if len(out) > bound {
			t.Errorf("%s is %d bytes, over %d", name, len(out), bound)
		}
	}
	for _, s := range []string{accessToken, clientSecret} {
		if strings.Contains(res.all(), s) {
			t.Errorf("%s appears in the output", s)
		}
	}
}

// TestSecretInputTypeError: --input with a value of the wrong type names the input and the type but quotes
// the value only when the input is not secret (format: password, or a credential-like name).
func TestSecretInputTypeError(t *testing.T) {
	dir := writeFiles(t, map[string]string{"api.yaml": smallAPI, "flow.arazzo.yaml": `arazzo: 1.0.1
info: {title: inputs, version: '1'}
sourceDescriptions: [{name: api, url: ./api.yaml, type: openapi}]
workflows:
- workflowId: typed
  inputs:
    type: object
    properties:
      apiKey: {type: integer}
      pin: {type: integer, format: password}
      settings: {type: object, writeOnly: true}
      count: {type: integer}
  steps:
  - {stepId: get, operationId: getData}
`})
	doc := filepath.Join(dir, "flow.arazzo.yaml")
	for _, tc := range []struct {
		input, value string
		shown        bool
	}{
		{"apiKey", "sk-live-value-1", false},
		{"pin", "hunter2-value", false},
		{"settings", "{not json sk-live-value-2", false},
		{"count", "twelve-value", true},
	} {
		res := arazzo(t, invocation{args: []string{"run", doc, "--input", tc.input + "=" + tc.value}})
		if res.code != 2 || !strings.Contains(res.stderr, "--input "+tc.input) {
			t.Errorf("--input %s: exit %d, stderr %q", tc.input, res.code, res.stderr)
		}
		if got := strings.Contains(res.all(), tc.value); got != tc.shown {
			t.Errorf("--input %s: value shown = %v, want %v:\n%s", tc.input, got, tc.shown, res.stderr)
		}
		if !tc.shown && strings.Contains(res.all(), "sk-live") {
			t.Errorf("--input %s: part of the value shown:\n%s", tc.input, res.stderr)
		}
	}
}

// TestCredentialEchoedInErrors: credentials echoed into error paths that do not come from a response body
// preview: a token endpoint that repeats the client secret in its error, and a redirect loop that exceeds
// the redirect limit with a query api key.
func TestCredentialEchoedInErrors(t *testing.T) {
	clientSecret := randomSecret("cs-")
	tokenSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, secret, _ := r.BasicAuth()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		json.NewEncoder(w).Encode(map[string]string{"error": "bad " + secret})
	}))
	t.Cleanup(tokenSrv.Close)
	api := strings.Replace(smallAPI, "security: [{bearerAuth: []}]", "security: [{oauth: [read]}]", 1) +
		"    oauth: {type: oauth2, flows: {clientCredentials: {tokenUrl: '" + tokenSrv.URL + "/token', scopes: {read: r}}}}\n"
	dir := writeFiles(t, map[string]string{"api.yaml": api, "flow.arazzo.yaml": `arazzo: 1.0.1
info: {title: errors, version: '1'}
sourceDescriptions: [{name: api, url: ./api.yaml, type: openapi}]
workflows:
- workflowId: w
  steps:
  - {stepId: get, operationId: getData}
`})
	apiSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "{}") }))
	t.Cleanup(apiSrv.Close)
	res := arazzo(t, invocation{args: []string{"run", filepath.Join(dir, "flow.arazzo.yaml"), "--server", "api=" + apiSrv.URL, "-v", "--json",
		"--auth", "api=oauth2:env:ID:env:SECRET"}, env: []string{"ID=client", "SECRET=" + clientSecret}, reports: true})
	if res.code != 1 || !strings.Contains(res.stderr, "oauth2 token endpoint") {
		t.Fatalf("exit %d, want 1 with the token endpoint's refusal\nstderr: %s", res.code, clipForLog(res.stderr))
	}
	if strings.Contains(res.all(), clientSecret) {
		t.Errorf("the client secret the token endpoint echoed appears in the output:\n%s", clipForLog(res.stderr))
	}

	// A same-origin redirect loop: the credential goes along (same origin) until net/http gives up; the error
	// names the request without the key.
	srv := newHostileServer(t)
	key := randomSecret("key-")
	chain := make([]string, 12)
	for i := range chain {
		chain[i] = "A"
	}
	base := srv.add("loop", &hostileCase{chain: chain})
	credsDir := t.TempDir()
	copyTestdata(t, credsDir, credsFixtures)
	res = arazzo(t, invocation{args: []string{"run", filepath.Join(credsDir, "creds.arazzo.yaml"), "--workflow", "apikey-query",
		"--server", "api=" + base, "--auth", "api=apikey:env:K", "-v", "--json"}, env: []string{"K=" + key}, reports: true})
	if res.code != 1 || !strings.Contains(res.stderr, "stopped after 10 redirects") {
		t.Fatalf("exit %d, want 1 after 10 redirects\nstderr: %s", res.code, clipForLog(res.stderr))
	}
	if strings.Contains(res.all(), key) {
		t.Errorf("the api key appears in the output:\n%s", clipForLog(res.stderr))
	}
}
