package arazzo

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const remoteDoc = `arazzo: 1.0.1
info: {title: remote, version: "1"}
sourceDescriptions:
  - name: api
    url: %s
workflows:
  - workflowId: w
    steps:
      - stepId: s
        operationId: listPets
`

func TestRemoteSources(t *testing.T) {
	spec, err := os.ReadFile("testdata/validate/petstore.openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/specs/petstore.yaml" {
			http.NotFound(w, r)
			return
		}
		w.Write(spec)
	}))
	t.Cleanup(srv.Close)
	localSpec, err := filepath.Abs("testdata/validate/petstore.openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name, url, base string
		remote          bool
		wantRule        string // "" = no diagnostics at all
		wantLoaded      bool
	}{
		{"fetched when allowed", srv.URL + "/specs/petstore.yaml", "local.arazzo.yaml", true, "", true},
		{"relative to a remote document", "./petstore.yaml", srv.URL + "/specs/flow.arazzo.yaml", true, "", true},
		{"not fetched by default", srv.URL + "/specs/petstore.yaml", "local.arazzo.yaml", false, RuleSourceNotFetched, false},
		{"http error", srv.URL + "/specs/missing.yaml", "local.arazzo.yaml", true, RuleSourceUnavailable, false},
		// A document loaded from a URL may only name URLs (docs/security.md).
		{"file URL in a remote document", "file://" + filepath.ToSlash(localSpec), srv.URL + "/specs/flow.arazzo.yaml", true, RuleRemoteLocalSource, false},
		{"absolute path in a remote document is a path on its server", filepath.ToSlash(localSpec), srv.URL + "/specs/flow.arazzo.yaml", true, RuleSourceUnavailable, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(remoteDoc, "%s", tc.url, 1)
			doc, ds := LoadBytes(context.Background(), tc.base, []byte(src), LoadOptions{AllowRemote: tc.remote, HTTPClient: srv.Client()})
			s := doc.Source("api")
			if got := s.OpenAPI != nil; got != tc.wantLoaded {
				t.Errorf("loaded = %v, want %v (LoadErr %v)", got, tc.wantLoaded, s.LoadErr)
			}
			if tc.wantRule == "" {
				if len(ds) != 0 {
					t.Errorf("unexpected diagnostics:\n%v", ds)
				}
				return
			}
			if len(ds) != 1 || ds[0].Rule != tc.wantRule || ds[0].Pos != (Pos{5, 10}) || s.LoadErr == nil {
				t.Errorf("want one %s at the url (5:10), got:\n%v", tc.wantRule, ds)
			}
		})
	}
}

func TestSourceTypeSniffingAndLocalErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	spec, _ := os.ReadFile("testdata/validate/petstore.openapi.yaml")
	write("pets.yaml", string(spec))
	write("flows.yaml", "arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nsourceDescriptions: [{name: p, url: ./pets.yaml}]\nworkflows: [{workflowId: helper, steps: [{stepId: s, operationId: getPet, parameters: [{name: petId, in: path, value: '1'}]}]}]\n")
	write("notes.yaml", "just: text\n")
	main := write("main.arazzo.yaml", `arazzo: 1.0.1
info: {title: t, version: '1'}
sourceDescriptions:
  - {name: pets, url: ./pets.yaml}
  - {name: flows, url: ./flows.yaml}
  - {name: notes, url: ./notes.yaml}
  - {name: dev, url: /dev/zero}
workflows:
  - workflowId: w
    steps:
      - {stepId: a, operationId: $sourceDescriptions.pets.listPets}
      - {stepId: b, workflowId: $sourceDescriptions.flows.helper}
`)
	doc, ds, err := Load(context.Background(), main, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if doc.Source("pets").OpenAPI == nil || doc.Source("flows").Arazzo == nil {
		t.Errorf("sniffing failed: pets=%v flows=%v", doc.Source("pets").LoadErr, doc.Source("flows").LoadErr)
	}
	var got []string
	for _, d := range ds {
		got = append(got, d.String())
	}
	want := []string{
		main + `:6:24: error: source "notes" at ./notes.yaml is neither an OpenAPI nor an Arazzo document; set its type [source-unavailable]`,
		main + `:7:22: error: source "dev" cannot be read: read /dev/zero: not a regular file [source-unavailable]`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("diagnostics:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, _, err := Load(context.Background(), "testdata/does-not-exist.arazzo.yaml", LoadOptions{})
	if err == nil || !os.IsNotExist(err) {
		t.Errorf("Load of a missing file: err = %v, want a not-exist error", err)
	}
}

func TestLoadOversizedFileIsADiagnostic(t *testing.T) {
	_, ds, err := Load(context.Background(), "testdata/validate/petstore.openapi.yaml", LoadOptions{MaxBytes: 64})
	if err != nil || len(ds) != 1 || ds[0].Rule != RuleInputTooLarge {
		t.Errorf("Load over MaxBytes: err=%v diagnostics=%v, want one %s diagnostic", err, ds, RuleInputTooLarge)
	}
}
