package auth_test

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/arazzo-go/arazzo/runtime"
	"github.com/arazzo-go/arazzo/runtime/auth"
)

func TestSchemes(t *testing.T) {
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("alice:s3cret"))
	tests := []struct {
		name     string
		flags    []string
		workflow string
		inputs   map[string]any
		// check returns a problem with the request the server saw, or "".
		check func(r seen) string
		log   string // a substring the log must hold
	}{
		{
			name: "bearer from env (document-level security)", flags: []string{"api=bearer:env:T_TOKEN"}, workflow: "getBearer",
			check: header("Authorization", "Bearer tok-123"), log: "getBearer: applying bearerAuth (bearer)",
		},
		{
			name: "bearer from file", flags: []string{"api=bearer:file:FILE"}, workflow: "getBearer",
			check: header("Authorization", "Bearer from-file"),
		},
		{
			name: "basic", flags: []string{"api=basic:env:T_USER:env:T_PASS"}, workflow: "getBasic",
			check: header("Authorization", basic),
		},
		{
			name: "apiKey in header", flags: []string{"api=apikey:env:T_KEY"}, workflow: "getHeader",
			check: header("X-API-Key", "key-456"),
		},
		{
			name: "apiKey in query beside a workflow query parameter", flags: []string{"api=apikey:env:T_KEY"}, workflow: "getQuery",
			inputs: map[string]any{"filter": "a b"},
			check: func(r seen) string {
				if got := r.Query["api_key"]; len(got) != 1 || got[0] != "key-456" {
					return fmt.Sprintf("api_key = %q", got)
				}
				if got := r.Query["filter"]; len(got) != 1 || got[0] != "a b" {
					return fmt.Sprintf("filter = %q", got)
				}
				return ""
			},
		},
		{
			name: "apiKey in cookie", flags: []string{"api=apikey:env:T_KEY"}, workflow: "getCookie",
			check: func(r seen) string {
				c, err := r.req.Cookie("sid")
				if err != nil || c.Value != "key-456" {
					return fmt.Sprintf("cookie sid: %v %v", c, err)
				}
				return ""
			},
		},
		{
			name: "credential named by scheme", flags: []string{"api.headerKey=apikey:env:T_KEY"}, workflow: "getHeader",
			check: header("X-API-Key", "key-456"),
		},
		{
			name: "operation-level security overrides document-level", flags: []string{"api=bearer:env:T_TOKEN", "api=basic:env:T_USER:env:T_PASS"}, workflow: "getBasic",
			check: header("Authorization", basic),
		},
		{
			name: "both schemes of one requirement", flags: []string{"api=bearer:env:T_TOKEN", "api=apikey:env:T_KEY"}, workflow: "getBoth",
			check: all(header("Authorization", "Bearer tok-123"), header("X-API-Key", "key-456")),
		},
		{
			name: "a requirement half satisfied is not used", flags: []string{"api=bearer:env:T_TOKEN"}, workflow: "getBoth",
			check: all(header("Authorization", ""), header("X-API-Key", "")), log: "getBoth: needs bearerAuth+headerKey, and no --auth for source api matches",
		},
		{
			name: "first satisfiable alternative wins", flags: []string{"api=apikey:env:T_KEY", "api=basic:env:T_USER:env:T_PASS"}, workflow: "getAlt",
			check: all(header("Authorization", ""), query("api_key", "key-456")),
		},
		{
			name: "second alternative when the first cannot be met", flags: []string{"api=basic:env:T_USER:env:T_PASS"}, workflow: "getAlt",
			check: all(header("Authorization", basic), query("api_key", "")),
		},
		{
			name: "optional security uses a configured credential", flags: []string{"api=basic:env:T_USER:env:T_PASS"}, workflow: "getOptional",
			check: header("Authorization", basic),
		},
		{
			name: "optional security goes anonymous without one", flags: []string{"api=bearer:env:T_TOKEN"}, workflow: "getOptional",
			check: header("Authorization", ""), log: "sending without credentials, which the description allows",
		},
		{
			name: "security: [] sends nothing", flags: []string{"api=bearer:env:T_TOKEN"}, workflow: "getPublic",
			check: header("Authorization", ""), log: "security is explicitly empty",
		},
		{
			name: "explicit Authorization parameter wins over bearer", flags: []string{"api=bearer:env:T_TOKEN"}, workflow: "getBearer",
			inputs: map[string]any{"authorization": "Token explicit"},
			check:  header("Authorization", "Token explicit"), log: "getBearer: the explicit Authorization parameter wins over bearerAuth (bearer)",
		},
		{
			name: "explicit header parameter wins over apiKey", flags: []string{"api=apikey:env:T_KEY"}, workflow: "getHeader",
			inputs: map[string]any{"apiKey": "explicit-key"},
			check:  header("X-API-Key", "explicit-key"), log: "the explicit X-API-Key header parameter wins over headerKey (apikey)",
		},
		{
			name: "no security declared: a source-wide bearer is still sent (operation found by path)", flags: []string{"plain=bearer:env:T_TOKEN", "api=basic:env:T_USER:env:T_PASS"}, workflow: "getPlain",
			check: header("Authorization", "Bearer tok-123"), log: "GET /things: the description declares no security; applying bearer from --auth plain",
		},
		{
			name: "no security declared: an api key has nowhere to go", flags: []string{"plain=apikey:env:T_KEY"}, workflow: "getPlain",
			check: all(header("Authorization", ""), query("api_key", "")),
		},
		{
			name: "other sources' credentials are not used", flags: []string{"other=bearer:env:T_TOKEN"}, workflow: "getBearer",
			check: header("Authorization", ""),
		},
	}
	file := writeFile(t, "token", "from-file\n")
	setenv(t, "T_TOKEN", "tok-123", "T_USER", "alice", "T_PASS", "s3cret", "T_KEY", "key-456")
	doc := loadDoc(t, "")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newAPIServer(t, nil)
			for i, f := range tc.flags {
				tc.flags[i] = strings.Replace(f, "file:FILE", "file:"+file, 1)
			}
			var logs logSink
			tr := auth.NewTransport(nil, doc, mustParse(t, tc.flags...), auth.Options{Log: logs.log})
			res := runWorkflow(t, doc, srv.URL, tr, tc.workflow, tc.inputs)
			if res.Status != runtime.Succeeded {
				t.Fatalf("status %s: %s", res.Status, res.Error)
			}
			if p := tc.check(srv.last(t)); p != "" {
				t.Error(p)
			}
			if !strings.Contains(logs.String(), tc.log) {
				t.Errorf("log\n%s\nwant %q", logs.String(), tc.log)
			}
		})
	}
}

