package auth_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/arazzo-go/arazzo/runtime"
	"github.com/arazzo-go/arazzo/runtime/auth"
)

// tokenServer is an OAuth2 token endpoint that counts requests and issues tok-1, tok-2, ...
type tokenServer struct {
	*httptest.Server
	mu        sync.Mutex
	calls     int
	expiresIn int
	problems  []string
}

func newTokenServer(t *testing.T, expiresIn int) *tokenServer {
	ts := &tokenServer{expiresIn: expiresIn}
	ts.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ts.mu.Lock()
		defer ts.mu.Unlock()
		ts.calls++
		id, secret, ok := r.BasicAuth()
		if !ok || id != "client-1" || secret != "client-secret-1" {
			ts.problems = append(ts.problems, fmt.Sprintf("client auth %q %v", id, ok))
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error":"invalid_client"}`)
			return
		}
		if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "client_credentials" || r.PostForm.Get("scope") != "read" {
			ts.problems = append(ts.problems, fmt.Sprintf("form %v %v", r.PostForm, err))
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"access_token": fmt.Sprintf("tok-%d", ts.calls), "token_type": "Bearer", "expires_in": ts.expiresIn})
	}))
	t.Cleanup(ts.Close)
	return ts
}

func (ts *tokenServer) count() int {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.calls
}

func TestOAuth2ClientCredentials(t *testing.T) {
	setenv(t, "T_CLIENT_ID", "client-1", "T_CLIENT_SECRET", "client-secret-1")
	ts := newTokenServer(t, 120)
	doc := loadDoc(t, ts.URL+"/token")
	var mu sync.Mutex
	accept := "tok-1"
	api := newAPIServer(t, func(r *http.Request, _ []byte) int {
		mu.Lock()
		defer mu.Unlock()
		if r.Header.Get("Authorization") != "Bearer "+accept {
			return http.StatusUnauthorized
		}
		return http.StatusOK
	})
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	var logs logSink
	tr := auth.NewTransport(nil, doc, mustParse(t, "api=oauth2:env:T_CLIENT_ID:env:T_CLIENT_SECRET"), auth.Options{Log: logs.log, Now: clock})

	step := func(name string, wantStatus runtime.Status, wantTokenCalls, wantAPICalls int) {
		t.Helper()
		res := runWorkflow(t, doc, api.URL, tr, "getOAuth", nil)
		if res.Status != wantStatus {
			t.Errorf("%s: status %s (%s), want %s", name, res.Status, res.Error, wantStatus)
		}
		if got := ts.count(); got != wantTokenCalls {
			t.Errorf("%s: token endpoint asked %d times, want %d", name, got, wantTokenCalls)
		}
		if got := len(api.requests()); got != wantAPICalls {
			t.Errorf("%s: %d API requests, want %d", name, got, wantAPICalls)
		}
	}
	step("first run fetches a token", runtime.Succeeded, 1, 1)
	step("second run uses the cached token", runtime.Succeeded, 1, 2)

	mu.Lock()
	accept = "tok-2" // the server revokes tok-1
	mu.Unlock()
	step("a 401 fetches a new token and retries once", runtime.Succeeded, 2, 4)
	if !strings.Contains(logs.String(), "refused the oauth2 token (401)") {
		t.Errorf("log %q lacks the refresh", logs.String())
	}

	mu.Lock()
	now = now.Add(2 * time.Minute) // tok-2 (120s) has expired
	accept = "tok-3"
	mu.Unlock()
	step("an expired token is fetched again before sending", runtime.Succeeded, 3, 5)

	mu.Lock()
	accept = "never"
	mu.Unlock()
	step("a second 401 is returned, not retried again", runtime.Failed, 4, 7)

	if len(ts.problems) > 0 {
		t.Errorf("token requests: %v", ts.problems)
	}
}

func TestOAuth2TokenEndpointErrors(t *testing.T) {
	t.Setenv("T_CLIENT_ID", "client-1")
	t.Setenv("T_CLIENT_SECRET", "wrong-secret-canary")
	ts := newTokenServer(t, 60)
	doc := loadDoc(t, ts.URL+"/token")
	api := newAPIServer(t, nil)
	tr := auth.NewTransport(nil, doc, mustParse(t, "api=oauth2:env:T_CLIENT_ID:env:T_CLIENT_SECRET"), auth.Options{})
	res := runWorkflow(t, doc, api.URL, tr, "getOAuth", nil)
	if res.Status != runtime.Failed || len(api.requests()) != 0 {
		t.Fatalf("status %s with %d API requests, want failed before sending", res.Status, len(api.requests()))
	}
	msg := res.Steps[0].Error
	if !strings.Contains(msg, "answered 401 (invalid_client)") || strings.Contains(msg, "wrong-secret-canary") {
		t.Errorf("error %q", msg)
	}
}

// opSpy records, per path, whether a request carried an engine operation.
type opSpy struct {
	mu    sync.Mutex
	seen  map[string]bool
	inner http.RoundTripper
}

func (s *opSpy) RoundTrip(r *http.Request) (*http.Response, error) {
	_, ok := runtime.OperationFromContext(r)
	s.mu.Lock()
	s.seen[r.URL.Path] = ok
	s.mu.Unlock()
	return s.inner.RoundTrip(r)
}

// The token request goes through the base transport but must not pose as the API operation: a mock
// transport keyed by operation would answer it as that operation.
func TestOAuth2TokenRequestCarriesNoOperation(t *testing.T) {
	setenv(t, "T_CLIENT_ID", "client-1", "T_CLIENT_SECRET", "client-secret-1")
	ts := newTokenServer(t, 60)
	doc := loadDoc(t, ts.URL+"/token")
	api := newAPIServer(t, nil)
	spy := &opSpy{seen: map[string]bool{}, inner: http.DefaultTransport}
	tr := auth.NewTransport(spy, doc, mustParse(t, "api=oauth2:env:T_CLIENT_ID:env:T_CLIENT_SECRET"), auth.Options{})
	if res := runWorkflow(t, doc, api.URL, tr, "getOAuth", nil); res.Status != runtime.Succeeded {
		t.Fatal(res.Error)
	}
	want := map[string]bool{"/token": false, "/oauth": true}
	spy.mu.Lock()
	defer spy.mu.Unlock()
	if fmt.Sprint(spy.seen) != fmt.Sprint(want) {
		t.Errorf("operation attached per path %v, want %v", spy.seen, want)
	}
}
