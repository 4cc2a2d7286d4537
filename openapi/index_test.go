package openapi

import (
	"reflect"
	"strings"
	"testing"
)

func TestOperationsDocumentOrder(t *testing.T) {
	src := mustLoad(t, "petstore30/openapi.yaml")
	var got []string
	for _, op := range src.Operations() {
		got = append(got, op.Method+" "+op.Path)
	}
	want := []string{
		"GET /a~b/c",
		"GET /pets", "POST /pets",
		"GET /pets/{petId}", "DELETE /pets/{petId}",
		"GET /stores/{storeId}/pets", "POST /stores/{storeId}/pets",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Operations order:\n got %q\nwant %q", got, want)
	}
}

func serverURLs(op *Operation) []string {
	var out []string
	for _, s := range op.Servers {
		out = append(out, s.URL)
	}
	return out
}

func paramKeys(op *Operation) []string {
	var out []string
	for _, p := range op.Params {
		out = append(out, p.In+":"+p.Name)
	}
	return out
}

func TestOperationIndex(t *testing.T) {
	tests := []struct {
		file, id      string
		method, path  string
		pointer       string
		servers       []string
		params        []string
		bodyTypes     []string
		contentType   string
		securityCount int // -1: none declared
	}{
		{"petstore30/openapi.yaml", "listPets", "GET", "/pets", "/paths/~1pets/get",
			[]string{"https://{env}.pets.example.com/v1"}, []string{"query:limit", "query:tags"}, nil, "application/json", 1},
		{"petstore30/openapi.yaml", "deletePet", "DELETE", "/pets/{petId}", "/paths/~1pets~1{petId}/delete",
			[]string{"https://{env}.pets.example.com/v1"}, []string{"path:petId"}, nil, "application/json", 1},
		{"petstore30/openapi.yaml", "tildePath", "GET", "/a~b/c", "/paths/~1a~0b~1c/get",
			[]string{"https://{env}.pets.example.com/v1"}, nil, nil, "application/json", 1},
		{"petstore30/openapi.yaml", "listStorePets", "GET", "/stores/{storeId}/pets", "/paths/~1stores~1{storeId}~1pets/get",
			[]string{"https://stores.example.com/"}, []string{"path:storeId", "header:x-trace"}, nil, "application/json", 1},
		{"petstore30/openapi.yaml", "addStorePet", "POST", "/stores/{storeId}/pets", "/paths/~1stores~1{storeId}~1pets/post",
			[]string{"http://localhost:9000/api"}, []string{"path:storeId", "header:X-Trace"},
			[]string{"application/json", "application/x-www-form-urlencoded", "application/xml"}, "application/json", 0},
		{"compute31.yaml", "createImage", "POST", "/images", "/paths/~1images/post",
			[]string{"https://iaas.{region}.example.com/20160918"}, []string{"header:Authorization"},
			[]string{"application/json"}, "application/json", -1},
		{"swagger2.yaml", "getOrder", "GET", "/orders/{orderId}", "/paths/~1orders~1{orderId}/get",
			[]string{"https://legacy.example.com/api/v2"}, []string{"path:orderId", "query:fields"}, nil, "application/json", -1},
		{"swagger2.yaml", "placeOrder", "POST", "/orders", "/paths/~1orders/post",
			[]string{"https://legacy.example.com/api/v2"}, nil, []string{"application/json"}, "application/json", -1},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			src := mustLoad(t, tt.file)
			op, ok := src.Operation(tt.id)
			if !ok {
				t.Fatalf("operation %q not found", tt.id)
			}
			if op.Method != tt.method || op.Path != tt.path || op.Pointer != tt.pointer || op.ID != tt.id {
				t.Errorf("got %s %s %s id %q, want %s %s %s", op.Method, op.Path, op.Pointer, op.ID, tt.method, tt.path, tt.pointer)
			}
			if got := serverURLs(op); !reflect.DeepEqual(got, tt.servers) {
				t.Errorf("Servers = %q, want %q", got, tt.servers)
			}
			if got := paramKeys(op); !reflect.DeepEqual(got, tt.params) {
				t.Errorf("Params = %q, want %q", got, tt.params)
			}
			if !reflect.DeepEqual(op.RequestBodyTypes, tt.bodyTypes) {
				t.Errorf("RequestBodyTypes = %q, want %q", op.RequestBodyTypes, tt.bodyTypes)
			}
			if got := op.DefaultContentType(); got != tt.contentType {
				t.Errorf("DefaultContentType = %q, want %q", got, tt.contentType)
			}
			switch {
			case tt.securityCount < 0 && (op.SecurityDeclared || op.Security != nil):
				t.Errorf("Security = %v (declared %v), want none declared", op.Security, op.SecurityDeclared)
			case tt.securityCount >= 0 && (!op.SecurityDeclared || op.Security == nil || len(op.Security) != tt.securityCount):
				t.Errorf("Security = %v (declared %v), want %d requirements", op.Security, op.SecurityDeclared, tt.securityCount)
			}
			if op.Source != src {
				t.Error("Source not set")
			}
			byPtr, err := src.OperationByPointer(op.Pointer)
			if err != nil || byPtr != op {
				t.Errorf("OperationByPointer(%q) = %v, %v", op.Pointer, byPtr, err)
			}
		})
	}
}

