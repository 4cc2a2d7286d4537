package hostile

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// localSecretDoc is a local file a hostile document would like arazzo to read (and quote in diagnostics, or
// use as a description whose servers and credentials it controls).
const localSecretDoc = `openapi: 3.0.3
info: {title: LOCAL-FILE-MARKER, version: '1'}
paths: {}
components:
  schemas:
    X: {type: string, description: LOCAL-FILE-MARKER}
`

// documentServer serves fixed documents by path and records every path asked for.
type documentServer struct {
	*httptest.Server
	mu    sync.Mutex
	asked []string
}

func newDocumentServer(t *testing.T, docs map[string]string) *documentServer {
	d := &documentServer{}
	d.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d.mu.Lock()
		d.asked = append(d.asked, r.URL.Path)
		d.mu.Unlock()
		doc, ok := docs[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/yaml")
		w.Write([]byte(strings.ReplaceAll(doc, "SERVER", d.URL)))
	}))
	t.Cleanup(d.Close)
	return d
}

func (d *documentServer) paths() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return strings.Join(d.asked, " ")
}

// TestRemoteDocumentCannotReadLocalFiles: with --allow-remote, a document fetched over http may only reference
// URLs. An Arazzo document naming a file: URL is refused with remote-local-source (validate exits 1, run 2);
// a path in it resolves on its server; an OpenAPI description fetched over http, or pulled in by a local one,
// cannot $ref a local file.
func TestRemoteDocumentCannotReadLocalFiles(t *testing.T) {
	local := writeFiles(t, map[string]string{"secret.yaml": localSecretDoc})
	localURL := "file://" + filepath.ToSlash(filepath.Join(local, "secret.yaml"))
	srv := newDocumentServer(t, map[string]string{
		"/file-url.arazzo.yaml": `arazzo: 1.0.1
info: {title: hostile, version: '1'}
sourceDescriptions: [{name: loot, url: '` + localURL + `', type: openapi}]
workflows: [{workflowId: w, steps: [{stepId: s, operationId: getLoot}]}]
`,
		"/path.arazzo.yaml": `arazzo: 1.0.1
info: {title: hostile, version: '1'}
sourceDescriptions: [{name: loot, url: '` + filepath.ToSlash(filepath.Join(local, "secret.yaml")) + `', type: openapi}]
workflows: [{workflowId: w, steps: [{stepId: s, operationId: getLoot}]}]
`,
		"/ref.openapi.yaml": `openapi: 3.0.3
info: {title: hostile, version: '1'}
paths:
  /x:
    get:
      operationId: getX
      responses:
        '200':
          description: ok
          content: {application/json: {schema: {$ref: '` + localURL + `#/components/schemas/X'}}}
`,
		"/part.yaml": `Thing: {$ref: '` + localURL + `#/components/schemas/X'}
`,
	})
	entry := func(sourceURL, typ string) string {
		target := "operationId: $sourceDescriptions.remote.getX"
		if typ == "arazzo" {
			target = "workflowId: $sourceDescriptions.remote.w"
		}
		return writeFiles(t, map[string]string{"entry.arazzo.yaml": `arazzo: 1.0.1
info: {title: entry, version: '1'}
sourceDescriptions: [{name: remote, url: '` + sourceURL + `', type: ` + typ + `}]
workflows: [{workflowId: main, steps: [{stepId: s, ` + target + `}]}]
`})
	}
	localRoot := writeFiles(t, map[string]string{
		"entry.arazzo.yaml": `arazzo: 1.0.1
info: {title: entry, version: '1'}
sourceDescriptions: [{name: api, url: ./api.yaml, type: openapi}]
workflows: [{workflowId: main, steps: [{stepId: s, operationId: getThing}]}]
`,
		"api.yaml": `openapi: 3.0.3
info: {title: local, version: '1'}
paths:
  /thing:
    get:
      operationId: getThing
      responses:
        '200':
          description: ok
          content: {application/json: {schema: {$ref: '` + srv.URL + `/part.yaml#/Thing'}}}
`})

	for _, tc := range []struct {
		name, dir string
		want      string // in the output
	}{
		{"arazzo document names a file: URL", entry(srv.URL+"/file-url.arazzo.yaml", "arazzo"), "[remote-local-source]"},
		{"remote OpenAPI $refs a file: URL", entry(srv.URL+"/ref.openapi.yaml", "openapi"), "refusing to read local file"},
		{"local OpenAPI pulls in a remote part that $refs a file: URL", localRoot, "refusing to read local file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := filepath.Join(tc.dir, "entry.arazzo.yaml")
			v := arazzo(t, invocation{args: []string{"validate", "--allow-remote", doc}})
			if v.code != 1 || !strings.Contains(v.all(), tc.want) {
				t.Errorf("validate: exit %d, want 1 with %q:\n%s%s", v.code, tc.want, v.stdout, v.stderr)
			}
			r := arazzo(t, invocation{args: []string{"run", "--allow-remote", doc}})
			if r.code != 2 || !strings.Contains(r.all(), tc.want) {
				t.Errorf("run: exit %d, want 2 with %q:\n%s%s", r.code, tc.want, r.stdout, r.stderr)
			}
			for _, out := range []string{v.all(), r.all()} {
				if strings.Contains(out, "LOCAL-FILE-MARKER") {
					t.Errorf("the local file's content shows:\n%s", out)
				}
			}
		})
	}

	// A plain path in a remote document is a path on its server: asked for there, never read locally.
	doc := filepath.Join(entry(srv.URL+"/path.arazzo.yaml", "arazzo"), "entry.arazzo.yaml")
	v := arazzo(t, invocation{args: []string{"validate", "--allow-remote", doc}})
	if v.code != 1 || !strings.Contains(srv.paths(), filepath.ToSlash(filepath.Join(local, "secret.yaml"))) {
		t.Errorf("validate: exit %d; the server was asked for %s:\n%s", v.code, srv.paths(), v.stdout)
	}
	if strings.Contains(v.all(), "LOCAL-FILE-MARKER") {
		t.Errorf("the local file's content shows:\n%s", v.all())
	}
}
