package openapi

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func testdata(t testing.TB, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func mustLoad(t testing.TB, name string) *Source {
	t.Helper()
	src, err := (&Loader{}).Load(context.Background(), testdata(t, name))
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return src
}

func TestLoadVersions(t *testing.T) {
	tests := []struct {
		file    string
		version string
		ids     []string
	}{
		{"petstore30/openapi.yaml", "3.0.3", []string{"addStorePet", "createPet", "deletePet", "listPets", "listStorePets", "showPetById", "tildePath"}},
		{"compute31.yaml", "3.1.0", []string{"createImage", "getImage", "getInstance"}},
		{"swagger2.yaml", "2.0", []string{"getOrder", "placeOrder"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			src := mustLoad(t, tt.file)
			if src.Version != tt.version {
				t.Errorf("Version = %q, want %q", src.Version, tt.version)
			}
			if got := src.OperationIDs(); !reflect.DeepEqual(got, tt.ids) {
				t.Errorf("OperationIDs = %q, want %q", got, tt.ids)
			}
			if src.Location != testdata(t, tt.file) {
				t.Errorf("Location = %q", src.Location)
			}
			if len(src.Operations()) != len(tt.ids) {
				t.Errorf("Operations has %d entries, want %d", len(src.Operations()), len(tt.ids))
			}
		})
	}
}

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
		out = append(out, p.Value.In+":"+p.Value.Name)
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
		securityCount int // -1: nil
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
			case tt.securityCount < 0 && op.Security != nil:
				t.Errorf("Security = %v, want nil", *op.Security)
			case tt.securityCount >= 0 && (op.Security == nil || len(*op.Security) != tt.securityCount):
				t.Errorf("Security = %v, want %d requirements", op.Security, tt.securityCount)
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
	p := op.Param("path", "petId")
	if p == nil || p.Description != "operation-level definition wins" {
		t.Fatalf("Param(path, petId) = %+v, want the operation-level definition", p)
	}
	list, _ := src.Operation("listStorePets")
	if h := list.Param("header", "X-TRACE"); h == nil || !h.Required {
		t.Errorf("header lookup must ignore case and the operation must win: %+v", h)
	}
	if list.Param("query", "storeId") != nil {
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

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name     string
		location string
		errHas   []string
	}{
		{"missing file", filepath.Join(dir, "nope.yaml"), []string{"nope.yaml", "no such file"}},
		{"directory", dir, []string{"is a directory"}},
		{"device ref", write("dev.yaml", "openapi: 3.0.0\ninfo: {title: x, version: '1'}\npaths:\n  /a:\n    $ref: /dev/zero\n"), []string{"/dev/zero is not a regular file"}},
		{"bad yaml", write("bad.yaml", "openapi: 3.0.0\npaths: [\n"), []string{"bad.yaml"}},
		{"empty", write("empty.yaml", "\n\n"), []string{"empty.yaml", "empty document"}},
		{"arazzo", write("wf.yaml", "arazzo: 1.0.1\ninfo: {title: x, version: '1'}\n"), []string{"wf.yaml", "Arazzo document", "type: arazzo"}},
		{"no version", write("plain.yaml", "info: {title: x}\npaths: {}\n"), []string{"plain.yaml", "no openapi (or swagger) version"}},
		{"openapi 4", write("v4.yaml", "openapi: 4.0.0\ninfo: {title: x, version: '1'}\npaths: {}\n"), []string{`unsupported openapi version "4.0.0"`}},
		{"swagger 1", write("s1.yaml", "swagger: '1.2'\ninfo: {title: x, version: '1'}\n"), []string{`unsupported swagger version "1.2"`}},
		{"broken ref", write("ref.yaml", "openapi: 3.0.0\ninfo: {title: x, version: '1'}\npaths:\n  /a:\n    $ref: ./missing.yaml\n"), []string{"ref.yaml", "missing.yaml"}},
		{"remote ref refused", write("remote.yaml", "openapi: 3.0.0\ninfo: {title: x, version: '1'}\npaths:\n  /a:\n    $ref: http://127.0.0.1:1/paths.yaml\n"), []string{"remote loading is disabled"}},
		{"remote location refused", "http://127.0.0.1:1/openapi.yaml", []string{"remote loading is disabled"}},
		{"bad scheme", "ftp://example.com/openapi.yaml", []string{`unsupported URL scheme "ftp"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := (&Loader{}).Load(context.Background(), tt.location)
			if err == nil {
				t.Fatal("want an error")
			}
			for _, s := range tt.errHas {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
		})
	}
}

func TestLoadMaxBytes(t *testing.T) {
	big := testdata(t, "compute31.yaml")
	fi, err := os.Stat(big)
	if err != nil {
		t.Fatal(err)
	}
	l := &Loader{MaxBytes: fi.Size() - 1}
	if _, err := l.Load(context.Background(), big); err == nil || !strings.Contains(err.Error(), "byte limit") {
		t.Fatalf("error = %v, want a byte limit error", err)
	}
	l.MaxBytes = fi.Size()
	if _, err := l.Load(context.Background(), big); err != nil {
		t.Fatalf("a document exactly at the limit must load: %v", err)
	}
	// The limit applies to each referenced document too.
	l.MaxBytes = 600
	_, err = l.Load(context.Background(), testdata(t, "petstore30/openapi.yaml"))
	if err == nil || !strings.Contains(err.Error(), "byte limit") {
		t.Fatalf("error = %v, want a byte limit error", err)
	}
	if _, err := l.Parse(context.Background(), "", make([]byte, 601)); err == nil || !strings.Contains(err.Error(), "byte limit") {
		t.Fatalf("Parse error = %v, want a byte limit error", err)
	}
}

// remoteFixture serves the split pet store over HTTP.
func remoteFixture(t *testing.T, extra map[string]string) *httptest.Server {
	t.Helper()
	root := testdata(t, "petstore30")
	mux := http.NewServeMux()
	mux.Handle("/specs/", http.StripPrefix("/specs/", http.FileServer(http.Dir(root))))
	for p, body := range extra {
		mux.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(body)) })
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestLoadRemote(t *testing.T) {
	local := testdata(t, "compute31.yaml")
	srv := remoteFixture(t, map[string]string{
		"/evil.yaml":          "openapi: 3.0.0\ninfo: {title: x, version: '1'}\npaths:\n  /a:\n    $ref: " + filepath.ToSlash(local) + "\n",
		"/evil-file-url.yaml": "openapi: 3.0.0\ninfo: {title: x, version: '1'}\npaths:\n  /a:\n    $ref: file://" + filepath.ToSlash(local) + "\n",
		"/big.yaml":           "openapi: 3.0.0\ninfo: {title: x, version: '1'}\npaths: {}\n" + strings.Repeat("# padding\n", 200),
	})
	ctx := context.Background()

	t.Run("allowed", func(t *testing.T) {
		l := &Loader{AllowRemote: true, Client: srv.Client()}
		src, err := l.Load(ctx, srv.URL+"/specs/openapi.yaml")
		if err != nil {
			t.Fatal(err)
		}
		if src.Location != srv.URL+"/specs/openapi.yaml" {
			t.Errorf("Location = %q", src.Location)
		}
		op, ok := src.Operation("showPetById")
		if !ok || op.Path != "/pets/{petId}" {
			t.Fatalf("showPetById = %v", op)
		}
	})
	t.Run("refused without AllowRemote", func(t *testing.T) {
		_, err := (&Loader{Client: srv.Client()}).Load(ctx, srv.URL+"/specs/openapi.yaml")
		if !errors.Is(err, ErrRemoteDisabled) {
			t.Fatalf("error = %v, want ErrRemoteDisabled", err)
		}
	})
	for _, p := range []string{"/evil.yaml", "/evil-file-url.yaml"} {
		t.Run("remote ref to local file "+p, func(t *testing.T) {
			_, err := (&Loader{AllowRemote: true}).Load(ctx, srv.URL+p)
			if err == nil || !strings.Contains(err.Error(), "refusing to read local file") {
				t.Fatalf("error = %v, want a refusal", err)
			}
		})
	}
	t.Run("size limit", func(t *testing.T) {
		_, err := (&Loader{AllowRemote: true, MaxBytes: 500}).Load(ctx, srv.URL+"/big.yaml")
		if err == nil || !strings.Contains(err.Error(), "byte limit") {
			t.Fatalf("error = %v, want a byte limit error", err)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}))
		defer slow.Close()
		start := time.Now()
		_, err := (&Loader{AllowRemote: true, Timeout: 50 * time.Millisecond, Client: slow.Client()}).Load(ctx, slow.URL+"/openapi.yaml")
		if err == nil || !strings.Contains(err.Error(), "deadline exceeded") {
			t.Fatalf("error = %v, want a timeout", err)
		}
		if time.Since(start) > 3*time.Second {
			t.Errorf("the timeout was not applied: took %v", time.Since(start))
		}
	})
	t.Run("http status", func(t *testing.T) {
		_, err := (&Loader{AllowRemote: true}).Load(ctx, srv.URL+"/specs/none.yaml")
		if err == nil || !strings.Contains(err.Error(), "404") {
			t.Fatalf("error = %v, want the 404", err)
		}
	})
	t.Run("credentials redacted", func(t *testing.T) {
		u := strings.Replace(srv.URL, "http://", "http://user:hunter2@", 1) + "/specs/none.yaml"
		_, err := (&Loader{AllowRemote: true}).Load(ctx, u)
		if err == nil || strings.Contains(err.Error(), "hunter2") {
			t.Fatalf("error = %v, must not show the password", err)
		}
	})
}

func TestParseWithoutLocation(t *testing.T) {
	data, err := os.ReadFile(testdata(t, "compute31.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	src, err := (&Loader{}).Parse(context.Background(), "", data)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := src.Operation("getImage"); !ok {
		t.Error("getImage missing")
	}
	split, err := os.ReadFile(testdata(t, "petstore30/openapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (&Loader{}).Parse(context.Background(), "", split); err == nil || !strings.Contains(err.Error(), "without a document location") {
		t.Fatalf("error = %v, want relative refs refused without a location", err)
	}
	src, err = (&Loader{}).Parse(context.Background(), testdata(t, "petstore30/openapi.yaml"), split)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := src.Operation("listPets"); !ok {
		t.Error("listPets missing")
	}
}

func TestValidateWarnings(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "dup.yaml")
	doc := `openapi: 3.0.3
info: {title: dup, version: "1"}
paths:
  /a:
    get:
      operationId: same
      responses: {"200": {description: ok}}
  /b:
    get:
      operationId: same
      responses: {"200": {description: ok}}
`
	if err := os.WriteFile(p, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	src, err := (&Loader{Validate: true}).Load(context.Background(), p)
	if err != nil {
		t.Fatalf("an invalid document must still load: %v", err)
	}
	op, ok := src.Operation("same")
	if !ok || op.Path != "/a" {
		t.Fatalf("the first operation in order must win, got %v", op)
	}
	joined := strings.Join(src.Warnings, "\n")
	if !strings.Contains(joined, `duplicate operationId "same"`) || !strings.Contains(joined, "openapi validation") {
		t.Errorf("warnings = %q", src.Warnings)
	}
	for _, name := range []string{"petstore30/openapi.yaml", "compute31.yaml", "swagger2.yaml"} {
		src, err := (&Loader{Validate: true}).Load(context.Background(), testdata(t, name))
		if err != nil {
			t.Fatal(err)
		}
		if len(src.Warnings) != 0 {
			t.Errorf("%s: unexpected warnings %q", name, src.Warnings)
		}
	}
}
