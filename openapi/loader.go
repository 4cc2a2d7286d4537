package openapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/arazzo-go/arazzo/internal/regfile"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
	"gopkg.in/yaml.v3"
)

// Defaults for the zero Loader.
const (
	DefaultTimeout  = 30 * time.Second
	DefaultMaxBytes = 16 << 20
	// maxDocuments bounds how many files or URLs one load may read through
	// $refs, so a document cannot fan out into an unbounded crawl.
	maxDocuments = 1000
)

// Loader reads OpenAPI documents. The zero value reads local files only.
type Loader struct {
	AllowRemote bool          // allow http(s) locations and $refs
	Client      *http.Client  // for remote reads; nil -> own client with Timeout
	Timeout     time.Duration // per remote read; default 30s
	MaxBytes    int64         // per document; default 16 MiB
	// ReadFile reads local documents and $ref targets instead of the
	// operating system's file system (an fs.FS, an embedded bundle, a
	// database); nil -> the operating system.
	ReadFile func(path string) ([]byte, error)
	// Validate runs kin-openapi's document validation after loading and
	// records its findings in Source.Warnings. A document that fails
	// validation is still loaded and indexed: real-world descriptions are
	// often slightly invalid yet perfectly usable for building requests.
	Validate bool
	// Strict refuses a document that kin-openapi cannot load as it is. By
	// default such a document is repaired (dangling $refs, missing sibling
	// files, keywords of the wrong type) and loaded, and Source.Repairs
	// lists every change; only a file that cannot be read or parsed as
	// YAML/JSON at all is refused.
	Strict bool
}

// ErrLocalFromRemote is matched (errors.Is) by the error of a load in which
// a document read from a URL named a local file: the load fails whole, so
// that a server cannot make us read our own files.
var ErrLocalFromRemote = errors.New("a remote document names a local file")

// localFromRemoteError keeps the message of the load's error and matches
// ErrLocalFromRemote.
type localFromRemoteError struct{ error }

func (e localFromRemoteError) Unwrap() error        { return e.error }
func (e localFromRemoteError) Is(target error) bool { return target == ErrLocalFromRemote }

// ErrRemoteDisabled is wrapped by the error for an http(s) location or $ref
// read by a Loader without AllowRemote.
var ErrRemoteDisabled = errors.New("remote loading is disabled")

func (l *Loader) maxBytes() int64 {
	if l.MaxBytes > 0 {
		return l.MaxBytes
	}
	return DefaultMaxBytes
}

func (l *Loader) timeout() time.Duration {
	if l.Timeout > 0 {
		return l.Timeout
	}
	return DefaultTimeout
}

func (l *Loader) client() *http.Client {
	if l.Client != nil {
		return l.Client
	}
	return &http.Client{Timeout: l.timeout()}
}

// Load reads and indexes the OpenAPI (or Swagger 2.0) document at location
// (an absolute file path or an http(s) URL).
func (l *Loader) Load(ctx context.Context, location string) (*Source, error) {
	loc, err := parseLocation(location)
	if err != nil {
		return nil, err
	}
	r := l.newReader(ctx, loc)
	data, err := r.read(loc)
	if err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	return l.parse(ctx, r, loc, data)
}

// Parse is Load for bytes already read; location is used for relative $refs.
// An empty location allows only references inside the document itself.
func (l *Loader) Parse(ctx context.Context, location string, data []byte) (*Source, error) {
	var loc *url.URL
	if location != "" {
		var err error
		if loc, err = parseLocation(location); err != nil {
			return nil, err
		}
	}
	if int64(len(data)) > l.maxBytes() {
		return nil, fmt.Errorf("openapi %s: document is %d bytes, over the %d byte limit", displayLocation(loc), len(data), l.maxBytes())
	}
	r := l.newReader(ctx, loc)
	if loc != nil {
		// A $ref back into this document must see these bytes, not
		// whatever is at its location.
		r.cache[loc.String()] = data
	}
	return l.parse(ctx, r, loc, data)
}

