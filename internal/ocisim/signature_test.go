package ocisim

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/arazzo-go/arazzo/internal/ocisign"
)

var (
	keysOnce sync.Once
	keyA     *rsa.PrivateKey
	keyB     *rsa.PrivateKey
)

func testKeys(t testing.TB) (*rsa.PrivateKey, *rsa.PrivateKey) {
	t.Helper()
	keysOnce.Do(func() {
		// The good key is ocisign's 2048-bit test key (generating one costs seconds under -race); the wrong one
		// only has to differ.
		pemBytes, err := os.ReadFile(filepath.Join("..", "ocisign", "testdata", "rsa2048-pkcs1.pem"))
		if err != nil {
			t.Fatal(err)
		}
		if keyA, err = ocisign.ParsePrivateKey(pemBytes, nil); err != nil {
			t.Fatal(err)
		}
		if keyB, err = rsa.GenerateKey(rand.Reader, 1024); err != nil {
			t.Fatal(err)
		}
	})
	if keyA == nil || keyB == nil {
		t.Fatal("test keys did not load")
	}
	return keyA, keyB
}

// signedClient sends requests signed with key at the given clock.
func signedClient(srv *httptest.Server, keyID string, key *rsa.PrivateKey, clock func() time.Time) *http.Client {
	return &http.Client{Transport: &ocisign.Transport{
		Signer: &ocisign.Signer{Key: ocisign.Key{ID: keyID, PrivateKey: key}, Clock: clock},
		Base:   srv.Client().Transport,
	}}
}

func call(t *testing.T, c *http.Client, method, url, body string) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, url, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

// §5.7 row 9: the seed's calls, signed, against signature mode; a wrong key or a skewed clock gives 401.
func TestSignatureMode(t *testing.T) {
	good, wrong := testKeys(t)
	fp, _ := ocisign.Fingerprint(&good.PublicKey)
	keyID := ocisign.APIKeyID("ocid1.tenancy.oc1..t", "ocid1.user.oc1..u", fp)
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	simClock := func() time.Time { return now }
	s := newSim(t, Options{Auth: AuthSignature, PublicKeys: map[string]crypto.PublicKey{
		keyID: &good.PublicKey, "ST$session": &good.PublicKey,
	}, Clock: simClock})
	srv := httptest.NewServer(s)
	defer srv.Close()
	base := srv.URL + BasePath

	c := signedClient(srv, keyID, good, simClock)
	if st, m := call(t, c, "GET", base+"/instances/"+InstanceStopped, ""); st != 200 || m["lifecycleState"] != StateStopped {
		t.Fatalf("getInstance: %d %v", st, m)
	}
	st, m := call(t, c, "POST", base+"/images", seedBody)
	if st != 200 {
		t.Fatalf("createImage: %d %v", st, m)
	}
	id, _ := m["id"].(string)
	var states []string
	for i := 0; i < 3; i++ {
		st, m := call(t, c, "GET", base+"/images/"+id, "")
		if st != 200 {
			t.Fatalf("getImage: %d %v", st, m)
		}
		states = append(states, m["lifecycleState"].(string))
	}
	if strings.Join(states, ",") != "PROVISIONING,PROVISIONING,AVAILABLE" {
		t.Errorf("states = %v", states)
	}
	for _, r := range s.Requests() {
		if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Authorization"), "[redacted]") {
			t.Errorf("%s %s: %d, Authorization %q", r.Method, r.URI, r.Status, r.Header.Get("Authorization"))
		}
	}
	// A session token keyId is accepted when registered.
	if st, _ := call(t, signedClient(srv, "ST$session", good, simClock), "GET", base+"/instances/"+InstanceRunning, ""); st != 200 {
		t.Errorf("session token: %d", st)
	}

	refusals := []struct {
		name   string
		client *http.Client
		header string // a raw Authorization sent without signing
		reason string // in the request log
	}{
		{"wrong key", signedClient(srv, keyID, wrong, simClock), "", "signature does not verify"},
		{"unknown keyId", signedClient(srv, "t/u/aa:bb", good, simClock), "", "unknown keyId"},
		{"clock 6 minutes slow", signedClient(srv, keyID, good, func() time.Time { return now.Add(-6 * time.Minute) }), "", "server clock"},
		{"clock 6 minutes fast", signedClient(srv, keyID, good, func() time.Time { return now.Add(6 * time.Minute) }), "", "server clock"},
		{"placeholder token", srv.Client(), "Bearer x", "not Signature"},
		{"no authorization", srv.Client(), "", "missing"},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", base+"/images", strings.NewReader(createFrom(InstanceRunning)))
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			resp, err := tt.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 401 || !strings.Contains(string(body), `"NotAuthenticated"`) {
				t.Errorf("got %d %s, want 401 NotAuthenticated", resp.StatusCode, body)
			}
			if strings.Contains(string(body), tt.reason) {
				t.Errorf("the reason reached the client: %s", body)
			}
			log := s.Requests()
			if got := log[len(log)-1].Reason; !strings.Contains(got, tt.reason) {
				t.Errorf("logged reason = %q, want one containing %q", got, tt.reason)
			}
		})
	}
	if in, _ := s.Instance(InstanceRunning); in.LifecycleState != StateRunning {
		t.Errorf("a refused request changed state: %s", in.LifecycleState)
	}
}

// One key for any keyId (the -public-key flag without -key-id), and a tampered body.
func TestSignatureModeAnyKeyIDAndTamperedBody(t *testing.T) {
	good, _ := testKeys(t)
	s := newSim(t, Options{Auth: AuthSignature, PublicKey: &good.PublicKey})
	srv := httptest.NewServer(s)
	defer srv.Close()
	c := signedClient(srv, "any/key/id", good, time.Now)
	if st, m := call(t, c, "GET", srv.URL+BasePath+"/instances/"+InstanceStopped, ""); st != 200 {
		t.Fatalf("%d %v", st, m)
	}

	req, _ := http.NewRequest("POST", srv.URL+BasePath+"/images", strings.NewReader(seedBody))
	if err := (&ocisign.Signer{Key: ocisign.Key{ID: "k", PrivateKey: good}}).Sign(req); err != nil {
		t.Fatal(err)
	}
	tampered := strings.Replace(seedBody, "my-image", "my-imagE", 1)
	req.Body = io.NopCloser(strings.NewReader(tampered))
	req.GetBody = nil
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("tampered body: %d, want 401", resp.StatusCode)
	}
}
