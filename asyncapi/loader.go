package asyncapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/arazzo-go/arazzo/internal/regfile"
)

// Defaults for the zero Loader, the same as the openapi package's.
const (
	DefaultTimeout  = 30 * time.Second
	DefaultMaxBytes = 16 << 20
	// maxDocuments bounds how many files or URLs one load reads through
	// $refs.
	maxDocuments = 1000
	// maxRefHops bounds a chain of $refs to $refs (and breaks cycles).
	maxRefHops = 64
	// maxSchemaDepth bounds how deep allOf and $ref are followed when
	// collecting a schema's property names.
	maxSchemaDepth = 16
	// maxSchemaNodes bounds how many schema objects one message's
	// property collection visits.
	maxSchemaNodes = 1000
)

// Loader reads AsyncAPI documents. The zero value reads local files only.
type Loader struct {
	AllowRemote bool          // allow http(s) locations and $refs
	Client      *http.Client  // for remote reads; nil -> own client with Timeout
	Timeout     time.Duration // per remote read; default 30s
	MaxBytes    int64         // per document; default 16 MiB
	// ReadFile reads local documents and $ref targets instead of the
	// operating system's file system (an fs.FS, an embedded bundle, a
	// service's store). Nil reads regular files from disk.
	ReadFile func(path string) ([]byte, error)
}

// ErrLocalFromRemote is matched (errors.Is) by the error of a load in which
// a document read from a URL named a local file.
var ErrLocalFromRemote = errors.New("a remote document names a local file")

// ErrRemoteDisabled is wrapped by the error for an http(s) location or $ref
// read by a Loader without AllowRemote.
var ErrRemoteDisabled = errors.New("remote loading is disabled")

// ErrNotAsyncAPI is wrapped by the error for a document without an
// asyncapi version field, or of a version other than 2.x or 3.x.
var ErrNotAsyncAPI = errors.New("not an AsyncAPI 2.x or 3.x document")

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

// Load reads the document at location (a file path or an http(s) URL).
func (l *Loader) Load(ctx context.Context, location string) (*Document, error) {
	loc, err := parseLocation(location)
	if err != nil {
		return nil, err
	}
	r := l.newReader(ctx, loc)
	if _, err := r.node(loc); err != nil {
		return nil, fmt.Errorf("asyncapi: %w", err)
	}
	return r.build(loc)
}

// Parse is Load for bytes already read; location names the document in
// positions and is what relative $refs resolve against. An empty location
// allows only references inside the document itself.
func (l *Loader) Parse(ctx context.Context, location string, data []byte) (*Document, error) {
	var loc *url.URL
	if location != "" {
		var err error
		if loc, err = parseLocation(location); err != nil {
			return nil, err
		}
	} else {
		loc = &url.URL{}
	}
	if int64(len(data)) > l.maxBytes() {
		return nil, fmt.Errorf("asyncapi %s: document is %d bytes, over the %d byte limit", display(loc), len(data), l.maxBytes())
	}
	r := l.newReader(ctx, loc)
	if _, err := r.decode(loc, data); err != nil {
		return nil, err
	}
	return r.build(loc)
}

func parseLocation(location string) (*url.URL, error) {
	if location == "" {
		return nil, errors.New("asyncapi: empty location")
	}
	if i := strings.Index(location, "://"); i > 0 {
		u, err := url.Parse(location)
		if err != nil {
			return nil, fmt.Errorf("asyncapi: invalid URL %q: %v", location, err)
		}
		switch u.Scheme {
		case "http", "https":
			u.Fragment = ""
			return u, nil
		case "file":
			return &url.URL{Path: u.Path}, nil
		default:
			return nil, fmt.Errorf("asyncapi: unsupported URL scheme %q in %s (want a file path or an http(s) URL)", u.Scheme, u.Redacted())
		}
	}
	abs, err := filepath.Abs(location)
	if err != nil {
		return nil, fmt.Errorf("asyncapi: %s: %v", location, err)
	}
	return &url.URL{Path: filepath.ToSlash(abs)}, nil
}

func isRemote(u *url.URL) bool { return u != nil && (u.Scheme == "http" || u.Scheme == "https") }

// display names a location in messages, without credentials.
func display(u *url.URL) string {
	switch {
	case u == nil || (u.Scheme == "" && u.Path == ""):
		return "(in memory)"
	case isRemote(u):
		return u.Redacted()
	default:
		return filepath.FromSlash(u.Path)
	}
}

// reader is the access policy of one load, as in openapi's reader: the root
// document and every $ref it pulls in go through it.
type reader struct {
	ctx          context.Context
	loader       *Loader
	rootRemote   bool
	sawRemote    bool
	refusedLocal bool
	docs         map[string]*yaml.Node // by location, the parsed documents
	problems     []Problem
	seen         map[string]bool // problems already reported, by position and text
}

func (l *Loader) newReader(ctx context.Context, root *url.URL) *reader {
	if ctx == nil {
		ctx = context.Background()
	}
	return &reader{ctx: ctx, loader: l, rootRemote: isRemote(root), docs: map[string]*yaml.Node{}, seen: map[string]bool{}}
}

