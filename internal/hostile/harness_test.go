package hostile

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/arazzo-go/arazzo/internal/ocisign"
)

// binary is the arazzo CLI built for this test run.
var binary string

func TestMain(m *testing.M) {
	os.Exit(buildAndRun(m))
}

func buildAndRun(m *testing.M) int {
	// ARAZZO_HOSTILE_BINARY replays the suite against another build (an older release, to see the defects).
	if b := os.Getenv("ARAZZO_HOSTILE_BINARY"); b != "" {
		binary = b
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "arazzo-hostile-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "hostile:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	binary = filepath.Join(dir, "arazzo")
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	cmd := exec.Command(goTool, "build", "-o", binary, "github.com/arazzo-go/arazzo/cmd/arazzo")
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "hostile: building the arazzo binary: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// result is what one CLI run wrote.
type result struct {
	code           int
	stdout, stderr string
	files          map[string]string // report name -> content, for the --report/--har/--junit given
}

// all is every byte the run wrote, for leak checks.
func (r result) all() string {
	var b strings.Builder
	b.WriteString(r.stdout)
	b.WriteString(r.stderr)
	for _, f := range r.files {
		b.WriteString(f)
	}
	return b.String()
}

// invocation describes one CLI run.
type invocation struct {
	args    []string
	env     []string // NAME=VALUE added to a minimal environment
	stdin   string
	reports bool // add --report, --har and --junit in a temporary directory
	timeout time.Duration
}

// arazzo runs the CLI and returns what it wrote. The environment is minimal (PATH, HOME in a temp dir), so
// that no credential or OCI profile of the machine running the tests leaks in.
func arazzo(t *testing.T, inv invocation) result {
	t.Helper()
	dir := t.TempDir()
	args := append([]string(nil), inv.args...)
	reports := map[string]string{}
	if inv.reports {
		for _, name := range []string{"report", "har", "junit"} {
			reports[name] = filepath.Join(dir, name+".out")
			args = append(args, "--"+name, reports[name])
		}
	}
	timeout := inv.timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir}, inv.env...)
	cmd.Stdin = strings.NewReader(inv.stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := result{code: cmd.ProcessState.ExitCode(), stdout: stdout.String(), stderr: stderr.String(), files: map[string]string{}}
	if ctx.Err() != nil {
		t.Fatalf("arazzo %s did not finish within %s\nstderr: %s", strings.Join(args, " "), timeout, clipForLog(res.stderr))
	}
	if err != nil && res.code < 0 {
		t.Fatalf("arazzo %s: %v", strings.Join(args, " "), err)
	}
	for name, p := range reports {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Errorf("--%s was not written: %v\nstderr: %s", name, err, clipForLog(res.stderr))
			continue
		}
		res.files[name] = string(b)
	}
	return res
}

// clipForLog keeps failure messages readable when a run wrote megabytes.
func clipForLog(s string) string {
	if len(s) > 4000 {
		return s[:4000] + fmt.Sprintf("… (%d bytes)", len(s))
	}
	return s
}

