package ocisign

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/arazzo-go/arazzo/internal/testutil"
)

const testFingerprint = "a1:ac:c2:aa:b5:c5:9b:85:d2:2d:7c:9c:6b:61:ac:cb"

var (
	testKeyOnce sync.Once
	testKey     *rsa.PrivateKey
)

// loadTestKey returns the 2048-bit key in testdata (see testdata/README.md).
func loadTestKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	testKeyOnce.Do(func() {
		data, err := os.ReadFile(filepath.Join("testdata", "rsa2048-pkcs1.pem"))
		if err != nil {
			t.Fatal(err)
		}
		testKey, err = ParsePrivateKey(data, nil)
		if err != nil {
			t.Fatal(err)
		}
	})
	if testKey == nil {
		t.Fatal("test key did not load")
	}
	return testKey
}

type vectorCase struct {
	Name                  string            `json:"name"`
	Method                string            `json:"method"`
	URL                   string            `json:"url"`
	Headers               map[string]string `json:"headers"`
	Body                  *string           `json:"body"`
	SignedHeaders         []string          `json:"signedHeaders"`
	SigningString         string            `json:"signingString"`
	ExpectedSignature     *string           `json:"expectedSignature"`
	ExpectedAuthorization *string           `json:"expectedAuthorization"`
	DerivedSignature      *string           `json:"derivedSignature"`
	DerivedAuthorization  *string           `json:"derivedAuthorization"`
}

type vectors struct {
	PrivateKeyPem           string       `json:"privateKeyPem"`
	PublicKeyPem            string       `json:"publicKeyPem"`
	PublicKeyFingerprintMd5 string       `json:"publicKeyFingerprintMd5"`
	KeyID                   string       `json:"keyId"`
	Date                    string       `json:"date"`
	Cases                   []vectorCase `json:"cases"`
}

