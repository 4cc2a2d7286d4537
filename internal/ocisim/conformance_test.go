package ocisim

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arazzo-go/arazzo/internal/testutil"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	legacyrouter "github.com/getkin/kin-openapi/routers/legacy"
)

// Every response the simulator gives, success or error, matches the bundled OpenAPI description: status,
// headers and body schema. The requests go to the real host name so the description's server matches.
func TestResponsesConformToTheOpenAPIDescription(t *testing.T) {
	path := filepath.Join(testutil.RepoRoot(t), "workflows", "openapi", "oci-compute-api-openapi.yml")
	doc, err := openapi3.NewLoader().LoadFromFile(path)
	if err != nil {
		t.Fatal(err)
	}
	router, err := legacyrouter.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	s := newSim(t, Options{ProvisioningPolls: 1})
	const host = "https://iaas.us-ashburn-1.oraclecloud.com"
	check := func(method, p, body string, headers ...string) result {
		t.Helper()
		req := httptest.NewRequest(method, host+p, strings.NewReader(body))
		req.Header.Set("Authorization", "token")
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)

		route, params, err := router.FindRoute(req)
		if err != nil {
			t.Fatalf("%s %s: no route in the description: %v", method, p, err)
		}
		input := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
			Status:                 rec.Code,
			Header:                 rec.Header(),
			Body:                   io.NopCloser(bytes.NewReader(rec.Body.Bytes())),
			Options:                &openapi3filter.Options{IncludeResponseStatus: true},
		}
		if err := openapi3filter.ValidateResponse(context.Background(), input); err != nil {
			t.Errorf("%s %s → %d does not match the description: %v\n%s", method, p, rec.Code, err, rec.Body.Bytes())
		}
		return result{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
	}

	check("GET", "/20160918/instances/"+InstanceStopped, "")
	check("GET", "/20160918/instances/ocid1.instance.oc1.phx.nope", "")
	check("GET", "/20160918/instances?compartmentId="+CompartmentID+"&limit=2", "")
	check("GET", "/20160918/instances?limit=2", "")
	check("POST", "/20160918/instances/"+InstanceRunning+"?action=STOP", "")
	check("POST", "/20160918/instances/"+InstanceRunning+"?action=SOFTRESET", "")
	check("POST", "/20160918/instances/"+InstanceRunning+"?action=START", "", "if-match", "stale")
	created := check("POST", "/20160918/images", seedBody, "opc-retry-token", "t1")
	check("POST", "/20160918/images", seedBody)
	check("POST", "/20160918/images", `{`)
	imageID := string(bytes.Split(bytes.Split(created.body, []byte(`"id": "`))[1], []byte(`"`))[0])
	check("GET", "/20160918/workRequests/"+created.header.Get("opc-work-request-id"), "")
	check("GET", "/20160918/images/"+imageID, "")
	check("GET", "/20160918/images/"+imageID, "")
	check("GET", "/20160918/images?compartmentId="+CompartmentID, "")
	check("PUT", "/20160918/images/"+imageID, `{"displayName":"renamed"}`)
	check("PUT", "/20160918/images/"+imageID, `{"displayName":"renamed"}`, "if-match", "stale")
	check("DELETE", "/20160918/images/"+imageID, "")
	if err := s.SetFaults([]Fault{{Operation: "getImage", Status: 429, RetryAfter: 3}, {Operation: "getInstance", Status: 503}}); err != nil {
		t.Fatal(err)
	}
	check("GET", "/20160918/images/"+imageID, "")
	check("GET", "/20160918/instances/"+InstanceStopped, "")
	if err := s.SetFaults(nil); err != nil {
		t.Fatal(err)
	}
	unauth := httptest.NewRequest("GET", host+"/20160918/images/"+imageID, nil)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, unauth)
	if rec.Code != http.StatusUnauthorized {
		t.Errorf("unauthenticated: %d", rec.Code)
	}
}
