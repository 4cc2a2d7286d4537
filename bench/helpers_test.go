package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/arazzo-go/arazzo/arazzo"
	"github.com/arazzo-go/arazzo/internal/testutil"
	"github.com/arazzo-go/arazzo/runtime"
)

const seedWorkflow = "create-custom-image-from-instance"

// seedInputs are the inputs of every measured run; the token only has to
// be present (SeedServer checks presence, like ocisim's default mode).
func seedInputs() map[string]any {
	return map[string]any{
		"compartmentId": "ocid1.compartment.oc1..aaaaaaaabench",
		"instanceId":    "ocid1.instance.oc1.phx.aaaaaaaabench",
		"displayName":   "bench-image",
		"authToken":     "Bearer bench-placeholder",
	}
}

func seedPath(t testing.TB) string {
	return filepath.Join(testutil.RepoRoot(t), "workflows", "oracle", "oracle-create-custom-image-from-instance-workflow.yml")
}

// loadSeed loads the bundled seed with its bundled OpenAPI description.
func loadSeed(t testing.TB) *arazzo.Document {
	t.Helper()
	doc, ds, err := arazzo.Load(context.Background(), seedPath(t), arazzo.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ds.HasErrors() || doc == nil {
		t.Fatalf("loading the seed:\n%v", ds)
	}
	return doc
}

// newServer starts a SeedServer on loopback; the caller's cleanup closes it.
func newServer(t testing.TB, polls int) (*SeedServer, *httptest.Server) {
	t.Helper()
	s := &SeedServer{Polls: polls}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv
}

// newTransport is the transport both sides of a comparison use: the
// engine's default (a clone of http.DefaultTransport keeping 16 idle
// connections per host), so that connection reuse is equal.
func newTransport() *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 16
	return tr
}

// newEngine builds the engine of the measured runs: no pacing between
// polls (the comparison is about CPU, not waiting).
func newEngine(t testing.TB, doc *arazzo.Document, url string, mod func(*runtime.Options)) *runtime.Engine {
	t.Helper()
	opts := runtime.Options{
		Servers:   map[string]string{"ociComputeApi": url + BasePath},
		Transport: newTransport(),
		LoopDelay: runtime.Off,
	}
	if mod != nil {
		mod(&opts)
	}
	eng, err := runtime.New(doc, opts)
	if err != nil {
		t.Fatal(err)
	}
	return eng
}

// runEngine runs the seed once and checks it reached AVAILABLE.
func runEngine(ctx context.Context, eng *runtime.Engine, in map[string]any) error {
	res, err := eng.Run(ctx, seedWorkflow, in)
	if err != nil && res == nil {
		return err
	}
	if res.Status != runtime.Succeeded || res.Outputs["lifecycleState"] != "AVAILABLE" {
		return fmt.Errorf("run ended %s with outputs %v: %s", res.Status, res.Outputs, res.Error)
	}
	return nil
}

// rawClient makes the seed's requests with net/http alone, doing the least
// work the workflow implies: build each request, send it with the
// Authorization header, check the status, decode the JSON body, read
// lifecycleState and id, and loop until AVAILABLE.
type rawClient struct {
	client *http.Client
	base   string
}

func newRawClient(url string) *rawClient {
	return &rawClient{client: &http.Client{Transport: newTransport()}, base: url + BasePath}
}

func (c *rawClient) do(req *http.Request) (map[string]any, error) {
	req.Header.Set("Authorization", "Bearer bench-placeholder")
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s %s: status %d", req.Method, req.URL.Path, resp.StatusCode)
	}
	var v map[string]any
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, err
	}
	return v, nil
}

func (c *rawClient) run(ctx context.Context, in map[string]any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/instances/"+in["instanceId"].(string), nil)
	if err != nil {
		return err
	}
	inst, err := c.do(req)
	if err != nil {
		return err
	}
	if inst["lifecycleState"] != "STOPPED" {
		return fmt.Errorf("instance is %v", inst["lifecycleState"])
	}
	body, err := json.Marshal(map[string]any{"compartmentId": in["compartmentId"], "displayName": in["displayName"], "instanceId": in["instanceId"]})
	if err != nil {
		return err
	}
	req, err = http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/images", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	img, err := c.do(req)
	if err != nil {
		return err
	}
	id, _ := img["id"].(string)
	for range 1000 {
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/images/"+id, nil)
		if err != nil {
			return err
		}
		img, err = c.do(req)
		if err != nil {
			return err
		}
		switch img["lifecycleState"] {
		case "AVAILABLE":
			return nil
		case "PROVISIONING":
		default:
			return fmt.Errorf("image is %v", img["lifecycleState"])
		}
	}
	return fmt.Errorf("image %s never settled", id)
}
