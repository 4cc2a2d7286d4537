package auth_test

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/arazzo-go/arazzo/runtime"
	"github.com/arazzo-go/arazzo/runtime/auth"
)

// TestEchoedCredentialsRedacted: a server that echoes every credential it gets (in its body, a response
// header and an error) shows none of them in the run's Result, whatever the kind.
func TestEchoedCredentialsRedacted(t *testing.T) {
	tokens := newTokenServer(t, 3600)
	doc := loadDoc(t, tokens.URL+"/token")
	cfg, _ := writeOCIConfig(t, rsaKey(t))
	setenv(t, "T_TOKEN", "tok-bearer-7f3a", "T_USER", "alice", "T_PASS", "pass-9c1e", "T_KEY", "key-5b2d",
		"T_CLIENT_ID", "client-1", "T_CLIENT_SECRET", "client-secret-1")
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		all := map[string]any{"url": r.URL.String(), "headers": r.Header, "note": "you sent " + r.Header.Get("Authorization") + " " + r.URL.RawQuery}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Echo", r.Header.Get("Authorization")+r.Header.Get("X-Api-Key")+r.Header.Get("Cookie"))
		w.WriteHeader(http.StatusForbidden) // the error summary quotes the body too
		json.NewEncoder(w).Encode(map[string]any{"message": all["note"], "echo": all})
	}))
	t.Cleanup(echo.Close)

	basic := base64.StdEncoding.EncodeToString([]byte("alice:pass-9c1e"))
	for _, tc := range []struct {
		flag, workflow string
		secrets        []string // what must not show; "SIG" stands for the signature sent
	}{
		{"api=bearer:env:T_TOKEN", "getBearer", []string{"tok-bearer-7f3a"}},
		{"api=basic:env:T_USER:env:T_PASS", "getBasic", []string{basic, "pass-9c1e"}},
		{"api=apikey:env:T_KEY", "getHeader", []string{"key-5b2d"}},
		{"api=apikey:env:T_KEY", "getQuery", []string{"key-5b2d"}},
		{"api=apikey:env:T_KEY", "getCookie", []string{"key-5b2d"}},
		{"api=oauth2:env:T_CLIENT_ID:env:T_CLIENT_SECRET", "getOAuth", []string{"tok-1"}},
		{"api=oci:DEFAULT@" + cfg, "postSigned", []string{"SIG"}},
	} {
		t.Run(tc.workflow, func(t *testing.T) {
			var sent []string
			spy := roundTripFunc(func(r *http.Request) (*http.Response, error) {
				if a := r.Header.Get("Authorization"); strings.HasPrefix(a, "Signature ") {
					sent = append(sent, a[strings.LastIndex(a, `signature="`)+len(`signature="`):len(a)-1])
				}
				return http.DefaultTransport.RoundTrip(r)
			})
			tr := auth.NewTransport(spy, doc, mustParse(t, tc.flag), auth.Options{})
			res := runWorkflow(t, doc, echo.URL, tr, tc.workflow, nil)
			if res.Status != runtime.Failed || res.Steps[0].Response == nil || !strings.Contains(res.Steps[0].Response.BodyPreview(), "you sent") {
				t.Fatalf("the echo did not come back: %s %s", res.Status, res.Error)
			}
			var buf strings.Builder
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(res); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			secrets := tc.secrets
			if secrets[0] == "SIG" {
				if len(sent) == 0 {
					t.Fatal("no signature was sent")
				}
				secrets = sent
			}
			for _, s := range secrets {
				if strings.Contains(out, s) {
					t.Errorf("the result shows %q:\n%s", s, out)
				}
			}
			if !strings.Contains(out, runtime.Redacted) {
				t.Errorf("nothing was redacted:\n%s", out)
			}
		})
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestEchoRedactionConcurrentRuns: runs of one engine share the transport and its credentials; each run learns
// them through its own context and hides them (run with -race).
func TestEchoRedactionConcurrentRuns(t *testing.T) {
	doc := loadDoc(t, "")
	setenv(t, "T_TOKEN", "tok-bearer-concurrent")
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"echo": r.Header.Get("Authorization")})
	}))
	t.Cleanup(echo.Close)
	eng, err := runtime.New(doc, runtime.Options{
		Transport: auth.NewTransport(nil, doc, mustParse(t, "api=bearer:env:T_TOKEN"), auth.Options{}),
		Servers:   map[string]string{"api": echo.URL},
	})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 16)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := eng.Run(context.Background(), "getBearer", nil)
			if err != nil && res == nil {
				errs <- err.Error()
				return
			}
			out, _ := json.Marshal(res)
			if res.Status != runtime.Succeeded || strings.Contains(string(out), "tok-bearer-concurrent") || !strings.Contains(res.Steps[0].Response.BodyPreview(), "Bearer <redacted>") {
				errs <- string(out)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestEchoedSessionTokenRedacted: an OCI session-token profile signs with keyId ST$<token>; a server that
// echoes the Authorization header gets neither the token nor the signature shown.
func TestEchoedSessionTokenRedacted(t *testing.T) {
	key := rsaKey(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "key.pem"), pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}), 0o600); err != nil {
		t.Fatal(err)
	}
	const token = "sess-echo-canary-token"
	if err := os.WriteFile(filepath.Join(dir, "token"), []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "config")
	if err := os.WriteFile(cfg, []byte("[SESSION]\nkey_file=key.pem\nsecurity_token_file=token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var sent string
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sent = r.Header.Get("Authorization")
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "you sent "+sent)
	}))
	t.Cleanup(echo.Close)
	doc := loadDoc(t, "")
	res := runWorkflow(t, doc, echo.URL, auth.NewTransport(nil, doc, mustParse(t, "api.sig=oci:SESSION@"+cfg), auth.Options{}), "postSigned", nil)
	m := signatureRE.FindStringSubmatch(sent)
	if res.Status != runtime.Succeeded || !strings.Contains(sent, token) || m == nil {
		t.Fatalf("status %s, sent %q", res.Status, sent)
	}
	out, _ := json.Marshal(res)
	for _, s := range []string{token, m[1]} {
		if strings.Contains(string(out), s) {
			t.Errorf("the result shows %q:\n%s", s, out)
		}
	}
}

var signatureRE = regexp.MustCompile(`signature="([^"]+)"`)
