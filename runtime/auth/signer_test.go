package auth_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/arazzo-go/arazzo/internal/ocisign"
	"github.com/arazzo-go/arazzo/runtime"
	"github.com/arazzo-go/arazzo/runtime/auth"
)

var (
	testKeyOnce sync.Once
	testKey     *rsa.PrivateKey
)

func rsaKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	testKeyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		testKey = k
	})
	return testKey
}

// writeOCIConfig writes a key and a config with a [DEFAULT] and a [DEV] profile.
func writeOCIConfig(t *testing.T, key *rsa.PrivateKey) (path, keyID string) {
	t.Helper()
	dir := t.TempDir()
	kp := filepath.Join(dir, "key.pem")
	if err := os.WriteFile(kp, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}), 0o600); err != nil {
		t.Fatal(err)
	}
	fp, err := ocisign.Fingerprint(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf("[DEFAULT]\ntenancy=ocid1.tenancy.oc1..t\nuser=ocid1.user.oc1..u\nfingerprint=%s\nkey_file=%s\nregion=us-phoenix-1\n\n[DEV]\nregion=eu-frankfurt-1\n", fp, kp)
	path = filepath.Join(dir, "config")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, ocisign.APIKeyID("ocid1.tenancy.oc1..t", "ocid1.user.oc1..u", fp)
}

// TestOCISignerEveryAttempt sends a POST twice through the same transport with a moving clock and checks
// that the server can verify each signature, that each has its own date, and that the signer replaced a
// workflow's Authorization value.
func TestOCISignerEveryAttempt(t *testing.T) {
	key := rsaKey(t)
	cfg, keyID := writeOCIConfig(t, key)
	var mu sync.Mutex
	now := time.Now().UTC().Truncate(time.Second)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	var verifyErrs []string
	api := newAPIServer(t, func(r *http.Request, _ []byte) int {
		lookup := func(id string) (crypto.PublicKey, error) {
			if id != keyID {
				return nil, fmt.Errorf("unknown keyId")
			}
			return &key.PublicKey, nil
		}
		if _, err := ocisign.Verify(r, lookup, clock(), 5*time.Minute); err != nil {
			mu.Lock()
			verifyErrs = append(verifyErrs, err.Error())
			mu.Unlock()
			return http.StatusUnauthorized
		}
		return http.StatusOK
	})
	doc := loadDoc(t, "")
	var logs logSink
	tr := auth.NewTransport(nil, doc, mustParse(t, "api=oci:DEFAULT@"+cfg), auth.Options{Log: logs.log, Now: clock})

	for i := 0; i < 2; i++ {
		res := runWorkflow(t, doc, api.URL, tr, "postSigned", map[string]any{"authorization": "stale"})
		if res.Status != runtime.Succeeded {
			t.Fatalf("attempt %d: %s: %s (verify: %v)", i, res.Status, res.Error, verifyErrs)
		}
		mu.Lock()
		now = now.Add(90 * time.Second)
		mu.Unlock()
	}
	reqs := api.requests()
	if reqs[0].Header.Get("Date") == reqs[1].Header.Get("Date") {
		t.Errorf("both requests carry Date %q", reqs[0].Header.Get("Date"))
	}
	for _, r := range reqs {
		if !strings.HasPrefix(r.Header.Get("Authorization"), `Signature version="1"`) {
			t.Errorf("Authorization %q", r.Header.Get("Authorization"))
		}
		if string(r.Body) != `{"hello":"world"}` || r.Header.Get("X-Content-Sha256") == "" {
			t.Errorf("body %q, x-content-sha256 %q", r.Body, r.Header.Get("X-Content-Sha256"))
		}
	}
	if want := "postSigned: sig (oci) replaces the explicit Authorization parameter"; !strings.Contains(logs.String(), want) {
		t.Errorf("log\n%s\nwant %q", logs.String(), want)
	}
}

// recordingSigner is a library-supplied signer.
type recordingSigner struct{ calls int }

func (s *recordingSigner) Sign(r *http.Request) error {
	s.calls++
	r.Header.Set("Authorization", fmt.Sprintf("Custom %d key=%s", s.calls, r.Header.Get("X-API-Key")))
	return nil
}

