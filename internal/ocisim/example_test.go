package ocisim_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/arazzo-go/arazzo/internal/ocisim"
)

// The seed's three calls against an in-process simulator.
func Example() {
	sim, err := ocisim.New(ocisim.Options{ProvisioningPolls: 1})
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(sim)
	defer srv.Close()
	base := srv.URL + ocisim.BasePath

	send := func(method, path, body string) map[string]any {
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "placeholder")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		fmt.Println(method, path, resp.StatusCode, m["lifecycleState"])
		return m
	}
	send("GET", "/instances/"+ocisim.InstanceStopped, "")
	img := send("POST", "/images", `{"compartmentId":"`+ocisim.CompartmentID+`","displayName":"golden","instanceId":"`+ocisim.InstanceStopped+`"}`)
	id := img["id"].(string)
	send("GET", "/images/"+id, "")
	send("GET", "/images/"+id, "")
	fmt.Println("getImage calls:", sim.Calls("getImage"))
	// Output:
	// GET /instances/ocid1.instance.oc1.phx.simstopped0001 200 STOPPED
	// POST /images 200 PROVISIONING
	// GET /images/ocid1.image.oc1.phx.simimage000001 200 PROVISIONING
	// GET /images/ocid1.image.oc1.phx.simimage000001 200 AVAILABLE
	// getImage calls: 2
}
