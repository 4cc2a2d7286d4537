package ocisim

import (
	"context"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/arazzo-go/arazzo/internal/testutil"
	"github.com/getkin/kin-openapi/openapi3"
)

// The bundled OpenAPI description is the contract the simulator serves; the
// seed workflow resolves its operationIds against it.
func TestOpenAPIDescriptionLoadsAndNamesTheSeedOperations(t *testing.T) {
	path := filepath.Join(testutil.RepoRoot(t), "workflows", "openapi", "oci-compute-api-openapi.yml")
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile(path)
	if err != nil {
		t.Fatalf("load %s: %v", path, err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("validate %s: %v", path, err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}
	if len(doc.Servers) != 1 || doc.Servers[0].URL != "https://iaas.{region}.oraclecloud.com/20160918" {
		t.Fatalf("servers = %+v", doc.Servers)
	}
	region := doc.Servers[0].Variables["region"]
	if region == nil || region.Default != "us-ashburn-1" {
		t.Fatalf("region variable = %+v", region)
	}

	want := []struct {
		id, method, path string
		status           string
		headers          []string
	}{
		{"getInstance", http.MethodGet, "/instances/{instanceId}", "200", []string{"etag", "opc-request-id"}},
		{"createImage", http.MethodPost, "/images", "200", []string{"etag", "opc-request-id", "opc-work-request-id"}},
		{"getImage", http.MethodGet, "/images/{imageId}", "200", []string{"etag", "opc-request-id"}},
		{"instanceAction", http.MethodPost, "/instances/{instanceId}", "200", []string{"etag", "opc-request-id"}},
		{"updateImage", http.MethodPut, "/images/{imageId}", "200", []string{"etag", "opc-request-id"}},
		{"deleteImage", http.MethodDelete, "/images/{imageId}", "204", []string{"opc-request-id"}},
		{"listInstances", http.MethodGet, "/instances", "200", []string{"opc-next-page", "opc-request-id"}},
		{"listImages", http.MethodGet, "/images", "200", []string{"opc-next-page", "opc-request-id"}},
		{"getWorkRequest", http.MethodGet, "/workRequests/{workRequestId}", "200", []string{"opc-request-id"}},
	}
	found := map[string]bool{}
	for p, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			for _, w := range want {
				if op.OperationID != w.id {
					continue
				}
				found[w.id] = true
				if method != w.method || p != w.path {
					t.Errorf("%s is %s %s, want %s %s", w.id, method, p, w.method, w.path)
				}
				resp := op.Responses.Value(w.status)
				if resp == nil || resp.Value == nil {
					t.Errorf("%s has no %s response", w.id, w.status)
					continue
				}
				for _, h := range w.headers {
					if resp.Value.Headers[h] == nil {
						t.Errorf("%s %s response lacks header %s", w.id, w.status, h)
					}
				}
				for _, code := range []string{"401", "404", "429", "500"} {
					if op.Responses.Value(code) == nil {
						t.Errorf("%s lacks a %s response", w.id, code)
					}
				}
			}
		}
	}
	for _, w := range want {
		if !found[w.id] {
			t.Errorf("operation %s not found", w.id)
		}
		if !operationIDs[w.id] {
			t.Errorf("the simulator does not serve %s", w.id)
		}
	}
	if len(operationIDs) != len(want) {
		t.Errorf("the simulator serves %d operations, the description checks %d", len(operationIDs), len(want))
	}

	create := doc.Paths.Find("/images").Post
	if create.RequestBody == nil || !create.RequestBody.Value.Required {
		t.Error("createImage request body must be required")
	}
	body := create.RequestBody.Value.Content.Get("application/json").Schema.Value
	if len(body.Required) != 1 || body.Required[0] != "compartmentId" {
		t.Errorf("CreateImageDetails.required = %v", body.Required)
	}
	if create.Parameters.GetByInAndName("header", "opc-retry-token") == nil {
		t.Error("createImage lacks the opc-retry-token header")
	}
	for _, code := range []string{"400", "409"} {
		if create.Responses.Value(code) == nil {
			t.Errorf("createImage lacks a %s response", code)
		}
	}
	errSchema := doc.Components.Schemas["Error"].Value
	if len(errSchema.Required) != 2 {
		t.Errorf("Error.required = %v, want code and message", errSchema.Required)
	}
	states := doc.Components.Schemas["ImageLifecycleState"].Value.Enum
	if len(states) != 6 {
		t.Errorf("ImageLifecycleState has %d values, want 6", len(states))
	}
	sec := doc.Components.SecuritySchemes["ociRequestSigning"]
	if sec == nil || sec.Value.Type != "http" || sec.Value.Scheme != "Signature" {
		t.Errorf("ociRequestSigning = %+v", sec)
	}
	for _, id := range []string{"getInstance", "createImage", "getImage"} {
		op := opByID(doc, id)
		if op.Parameters.GetByInAndName("header", "Authorization") == nil {
			t.Errorf("%s does not accept the Authorization header the seed passes", id)
		}
	}
}

func opByID(doc *openapi3.T, id string) *openapi3.Operation {
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.OperationID == id {
				return op
			}
		}
	}
	return nil
}
