package auth_test

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/arazzo-go/arazzo/runtime"
	"github.com/arazzo-go/arazzo/runtime/auth"
)

// hopNet is a set of loopback servers that pass a request along a redirect chain and record, per case and
// hop, the request each received. Nodes differ by host (127.0.0.1, 127.0.0.2, 127.0.0.3), by port, or by
// scheme (the https nodes).
type hopNet struct {
	nodes map[string]*httptest.Server
	mu    sync.Mutex
	chain map[string][]string     // case -> node names, hop 0 first
	got   map[string]map[int]seen // case -> hop -> request received
}

func newHopNet(t *testing.T) *hopNet {
	t.Helper()
	n := &hopNet{nodes: map[string]*httptest.Server{}, chain: map[string][]string{}, got: map[string]map[int]seen{}}
	listen := func(addr string) net.Listener {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			t.Skipf("cannot listen on %s (loopback aliases are needed): %v", addr, err)
		}
		return l
	}
	for name, spec := range map[string]struct {
		addr string
		tls  bool
	}{
		"A": {"127.0.0.1:0", false}, "A2": {"127.0.0.1:0", false}, "B": {"127.0.0.2:0", false},
		"C": {"127.0.0.3:0", false}, "S": {"127.0.0.1:0", true}, "S2": {"127.0.0.1:0", true},
	} {
		s := httptest.NewUnstartedServer(n.handler(name))
		s.Listener.Close()
		s.Listener = listen(spec.addr)
		if spec.tls {
			s.StartTLS()
		} else {
			s.Start()
		}
		t.Cleanup(s.Close)
		n.nodes[name] = s
	}
	return n
}