// node returns the root node of the document at u, reading it if needed.
func (r *reader) node(u *url.URL) (*yaml.Node, error) {
	key := u.String()
	if n, ok := r.docs[key]; ok {
		return n, nil
	}
	if len(r.docs) >= maxDocuments {
		return nil, fmt.Errorf("more than %d documents referenced; refusing to read %s", maxDocuments, display(u))
	}
	var data []byte
	var err error
	switch u.Scheme {
	case "http", "https":
		if !r.loader.AllowRemote {
			return nil, fmt.Errorf("%s: %w (allow remote sources to read it)", u.Redacted(), ErrRemoteDisabled)
		}
		r.sawRemote = true
		data, err = r.fetch(u)
	case "", "file":
		if r.rootRemote || (u.Scheme == "file" && r.sawRemote) {
			r.refusedLocal = true
			return nil, fmt.Errorf("refusing to read local file %s referenced by a remote document: %w", filepath.FromSlash(u.Path), ErrLocalFromRemote)
		}
		if u.Path == "" || !filepath.IsAbs(filepath.FromSlash(u.Path)) {
			return nil, fmt.Errorf("cannot resolve relative reference %q without a document location", u.Path)
		}
		data, err = r.readFile(filepath.FromSlash(u.Path))
	default:
		return nil, fmt.Errorf("unsupported reference scheme %q in %s", u.Scheme, u.Redacted())
	}
	if err != nil {
		return nil, err
	}
	return r.decode(u, data)
}

func (r *reader) decode(u *url.URL, data []byte) (*yaml.Node, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("asyncapi %s: empty document", display(u))
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("asyncapi %s: %v", display(u), err)
	}
	n := &root
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	r.docs[u.String()] = n
	return n, nil
}

func (r *reader) readFile(path string) ([]byte, error) {
	if read := r.loader.ReadFile; read != nil {
		data, err := read(path)
		if err != nil {
			return nil, err
		}
		return r.readLimited(bytes.NewReader(data), path)
	}
	// A FIFO or device could block forever or never end: regfile refuses
	// them without blocking in open, as openapi's reader does.
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
	req.Header.Set("Accept", "application/json, application/yaml;q=0.9, */*;q=0.5")
	client := r.loader.Client
	if client == nil {
		client = &http.Client{Timeout: r.loader.timeout()}
	}
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its text repeats the URL unredacted
		}
		return nil, fmt.Errorf("GET %s: %w", u.Redacted(), err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, fmt.Errorf("GET %s: HTTP status %s", u.Redacted(), resp.Status)
	}
	return r.readLimited(resp.Body, u.Redacted())
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

// place is a node together with the document it is in.
type place struct {
	doc  *url.URL
	node *yaml.Node
	ptr  string // JSON pointer of node in doc, when known
}

func (r *reader) problem(p place, n *yaml.Node, format string, args ...any) {
	pos := Pos{File: display(p.doc)}
	if n != nil {
		pos.Line, pos.Col = n.Line, n.Column
	}
	pr := Problem{Pos: pos, Pointer: p.ptr, Msg: fmt.Sprintf(format, args...)}
	key := pr.Error()
	if r.seen[key] {
		return
	}
	r.seen[key] = true
	r.problems = append(r.problems, pr)
}

// deref follows p while it is a {$ref: ...} mapping. It returns the final
// place, or ok false (with a problem recorded) when a $ref does not
// resolve.
func (r *reader) deref(p place) (place, bool) {
	for hop := 0; ; hop++ {
		ref, refNode := refOf(p.node)
		if refNode == nil {
			return p, true
		}
		if hop >= maxRefHops {
			r.problem(p, refNode, "$ref chain longer than %d (a cycle?)", maxRefHops)
			return p, false
		}
		next, err := r.resolve(p.doc, ref)
		if err != nil {
			r.problem(p, refNode, "$ref %q: %v", ref, err)
			return p, false
		}
		p = next
	}
}

// refOf returns the $ref of a mapping node, if it has one.
func refOf(n *yaml.Node) (string, *yaml.Node) {
	n = alias(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return "", nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "$ref" {
			v := alias(n.Content[i+1])
			if v.Kind != yaml.ScalarNode {
				return "", nil
			}
			return v.Value, v
		}
	}
	return "", nil
}

func alias(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 64; i++ {
		n = n.Alias
	}
	return n
}

// resolve finds what ref names, relative to the document base.
func (r *reader) resolve(base *url.URL, ref string) (place, error) {
	u, err := url.Parse(ref)
	if err != nil {
		return place{}, err
	}
	frag := u.Fragment
	if rf := u.RawFragment; rf != "" {
		if f, err := url.PathUnescape(rf); err == nil {
			frag = f
		}
	}
	u.Fragment, u.RawFragment = "", ""
	target := base
	if u.String() != "" {
		if base.Scheme == "" && base.Path == "" && u.Scheme == "" {
			return place{}, errors.New("cannot resolve a reference to another file in a document parsed without a location")
		}
		target = base.ResolveReference(u)
	}
	root, err := r.node(target)
	if err != nil {
		return place{}, err
	}
	n, err := walk(root, frag)
	if err != nil {
		return place{}, err
	}
	return place{doc: target, node: n, ptr: frag}, nil
}

// walk follows a JSON pointer through a node tree.
func walk(n *yaml.Node, ptr string) (*yaml.Node, error) {
	toks, err := splitPointer(ptr)
	if err != nil {
		return nil, err
	}
	for _, t := range toks {
		n = alias(n)
		switch n.Kind {
		case yaml.MappingNode:
			var next *yaml.Node
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == t {
					next = n.Content[i+1]
					break
				}
			}
			if next == nil {
				return nil, fmt.Errorf("no member %q", t)
			}
			n = next
		case yaml.SequenceNode:
			i, ok := index(t)
			if !ok || i >= len(n.Content) {
				return nil, fmt.Errorf("no item %q", t)
			}
			n = n.Content[i]
		default:
			return nil, fmt.Errorf("cannot descend into a scalar at %q", t)
		}
	}
	return alias(n), nil
}

func index(t string) (int, bool) {
	if t == "" || len(t) > 9 || (len(t) > 1 && t[0] == '0') {
		return 0, false
	}
	n := 0
	for _, c := range t {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}
