package ocisign

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// TestTransportSignsOnlyTheOrigin: along a redirect chain a hop is signed only until the chain first leaves the
// origin of its first request; A -> B -> B and A -> B -> A sign only the first A.
func TestTransportSignsOnlyTheOrigin(t *testing.T) {
	priv := loadTestKey(t)
	var mu sync.Mutex
	var signed []string // "<server>:<signed>" per request
	var next map[string]string
	servers := map[string]*httptest.Server{}
	for _, name := range []string{"A", "A2", "B"} {
		name := name
		servers[name] = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			signed = append(signed, fmt.Sprintf("%s:%v", name, strings.HasPrefix(r.Header.Get("Authorization"), "Signature ")))
			to := next[name+r.URL.Path]
			mu.Unlock()
			if to != "" {
				i := strings.Index(to, "/")
				http.Redirect(w, r, servers[to[:i]].URL+to[i:], http.StatusTemporaryRedirect)
			}
		}))
		defer servers[name].Close()
	}
	client := &http.Client{Transport: &Transport{Signer: &Signer{Key: Key{ID: "t/u/f", PrivateKey: priv}}}}
	for _, tc := range []struct {
		hops map[string]string // server+path -> next server/path
		want string
	}{
		{map[string]string{"A/0": "A/1", "A/1": "A/2"}, "A:true A:true A:true"},
		{map[string]string{"A/0": "B/1", "B/1": "B/2"}, "A:true B:false B:false"},
		{map[string]string{"A/0": "B/1", "B/1": "A/2"}, "A:true B:false A:false"},
		{map[string]string{"A/0": "A2/1", "A2/1": "A/2"}, "A:true A2:false A:false"},
	} {
		mu.Lock()
		signed, next = nil, tc.hops
		mu.Unlock()
		resp, err := client.Get(servers["A"].URL + "/0")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := strings.Join(signed, " "); got != tc.want {
			t.Errorf("%v: signed %s, want %s", tc.hops, got, tc.want)
		}
	}
}
