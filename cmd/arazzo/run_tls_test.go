package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// testPKI is a CA, a server certificate it signed for 127.0.0.1 and
// example.com, and a client certificate it signed, written as PEM files.
type testPKI struct {
	dir                           string
	caFile, clientCert, clientKey string
	serverCert                    tls.Certificate
	pool                          *x509.CertPool
	otherCA                       string // a CA that signed nothing here
}

func newTestPKI(t *testing.T) *testPKI {
	t.Helper()
	p := &testPKI{dir: t.TempDir(), pool: x509.NewCertPool()}
	caKey, caCert, caPEM := makeCert(t, "test CA", nil, nil, true, nil)
	p.pool.AddCert(caCert)
	p.caFile = p.write(t, "ca.pem", caPEM)
	_, _, otherPEM := makeCert(t, "other CA", nil, nil, true, nil)
	p.otherCA = p.write(t, "other-ca.pem", otherPEM)

	srvKey, _, srvPEM := makeCert(t, "server", caCert, caKey, false, func(c *x509.Certificate) {
		c.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
		c.DNSNames = []string{"example.com"}
		c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	})
	pair, err := tls.X509KeyPair(srvPEM, keyPEM(t, srvKey))
	if err != nil {
		t.Fatal(err)
	}
	p.serverCert = pair

	cliKey, _, cliPEM := makeCert(t, "arazzo client", caCert, caKey, false, func(c *x509.Certificate) {
		c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	})
	p.clientCert = p.write(t, "client.pem", cliPEM)
	p.clientKey = p.write(t, "client-key.pem", keyPEM(t, cliKey))
	return p
}