// Oracle's published test vectors (../shared/oci-signing/vectors.json) reproduced byte for byte.
func TestOracleVectors(t *testing.T) {
	path := testutil.SharedDir(t, "oci-signing", "vectors.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v vectors
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	priv, err := ParsePrivateKey([]byte(v.PrivateKeyPem), nil)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := ParsePublicKey([]byte(v.PublicKeyPem))
	if err != nil {
		t.Fatal(err)
	}
	if fp, _ := Fingerprint(pub); fp != v.PublicKeyFingerprintMd5 {
		t.Errorf("fingerprint = %s, want %s", fp, v.PublicKeyFingerprintMd5)
	}
	if len(v.Cases) < 4 {
		t.Fatalf("only %d cases in %s", len(v.Cases), path)
	}
	now, err := http.ParseTime(v.Date)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range v.Cases {
		t.Run(c.Name, func(t *testing.T) {
			var body io.Reader
			if c.Body != nil {
				body = strings.NewReader(*c.Body)
			}
			req, err := http.NewRequest(c.Method, c.URL, body)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Date", c.Headers["date"])
			if ct := c.Headers["content-type"]; ct != "" {
				req.Header.Set("Content-Type", ct)
			}
			if err := Sign(req, Key{ID: v.KeyID, PrivateKey: priv}); err != nil {
				t.Fatal(err)
			}
			for name, want := range c.Headers {
				got := req.Header.Get(name)
				if name == "host" {
					got = hostOf(req)
				}
				if got != want {
					t.Errorf("header %s = %q, want %q", name, got, want)
				}
			}
			ss, err := SigningString(req, c.SignedHeaders)
			if err != nil {
				t.Fatal(err)
			}
			if ss != c.SigningString {
				t.Errorf("signing string:\n%s\nwant:\n%s", ss, c.SigningString)
			}
			wantAuth := c.ExpectedAuthorization
			if wantAuth == nil {
				wantAuth = c.DerivedAuthorization
			}
			if wantAuth == nil {
				t.Fatal("case has neither an expected nor a derived Authorization")
			}
			if got := req.Header.Get("Authorization"); got != *wantAuth {
				t.Errorf("Authorization:\n%s\nwant:\n%s", got, *wantAuth)
			}
			// The server side accepts it: as it arrives, with RequestURI and Host set from the request line.
			srvReq := asServerRequest(t, req)
			keyID, err := Verify(srvReq, func(string) (crypto.PublicKey, error) { return pub, nil }, now, 5*time.Minute)
			if err != nil || keyID != v.KeyID {
				t.Errorf("Verify = %q, %v", keyID, err)
			}
		})
	}
}

// asServerRequest turns a signed client request into what a server handler receives.
func asServerRequest(t testing.TB, req *http.Request) *http.Request {
	t.Helper()
	var body []byte
	if req.Body != nil {
		b, err := req.GetBody()
		if err != nil {
			t.Fatal(err)
		}
		body, _ = io.ReadAll(b)
	}
	srv := httptest.NewRequest(req.Method, req.URL.String(), bytes.NewReader(body))
	srv.Header = req.Header.Clone()
	srv.Host = hostOf(req)
	srv.RequestURI = req.URL.RequestURI()
	return srv
}

func fixedClock(t time.Time) func() time.Time { return func() time.Time { return t } }

var testNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func TestSignerSetsEverySignedHeader(t *testing.T) {
	key := Key{ID: APIKeyID("ocid1.tenancy.oc1..t", "ocid1.user.oc1..u", testFingerprint), PrivateKey: loadTestKey(t)}
	signer := &Signer{Key: key, Clock: fixedClock(testNow)}

	get, _ := http.NewRequest("GET", "http://127.0.0.1:8080/20160918/instances/ocid1.instance.oc1.phx.x?a=b%20c", nil)
	get.Header.Set("Authorization", "stale value from a workflow")
	if err := signer.Sign(get); err != nil {
		t.Fatal(err)
	}
	if got := get.Header.Get("Date"); got != "Thu, 26 Nov 2026 12:00:00 GMT" {
		t.Errorf("Date = %q", got)
	}
	auth := get.Header.Get("Authorization")
	if !strings.HasPrefix(auth, `Signature version="1",headers="date (request-target) host",keyId="ocid1.tenancy.oc1..t/ocid1.user.oc1..u/`+testFingerprint+`",algorithm="rsa-sha256",signature="`) {
		t.Errorf("Authorization = %s", auth)
	}
	ss, _ := SigningString(get, HeadersWithoutBody)
	if want := "date: Thu, 26 Nov 2026 12:00:00 GMT\n(request-target): get /20160918/instances/ocid1.instance.oc1.phx.x?a=b%20c\nhost: 127.0.0.1:8080"; ss != want {
		t.Errorf("signing string %q, want %q", ss, want)
	}

	post, _ := http.NewRequest("POST", "http://127.0.0.1:8080/20160918/images", strings.NewReader(`{"a":1}`))
	if err := signer.Sign(post); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"Content-Type":     "application/json",
		"Content-Length":   "7",
		"X-Content-Sha256": "AVq9f1zFei3ZS3WQ8ErYCEJzkF7jPsXOvq5iJ2qX+GI=",
	} {
		if got := post.Header.Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if !strings.Contains(post.Header.Get("Authorization"), `headers="date (request-target) host content-length content-type x-content-sha256"`) {
		t.Errorf("POST Authorization = %s", post.Header.Get("Authorization"))
	}
	// The body is still there to send, and replayable.
	b, _ := io.ReadAll(post.Body)
	b2, _ := post.GetBody()
	b3, _ := io.ReadAll(b2)
	if string(b) != `{"a":1}` || string(b3) != `{"a":1}` || post.ContentLength != 7 {
		t.Errorf("body after signing = %q / %q, length %d", b, b3, post.ContentLength)
	}

	put, _ := http.NewRequest("PUT", "http://h/x", nil)
	put.Header.Set("Content-Type", "text/plain")
	if err := signer.Sign(put); err != nil {
		t.Fatal(err)
	}
	if put.Header.Get("X-Content-Sha256") != "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=" || put.Header.Get("Content-Length") != "0" ||
		put.Header.Get("Content-Type") != "text/plain" {
		t.Errorf("empty PUT headers: %v", put.Header)
	}
}

func TestSignErrors(t *testing.T) {
	key := Key{ID: "t/u/f", PrivateKey: loadTestKey(t)}
	req, _ := http.NewRequest("GET", "http://h/x", nil)
	if err := Sign(req, Key{ID: "t/u/f"}); err == nil {
		t.Error("signed without a private key")
	}
	if err := Sign(req, Key{PrivateKey: key.PrivateKey}); err == nil {
		t.Error("signed without a keyId")
	}
	if err := Sign(nil, key); err == nil {
		t.Error("signed a nil request")
	}
	if err := (&Signer{Key: key}).Sign(nil); err == nil {
		t.Error("Signer signed a nil request")
	}
	bad, _ := http.NewRequest("POST", "http://h/x", io.NopCloser(errReader{}))
	if err := Sign(bad, key); err == nil || !strings.Contains(err.Error(), "read body") {
		t.Errorf("unreadable body: %v", err)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

// Round trip with a 2048-bit key, and every way a verifier must refuse.
func TestVerify(t *testing.T) {
	priv := loadTestKey(t)
	const keyID = "ocid1.tenancy.oc1..t/ocid1.user.oc1..u/" + testFingerprint
	lookup := func(id string) (crypto.PublicKey, error) {
		if id == keyID || id == "ST$session-token" {
			return &priv.PublicKey, nil
		}
		return nil, errors.New("no such key")
	}
	signed := func(method, url, body string, keyID string, at time.Time) *http.Request {
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		req, _ := http.NewRequest(method, url, rd)
		s := &Signer{Key: Key{ID: keyID, PrivateKey: priv}, Clock: fixedClock(at)}
		if err := s.Sign(req); err != nil {
			t.Fatal(err)
		}
		return asServerRequest(t, req)
	}
	tests := []struct {
		name   string
		req    func() *http.Request
		now    time.Time
		errSub string // "" means it verifies
	}{
		{"get", func() *http.Request { return signed("GET", "http://sim:1/20160918/images/x", "", keyID, testNow) }, testNow, ""},
		{"post", func() *http.Request { return signed("POST", "http://sim:1/20160918/images", `{"x":1}`, keyID, testNow) }, testNow, ""},
		{"session token", func() *http.Request { return signed("DELETE", "http://sim/x", "", "ST$session-token", testNow) }, testNow, ""},
		{"skew within 5m", func() *http.Request { return signed("GET", "http://sim/x", "", keyID, testNow) }, testNow.Add(5 * time.Minute), ""},
		{"skew over 5m", func() *http.Request { return signed("GET", "http://sim/x", "", keyID, testNow) }, testNow.Add(5*time.Minute + time.Second), "server clock"},
		{"date in the future", func() *http.Request { return signed("GET", "http://sim/x", "", keyID, testNow.Add(6*time.Minute)) }, testNow, "server clock"},
		{"unknown key", func() *http.Request { return signed("GET", "http://sim/x", "", "t/u/other", testNow) }, testNow, "no such key"},
		{"no authorization", func() *http.Request {
			r := signed("GET", "http://sim/x", "", keyID, testNow)
			r.Header.Del("Authorization")
			return r
		}, testNow, "missing"},
		{"bearer", func() *http.Request {
			r := signed("GET", "http://sim/x", "", keyID, testNow)
			r.Header.Set("Authorization", "Bearer abc")
			return r
		}, testNow, "not Signature"},
		{"path changed", func() *http.Request {
			r := signed("GET", "http://sim/20160918/images/a", "", keyID, testNow)
			r.RequestURI = "/20160918/images/b"
			return r
		}, testNow, "does not verify"},
		{"host changed", func() *http.Request {
			r := signed("GET", "http://sim:1/x", "", keyID, testNow)
			r.Host = "sim:2"
			return r
		}, testNow, "does not verify"},
		{"body changed", func() *http.Request {
			r := signed("POST", "http://sim/x", `{"x":1}`, keyID, testNow)
			r.Body = io.NopCloser(strings.NewReader(`{"x":2}`))
			return r
		}, testNow, "x-content-sha256"},
		{"body and hash changed", func() *http.Request {
			r := signed("POST", "http://sim/x", `{"x":1}`, keyID, testNow)
			r.Body = io.NopCloser(strings.NewReader(`{"x":2}`))
			r.Header.Set("X-Content-Sha256", "XisDCkoPFYLXjA/ZkkURzWsfLfmHnldPXqFAbJQFJBg=")
			return r
		}, testNow, "does not verify"},
		{"content-length lies", func() *http.Request {
			r := signed("POST", "http://sim/x", `{"x":1}`, keyID, testNow)
			r.Header.Set("Content-Length", "99")
			return r
		}, testNow, "content-length"},
		{"body headers not signed on POST", func() *http.Request {
			r := signed("POST", "http://sim/x", `{"x":1}`, keyID, testNow)
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), " content-length content-type x-content-sha256", "", 1))
			return r
		}, testNow, "signed headers lack"},
		{"host not signed", func() *http.Request {
			r := signed("GET", "http://sim/x", "", keyID, testNow)
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), " host", "", 1))
			return r
		}, testNow, "signed headers lack \"host\""},
		{"other algorithm", func() *http.Request {
			r := signed("GET", "http://sim/x", "", keyID, testNow)
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "rsa-sha256", "hmac-sha256", 1))
			return r
		}, testNow, "rsa-sha256"},
		{"signature not base64", func() *http.Request {
			r := signed("GET", "http://sim/x", "", keyID, testNow)
			a := r.Header.Get("Authorization")
			r.Header.Set("Authorization", a[:strings.Index(a, `signature="`)]+`signature="***"`)
			return r
		}, testNow, "base64"},
		{"bad date", func() *http.Request {
			r := signed("GET", "http://sim/x", "", keyID, testNow)
			r.Header.Set("Date", "yesterday")
			return r
		}, testNow, "HTTP date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := tt.req()
			id, err := Verify(req, lookup, tt.now, 5*time.Minute)
			if tt.errSub == "" {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if id == "" {
					t.Error("no keyId returned")
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.errSub) {
				t.Fatalf("Verify error = %v, want one containing %q", err, tt.errSub)
			}
			if strings.Contains(err.Error(), "signature=\"") || strings.Contains(err.Error(), "session-token") {
				t.Errorf("error leaks the credential: %v", err)
			}
		})
	}
}