// parseLocation turns a file path or http(s)/file URL into the URL form
// kin-openapi resolves relative references against.
func parseLocation(location string) (*url.URL, error) {
	if location == "" {
		return nil, errors.New("openapi: empty location")
	}
	if i := strings.Index(location, "://"); i > 0 {
		u, err := url.Parse(location)
		if err != nil {
			return nil, fmt.Errorf("openapi: invalid URL %q: %v", location, err)
		}
		switch u.Scheme {
		case "http", "https":
			u.Fragment = ""
			return u, nil
		case "file":
			return &url.URL{Path: u.Path}, nil
		default:
			return nil, fmt.Errorf("openapi: unsupported URL scheme %q in %s (want a file path or an http(s) URL)", u.Scheme, u.Redacted())
		}
	}
	abs, err := filepath.Abs(location)
	if err != nil {
		return nil, fmt.Errorf("openapi: %s: %v", location, err)
	}
	return &url.URL{Path: filepath.ToSlash(abs)}, nil
}

func isRemote(u *url.URL) bool { return u != nil && (u.Scheme == "http" || u.Scheme == "https") }

// displayLocation names a location in messages, without credentials.
func displayLocation(u *url.URL) string {
	switch {
	case u == nil:
		return "(in memory)"
	case isRemote(u):
		return u.Redacted()
	default:
		return filepath.FromSlash(u.Path)
	}
}

// reader is the access policy for one load: the root document and every
// $ref it pulls in go through it. kin-openapi does not enforce
// IsExternalRefsAllowed once a ReadFromURIFunc is set, so this is the only
// gate.
type reader struct {
	ctx        context.Context
	loader     *Loader
	rootRemote bool
	sawRemote  bool // a remote document has been read in this load
	// refusedLocal: a local file was refused because a remote document
	// named it; the whole load then fails with ErrLocalFromRemote, even if
	// a repair could have done without the file.
	refusedLocal bool
	cache        map[string][]byte
	// repaired holds the repaired copies of sibling files, by fileKey;
	// kin-openapi reads these instead of the damaged originals.
	repaired map[string][]byte
}

func (l *Loader) newReader(ctx context.Context, root *url.URL) *reader {
	if ctx == nil {
		ctx = context.Background()
	}
	return &reader{ctx: ctx, loader: l, rootRemote: isRemote(root), cache: map[string][]byte{}, repaired: map[string][]byte{}}
}

func (r *reader) readFromURI(_ *openapi3.Loader, u *url.URL) ([]byte, error) {
	if data, ok := r.repaired[fileKey(u)]; ok {
		return data, nil
	}
	return r.read(u)
}

func (r *reader) read(u *url.URL) ([]byte, error) {
	key := u.String()
	if data, ok := r.cache[key]; ok {
		return data, nil
	}
	if len(r.cache) >= maxDocuments {
		return nil, fmt.Errorf("more than %d documents referenced; refusing to read %s", maxDocuments, displayLocation(u))
	}
	var data []byte
	var err error
	switch u.Scheme {
	case "http", "https":
		if !r.loader.AllowRemote {
			return nil, fmt.Errorf("%s: %w (allow remote sources to read it)", u.Redacted(), ErrRemoteDisabled)
		}
		data, err = r.fetch(u)
		r.sawRemote = true
	case "", "file":
		// A remote document's relative $refs resolve to URLs; only an explicit file: URL, which a local
		// document has no need for, can name a local file from one. The referrer is not known here, so
		// once any remote document has been read, file: URLs are refused.
		if r.rootRemote || (u.Scheme == "file" && r.sawRemote) {
			r.refusedLocal = true
			return nil, fmt.Errorf("refusing to read local file %s referenced by a remote document", filepath.FromSlash(u.Path))
		}
		if !filepath.IsAbs(filepath.FromSlash(u.Path)) {
			return nil, fmt.Errorf("cannot resolve relative reference %q without a document location", u.Path)
		}
		data, err = r.readFile(filepath.FromSlash(u.Path))
	default:
		return nil, fmt.Errorf("unsupported reference scheme %q in %s", u.Scheme, u.Redacted())
	}
	if err != nil {
		return nil, err
	}
	r.cache[key] = data
	return data, nil
}