func TestOperationParamOverride(t *testing.T) {
	src := mustLoad(t, "petstore30/openapi.yaml")
	op, _ := src.Operation("deletePet")
	p, ok := op.Param("path", "petId")
	if !ok || p.Description != "operation-level definition wins" {
		t.Fatalf("Param(path, petId) = %+v, want the operation-level definition", p)
	}
	list, _ := src.Operation("listStorePets")
	if h, ok := list.Param("header", "X-TRACE"); !ok || !h.Required {
		t.Errorf("header lookup must ignore case and the operation must win: %+v", h)
	}
	if _, ok := list.Param("query", "storeId"); ok {
		t.Error("Param must match in as well as name")
	}
}

func TestOperationByPointer(t *testing.T) {
	src := mustLoad(t, "petstore30/openapi.yaml")
	tests := []struct {
		pointer string
		want    string // operationId, or "" when an error is expected
		errHas  string
	}{
		{"/paths/~1pets/get", "listPets", ""},
		{"#/paths/~1pets/post", "createPet", ""},
		{"{$sourceDescriptions.pets.url}#/paths/~1pets/post", "createPet", ""},
		{"./openapi.yaml#/paths/~1pets~1%7BpetId%7D/get", "showPetById", ""},
		{"/paths/~1pets~1{petId}/get", "showPetById", ""},
		{"/paths/~1pets~1%7BpetId%7D/get", "showPetById", ""},
		{"%2Fpaths%2F~1pets~1%7BpetId%7D%2Fdelete", "deletePet", ""},
		{"/paths/~1a~0b~1c/get", "tildePath", ""},
		{"/paths/~1a%7E0b~1c/get", "tildePath", ""},
		{"/paths/~1pets", "", "points at a path item, not an operation; add /get or /post"},
		{"/paths/~1pets~1{petId}", "", "add /get or /delete"},
		{"/paths/~1pets/GET", "", "must be lower case: /get"},
		{"/paths/~1pets/put", "", `has no "put" operation; it has /get or /post`},
		{"/paths/~1pets/parameters", "", "points at the parameters of path item /pets"},
		{"/paths/~1pets/get/responses", "", "points inside operation listPets (GET /pets), not at it; stop at /paths/~1pets/get"},
		{"/paths//pets/{petId}/get", "", "must be written ~1: /paths/~1pets~1{petId}/get"},
		{"/paths/~1pest/get", "", "did you mean /paths/~1pets?"},
		{"/paths/~1nothing~1here/get", "", `no path "/nothing/here"`},
		{"/paths", "", "points at the paths object"},
		{"", "", "points at the document root"},
		{"/components/schemas/Pet", "", "does not start with /paths"},
		{"paths/~1pets/get", "", `must start with "/"`},
		{"/paths/~2pets/get", "", `invalid escape "~2"`},
		{"/paths/%zz/get", "", `no path "%zz"`},
		{"/paths/~1pets~1%7BpetId%7D/get%", "", `has no "get%" operation`},
	}
	for _, tt := range tests {
		t.Run(tt.pointer, func(t *testing.T) {
			op, err := src.OperationByPointer(tt.pointer)
			if tt.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errHas) {
					t.Fatalf("error = %v, want one containing %q", err, tt.errHas)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if op.ID != tt.want {
				t.Errorf("got %s, want %s", op.ID, tt.want)
			}
		})
	}
}

func TestSuggestOperationID(t *testing.T) {
	src := mustLoad(t, "compute31.yaml")
	for in, want := range map[string]string{"getInstanse": "getInstance", "createimage": "createImage", "deleteEverything": "", "getImage": ""} {
		if got := src.SuggestOperationID(in); got != want {
			t.Errorf("SuggestOperationID(%q) = %q, want %q", in, got, want)
		}
	}
}