func mustRead(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseAuthorization(t *testing.T) {
	tests := []struct {
		in   string
		want string // fmt of Params, or "error"
	}{
		{`Signature version="1",headers="date (request-target) host",keyId="a/b/c",algorithm="rsa-sha256",signature="c2ln"`,
			`{1 a/b/c rsa-sha256 [date (request-target) host] c2ln}`},
		{`signature keyId="k", algorithm="rsa-sha256", headers="Date Host", signature="s"`, `{ k rsa-sha256 [date host] s}`},
		{`Signature keyId="k",algorithm="rsa-sha256",headers="date",signature="s",extra="ignored"`, `{ k rsa-sha256 [date] s}`},
		{`Bearer x`, "error"},
		{`Signature`, "error"},
		{`Signature keyId="k",keyId="k2",algorithm="rsa-sha256",headers="date",signature="s"`, "error"},
		{`Signature keyId=k,algorithm="rsa-sha256",headers="date",signature="s"`, "error"},
		{`Signature keyId="k,algorithm="rsa-sha256"`, "error"},
		{`Signature keyId="k"algorithm="rsa-sha256",headers="date",signature="s"`, "error"},
		{`Signature keyId="k",algorithm="rsa-sha256",headers="date"`, "error"},
		{`Signature algorithm="rsa-sha256",headers="date",signature="s"`, "error"},
		{`Signature keyId="k",algorithm="rsa-sha256",headers="",signature="s"`, "error"},
		{`Signature version="2",keyId="k",algorithm="rsa-sha256",headers="date",signature="s"`, "error"},
		{`Signature keyId="k",="x"`, "error"},
		{`Signature keyId`, "error"},
		{"Signature " + strings.Repeat("a", maxAuthorization), "error"},
	}
	for _, tt := range tests {
		p, err := ParseAuthorization(tt.in)
		got := fmt.Sprint(p)
		if err != nil {
			got = "error"
		}
		if got != tt.want {
			t.Errorf("ParseAuthorization(%.60q) = %s (%v), want %s", tt.in, got, err, tt.want)
		}
	}
}

func FuzzParseAuthorization(f *testing.F) {
	f.Add(`Signature version="1",headers="date (request-target) host",keyId="a/b/c",algorithm="rsa-sha256",signature="c2ln"`)
	f.Add(`Signature keyId="k"`)
	f.Add(`Signature a="`)
	f.Add(`Signature ,,, ="x"`)
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseAuthorization(s)
		if err == nil && (p.KeyID == "" || p.Signature == "" || len(p.Headers) == 0) {
			t.Fatalf("accepted incomplete %q: %+v", s, p)
		}
		if err != nil && len(s) > 20 && strings.Contains(err.Error(), s) {
			t.Fatalf("error quotes the header: %v", err)
		}
	})
}

