package bench_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/arazzo-go/arazzo/bench"
)

// SeedServer answers the seed's three calls; a new image stays
// PROVISIONING for Polls reads.
func ExampleSeedServer() {
	srv := httptest.NewServer(&bench.SeedServer{Polls: 1})
	defer srv.Close()
	call := func(method, path string) string {
		req, _ := http.NewRequest(method, srv.URL+bench.BasePath+path, strings.NewReader(`{}`))
		req.Header.Set("Authorization", "Bearer placeholder")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err.Error()
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		_, state, _ := strings.Cut(string(body), `"lifecycleState":"`)
		state, _, _ = strings.Cut(state, `"`)
		return state
	}
	fmt.Println(call("GET", "/instances/ocid1.instance.oc1.phx.x"))
	fmt.Println(call("POST", "/images"))
	fmt.Println(call("GET", "/images/ocid1.image.oc1.phx.bench1"))
	fmt.Println(call("GET", "/images/ocid1.image.oc1.phx.bench1"))
	// Output:
	// STOPPED
	// PROVISIONING
	// PROVISIONING
	// AVAILABLE
}
