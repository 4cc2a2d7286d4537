package runtime

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func mockRequest(t *testing.T, k OperationKey, method, url string) *http.Request {
	t.Helper()
	ctx := context.WithValue(context.Background(), operationKeyType{}, k)
	req, err := http.NewRequestWithContext(ctx, method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func TestParseMocksErrors(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"empty", "", "empty mock file"},
		{"no mocks key", "other: 1\n", "field other not found"},
		{"null mocks", "mocks:\n", "no top-level \"mocks\" or \"messages\" map"},
		{"no responses", "mocks:\n  getX: []\n", "mocks.getX: no responses"},
		{"bad status", "mocks:\n  getX:\n    - status: 42\n", "status 42 is not an HTTP status"},
		{"unknown field", "mocks:\n  getX:\n    - stauts: 200\n", "field stauts not found"},
		{"not yaml", "mocks: [\n", "m.yaml:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseMocks("m.yaml", []byte(tc.src))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("ParseMocks error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestMockTransportAnswersInOrderAndRepeatsTheLast(t *testing.T) {
	m, err := ParseMocks("m.yaml", []byte(`
mocks:
  getImage:
    - {status: 200, body: {lifecycleState: PROVISIONING}}
    - {status: 200, headers: {Retry-After: "3"}, body: {lifecycleState: AVAILABLE}}
  api.createImage:
    - status: 201
  "DELETE /images/{imageId}":
    - {status: 204}
  getText:
    - {headers: {Content-Type: text/plain}, body: "plain text"}
`))
	if err != nil {
		t.Fatal(err)
	}
	tr := m.Transport()
	get := OperationKey{Source: "api", OperationID: "getImage", Method: "GET", Path: "/images/{imageId}"}
	var states []string
	for range 4 {
		resp, err := tr.RoundTrip(mockRequest(t, get, "GET", "http://x/images/1"))
		if err != nil {
			t.Fatal(err)
		}
		var body map[string]string
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			t.Fatal(err)
		}
		if resp.Header.Get("Content-Type") != "application/json" {
			t.Errorf("Content-Type = %q", resp.Header.Get("Content-Type"))
		}
		states = append(states, body["lifecycleState"])
	}
	if got := strings.Join(states, ","); got != "PROVISIONING,AVAILABLE,AVAILABLE,AVAILABLE" {
		t.Errorf("states = %s", got)
	}

	// A fresh Transport starts fresh counters.
	resp, err := m.Transport().RoundTrip(mockRequest(t, get, "GET", "http://x/images/1"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(b), "PROVISIONING") {
		t.Errorf("fresh transport answered %s", b)
	}

	// source.operationId keys, and METHOD path keys for operations without an id.
	resp, err = tr.RoundTrip(mockRequest(t, OperationKey{Source: "api", OperationID: "createImage", Method: "POST", Path: "/images"}, "POST", "http://x/images"))
	if err != nil || resp.StatusCode != 201 || resp.ContentLength != 0 {
		t.Errorf("createImage: %v %v", resp, err)
	}
	resp, err = tr.RoundTrip(mockRequest(t, OperationKey{Source: "api", Method: "DELETE", Path: "/images/{imageId}"}, "DELETE", "http://x/images/1"))
	if err != nil || resp.StatusCode != 204 {
		t.Errorf("DELETE: %v %v", resp, err)
	}
	resp, err = tr.RoundTrip(mockRequest(t, OperationKey{OperationID: "getText"}, "GET", "http://x/t"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	if string(b) != "plain text" {
		t.Errorf("text body = %q", b)
	}
}

func TestMockTransportUnknownOperation(t *testing.T) {
	m := &Mocks{Operations: map[string][]MockResponse{"getInstance": {{Status: 200}}}}
	_, err := m.Transport().RoundTrip(mockRequest(t, OperationKey{Source: "oci", OperationID: "createImage", Method: "POST", Path: "/images"}, "POST", "http://x/images"))
	if err == nil || !strings.Contains(err.Error(), "no mock for operation createImage") {
		t.Fatalf("err = %v", err)
	}
	req, _ := http.NewRequest("GET", "http://x/", nil)
	if _, err := m.Transport().RoundTrip(req); err == nil || !strings.Contains(err.Error(), "not sent by the engine") {
		t.Fatalf("request without operation: err = %v", err)
	}
}

func TestPathParams(t *testing.T) {
	got := pathParams("/images/{imageId}/parts/{n}", "/20160918/images/ocid1.image%2Fx/parts/3")
	if got["imageId"] != "ocid1.image/x" || got["n"] != "3" {
		t.Errorf("pathParams = %v", got)
	}
	if got := pathParams("/a/{b}/c", "/a"); got != nil {
		t.Errorf("short path: %v", got)
	}
}

func TestBundledOracleMocksParse(t *testing.T) {
	files, err := filepath.Glob("../workflows/oracle/mocks/*.yaml")
	if err != nil || len(files) < 4 {
		t.Fatalf("mock files: %v %v", files, err)
	}
	for _, f := range files {
		m, err := LoadMocks(f)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		if len(m.Operations["getInstance"]) == 0 {
			t.Errorf("%s: no getInstance answer", f)
		}
	}
	if _, err := LoadMocks(filepath.Join(t.TempDir(), "missing.yaml")); !os.IsNotExist(err) {
		t.Errorf("missing file: %v", err)
	}
}

func FuzzParseMocks(f *testing.F) {
	// Small seeds with the features of the oracle mock files (headers, templates reading the request, answer
	// sequences, METHOD /path keys, text bodies): the fuzzer minimises every input that finds new coverage, and
	// minimising those 0.3-1.2 KB files (up to 60 s each) stalled it at 0 execs/s. The files themselves are
	// parsed by TestRunSeedWithMocks and the seed tests.
	f.Add([]byte("mocks:\n  getI:\n  - status: 200\n    headers: {etag: e1}\n    body: {id: a, s: STOPPED}\n"))
	f.Add([]byte("mocks:\n  c:\n  - {body: {n: '{$request.body#/n}', q: '{$request.query.q}'}}\n"))
	f.Add([]byte("mocks:\n  g: [{body: {s: P}}, {status: 404, body: {code: NotFound}}]\n"))
	f.Add([]byte("mocks:\n  GET /v1/x/{id}:\n  - {headers: {Content-Type: text/plain}, body: '{$request.path.id}'}\n"))
	f.Add([]byte("mocks:\n  x:\n    - {status: 200, body: [1, {a: b}]}\n"))
	f.Add([]byte("mocks: {x: [{status: 99}]}"))
	f.Add([]byte("mocks:\n  x: &a [*a]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseMocks("fuzz.yaml", data)
		if err != nil {
			return
		}
		for key, rs := range m.Operations {
			if len(rs) == 0 {
				t.Fatalf("%s: accepted without answers", key)
			}
			for _, r := range rs {
				if r.Status < 100 || r.Status > 599 {
					t.Fatalf("%s: accepted status %d", key, r.Status)
				}
				if _, err := json.Marshal(r.Body); err != nil {
					t.Fatalf("%s: body not JSON-encodable: %v", key, err)
				}
			}
		}
	})
}
