package openapi

import (
	"context"
	"reflect"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

func parseDoc(t *testing.T, doc string) *Source {
	t.Helper()
	src, err := (&Loader{}).Parse(context.Background(), "", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return src
}

const declaredDoc = `openapi: 3.0.3
info: {title: declared, version: "1"}
servers:
  - url: "https://{region}.api.example.com/{version}"
    description: regional
    variables:
      region: {default: eu, enum: [eu, us], description: where}
      version: {default: v1}
paths:
  /items:
    servers: [{url: "https://items.example.com"}]
    parameters:
      - {name: a, in: query, schema: {type: string}}
      - {name: X-Trace, in: header, description: path level, schema: {type: string}}
      - {name: filter, in: query, style: deepObject, explode: false, schema: {type: object}}
    get:
      operationId: listItems
      parameters:
        - {name: x-trace, in: header, required: true, description: operation level, schema: {type: string}}
        - {name: b, in: query, deprecated: true, explode: false, schema: {type: array, items: {type: integer}}}
        - {name: q, in: query, content: {application/json: {schema: {type: object}}}}
      security: []
      responses: {"200": {description: ok}}
    post:
      operationId: addItem
      servers: [{url: "https://write.example.com", variables: {}}]
      security: [{}, {oauth: [items.write, items.read]}]
      responses: {"201": {description: created}}
  /other/{id}:
    get:
      operationId: getOther
      parameters:
        - {name: id, in: path, required: true, style: label, schema: {type: string}}
      responses: {"200": {description: ok}}
components:
  securitySchemes:
    oauth:
      type: oauth2
      description: client credentials
      flows:
        clientCredentials:
          tokenUrl: https://auth.example.com/token
          scopes: {items.read: read, items.write: write}
    key: {type: apiKey, in: header, name: X-Key}
    sig: {type: http, scheme: signature, x-oci-request-signing: true}
    bearer: {type: http, scheme: bearer, bearerFormat: JWT}
`

func TestServersAreCopiedWithVariables(t *testing.T) {
	src := parseDoc(t, declaredDoc)
	want := []Server{{
		URL:         "https://{region}.api.example.com/{version}",
		Description: "regional",
		Variables: map[string]ServerVariable{
			"region":  {Default: "eu", Enum: []string{"eu", "us"}, Description: "where"},
			"version": {Default: "v1"},
		},
	}}
	if !reflect.DeepEqual(src.Servers(), want) {
		t.Errorf("Source.Servers() = %+v, want %+v", src.Servers(), want)
	}
	for id, url := range map[string]string{
		"listItems": "https://items.example.com", // the path item's
		"addItem":   "https://write.example.com", // the operation's own
		"getOther":  "https://{region}.api.example.com/{version}",
	} {
		op, _ := src.Operation(id)
		if len(op.Servers) != 1 || op.Servers[0].URL != url {
			t.Errorf("%s: Servers = %+v, want %s", id, op.Servers, url)
		}
	}
	add, _ := src.Operation("addItem")
	if add.Servers[0].Variables != nil {
		t.Errorf("an empty variables map is nil: %#v", add.Servers[0].Variables)
	}
	// The document's variables fill the URL the request is built for.
	other, _ := src.Operation("getOther")
	req, err := other.NewRequest(context.Background(), RequestInput{
		ServerVars: map[string]string{"region": "us"},
		Params:     []ParamValue{{Name: "id", In: "path", Value: "x"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := req.URL.String(); got != "https://us.api.example.com/v1/other/.x" {
		t.Errorf("URL = %s", got)
	}

	none := parseDoc(t, "openapi: 3.0.3\ninfo: {title: t, version: \"1\"}\npaths: {/x: {get: {responses: {\"200\": {description: ok}}}}}\n")
	if none.Servers() != nil {
		t.Errorf("Servers() = %+v, want nil for a description without servers", none.Servers())
	}
	if x := none.Operations()[0]; !reflect.DeepEqual(x.Servers, []Server{{URL: "/"}}) {
		t.Errorf("operation servers = %+v, want the single / server", x.Servers)
	}
}

func TestSecurityDeclaredEmptyIsNotAbsent(t *testing.T) {
	src := parseDoc(t, declaredDoc)
	list, _ := src.Operation("listItems")
	if !list.SecurityDeclared || list.Security == nil || len(list.Security) != 0 {
		t.Errorf("security: [] = %#v (declared %v), want declared and empty", list.Security, list.SecurityDeclared)
	}
	other, _ := src.Operation("getOther")
	if other.SecurityDeclared || other.Security != nil {
		t.Errorf("no security anywhere = %#v (declared %v), want not declared", other.Security, other.SecurityDeclared)
	}
	add, _ := src.Operation("addItem")
	want := []SecurityRequirement{{}, {"oauth": {"items.write", "items.read"}}}
	if !add.SecurityDeclared || !reflect.DeepEqual(add.Security, want) {
		t.Errorf("Security = %#v, want %#v", add.Security, want)
	}

	// Document-level security applies to an operation without its own,
	// and an operation's security: [] still overrides it.
	inherited := parseDoc(t, `openapi: 3.0.3
info: {title: t, version: "1"}
security: [{key: []}]
paths:
  /a: {get: {operationId: a, responses: {"200": {description: ok}}}}
  /b: {get: {operationId: b, security: [], responses: {"200": {description: ok}}}}
components: {securitySchemes: {key: {type: apiKey, in: query, name: k}}}
`)
	a, _ := inherited.Operation("a")
	if !a.SecurityDeclared || !reflect.DeepEqual(a.Security, []SecurityRequirement{{"key": {}}}) {
		t.Errorf("inherited Security = %#v (declared %v)", a.Security, a.SecurityDeclared)
	}
	b, _ := inherited.Operation("b")
	if !b.SecurityDeclared || len(b.Security) != 0 {
		t.Errorf("overriding Security = %#v (declared %v), want declared and empty", b.Security, b.SecurityDeclared)
	}
}

func TestSecuritySchemesAreCopied(t *testing.T) {
	got := parseDoc(t, declaredDoc).SecuritySchemes()
	want := map[string]SecurityScheme{
		"oauth": {Type: "oauth2", Description: "client credentials", Flows: OAuthFlows{ClientCredentials: &OAuthFlow{
			TokenURL: "https://auth.example.com/token",
			Scopes:   map[string]string{"items.read": "read", "items.write": "write"},
		}}},
		"key":    {Type: "apiKey", In: "header", Name: "X-Key"},
		"sig":    {Type: "http", Scheme: "signature", Extensions: map[string]any{"x-oci-request-signing": true}},
		"bearer": {Type: "http", Scheme: "bearer", BearerFormat: "JWT"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("SecuritySchemes() =\n%#v\nwant\n%#v", got, want)
	}
	if s := parseDoc(t, "openapi: 3.0.3\ninfo: {title: t, version: \"1\"}\npaths: {}\n").SecuritySchemes(); s != nil {
		t.Errorf("no components: %#v, want nil", s)
	}
}

func TestParamsMergePathAndOperation(t *testing.T) {
	src := parseDoc(t, declaredDoc)
	list, _ := src.Operation("listItems")
	type brief struct {
		Name, In, Description string
		Required, Deprecated  bool
		Style                 string
		Explode               bool
		MediaType             string
	}
	var got []brief
	for _, p := range list.Params {
		got = append(got, brief{p.Name, p.In, p.Description, p.Required, p.Deprecated, p.Style, p.Explode, p.MediaType})
	}
	want := []brief{
		{"a", "query", "", false, false, "form", true, ""},
		// The operation's x-trace replaces the path item's X-Trace (header
		// names ignore case) and keeps its place.
		{"x-trace", "header", "operation level", true, false, "simple", false, ""},
		// deepObject is only defined exploded.
		{"filter", "query", "", false, false, "deepObject", true, ""},
		{"b", "query", "", false, true, "form", false, ""},
		{"q", "query", "", false, false, "form", true, "application/json"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Params =\n%+v\nwant\n%+v", got, want)
	}
	if b, _ := list.Param("query", "b"); !b.Schema.IsArray() {
		t.Errorf("b's schema is not read as an array: %+v", b)
	}
	if q, _ := list.Param("query", "q"); !q.Schema.IsZero() {
		t.Errorf("a content parameter has no schema of its own: %+v", q)
	}
	other, _ := src.Operation("getOther")
	if id, ok := other.Param("path", "id"); !ok || id.Style != "label" || id.Explode || !id.Required {
		t.Errorf("Param(path, id) = %+v, %v", id, ok)
	}
	// Nil and unresolved entries are dropped, not kept as empty params.
	kept := &openapi3.ParameterRef{Value: &openapi3.Parameter{Name: "k", In: "query"}}
	if got := mergeParams(openapi3.Parameters{nil, {}}, openapi3.Parameters{{}, kept, nil}); len(got) != 1 || got[0].Name != "k" {
		t.Errorf("mergeParams = %+v, want k only", got)
	}
}

const schemaDoc = `openapi: 3.1.0
info: {title: schemas, version: "1"}
paths:
  /orders:
    post:
      operationId: placeOrder
      requestBody:
        content:
          Application/JSON: {schema: {type: object, properties: {qty: {type: integer}}}}
          application/x-ndjson: {schema: {type: array, items: {type: object}}}
          text/plain: {}
      responses:
        "201":
          description: created
          content:
            application/json:
              schema:
                allOf:
                  - {$ref: "#/components/schemas/Order"}
                  - properties: {lines: {type: array, items: {$ref: "#/components/schemas/Line"}}}
            text/plain: {}
        "2XX": {description: other success, content: {application/json: {schema: {type: [string, "null"]}}}}
        "404": {description: missing}
        default: {description: error, content: {application/problem+json: {schema: {properties: {title: {type: string}}}}}}
components:
  schemas:
    Order:
      type: object
      properties:
        status: {type: string, enum: [OPEN, CLOSED]}
        created: {type: string, format: date-time}
    Line:
      properties: {sku: {type: string, format: uuid}}
`

func TestResponsesAndSchemaQueries(t *testing.T) {
	op, _ := parseDoc(t, schemaDoc).Operation("placeOrder")
	var statuses []string
	for _, r := range op.Responses("201", "202", "404", "500") {
		statuses = append(statuses, r.Status)
	}
	// 202 takes the range key, 500 the default; 404 has no content but is
	// declared.
	if want := []string{"201", "2XX", "404", "default"}; !reflect.DeepEqual(statuses, want) {
		t.Errorf("Responses(201, 202, 404, 500) = %v, want %v", statuses, want)
	}
	statuses = nil
	for _, r := range op.Responses() {
		statuses = append(statuses, r.Status)
	}
	if want := []string{"201", "2XX"}; !reflect.DeepEqual(statuses, want) {
		t.Errorf("Responses() = %v, want the 2XX ones %v", statuses, want)
	}

	created := op.Responses("201")[0]
	if !created.Content["text/plain"].IsZero() {
		t.Error("a media type without a schema must have the zero Schema")
	}
	body := created.Content["application/json"]
	if body.IsZero() || body.IsObject() {
		t.Errorf("an allOf without a type is not read as an object: %+v", body)
	}
	status, ok := body.At("/status")
	if !ok || !reflect.DeepEqual(status.Enum(), []any{"OPEN", "CLOSED"}) || !reflect.DeepEqual(status.Types(), []string{"string"}) {
		t.Errorf("At(/status) = %v, %v; want the enum through allOf and $ref", status.Enum(), ok)
	}
	if sku, ok := body.At("/lines/3/sku"); !ok || sku.Format() != "uuid" {
		t.Errorf("At(/lines/3/sku) = %q, %v; want format uuid through items", sku.Format(), ok)
	}
	if _, ok := body.At("/lines/x/sku"); ok {
		t.Error("a non-numeric token must not step into items")
	}
	if _, ok := body.At("/nope"); ok {
		t.Error("an undeclared member must not be found")
	}
	if _, ok := body.At("/bad~2escape"); ok {
		t.Error("an invalid pointer must not be found")
	}
	if same, ok := body.At(""); !ok || same != body {
		t.Error(`At("") must be the schema itself`)
	}
	if _, ok := (Schema{}).At("/status"); ok {
		t.Error("the zero Schema declares no members")
	}
	nullable := op.Responses("202")[0].Content["application/json"]
	if !reflect.DeepEqual(nullable.Types(), []string{"string", "null"}) || nullable.Nullable() {
		t.Errorf("3.1 type list = %v, nullable %v", nullable.Types(), nullable.Nullable())
	}
	if problem := op.Responses("500")[0].Content["application/problem+json"]; !problem.IsObject() {
		t.Error("properties without a type read as an object")
	}

	if sc := op.RequestSchema("application/json; charset=utf-8"); !sc.IsObject() {
		t.Errorf("RequestSchema must match case-insensitively and without parameters: %+v", sc)
	}
	if sc := op.RequestSchema("application/x-ndjson"); !sc.IsArray() || sc.IsObject() {
		t.Error("the ndjson body is an array")
	}
	if !op.RequestSchema("text/plain").IsZero() || !op.RequestSchema("application/xml").IsZero() {
		t.Error("no schema, or no such media type, is the zero Schema")
	}
	var z Schema
	if z.Types() != nil || z.Enum() != nil || z.Format() != "" || z.Nullable() || z.IsObject() || z.IsArray() || !z.IsZero() {
		t.Error("the zero Schema answers every question with no")
	}
}