// writeFiles writes name -> content into a new temporary directory and returns it.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// copyTestdata copies testdata files into dir, with each old -> new replacement applied.
func copyTestdata(t *testing.T, dir string, names []string, replace ...string) {
	t.Helper()
	for _, name := range names {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		text := strings.NewReplacer(replace...).Replace(string(b))
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// credsFixtures are the documents of the credential tests.
var credsFixtures = []string{"api.openapi.yaml", "creds.arazzo.yaml"}

// received is one request as a hostile server saw it.
type received struct {
	node   string // which server
	method string
	url    string // path and query
	header http.Header
	body   []byte
}

// text is everything the request carried, for "did the credential arrive" checks.
func (r received) text() string {
	var b strings.Builder
	b.WriteString(r.url + "\n")
	for k, vs := range r.header {
		b.WriteString(k + ": " + strings.Join(vs, ", ") + "\n")
	}
	b.Write(r.body)
	return b.String()
}

// hostileServer is a set of loopback servers playing one malicious API: different hosts (127.0.0.1,
// 127.0.0.2, 127.0.0.3), another port of the first host, and two https servers, so that redirect chains can
// move between origins. Requests are routed by case: /k/<case>/... is hop 0 (the operation's path below the
// server URL the CLI is given), /k/<case>/hop/<i> the later hops. handle decides each answer.
type hostileServer struct {
	nodes   map[string]*httptest.Server
	certPEM string // the https servers' certificate, for SSL_CERT_FILE

	mu    sync.Mutex
	cases map[string]*hostileCase
}

// hostileCase is one scripted exchange.
type hostileCase struct {
	chain []string // nodes of the redirect chain, hop 0 first
	// answer writes the final response (after the chain); nil answers 200 with an empty JSON object.
	answer func(w http.ResponseWriter, r *http.Request, hops []received)
	hops   []received
}

func newHostileServer(t *testing.T) *hostileServer {
	t.Helper()
	h := &hostileServer{nodes: map[string]*httptest.Server{}, cases: map[string]*hostileCase{}}
	for _, n := range []struct {
		name, addr string
		tls        bool
	}{{"A", "127.0.0.1:0", false}, {"A2", "127.0.0.1:0", false}, {"B", "127.0.0.2:0", false}, {"C", "127.0.0.3:0", false},
		{"S", "127.0.0.1:0", true}, {"S2", "127.0.0.1:0", true}} {
		l, err := net.Listen("tcp", n.addr)
		if err != nil {
			t.Skipf("cannot listen on %s (loopback aliases are needed): %v", n.addr, err)
		}
		s := httptest.NewUnstartedServer(h.handler(n.name))
		s.Listener.Close()
		s.Listener = l
		if n.tls {
			s.StartTLS()
			h.certPEM = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Certificate().Raw}))
		} else {
			s.Start()
		}
		t.Cleanup(s.Close)
		h.nodes[n.name] = s
	}
	return h
}

// env is the environment a CLI run needs to trust the https nodes.
func (h *hostileServer) env(t *testing.T) []string {
	t.Helper()
	dir := writeFiles(t, map[string]string{"ca.pem": h.certPEM})
	return []string{"SSL_CERT_FILE=" + filepath.Join(dir, "ca.pem")}
}

// add registers a case and returns the server URL the CLI is to use (--server SOURCE=URL).
func (h *hostileServer) add(id string, c *hostileCase) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.cases[id] = c
	return h.nodes[c.chain[0]].URL + "/k/" + id
}

// received returns the requests of a case, hop by hop.
func (h *hostileServer) received(id string) []received {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]received(nil), h.cases[id].hops...)
}

func (h *hostileServer) handler(node string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		parts := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/k/"), "/", 2)
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		h.mu.Lock()
		c := h.cases[parts[0]]
		if c == nil {
			h.mu.Unlock()
			http.NotFound(w, r)
			return
		}
		c.hops = append(c.hops, received{node: node, method: r.Method, url: r.URL.RequestURI(), header: r.Header.Clone(), body: body})
		hops := append([]received(nil), c.hops...)
		h.mu.Unlock()
		hop := 0
		if len(parts) == 2 {
			fmt.Sscanf(parts[1], "hop/%d", &hop)
		}
		if hop < len(c.chain)-1 {
			next := h.nodes[c.chain[hop+1]].URL + fmt.Sprintf("/k/%s/hop/%d", parts[0], hop+1)
			// Only the test's own fail flag goes along: the Location is the server's, and a real
			// server may well copy the whole query, api key included; that is not ours to stop.
			if r.URL.Query().Get("fail") != "" {
				next += "?fail=" + url.QueryEscape(r.URL.Query().Get("fail"))
			}
			// 307 keeps the method and body, so a signed POST is replayed along the chain.
			http.Redirect(w, r, next, http.StatusTemporaryRedirect)
			return
		}
		if c.answer != nil {
			c.answer(w, r, hops)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, "{}")
	})
}

var (
	ociKeyOnce sync.Once
	ociKey     *rsa.PrivateKey
)

// ociProfile writes an OCI config file with a DEFAULT profile and its key; it returns the file's path.
func ociProfile(t *testing.T) string {
	t.Helper()
	ociKeyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		ociKey = k
	})
	fp, err := ocisign.Fingerprint(&ociKey.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	dir := writeFiles(t, map[string]string{"key.pem": string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(ociKey)}))})
	cfg := fmt.Sprintf("[DEFAULT]\ntenancy=ocid1.tenancy.oc1..t\nuser=ocid1.user.oc1..u\nfingerprint=%s\nkey_file=%s\nregion=us-phoenix-1\n", fp, filepath.Join(dir, "key.pem"))
	p := filepath.Join(dir, "config")
	if err := os.WriteFile(p, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
