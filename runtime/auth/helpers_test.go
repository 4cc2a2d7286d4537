package auth_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/arazzo-go/arazzo/arazzo"
	"github.com/arazzo-go/arazzo/runtime"
	"github.com/arazzo-go/arazzo/runtime/auth"
)

// seen is one request as the test server received it.
type seen struct {
	Method string
	Path   string
	Header http.Header
	Query  map[string][]string
	Body   []byte
	Host   string
	req    *http.Request
}

// apiServer records requests and answers 200, or what respond says.
type apiServer struct {
	*httptest.Server
	mu      sync.Mutex
	reqs    []seen
	respond func(r *http.Request, body []byte) int
}

func newAPIServer(t *testing.T, respond func(r *http.Request, body []byte) int) *apiServer {
	t.Helper()
	s := &apiServer{respond: respond}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		s.mu.Lock()
		s.reqs = append(s.reqs, seen{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Query: r.URL.Query(), Body: body, Host: r.Host, req: r})
		s.mu.Unlock()
		status := http.StatusOK
		if s.respond != nil {
			status = s.respond(r, body)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, "{}")
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *apiServer) requests() []seen {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]seen(nil), s.reqs...)
}

func (s *apiServer) last(t *testing.T) seen {
	t.Helper()
	r := s.requests()
	if len(r) == 0 {
		t.Fatal("the server received no request")
	}
	return r[len(r)-1]
}

// loadDoc loads testdata/auth.arazzo.yaml with the oauth2 tokenUrl set.
func loadDoc(t testing.TB, tokenURL string) *arazzo.Document {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"auth.arazzo.yaml", "api.openapi.yaml", "plain.openapi.yaml"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		if tokenURL == "" {
			tokenURL = "http://localhost:1/token"
		}
		data = bytes.ReplaceAll(data, []byte("TOKEN_URL"), []byte(tokenURL))
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	doc, diags, err := arazzo.Load(context.Background(), filepath.Join(dir, "auth.arazzo.yaml"), arazzo.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if diags.HasErrors() {
		t.Fatalf("fixture has errors: %v", diags)
	}
	return doc
}

// logSink collects Options.Log lines.
type logSink struct {
	mu    sync.Mutex
	lines []string
}

func (l *logSink) log(msg string) {
	l.mu.Lock()
	l.lines = append(l.lines, msg)
	l.mu.Unlock()
}

func (l *logSink) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// runWorkflow runs one workflow of the fixture through the engine with tr as its transport.
func runWorkflow(t *testing.T, doc *arazzo.Document, serverURL string, tr http.RoundTripper, workflowID string, inputs map[string]any) *runtime.Result {
	t.Helper()
	eng, err := runtime.New(doc, runtime.Options{
		Transport: tr,
		Servers:   map[string]string{"api": serverURL, "plain": serverURL},
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := eng.Run(context.Background(), workflowID, inputs)
	if err != nil && res == nil {
		t.Fatal(err)
	}
	return res
}

func setenv(t *testing.T, kv ...string) {
	t.Helper()
	for i := 0; i+1 < len(kv); i += 2 {
		t.Setenv(kv[i], kv[i+1])
	}
}

func mustParse(t *testing.T, flags ...string) []auth.Credential {
	t.Helper()
	creds, err := auth.ParseCredentials(flags)
	if err != nil {
		t.Fatal(err)
	}
	return creds
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
