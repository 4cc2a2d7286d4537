package runtime

import (
	"net/http"
	"testing"
)

// TestStripCredentialsOffOrigin: the engine's CheckRedirect strips the workflow's own credential-like headers
// once a chain has left the first request's origin, including the cases net/http lets through (a subdomain,
// another port, https to http of the same host) and a chain that comes back.
func TestStripCredentialsOffOrigin(t *testing.T) {
	req := func(u string) *http.Request {
		r, err := http.NewRequest("GET", u, nil)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	for _, tc := range []struct {
		chain []string // earlier hops, first request first
		next  string
		strip bool
	}{
		{[]string{"https://api.example.com/a"}, "https://api.example.com/b", false},
		{[]string{"https://api.example.com/a"}, "https://API.example.com:443/b", false},
		{[]string{"https://api.example.com/a"}, "https://eu.api.example.com/b", true},
		{[]string{"https://api.example.com/a"}, "https://api.example.com:8443/b", true},
		{[]string{"https://api.example.com/a"}, "http://api.example.com/b", true},
		{[]string{"http://api.example.com/a"}, "https://api.example.com/b", true},
		{[]string{"https://api.example.com/a", "https://other.example/b"}, "https://api.example.com/c", true},
		{[]string{"https://api.example.com/a", "https://api.example.com/b"}, "https://api.example.com/c", false},
	} {
		var via []*http.Request
		for _, u := range tc.chain {
			via = append(via, req(u))
		}
		next := req(tc.next)
		next.Header.Set("Authorization", "Bearer x")
		next.Header.Set("X-Api-Key", "k")
		next.Header.Set("Cookie", "sid=1")
		next.Header.Set("Referer", tc.chain[len(tc.chain)-1]+"?api_key=k")
		next.Header.Set("Accept", "application/json")
		if err := stripCredentialsOffOrigin(next, via); err != nil {
			t.Fatal(err)
		}
		for _, h := range []string{"Authorization", "X-Api-Key", "Cookie", "Referer"} {
			if got := next.Header.Get(h) == ""; got != tc.strip {
				t.Errorf("%v -> %s: %s stripped = %v, want %v", tc.chain, tc.next, h, got, tc.strip)
			}
		}
		if next.Header.Get("Accept") == "" {
			t.Errorf("%v -> %s: Accept was stripped", tc.chain, tc.next)
		}
	}
}