func header(name, want string) func(seen) string {
	return func(r seen) string {
		if got := r.Header.Get(name); got != want {
			return fmt.Sprintf("%s = %q, want %q", name, got, want)
		}
		return ""
	}
}

func query(name, want string) func(seen) string {
	return func(r seen) string {
		got := ""
		if v := r.Query[name]; len(v) > 0 {
			got = v[0]
		}
		if got != want {
			return fmt.Sprintf("query %s = %q, want %q", name, got, want)
		}
		return ""
	}
}

func all(checks ...func(seen) string) func(seen) string {
	return func(r seen) string {
		var out []string
		for _, c := range checks {
			if p := c(r); p != "" {
				out = append(out, p)
			}
		}
		return strings.Join(out, "; ")
	}
}

func TestMissingSecretFailsTheRequest(t *testing.T) {
	doc := loadDoc(t, "")
	srv := newAPIServer(t, nil)
	tr := auth.NewTransport(nil, doc, mustParse(t, "api=bearer:env:T_UNSET_VARIABLE"), auth.Options{})
	res := runWorkflow(t, doc, srv.URL, tr, "getBearer", nil)
	if res.Status != runtime.Failed {
		t.Fatalf("status %s, want failed", res.Status)
	}
	if len(srv.requests()) != 0 {
		t.Errorf("%d requests sent without their credential", len(srv.requests()))
	}
	if want := "--auth api: environment variable T_UNSET_VARIABLE is not set"; !strings.Contains(res.Steps[0].Error, want) {
		t.Errorf("error %q, want %q", res.Steps[0].Error, want)
	}
}

func TestRequestsWithoutOperationPassThrough(t *testing.T) {
	srv := newAPIServer(t, nil)
	setenv(t, "T_TOKEN", "tok-123")
	tr := auth.NewTransport(nil, loadDoc(t, ""), mustParse(t, "api=bearer:env:T_TOKEN"), auth.Options{})
	req, _ := http.NewRequest("GET", srv.URL+"/bearer", nil)
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := srv.last(t).Header.Get("Authorization"); got != "" {
		t.Errorf("a request the engine did not build got Authorization %q", got)
	}
}

func TestNoCredentialsAcrossHostRedirect(t *testing.T) {
	setenv(t, "T_TOKEN", "tok-123")
	doc := loadDoc(t, "")
	other := newAPIServer(t, nil)
	first := newAPIServer(t, nil)
	first.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		first.mu.Lock()
		first.reqs = append(first.reqs, seen{Path: r.URL.Path, Header: r.Header.Clone()})
		first.mu.Unlock()
		switch r.URL.Path {
		case "/bearer":
			http.Redirect(w, r, other.URL+"/elsewhere", http.StatusFound)
		case "/basic": // same host, another path: credentials follow
			http.Redirect(w, r, "/moved", http.StatusFound)
		default:
			w.WriteHeader(http.StatusOK)
		}
	})
	var logs logSink
	tr := auth.NewTransport(nil, doc, mustParse(t, "api=bearer:env:T_TOKEN", "api=basic:env:T_TOKEN:env:T_TOKEN"), auth.Options{Log: logs.log})
	if res := runWorkflow(t, doc, first.URL, tr, "getBearer", nil); res.Status != runtime.Succeeded {
		t.Fatal(res.Error)
	}
	if got := other.last(t).Header.Get("Authorization"); got != "" {
		t.Errorf("the other host got Authorization %q", got)
	}
	if !strings.Contains(logs.String(), "no credentials are sent for the rest of this redirect chain") {
		t.Errorf("log %q", logs.String())
	}
	if res := runWorkflow(t, doc, first.URL, tr, "getBasic", nil); res.Status != runtime.Succeeded {
		t.Fatal(res.Error)
	}
	if got := first.last(t); got.Path != "/moved" || !strings.HasPrefix(got.Header.Get("Authorization"), "Basic ") {
		t.Errorf("same-host redirect: %s with Authorization %q", got.Path, got.Header.Get("Authorization"))
	}
}