func TestLibrarySignerRunsLast(t *testing.T) {
	doc := loadDoc(t, "")
	api := newAPIServer(t, nil)
	s := &recordingSigner{}
	t.Setenv("T_KEY", "key-456")
	creds := []auth.Credential{
		{Source: "api", Scheme: "bearerAuth", Kind: auth.KindOCI, Signer: s},
		{Source: "api", Kind: auth.KindAPIKey, Token: auth.Secret{Env: "T_KEY"}},
	}
	// getBoth wants headerKey and bearerAuth; the signer, tied to bearerAuth by name, must see the key.
	res := runWorkflow(t, doc, api.URL, auth.NewTransport(nil, doc, creds, auth.Options{}), "getBoth", nil)
	if res.Status != runtime.Succeeded {
		t.Fatal(res.Error)
	}
	if got := api.last(t).Header.Get("Authorization"); got != "Custom 1 key=key-456" {
		t.Errorf("Authorization %q", got)
	}
	// The same with a bearer token a library caller holds (Secret.Value).
	creds = []auth.Credential{
		{Source: "api", Kind: auth.KindAPIKey, Token: auth.Secret{Env: "T_KEY"}},
		{Source: "api", Kind: auth.KindBearer, Token: auth.Secret{Value: "lib-token"}},
	}
	res = runWorkflow(t, doc, api.URL, auth.NewTransport(nil, doc, creds, auth.Options{}), "getBoth", nil)
	if res.Status != runtime.Succeeded {
		t.Fatal(res.Error)
	}
	r := api.last(t)
	if got := []string{r.Header.Get("Authorization"), r.Header.Get("X-API-Key")}; !reflect.DeepEqual(got, []string{"Bearer lib-token", "key-456"}) {
		t.Errorf("headers %q", got)
	}
}

func TestServerVars(t *testing.T) {
	cfg, _ := writeOCIConfig(t, rsaKey(t))
	got := auth.ServerVars(mustParse(t, "a=oci:DEFAULT@"+cfg, "b=oci:DEV@"+cfg, "c=bearer:env:X", "d=oci:MISSING@"+cfg))
	want := map[string]map[string]string{"a": {"region": "us-phoenix-1"}, "b": {"region": "eu-frankfurt-1"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ServerVars = %v, want %v", got, want)
	}
	t.Setenv("OCI_CONFIG_FILE", cfg)
	t.Setenv("OCI_CLI_PROFILE", "DEV")
	if got := auth.ServerVars(mustParse(t, "x=oci")); got["x"]["region"] != "eu-frankfurt-1" {
		t.Errorf("with OCI_CONFIG_FILE and OCI_CLI_PROFILE: %v", got)
	}
}

// A session-token profile signs with keyId ST$<token>; the token, a secret, appears in no log or error.
func TestOCISessionToken(t *testing.T) {
	key := rsaKey(t)
	dir := t.TempDir()
	kp := filepath.Join(dir, "key.pem")
	if err := os.WriteFile(kp, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}), 0o600); err != nil {
		t.Fatal(err)
	}
	const token = "sess-canary-token"
	if err := os.WriteFile(filepath.Join(dir, "token"), []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "config")
	if err := os.WriteFile(cfg, []byte("[SESSION]\nkey_file=key.pem\nsecurity_token_file=token\nregion=us-ashburn-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var gotKeyID string
	api := newAPIServer(t, func(r *http.Request, _ []byte) int {
		id, err := ocisign.Verify(r, func(string) (crypto.PublicKey, error) { return &key.PublicKey, nil }, time.Now(), 5*time.Minute)
		if err != nil {
			return http.StatusUnauthorized
		}
		gotKeyID = id
		return http.StatusOK
	})
	doc := loadDoc(t, "")
	var logs logSink
	creds := mustParse(t, "api.sig=oci:SESSION@"+cfg)
	if err := auth.Check(doc, creds); err != nil {
		t.Fatal(err)
	}
	res := runWorkflow(t, doc, api.URL, auth.NewTransport(nil, doc, creds, auth.Options{Log: logs.log}), "postSigned", nil)
	if res.Status != runtime.Succeeded {
		t.Fatal(res.Error)
	}
	if gotKeyID != "ST$"+token {
		t.Errorf("keyId %q", gotKeyID)
	}
	if strings.Contains(logs.String(), token) || strings.Contains(fmt.Sprintf("%+v", res), token) {
		t.Error("the session token leaked into the log or the result")
	}
}
