package openapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// styleOp builds an operation with one parameter "color" declared with the
// given location, style and explode ("" leaves them to the defaults).
func styleOp(t testing.TB, in, style, explode string) *Operation {
	t.Helper()
	path := "/items"
	required := "false"
	if in == "path" {
		path, required = "/items/{color}", "true"
	}
	var extra string
	if style != "" {
		extra += "\n          style: " + style
	}
	if explode != "" {
		extra += "\n          explode: " + explode
	}
	doc := fmt.Sprintf(`openapi: 3.0.3
info: {title: styles, version: "1"}
servers: [{url: "https://api.example.com"}]
paths:
  %s:
    get:
      operationId: op
      parameters:
        - name: color
          in: %s
          required: %s%s
          schema: {}
      responses: {"200": {description: ok}}
`, path, in, required, extra)
	src, err := (&Loader{}).Parse(context.Background(), "", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	op, ok := src.Operation("op")
	if !ok {
		t.Fatal("op missing")
	}
	return op
}

// The OpenAPI style examples table (3.1.1, "Style Examples") for
// color = "" / "blue" / ["blue","black","brown"] / {"R":100,"G":200,"B":150}.
// Objects come out in sorted key order (B, G, R): Go maps keep no order.
// The label row follows RFC 6570 ("," unexploded), as 3.1.1 corrected it,
// and query delimiters and brackets are percent-encoded as RFC 3986 asks.
func TestStyleExamples(t *testing.T) {
	empty := ""
	str := "blue"
	arr := []any{"blue", "black", "brown"}
	obj := map[string]any{"R": 100, "G": 200, "B": 150}
	tests := []struct {
		in, style, explode   string
		empty, str, arr, obj string
	}{
		{"path", "matrix", "false", "/items/;color", "/items/;color=blue", "/items/;color=blue,black,brown", "/items/;color=B,150,G,200,R,100"},
		{"path", "matrix", "true", "/items/;color", "/items/;color=blue", "/items/;color=blue;color=black;color=brown", "/items/;B=150;G=200;R=100"},
		{"path", "label", "false", "/items/.", "/items/.blue", "/items/.blue,black,brown", "/items/.B,150,G,200,R,100"},
		{"path", "label", "true", "/items/.", "/items/.blue", "/items/.blue.black.brown", "/items/.B=150.G=200.R=100"},
		{"path", "simple", "false", "/items/", "/items/blue", "/items/blue,black,brown", "/items/B,150,G,200,R,100"},
		{"path", "simple", "true", "/items/", "/items/blue", "/items/blue,black,brown", "/items/B=150,G=200,R=100"},
		{"path", "", "", "/items/", "/items/blue", "/items/blue,black,brown", "/items/B,150,G,200,R,100"},
		{"query", "form", "false", "color=", "color=blue", "color=blue,black,brown", "color=B,150,G,200,R,100"},
		{"query", "form", "true", "color=", "color=blue", "color=blue&color=black&color=brown", "B=150&G=200&R=100"},
		{"query", "", "", "color=", "color=blue", "color=blue&color=black&color=brown", "B=150&G=200&R=100"},
		{"query", "spaceDelimited", "false", "color=", "color=blue", "color=blue%20black%20brown", "color=B%20150%20G%20200%20R%20100"},
		{"query", "spaceDelimited", "", "color=", "color=blue", "color=blue%20black%20brown", "color=B%20150%20G%20200%20R%20100"},
		{"query", "pipeDelimited", "false", "color=", "color=blue", "color=blue%7Cblack%7Cbrown", "color=B%7C150%7CG%7C200%7CR%7C100"},
		{"query", "spaceDelimited", "true", "color=", "color=blue", "color=blue&color=black&color=brown", "B=150&G=200&R=100"},
		{"query", "deepObject", "true", "color=", "color=blue", "color=blue&color=black&color=brown", "color%5BB%5D=150&color%5BG%5D=200&color%5BR%5D=100"},
		{"query", "deepObject", "", "color=", "color=blue", "color=blue&color=black&color=brown", "color%5BB%5D=150&color%5BG%5D=200&color%5BR%5D=100"},
		{"header", "simple", "false", "", "blue", "blue,black,brown", "B,150,G,200,R,100"},
		{"header", "simple", "true", "", "blue", "blue,black,brown", "B=150,G=200,R=100"},
		{"header", "", "", "", "blue", "blue,black,brown", "B,150,G,200,R,100"},
		{"cookie", "form", "false", "color=", "color=blue", "color=blue,black,brown", "color=B,150,G,200,R,100"},
		{"cookie", "form", "true", "color=", "color=blue", "color=blue; color=black; color=brown", "B=150; G=200; R=100"},
	}
	for _, tt := range tests {
		op := styleOp(t, tt.in, tt.style, tt.explode)
		for _, c := range []struct {
			name  string
			value any
			want  string
		}{{"empty", empty, tt.empty}, {"string", str, tt.str}, {"array", arr, tt.arr}, {"object", obj, tt.obj}} {
			t.Run(fmt.Sprintf("%s/%s/%s/%s", tt.in, tt.style, tt.explode, c.name), func(t *testing.T) {
				req, err := op.NewRequest(context.Background(), RequestInput{Params: []ParamValue{{Name: "color", In: tt.in, Value: c.value}}})
				if err != nil {
					t.Fatal(err)
				}
				var got string
				switch tt.in {
				case "path":
					got = req.URL.EscapedPath()
				case "query":
					got = req.URL.RawQuery
				case "header":
					got = req.Header.Get("color")
				case "cookie":
					got = req.Header.Get("Cookie")
				}
				if got != c.want {
					t.Errorf("got %q, want %q", got, c.want)
				}
			})
		}
	}
}

func TestQueryStyleNested(t *testing.T) {
	op := styleOp(t, "query", "deepObject", "true")
	req, err := op.NewRequest(context.Background(), RequestInput{Params: []ParamValue{{Name: "filter", In: "query", Value: nil}, {Name: "color", In: "query", Value: map[string]any{
		"rgb":  map[string]any{"r": 1, "g": nil},
		"tags": []any{"a b", "c&d"},
	}}}})
	if err != nil {
		t.Fatal(err)
	}
	want := "color%5Brgb%5D%5Br%5D=1&color%5Btags%5D=a%20b&color%5Btags%5D=c%26d"
	if req.URL.RawQuery != want {
		t.Errorf("got %q, want %q", req.URL.RawQuery, want)
	}
}

func TestPercentEncoding(t *testing.T) {
	op := styleOp(t, "path", "", "")
	tests := []struct {
		in    string
		value any
		want  string
	}{
		{"path", "a/b c", "/items/a%2Fb%20c"},
		{"path", "ocid1.instance.oc1..abc-_~", "/items/ocid1.instance.oc1..abc-_~"},
		{"path", "x?y#z%", "/items/x%3Fy%23z%25"},
		{"path", "ü", "/items/%C3%BC"},
		{"path", []any{"a,b", "c"}, "/items/a%2Cb,c"},
	}
	for _, tt := range tests {
		req, err := op.NewRequest(context.Background(), RequestInput{Params: []ParamValue{{Name: "color", In: tt.in, Value: tt.value}}})
		if err != nil {
			t.Fatal(err)
		}
		if got := req.URL.EscapedPath(); got != tt.want {
			t.Errorf("%v: got %q, want %q", tt.value, got, tt.want)
		}
		if !strings.HasPrefix(req.URL.String(), "https://api.example.com/items/") {
			t.Errorf("URL = %s", req.URL)
		}
	}

	q := styleOp(t, "query", "", "")
	req, err := q.NewRequest(context.Background(), RequestInput{Params: []ParamValue{
		{Name: "color", In: "query", Value: "a b&c=d+e/f?"},
		{Name: "sort key", In: "query", Value: []any{"x,y"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if want := "color=a%20b%26c%3Dd%2Be%2Ff%3F&sort%20key=x%2Cy"; req.URL.RawQuery != want {
		t.Errorf("query = %q, want %q", req.URL.RawQuery, want)
	}
	if got := req.URL.Query().Get("color"); got != "a b&c=d+e/f?" {
		t.Errorf("query does not decode back: %q", got)
	}

	q.Params[0].AllowReserved = true
	req, err = q.NewRequest(context.Background(), RequestInput{Params: []ParamValue{{Name: "color", In: "query", Value: "a/b?c=%2F d"}}})
	if err != nil {
		t.Fatal(err)
	}
	if want := "color=a/b?c=%2F%20d"; req.URL.RawQuery != want {
		t.Errorf("allowReserved query = %q, want %q", req.URL.RawQuery, want)
	}
}

func TestScalarFormatting(t *testing.T) {
	op := styleOp(t, "query", "", "")
	tests := []struct {
		value any
		want  string
	}{
		{3.0, "color=3"},
		{1.5, "color=1.5"},
		{-0.25, "color=-0.25"},
		{1e21, "color=1e%2B21"},
		{1e-7, "color=1e-7"},
		{42, "color=42"},
		{int64(-7), "color=-7"},
		{uint8(200), "color=200"},
		{true, "color=true"},
		{json.Number("12345678901234567890"), "color=12345678901234567890"},
		{[]any{1, 2.5, false, nil, map[string]any{"a": 1}}, "color=1&color=2.5&color=false&color=%7B%22a%22%3A1%7D"},
		{[]int{1, 2}, "color=1&color=2"},
		{struct {
			A int `json:"a"`
		}{3}, "a=3"},
	}
	for _, tt := range tests {
		req, err := op.NewRequest(context.Background(), RequestInput{Params: []ParamValue{{Name: "color", In: "query", Value: tt.value}}})
		if err != nil {
			t.Fatal(err)
		}
		if req.URL.RawQuery != tt.want {
			t.Errorf("%#v: got %q, want %q", tt.value, req.URL.RawQuery, tt.want)
		}
	}
}

func TestNewRequestURL(t *testing.T) {
	pets := mustLoad(t, "petstore30/openapi.yaml")
	compute := mustLoad(t, "compute31.yaml")
	legacy := mustLoad(t, "swagger2.yaml")
	tests := []struct {
		name string
		src  *Source
		id   string
		in   RequestInput
		want string
	}{
		{"server variable default", compute, "getInstance",
			RequestInput{Params: []ParamValue{{Name: "instanceId", In: "path", Value: "ocid1.instance.oc1..x"}}},
			"GET https://iaas.us-phoenix-1.example.com/20160918/instances/ocid1.instance.oc1..x"},
		{"server variable override", compute, "getInstance",
			RequestInput{ServerVars: map[string]string{"region": "us-ashburn-1", "unused": "x"}, Params: []ParamValue{{Name: "instanceId", In: "path", Value: "i"}}},
			"GET https://iaas.us-ashburn-1.example.com/20160918/instances/i"},
		{"server variable outside enum accepted", compute, "getImage",
			RequestInput{ServerVars: map[string]string{"region": "eu-frankfurt-1"}, Params: []ParamValue{{Name: "imageId", In: "path", Value: "img"}}},
			"GET https://iaas.eu-frankfurt-1.example.com/20160918/images/img"},
		{"base URL with path", compute, "getInstance",
			RequestInput{BaseURL: "http://127.0.0.1:8080/20160918", Params: []ParamValue{{Name: "instanceId", In: "path", Value: "i"}}},
			"GET http://127.0.0.1:8080/20160918/instances/i"},
		{"base URL trailing slash", compute, "createImage",
			RequestInput{BaseURL: "http://127.0.0.1:8080/"},
			"POST http://127.0.0.1:8080/images"},
		{"path item server with trailing slash", pets, "listStorePets",
			RequestInput{Params: []ParamValue{{Name: "storeId", In: "path", Value: 7}}},
			"GET https://stores.example.com/stores/7/pets"},
		{"operation server wins", pets, "addStorePet",
			RequestInput{Params: []ParamValue{{Name: "storeId", In: "path", Value: "s1"}}},
			"POST http://localhost:9000/api/stores/s1/pets"},
		{"document server with enum variable", pets, "listPets",
			RequestInput{Params: []ParamValue{{Name: "limit", In: "query", Value: 10}, {Name: "tags", In: "query", Value: []any{"a", "b"}}}},
			"GET https://api.pets.example.com/v1/pets?limit=10&tags=a&tags=b"},
		{"tilde path", pets, "tildePath", RequestInput{}, "GET https://api.pets.example.com/v1/a~b/c"},
		{"swagger pipes", legacy, "getOrder",
			RequestInput{Params: []ParamValue{{Name: "orderId", In: "path", Value: "o 1"}, {Name: "fields", In: "query", Value: []any{"id", "item"}}}},
			"GET https://legacy.example.com/api/v2/orders/o%201?fields=id%7Citem"},
		{"querystring", compute, "createImage",
			RequestInput{Params: []ParamValue{{Name: "q", In: "querystring", Value: "?a=1&b=%20"}}},
			"POST https://iaas.us-phoenix-1.example.com/20160918/images?a=1&b=%20"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op, ok := tt.src.Operation(tt.id)
			if !ok {
				t.Fatalf("no %s", tt.id)
			}
			req, err := op.NewRequest(context.Background(), tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := req.Method + " " + req.URL.String(); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestNewRequestErrors(t *testing.T) {
	compute := mustLoad(t, "compute31.yaml")
	getInstance, _ := compute.Operation("getInstance")
	relDoc := `openapi: 3.0.3
info: {title: rel, version: "1"}
servers:
  - url: /20160918
  - url: https://{tenant}.example.com
paths:
  /x:
    get:
      operationId: rel
      responses: {"200": {description: ok}}
    post:
      operationId: novar
      servers: [{url: "https://{tenant}.example.com"}]
      responses: {"200": {description: ok}}
`
	relSrc, err := (&Loader{}).Parse(context.Background(), "/tmp/rel.yaml", []byte(relDoc))
	if err != nil {
		t.Fatal(err)
	}
	rel, _ := relSrc.Operation("rel")
	novar, _ := relSrc.Operation("novar")
	tests := []struct {
		name   string
		op     *Operation
		in     RequestInput
		errHas []string
	}{
		{"missing path param", getInstance, RequestInput{}, []string{`path parameter "instanceId" is missing`, "getInstance (GET /instances/{instanceId})"}},
		{"null path param", getInstance, RequestInput{Params: []ParamValue{{Name: "instanceId", In: "path"}}}, []string{`path parameter "instanceId" is null`}},
		{"relative server", rel, RequestInput{}, []string{`server URL "/20160918"`, "relative", "--server"}},
		{"relative server fixed by base URL", rel, RequestInput{BaseURL: "ftp://x"}, []string{"must be an absolute http(s) URL"}},
		{"variable without default", novar, RequestInput{}, []string{"{tenant}", "has no default"}},
		{"bad in", getInstance, RequestInput{Params: []ParamValue{{Name: "instanceId", In: "path", Value: "i"}, {Name: "x", In: "body", Value: 1}}}, []string{`unsupported location in: "body"`}},
		{"header injection", getInstance, RequestInput{Params: []ParamValue{{Name: "instanceId", In: "path", Value: "i"}, {Name: "Authorization", In: "header", Value: "Bearer s3cret\r\nX-Evil: 1"}}}, []string{`header "Authorization"`, "line break"}},
		{"bad header name", getInstance, RequestInput{Params: []ParamValue{{Name: "instanceId", In: "path", Value: "i"}, {Name: "Bad Header", In: "header", Value: "v"}}}, []string{`invalid header name "Bad Header"`}},
		{"bad body", getInstance, RequestInput{Params: []ParamValue{{Name: "instanceId", In: "path", Value: "i"}}, HasBody: true, ContentType: "application/x-www-form-urlencoded", Body: 3}, []string{"request body", "form-urlencoded"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.op.NewRequest(context.Background(), tt.in)
			if err == nil {
				t.Fatal("want an error")
			}
			for _, s := range tt.errHas {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("error leaks a header value: %v", err)
			}
		})
	}
	// The relative server works once a base URL is given.
	req, err := rel.NewRequest(context.Background(), RequestInput{BaseURL: "http://127.0.0.1:9/20160918"})
	if err != nil || req.URL.String() != "http://127.0.0.1:9/20160918/x" {
		t.Errorf("got %v, %v", req, err)
	}
	// An unknown variable is fine when the override supplies it.
	req, err = novar.NewRequest(context.Background(), RequestInput{ServerVars: map[string]string{"tenant": "acme"}})
	if err != nil || req.URL.String() != "https://acme.example.com/x" {
		t.Errorf("got %v, %v", req, err)
	}
}

// The seed's optional authToken: an absent value sends no Authorization
// header at all, and the createImage body is exactly the three fields.
func TestNewRequestSeedShape(t *testing.T) {
	src := mustLoad(t, "compute31.yaml")
	get, _ := src.Operation("getInstance")
	req, err := get.NewRequest(context.Background(), RequestInput{Params: []ParamValue{
		{Name: "instanceId", In: "path", Value: "ocid1.instance.oc1..x"},
		{Name: "Authorization", In: "header", Value: nil},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, present := req.Header["Authorization"]; present {
		t.Errorf("Authorization header present: %q", req.Header.Values("Authorization"))
	}
	if req.Body != nil && req.Body != http.NoBody {
		t.Error("a GET without payload must have no body")
	}
	req, err = get.NewRequest(context.Background(), RequestInput{Params: []ParamValue{
		{Name: "instanceId", In: "path", Value: "i"},
		{Name: "Authorization", In: "header", Value: ""},
		{Name: "opc-request-id", In: "header", Value: []any{}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(req.Header) != 0 {
		t.Errorf("empty header values must not be sent: %q", req.Header)
	}

	create, _ := src.Operation("createImage")
	req, err = create.NewRequest(context.Background(), RequestInput{
		Params:  []ParamValue{{Name: "Authorization", In: "header", Value: "Signature keyId=x"}},
		HasBody: true,
		Body:    map[string]any{"compartmentId": "c", "displayName": "img <1>", "instanceId": "i"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := req.Header.Get("Authorization"); got != "Signature keyId=x" {
		t.Errorf("Authorization = %q", got)
	}
	if got := req.Header.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type = %q", got)
	}
	body, _ := io.ReadAll(req.Body)
	if want := `{"compartmentId":"c","displayName":"img <1>","instanceId":"i"}`; string(body) != want {
		t.Errorf("body = %s, want %s", body, want)
	}
	if req.ContentLength != int64(len(body)) || req.GetBody == nil {
		t.Errorf("ContentLength = %d, GetBody set = %v (retries need both)", req.ContentLength, req.GetBody != nil)
	}
}

func TestNewRequestHeadersAndCookies(t *testing.T) {
	src := mustLoad(t, "petstore30/openapi.yaml")
	op, _ := src.Operation("addStorePet")
	req, err := op.NewRequest(context.Background(), RequestInput{
		Params: []ParamValue{
			{Name: "storeId", In: "path", Value: "s"},
			{Name: "x-trace", In: "header", Value: 12},
			{Name: "Content-Type", In: "header", Value: "application/vnd.pet+json"},
			{Name: "session", In: "cookie", Value: "abc=="},
			{Name: "prefs", In: "cookie", Value: []any{"a b", "c"}},
			{Name: "Host", In: "header", Value: "pets.internal"},
		},
		HasBody: true,
		Body:    map[string]any{"name": "Rex"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := req.Header.Get("X-Trace"); got != "12" {
		t.Errorf("X-Trace = %q", got)
	}
	if got := req.Header.Get("Content-Type"); got != "application/vnd.pet+json" {
		t.Errorf("the explicit Content-Type header must win, got %q", got)
	}
	if got := req.Header.Get("Cookie"); got != "session=abc==; prefs=a%20b; prefs=c" {
		t.Errorf("Cookie = %q", got)
	}
	if req.Host != "pets.internal" {
		t.Errorf("Host = %q", req.Host)
	}
}

func TestNewRequestContentTypes(t *testing.T) {
	src := mustLoad(t, "petstore30/openapi.yaml")
	op, _ := src.Operation("addStorePet")
	tests := []struct {
		contentType string
		body        any
		wantType    string
		wantBody    string
	}{
		{"", map[string]any{"name": "Rex", "id": 1}, "application/json", `{"id":1,"name":"Rex"}`},
		{"application/xml", "<pet><name>Rex</name></pet>", "application/xml", "<pet><name>Rex</name></pet>"},
		{"application/x-www-form-urlencoded", map[string]any{"name": "Rex Jr", "tags": []any{"a", "b"}}, "application/x-www-form-urlencoded", "name=Rex+Jr&tags=a&tags=b"},
	}
	for _, tt := range tests {
		req, err := op.NewRequest(context.Background(), RequestInput{
			Params:  []ParamValue{{Name: "storeId", In: "path", Value: "s"}},
			HasBody: true, Body: tt.body, ContentType: tt.contentType,
		})
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(req.Body)
		if got := req.Header.Get("Content-Type"); got != tt.wantType || string(body) != tt.wantBody {
			t.Errorf("%q: got %s %s, want %s %s", tt.contentType, got, body, tt.wantType, tt.wantBody)
		}
	}
}

// NewRequestBody returns what the request sends, and the request is the
// one NewRequest builds: a length and a GetBody from the *bytes.Reader.
func TestNewRequestBody(t *testing.T) {
	src := mustLoad(t, "petstore30/openapi.yaml")
	op, _ := src.Operation("addStorePet")
	params := []ParamValue{{Name: "storeId", In: "path", Value: "s"}}
	req, sent, err := op.NewRequestBody(context.Background(), RequestInput{Params: params, HasBody: true, Body: map[string]any{"name": "Rex"}})
	if err != nil {
		t.Fatal(err)
	}
	if string(sent) != `{"name":"Rex"}` || req.ContentLength != int64(len(sent)) || req.GetBody == nil {
		t.Fatalf("sent %q; ContentLength %d; GetBody %v", sent, req.ContentLength, req.GetBody != nil)
	}
	again, _ := req.GetBody()
	for i, b := range []io.ReadCloser{req.Body, again} {
		if got, _ := io.ReadAll(b); string(got) != string(sent) {
			t.Errorf("read %d: %q, want %q", i, got, sent)
		}
	}
	req, sent, err = op.NewRequestBody(context.Background(), RequestInput{Params: params})
	if err != nil || sent != nil || req.Body != nil {
		t.Errorf("no body: err %v, sent %q, Body %T", err, sent, req.Body)
	}
}

func TestRemoteRelativeServer(t *testing.T) {
	srv := remoteFixture(t, map[string]string{
		"/api/openapi.yaml": "openapi: 3.0.3\ninfo: {title: x, version: '1'}\nservers: [{url: /v1}]\npaths:\n  /ping:\n    get:\n      operationId: ping\n      responses: {'200': {description: ok}}\n",
	})
	src, err := (&Loader{AllowRemote: true}).Load(context.Background(), srv.URL+"/api/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	op, _ := src.Operation("ping")
	req, err := op.NewRequest(context.Background(), RequestInput{})
	if err != nil {
		t.Fatal(err)
	}
	if want := srv.URL + "/v1/ping"; req.URL.String() != want {
		t.Errorf("URL = %s, want %s", req.URL, want)
	}
}

func TestDefaultContentType(t *testing.T) {
	tests := []struct {
		types []string
		want  string
	}{
		{nil, "application/json"},
		{[]string{"application/xml"}, "application/xml"},
		{[]string{"application/xml", "application/json", "text/plain"}, "application/json"},
		{[]string{"application/merge-patch+json", "application/xml"}, "application/merge-patch+json"},
		{[]string{"application/xml", "text/plain"}, "application/xml"},
		{[]string{"*/*"}, "application/json"},
	}
	for _, tt := range tests {
		if got := defaultContentType(tt.types); got != tt.want {
			t.Errorf("defaultContentType(%q) = %q, want %q", tt.types, got, tt.want)
		}
	}
}

// One loaded operation serves concurrent runs: NewRequest only reads the
// plan built at load time (run with -race).
func TestNewRequestConcurrent(t *testing.T) {
	src := mustLoad(t, "compute31.yaml")
	op, _ := src.Operation("getInstance")
	done := make(chan error)
	for i := range 8 {
		go func() {
			var err error
			for j := 0; j < 50 && err == nil; j++ {
				id := fmt.Sprintf("i-%d-%d", i, j)
				var req *http.Request
				req, err = op.NewRequest(context.Background(), RequestInput{
					ServerVars: map[string]string{"region": "r"},
					Params:     []ParamValue{{Name: "instanceId", In: "path", Value: id}},
				})
				if err == nil && !strings.HasSuffix(req.URL.Path, "/"+id) {
					err = fmt.Errorf("got %s for %s", req.URL, id)
				}
			}
			done <- err
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

func TestRoute(t *testing.T) {
	src := mustLoad(t, "compute31.yaml")
	op, _ := src.Operation("getImage")
	r := op.route()
	if r.Spec != src.doc || r.Operation != op.op || r.PathItem != op.item || r.Method != "GET" || r.Path != "/images/{imageId}" {
		t.Errorf("Route = %+v", r)
	}
}

func TestContentParameter(t *testing.T) {
	doc := `openapi: 3.0.3
info: {title: content, version: "1"}
servers: [{url: "https://api.example.com"}]
paths:
  /search:
    get:
      operationId: search
      parameters:
        - name: filter
          in: query
          content:
            application/json:
              schema: {type: object}
        - name: X-Meta
          in: header
          content:
            application/json:
              schema: {type: object}
      responses: {"200": {description: ok}}
`
	src, err := (&Loader{}).Parse(context.Background(), "", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	op, _ := src.Operation("search")
	req, err := op.NewRequest(context.Background(), RequestInput{Params: []ParamValue{
		{Name: "filter", In: "query", Value: map[string]any{"name": "a b", "n": 1}},
		{Name: "X-Meta", In: "header", Value: map[string]any{"k": []any{1}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if want := "filter=%7B%22n%22%3A1%2C%22name%22%3A%22a%20b%22%7D"; req.URL.RawQuery != want {
		t.Errorf("query = %q, want %q", req.URL.RawQuery, want)
	}
	if got := req.URL.Query().Get("filter"); got != `{"n":1,"name":"a b"}` {
		t.Errorf("filter decodes to %q", got)
	}
	if got := req.Header.Get("X-Meta"); got != `{"k":[1]}` {
		t.Errorf("X-Meta = %q", got)
	}
}