func (p *testPKI) write(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(p.dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

var serial int64

func makeCert(t *testing.T, cn string, parent *x509.Certificate, parentKey *ecdsa.PrivateKey, isCA bool, edit func(*x509.Certificate)) (*ecdsa.PrivateKey, *x509.Certificate, []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial++
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(serial),
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  isCA,
	}
	if edit != nil {
		edit(tmpl)
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return key, cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func keyPEM(t *testing.T, key *ecdsa.PrivateKey) []byte {
	t.Helper()
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})
}

// mtlsServer answers the pets API over TLS and requires a client
// certificate signed by the test CA; it records the client's name.
func mtlsServer(t *testing.T, p *testPKI) (*httptest.Server, func() []string) {
	t.Helper()
	var mu sync.Mutex
	var clients []string
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		clients = append(clients, r.TLS.PeerCertificates[0].Subject.CommonName)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"p1","status":"sold"}`)
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{p.serverCert}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: p.pool}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are the point
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), clients...)
	}
}

// TestRunTLSClientCertificate runs against a server that requires a client
// certificate: without --tls the server's CA is unknown, with only the CA
// the handshake lacks a certificate, with both (keyed, positional, or for
// every source) the run succeeds and the server saw our certificate.
func TestRunTLSClientCertificate(t *testing.T) {
	doc := writePets(t)
	p := newTestPKI(t)
	srv, clients := mtlsServer(t, p)
	base := []string{"run", doc, "--server", "pets=" + srv.URL, "--input", "petId=p1", "--request-timeout", "5s"}
	tests := []struct {
		name     string
		tls      []string
		code     int
		stderrRe string
	}{
		{"no --tls: unknown authority", nil, exitFailed, "certificate signed by unknown authority"},
		{"CA of someone else", []string{"pets=ca=" + p.otherCA}, exitFailed, "certificate signed by unknown authority"},
		{"CA only: no client certificate", []string{"pets=ca=" + p.caFile}, exitFailed, "remote error: tls: certificate required"},
		{"keyed", []string{"pets=cert=" + p.clientCert + ",key=" + p.clientKey + ",ca=" + p.caFile}, exitOK, ""},
		{"positional", []string{"pets=" + p.clientCert + "," + p.clientKey + "," + p.caFile}, exitOK, ""},
		{"every source", []string{"ca=" + p.caFile + ",cert=" + p.clientCert + ",key=" + p.clientKey}, exitOK, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string(nil), base...)
			for _, v := range tt.tls {
				args = append(args, "--tls", v)
			}
			before := len(clients())
			var stdout, stderr bytes.Buffer
			code := run(args, nil, &stdout, &stderr)
			if code != tt.code || !strings.Contains(stderr.String(), tt.stderrRe) {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tt.code, stderr.String())
			}
			got := clients()[before:]
			if tt.code == exitOK && (len(got) != 2 || got[0] != "arazzo client") {
				t.Errorf("server saw clients %v, want two requests from \"arazzo client\"", got)
			}
			if tt.code != exitOK && len(got) != 0 {
				t.Errorf("server answered %v without a verified client", got)
			}
		})
	}
}

func TestRunTLSFlagErrors(t *testing.T) {
	doc := writePets(t)
	p := newTestPKI(t)
	notPEM := p.write(t, "not.pem", []byte("hello"))
	tests := []struct{ flag, want string }{
		{"nosuch=ca=" + p.caFile, `--tls nosuch=ca=` + p.caFile + `: no source description "nosuch" (have pets)`},
		{"pets=cert=" + p.clientCert, "a client certificate needs both cert= and key="},
		{"pets=" + p.clientCert, "want CERT,KEY[,CA] or cert=FILE,key=FILE,ca=FILE"},
		{"pets=ca=" + p.caFile + "," + p.clientCert, "mix of cert=/key=/ca= items and bare files"},
		{"pets=ca=" + notPEM, "holds no PEM certificate"},
		{"pets=ca=" + filepath.Join(p.dir, "missing.pem"), "missing.pem"},
		{"pets=cert=" + p.clientCert + ",key=" + p.caFile, "client certificate " + p.clientCert + " with key " + p.caFile},
		{"pets=ca=", "ca= needs a file"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		code := run([]string{"run", doc, "--input", "petId=p1", "--tls", tt.flag}, nil, &stdout, &stderr)
		if code != exitUsage || !strings.Contains(stderr.String(), tt.want) {
			t.Errorf("--tls %s: exit %d, stderr:\n%s\nwant %q", tt.flag, code, stderr.String(), tt.want)
		}
		if strings.Contains(stderr.String(), "PRIVATE KEY") {
			t.Errorf("--tls %s: key material in the message", tt.flag)
		}
	}
	var stdout, stderr bytes.Buffer
	code := run([]string{"run", doc, "--input", "petId=p1", "--tls", "pets=ca=" + p.caFile, "--tls", "pets=ca=" + p.caFile}, nil, &stdout, &stderr)
	if code != exitUsage || !strings.Contains(stderr.String(), "settings for source pets given twice") {
		t.Errorf("twice: exit %d\n%s", code, stderr.String())
	}
}

// connectProxy is an HTTPS proxy (CONNECT) that sends every tunnel to
// 127.0.0.1 on the requested port and records the requested hosts.
func connectProxy(t *testing.T) (*httptest.Server, func() []string) {
	t.Helper()
	var mu sync.Mutex
	var hosts []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect {
			http.Error(w, "CONNECT only", http.StatusMethodNotAllowed)
			return
		}
		mu.Lock()
		hosts = append(hosts, r.Host)
		mu.Unlock()
		_, port, _ := net.SplitHostPort(r.Host)
		up, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", port))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			up.Close()
			return
		}
		io.WriteString(conn, "HTTP/1.1 200 Connection established\r\n\r\n")
		go func() { io.Copy(up, buf); up.Close() }()
		io.Copy(conn, up)
		conn.Close()
	}))
	t.Cleanup(srv.Close)
	return srv, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), hosts...)
	}
}

// TestRunHonoursHTTPSProxy runs the command in a child process (net/http
// reads the proxy variables once per process): with HTTPS_PROXY set, the
// request to https://example.com:PORT goes through the proxy's tunnel,
// still with the client certificate; with NO_PROXY naming the host it does
// not (and fails: example.com is not this server, or not reachable).
func TestRunHonoursHTTPSProxy(t *testing.T) {
	doc := writePets(t)
	p := newTestPKI(t)
	srv, clients := mtlsServer(t, p)
	proxy, hosts := connectProxy(t)
	u, _ := url.Parse(srv.URL)
	target := "https://example.com:" + u.Port()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	runChild := func(noProxy string) (int, string) {
		cmd := exec.Command(self, "run", doc, "--server", "pets="+target, "--input", "petId=p1", "--request-timeout", "3s",
			"--tls", "pets=cert="+p.clientCert+",key="+p.clientKey+",ca="+p.caFile)
		var env []string
		for _, kv := range os.Environ() {
			name, _, _ := strings.Cut(kv, "=")
			switch strings.ToUpper(name) {
			case "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "ALL_PROXY":
				continue
			}
			env = append(env, kv)
		}
		cmd.Env = append(env, "ARAZZO_TEST_AS_CLI=1", "HTTPS_PROXY="+proxy.URL, "NO_PROXY="+noProxy)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return code, stderr.String()
	}

	code, stderr := runChild("")
	if code != exitOK {
		t.Fatalf("through the proxy: exit %d\n%s", code, stderr)
	}
	if h := hosts(); len(h) == 0 || h[0] != "example.com:"+u.Port() {
		t.Errorf("proxy saw CONNECT to %v, want example.com:%s", h, u.Port())
	}
	if c := clients(); len(c) != 2 || c[0] != "arazzo client" {
		t.Errorf("server saw clients %v through the tunnel", c)
	}

	before := len(hosts())
	code, stderr = runChild("example.com")
	if len(hosts()) != before {
		t.Errorf("NO_PROXY=example.com: the proxy was used (%v)", hosts()[before:])
	}
	if code == exitOK {
		t.Errorf("NO_PROXY=example.com: the run reached the test server directly?\n%s", stderr)
	}
}

// --tls-config reads the same settings from a YAML file, paths relative to
// the file; mistakes name the file and the entry.
func TestRunTLSConfigFile(t *testing.T) {
	doc := writePets(t)
	p := newTestPKI(t)
	srv, clients := mtlsServer(t, p)
	cfg := p.write(t, "tls.yaml", []byte("tls:\n  pets: {cert: client.pem, key: client-key.pem}\n  \"*\": {ca: ca.pem}\n"))
	var stdout, stderr bytes.Buffer
	code := run([]string{"run", doc, "--server", "pets=" + srv.URL, "--input", "petId=p1", "--tls-config", cfg}, nil, &stdout, &stderr)
	// The source's own entry wins over "*": it has no CA, so the system
	// roots apply to it and the test CA is unknown.
	if code != exitFailed || !strings.Contains(stderr.String(), "certificate signed by unknown authority") {
		t.Fatalf("source entry without ca: exit %d\n%s", code, stderr.String())
	}
	cfg = p.write(t, "tls.yaml", []byte("tls:\n  pets: {cert: client.pem, key: client-key.pem, ca: ca.pem}\n"))
	stderr.Reset()
	code = run([]string{"run", doc, "--server", "pets=" + srv.URL, "--input", "petId=p1", "--tls-config", cfg}, nil, &stdout, &stderr)
	if code != exitOK || len(clients()) != 2 {
		t.Fatalf("exit %d, clients %v\n%s", code, clients(), stderr.String())
	}
	for body, want := range map[string]string{
		"tls:\n  nosuch: {ca: ca.pem}\n":       `tls.nosuch: no source description "nosuch" (have pets; "*" means every source)`,
		"tls:\n  pets: {ca: ca.pem, pin: x}\n": "field pin not found",
		"other: 1\n":                           "field other not found",
		"":                                     "no tls: entries",
		"tls:\n  pets: {cert: client.pem}\n":   "tls.pets: a client certificate needs both cert= and key=",
		"tls:\n  pets: {ca: missing.pem}\n":    "missing.pem",
	} {
		cfg := p.write(t, "bad.yaml", []byte(body))
		stderr.Reset()
		code := run([]string{"run", doc, "--input", "petId=p1", "--tls-config", cfg}, nil, &stdout, &stderr)
		if code != exitUsage || !strings.Contains(stderr.String(), want) {
			t.Errorf("%q: exit %d\n%s\nwant %q", body, code, stderr.String(), want)
		}
	}
	stderr.Reset()
	code = run([]string{"run", doc, "--input", "petId=p1", "--tls-config", cfg, "--tls", "pets=ca=" + p.caFile}, nil, &stdout, &stderr)
	if code != exitUsage || !strings.Contains(stderr.String(), "settings for source pets given twice") {
		t.Errorf("config and flag for one source: exit %d\n%s", code, stderr.String())
	}
}