// handler answers /k/<case>/... at hop 0 (the operation's path) and /k/<case>/hop/<i> after that: it records
// the request and redirects to the next node of the case's chain with 307 (method and body kept), or answers
// 200 at the end.
func (n *hopNet) handler(name string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/k/"), "/")
		id, hop := parts[0], 0
		if len(parts) == 3 && parts[1] == "hop" {
			hop, _ = strconv.Atoi(parts[2])
		}
		n.mu.Lock()
		if n.got[id] == nil {
			n.got[id] = map[int]seen{}
		}
		n.got[id][hop] = seen{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Query: r.URL.Query(), Host: name, req: r}
		chain := n.chain[id]
		n.mu.Unlock()
		if hop < len(chain)-1 {
			next := n.nodes[chain[hop+1]].URL + fmt.Sprintf("/k/%s/hop/%d", id, hop+1)
			http.Redirect(w, r, next, http.StatusTemporaryRedirect)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{}`))
	})
}

// start registers a case and returns the server URL its operation is sent to.
func (n *hopNet) start(id string, chain []string) string {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.chain[id] = chain
	return n.nodes[chain[0]].URL + "/k/" + id
}

func (n *hopNet) hops(id string) map[int]seen {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.got[id]
}

// client trusts the https nodes (httptest servers share one certificate).
func (n *hopNet) transport() *http.Transport {
	return n.nodes["S"].Client().Transport.(*http.Transport).Clone()
}

// TestCredentialsOnlyToOrigin sends every credential kind along redirect chains of 1 to 5 hops across hosts,
// ports and schemes, and checks exactly which hops received it: those before the chain first left the
// origin of the request the engine built, and no later one, even one back at the origin.
func TestCredentialsOnlyToOrigin(t *testing.T) {
	n := newHopNet(t)
	tokens := newTokenServer(t, 3600)
	doc := loadDoc(t, tokens.URL+"/token")
	cfg, _ := writeOCIConfig(t, rsaKey(t))
	setenv(t, "T_TOKEN", "tok-bearer-7f3a", "T_USER", "alice", "T_PASS", "pass-9c1e", "T_KEY", "key-5b2d",
		"T_CLIENT_ID", "client-1", "T_CLIENT_SECRET", "client-secret-1")

	type kind struct {
		name, flag, workflow string
		inputs               map[string]any
		// has reports whether a request carried the credential, anywhere: headers, URL or Referer.
		has func(r seen) bool
	}
	anywhere := func(secret string) func(r seen) bool {
		return func(r seen) bool {
			if strings.Contains(r.req.URL.RawQuery, url.QueryEscape(secret)) {
				return true
			}
			for _, vs := range r.Header {
				for _, v := range vs {
					if strings.Contains(v, secret) {
						return true
					}
				}
			}
			return false
		}
	}
	kinds := []kind{
		{name: "bearer", flag: "api=bearer:env:T_TOKEN", workflow: "getBearer", has: anywhere("tok-bearer-7f3a")},
		{name: "basic", flag: "api=basic:env:T_USER:env:T_PASS", workflow: "getBasic", has: func(r seen) bool {
			_, p, ok := r.req.BasicAuth()
			return ok && p == "pass-9c1e"
		}},
		{name: "apikey header", flag: "api=apikey:env:T_KEY", workflow: "getHeader", has: anywhere("key-5b2d")},
		{name: "apikey query", flag: "api=apikey:env:T_KEY", workflow: "getQuery", has: anywhere("key-5b2d")},
		{name: "apikey cookie", flag: "api=apikey:env:T_KEY", workflow: "getCookie", has: anywhere("key-5b2d")},
		{name: "oauth2", flag: "api=oauth2:env:T_CLIENT_ID:env:T_CLIENT_SECRET", workflow: "getOAuth", has: func(r seen) bool {
			return strings.HasPrefix(r.Header.Get("Authorization"), "Bearer tok-")
		}},
		{name: "oci signature", flag: "api=oci:DEFAULT@" + cfg, workflow: "postSigned", has: func(r seen) bool {
			return strings.HasPrefix(r.Header.Get("Authorization"), "Signature ")
		}},
		// Values the workflow itself puts in credential-like parameters are the engine's to strip
		// (Options.Client's CheckRedirect): net/http copies them from the first request on every hop.
		{name: "explicit Authorization parameter", workflow: "getBearer", inputs: map[string]any{"authorization": "Bearer explicit-4e8b"}, has: anywhere("explicit-4e8b")},
		{name: "explicit api key header parameter", workflow: "getHeader", inputs: map[string]any{"apiKey": "explicit-key-6d0f"}, has: anywhere("explicit-key-6d0f")},
	}
	chains := [][]string{
		{"A"},
		{"A", "A"},
		{"A", "B"},
		{"A", "A2"},          // same host, another port
		{"A", "B", "B"},      // the second hop stays on the foreign host
		{"A", "B", "A"},      // back at the origin: still nothing
		{"A", "A", "B", "B"}, //
		{"A", "C", "B", "A", "A"},
		{"A", "A", "A", "A", "A"},
		{"S", "S"},            // https, same origin
		{"S", "A"},            // https -> http
		{"S", "S", "S2", "S"}, // https, another port, back
		{"A", "S"},            // http -> https is another origin too
		{"S", "S", "S", "A", "S"},
	}
	for _, k := range kinds {
		var flags []string
		if k.flag != "" {
			flags = append(flags, k.flag)
		}
		var logs logSink
		tr := auth.NewTransport(n.transport(), doc, mustParse(t, flags...), auth.Options{Log: logs.log})
		for ci, chain := range chains {
			name := k.name + "/" + strings.Join(chain, ">")
			t.Run(name, func(t *testing.T) {
				id := fmt.Sprintf("%s-%d", strings.ReplaceAll(k.name, " ", "_"), ci)
				base := n.start(id, chain)
				res := runWorkflow(t, doc, base, tr, k.workflow, k.inputs)
				if res.Status != runtime.Succeeded {
					t.Fatalf("run %s: %s", res.Status, res.Error)
				}
				hops := n.hops(id)
				if len(hops) != len(chain) {
					t.Fatalf("%d hops reached, want %d", len(hops), len(chain))
				}
				origin := n.nodes[chain[0]].URL
				left := false
				for i, node := range chain {
					left = left || n.nodes[node].URL != origin
					want := !left
					if got := k.has(hops[i]); got != want {
						t.Errorf("hop %d (%s): credential sent = %v, want %v", i, node, got, want)
					}
				}
				if left && k.flag != "" && !strings.Contains(logs.String(), "no credentials are sent for the rest of this redirect chain") {
					t.Errorf("-v log does not say the credentials were withheld:\n%s", logs.String())
				}
			})
		}
	}
}

// TestTokenEndpointRedirectKeepsClientSecret: a token endpoint that redirects to another origin does not get
// the client credentials sent there; the run fails with a message that says why.
func TestTokenEndpointRedirectKeepsClientSecret(t *testing.T) {
	n := newHopNet(t)
	n.start("tok", []string{"A", "A2"})
	doc := loadDoc(t, n.nodes["A"].URL+"/k/tok")
	setenv(t, "T_CLIENT_ID", "client-1", "T_CLIENT_SECRET", "client-secret-1")
	api := newAPIServer(t, nil)
	tr := auth.NewTransport(n.transport(), doc, mustParse(t, "api=oauth2:env:T_CLIENT_ID:env:T_CLIENT_SECRET"), auth.Options{})
	res := runWorkflow(t, doc, api.URL, tr, "getOAuth", nil)
	if res.Status == runtime.Succeeded {
		t.Fatal("the run succeeded without a token")
	}
	if !strings.Contains(res.Error, "the client credentials are not sent there") {
		t.Errorf("error %q does not say why", res.Error)
	}
	if got := n.hops("tok")[1]; got.req != nil {
		t.Errorf("the other origin got the token request (Authorization %q)", got.Header.Get("Authorization"))
	}
}
