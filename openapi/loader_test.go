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
		{"device ref", write("dev.yaml", "openapi: 3.0.0\ninfo: {title: x, version: '1'}\npaths:\n  /a:\n    $ref: /dev/zero\n"), []string{"/dev/zero: not a regular file"}},
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
			_, err := (&Loader{Strict: true}).Load(context.Background(), tt.location)
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
		"/part.yaml":          "Item:\n  $ref: file://" + filepath.ToSlash(local) + "#/components/schemas/Instance\n",
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
	// A local root that pulls in a remote part: the part's file: URL must not reach a local file either.
	t.Run("local root, remote part, file URL", func(t *testing.T) {
		root := filepath.Join(t.TempDir(), "root.yaml")
		doc := "openapi: 3.0.0\ninfo: {title: x, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    X: {$ref: '" + srv.URL + "/part.yaml#/Item'}\n"
		if err := os.WriteFile(root, []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := (&Loader{AllowRemote: true}).Load(ctx, root)
		if err == nil || !strings.Contains(err.Error(), "refusing to read local file") {
			t.Fatalf("error = %v, want a refusal", err)
		}
	})
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
	if _, err := (&Loader{Strict: true}).Parse(context.Background(), "", split); err == nil || !strings.Contains(err.Error(), "without a document location") {
		t.Fatalf("error = %v, want relative refs refused without a location", err)
	}
	// Tolerant, the unreadable references are repairs that say why.
	src, err = (&Loader{}).Parse(context.Background(), "", split)
	if err != nil {
		t.Fatal(err)
	}
	if len(src.Repairs) == 0 || !strings.Contains(src.Repairs[0].Msg, "without a document location") {
		t.Fatalf("repairs = %+v, want one saying relative refs need a location", src.Repairs)
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