func (r *reader) readFile(path string) ([]byte, error) {
	if read := r.loader.ReadFile; read != nil {
		data, err := read(path)
		if err != nil {
			return nil, err
		}
		return r.readLimited(bytes.NewReader(data), path)
	}
	// A FIFO or device (a $ref to /dev/stdin, say) could block forever or
	// never end; descriptions are regular files (regfile refuses the rest
	// without blocking in open).
	f, err := regfile.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return r.readLimited(f, path)
}

func (r *reader) fetch(u *url.URL) ([]byte, error) {
	ctx, cancel := context.WithTimeout(r.ctx, r.loader.timeout())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", u.Redacted(), err)
	}
	req.Header.Set("Accept", "application/vnd.oai.openapi+json, application/json, application/yaml;q=0.9, */*;q=0.5")
	resp, err := r.loader.client().Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u.Redacted(), unwrapURLError(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, fmt.Errorf("GET %s: HTTP status %s", u.Redacted(), resp.Status)
	}
	if resp.ContentLength > r.loader.maxBytes() {
		return nil, fmt.Errorf("%s is %d bytes, over the %d byte limit", u.Redacted(), resp.ContentLength, r.loader.maxBytes())
	}
	return r.readLimited(resp.Body, u.Redacted())
}

// unwrapURLError drops *url.Error's own "Get <url>:" prefix, which would
// repeat the URL (unredacted) in our message.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func (r *reader) readLimited(rd io.Reader, name string) ([]byte, error) {
	limit := r.loader.maxBytes()
	data, err := io.ReadAll(io.LimitReader(rd, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s is over the %d byte limit", name, limit)
	}
	return data, nil
}

// versionPeek reads only the top-level version fields.
type versionPeek struct {
	OpenAPI any `yaml:"openapi"`
	Swagger any `yaml:"swagger"`
	Arazzo  any `yaml:"arazzo"`
}

func peekVersion(data []byte) versionPeek {
	var p versionPeek
	_ = yaml.Unmarshal(data, &p)
	return p
}

func (l *Loader) parse(ctx context.Context, r *reader, loc *url.URL, data []byte) (src *Source, err error) {
	if ctx == nil {
		ctx = context.Background()
	}
	name := displayLocation(loc)
	// kin-openapi is a large parser fed untrusted documents; should it ever
	// panic, the caller still gets an error naming the document.
	defer func() {
		if p := recover(); p != nil {
			src, err = nil, fmt.Errorf("openapi %s: the OpenAPI parser failed on this document: %v", name, p)
		}
		if r.refusedLocal {
			if err == nil {
				err = fmt.Errorf("openapi %s: a remote document names a local file", name)
			}
			src, err = nil, localFromRemoteError{err}
		}
	}()
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("openapi %s: empty document", name)
	}
	var (
		doc     *openapi3.T
		version string
		repairs *repairer
	)
	// Only a document that mentions "swagger" can be Swagger 2.0; checking
	// the bytes first spares every OpenAPI 3 document a second parse.
	var peek versionPeek
	if bytes.Contains(data, []byte("swagger")) {
		peek = peekVersion(data)
	}
	if peek.Swagger != nil {
		version = fmt.Sprint(peek.Swagger)
		if !strings.HasPrefix(version, "2") {
			return nil, fmt.Errorf("openapi %s: unsupported swagger version %q (want 2.0)", name, version)
		}
		doc, repairs, err = l.loadTolerant(ctx, r, loc, data, loadV2)
		if err != nil {
			return nil, fmt.Errorf("openapi %s: %w", name, err)
		}
		version = "2.0"
	} else {
		doc, repairs, err = l.loadTolerant(ctx, r, loc, data, loadV3)
		if err != nil {
			return nil, fmt.Errorf("openapi %s: %w", name, err)
		}
		if doc.OpenAPI == "" {
			p := peekVersion(data)
			if p.Arazzo != nil {
				return nil, fmt.Errorf("openapi %s: this is an Arazzo document, not an OpenAPI description (use type: arazzo)", name)
			}
			return nil, fmt.Errorf("openapi %s: not an OpenAPI description: no openapi (or swagger) version field", name)
		}
		version = doc.OpenAPI
		if !strings.HasPrefix(version, "3.") {
			return nil, fmt.Errorf("openapi %s: unsupported openapi version %q (want 3.0, 3.1 or swagger 2.0)", name, version)
		}
	}
	src = &Source{Location: locationString(loc), Version: version, doc: doc, base: loc}
	if l.Validate {
		src.Warnings = append(src.Warnings, validationWarnings(ctx, doc)...)
	}
	src.index()
	if repairs != nil {
		src.Repairs = repairs.finish(src)
	}
	return src, nil
}