// Transport signs every attempt afresh: a retried request gets a new Date and a new signature, and the body
// is sent intact each time.
func TestTransportSignsEveryAttempt(t *testing.T) {
	priv := loadTestKey(t)
	var mu sync.Mutex
	now := testNow
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	var dates []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := Verify(r, func(string) (crypto.PublicKey, error) { return &priv.PublicKey, nil }, clock(), 5*time.Minute)
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		dates = append(dates, r.Header.Get("Date"))
		mu.Unlock()
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	client := &http.Client{Transport: &Transport{Signer: &Signer{Key: Key{ID: "t/u/f", PrivateKey: priv}, Clock: clock}, Base: srv.Client().Transport}}

	req, _ := http.NewRequest("POST", srv.URL+"/20160918/images?x=1", strings.NewReader(`{"compartmentId":"c"}`))
	for attempt := 0; attempt < 2; attempt++ {
		if attempt == 1 {
			mu.Lock()
			now = now.Add(10 * time.Minute) // a retry much later: an old signature would be stale
			mu.Unlock()
			body, _ := req.GetBody()
			req.Body = body
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(got) != `{"compartmentId":"c"}` {
			t.Fatalf("attempt %d: %d %s", attempt, resp.StatusCode, got)
		}
	}
	if len(dates) != 2 || dates[0] == dates[1] {
		t.Errorf("dates = %v, want two different", dates)
	}
	if req.Header.Get("Authorization") != "" {
		t.Error("Transport modified the caller's request")
	}
	_, err := (&http.Client{Transport: &Transport{}}).Get(srv.URL)
	if err == nil {
		t.Error("transport without a signer sent a request")
	}
}

func TestKeyStringHidesSecrets(t *testing.T) {
	k := Key{ID: SessionKeyID("tok-canary"), PrivateKey: loadTestKey(t)}
	for _, s := range []string{fmt.Sprint(k), fmt.Sprintf("%v %+v %#v", k, k, k)} {
		if strings.Contains(s, "tok-canary") || strings.Contains(s, "PrivateKey") {
			t.Errorf("Key prints a secret: %s", s)
		}
	}
	if got := (Key{ID: "t/u/f"}).String(); !strings.Contains(got, "t/u/f") {
		t.Errorf("API keyId should be shown: %s", got)
	}
}
