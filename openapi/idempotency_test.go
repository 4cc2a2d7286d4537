package openapi

import (
	"context"
	"path/filepath"
	"testing"
)

func params(ps ...[2]string) []Param {
	var out []Param
	for _, p := range ps {
		out = append(out, Param{In: p[0], Name: p[1]})
	}
	return out
}

func TestIdempotencyHeader(t *testing.T) {
	tests := []struct {
		name   string
		params []Param
		want   string
	}{
		{"none", params([2]string{"header", "Authorization"}, [2]string{"query", "limit"}), ""},
		{"no params", nil, ""},
		{"oci", params([2]string{"header", "opc-request-id"}, [2]string{"header", "opc-retry-token"}), "opc-retry-token"},
		{"spelling kept", params([2]string{"header", "idempotency-key"}), "idempotency-key"},
		{"stripe", params([2]string{"header", "Idempotency-Key"}), "Idempotency-Key"},
		{"x-", params([2]string{"header", "X-Idempotency-Key"}), "X-Idempotency-Key"},
		{"paypal", params([2]string{"header", "PayPal-Request-Id"}), "PayPal-Request-Id"},
		{"query is not a header", params([2]string{"query", "Idempotency-Key"}), ""},
		{"cookie is not a header", params([2]string{"cookie", "opc-retry-token"}), ""},
		{"preference order, not declaration order",
			params([2]string{"header", "opc-retry-token"}, [2]string{"header", "Idempotency-Key"}), "Idempotency-Key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := (&Operation{Params: tt.params}).IdempotencyHeader()
			if got != tt.want || ok != (tt.want != "") {
				t.Errorf("IdempotencyHeader() = %q, %v; want %q", got, ok, tt.want)
			}
		})
	}
}

func TestIdempotencyHeaderNamesIsACopy(t *testing.T) {
	names := IdempotencyHeaderNames()
	names[0] = "changed"
	if IdempotencyHeaderNames()[0] != "Idempotency-Key" {
		t.Fatal("IdempotencyHeaderNames exposes the package's list")
	}
}

// The bundled OCI description declares opc-retry-token on its create and action operations (through a
// $ref'd component parameter) and on none of its reads.
func TestIdempotencyHeaderOCIDescription(t *testing.T) {
	src, err := (&Loader{}).Load(context.Background(), filepath.Join("..", "workflows", "openapi", "oci-compute-api-openapi.yml"))
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]string{
		"createImage": "opc-retry-token", "instanceAction": "opc-retry-token", "updateImage": "opc-retry-token",
		"getImage": "", "getInstance": "", "listImages": "",
	} {
		op, ok := src.Operation(id)
		if !ok {
			t.Fatalf("no operation %s", id)
		}
		if got, _ := op.IdempotencyHeader(); got != want {
			t.Errorf("%s: IdempotencyHeader() = %q, want %q", id, got, want)
		}
	}
}