// loadTolerant loads data with load (loadV2 or loadV3). Unless the
// Loader is Strict, a document that fails to load, or an OpenAPI 3 one that
// holds Swagger 2.0 forms, is repaired (repairLoad) and the repaired copy
// loaded instead; the repairer is returned with it.
func (l *Loader) loadTolerant(ctx context.Context, r *reader, loc *url.URL, data []byte,
	load func(*openapi3.Loader, *url.URL, []byte) (*openapi3.T, error)) (*openapi3.T, *repairer, error) {
	doc, err := load(r.kinLoader(ctx), loc, data)
	if (err == nil && !hasSwaggerForms(doc)) || l.Strict || r.refusedLocal {
		return doc, nil, err
	}
	fixed, rp, ok := l.repairLoad(ctx, r, loc, data)
	if !ok || len(rp.repairs) == 0 {
		return doc, nil, err
	}
	doc2, err2 := load(r.kinLoader(ctx), loc, fixed)
	switch {
	case err2 == nil:
		return doc2, rp, nil
	case err != nil:
		return nil, nil, fmt.Errorf("%w (after %d repairs it still does not load: %v)", err, len(rp.repairs), err2)
	}
	return doc, nil, nil // the strict load worked; keep it
}

// kinLoader is a kin-openapi loader reading through r; one per load, as
// kin-openapi keeps the documents it visited.
func (r *reader) kinLoader(ctx context.Context) *openapi3.Loader {
	return &openapi3.Loader{IsExternalRefsAllowed: true, ReadFromURIFunc: r.readFromURI, Context: ctx}
}

// loadV2 decodes a Swagger 2.0 document and converts it to OpenAPI 3.
func loadV2(kl *openapi3.Loader, loc *url.URL, data []byte) (*openapi3.T, error) {
	var doc2 openapi2.T
	if err := openapi2.UnmarshalFromData(data, &doc2); err != nil {
		return nil, fmt.Errorf("parse Swagger 2.0: %w", err)
	}
	doc, err := openapi2conv.ToV3WithLoader(&doc2, kl, loc)
	if err != nil {
		return nil, fmt.Errorf("convert Swagger 2.0: %w", err)
	}
	return doc, nil
}

// loadV3 is kin-openapi's load of an OpenAPI 3 document.
func loadV3(kl *openapi3.Loader, loc *url.URL, data []byte) (*openapi3.T, error) {
	if loc != nil {
		return kl.LoadFromDataWithPath(data, loc)
	}
	return kl.LoadFromData(data)
}

func locationString(u *url.URL) string {
	switch {
	case u == nil:
		return ""
	case isRemote(u):
		return u.String()
	default:
		return filepath.FromSlash(u.Path)
	}
}

// validationWarnings runs kin-openapi's validator and flattens its findings.
func validationWarnings(ctx context.Context, doc *openapi3.T) []string {
	opts := []openapi3.ValidationOption{
		openapi3.EnableMultiError(),
		openapi3.DisableExamplesValidation(),
		openapi3.AllowExtraSiblingFields("description", "summary"),
	}
	err := doc.Validate(ctx, opts...)
	if err == nil {
		return nil
	}
	var me openapi3.MultiError
	if errors.As(err, &me) {
		out := make([]string, 0, len(me))
		for _, e := range me {
			out = append(out, "openapi validation: "+e.Error())
		}
		return out
	}
	return []string{"openapi validation: " + err.Error()}
}
