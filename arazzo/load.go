package arazzo

import (
	"context"
	"errors"
	"fmt"
	"github.com/arazzo-go/arazzo/internal/regfile"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/arazzo-go/arazzo/asyncapi"
	"github.com/arazzo-go/arazzo/openapi"
)

// Load reads the document at path (a file path; "-" for stdin is handled by
// the caller through LoadBytes), parses it, loads every source description
// (OpenAPI through openapi.Loader, Arazzo recursively with cycle
// detection), compiles every expression (filling the Compiled fields), and
// validates structure and semantics. The document is returned even when it
// has errors, so that every problem can be reported at once.
// err is for I/O failures of the entry document itself.
func Load(ctx context.Context, path string, opts LoadOptions) (*Document, Diagnostics, error) {
	opts = opts.withDefaults()
	// Read one byte past the limit so that an oversized document becomes an
	// input-too-large diagnostic rather than an I/O error.
	src, err := readWith(opts.fileReader(), path, opts.MaxBytes+1)
	if err != nil {
		return nil, nil, err
	}
	doc, ds := LoadBytes(ctx, path, src, opts)
	return doc, ds, nil
}

// LoadBytes is Load for a document already in memory; file is both its name
// in diagnostics and the location relative source URLs resolve against (a
// file path or URL; "-" resolves against the working directory).
func LoadBytes(ctx context.Context, file string, src []byte, opts LoadOptions) (*Document, Diagnostics) {
	opts = opts.withDefaults()
	l := &loader{opts: opts, docs: map[string]*Document{}}
	doc, ds := l.load(ctx, file, src)
	if doc != nil {
		ds = append(ds, checkRecursionAcross(doc, l.order)...)
	}
	ds = sortDiagnostics(ds)
	if doc != nil {
		doc.Diagnostics = ds
	}
	return doc, ds
}

// loader carries the state of one Load: the Arazzo documents seen so far by
// resolved location, which is what breaks source-description cycles.
type loader struct {
	opts LoadOptions
	docs map[string]*Document
	// order holds the documents of docs in the order they were read.
	order []*Document
	oapi  map[string]*openapi.Source
	aapi  map[string]*asyncapi.Document
}

func (l *loader) load(ctx context.Context, file string, src []byte) (*Document, Diagnostics) {
	doc, ds := Parse(file, src, l.opts)
	if doc == nil {
		return nil, ds
	}
	l.docs[locationKey(file)] = doc
	l.order = append(l.order, doc)
	// On a cold start compiling the schema and loading the sources take
	// about as long as each other, so the schema compiles on another core
	// while the sources load. Diagnostics keep their order.
	if compiled, ok := schemaByMinor[doc.Minor()]; ok {
		go compiled()
	}
	sourceDs := l.loadSources(ctx, doc)
	ds = append(ds, validateSchema(doc)...)
	ds = append(ds, sourceDs...)
	ds = append(ds, checkDocument(doc)...)
	return doc, ds
}

func locationKey(loc string) string {
	if isRemote(loc) {
		return loc
	}
	if loc == "-" {
		return loc
	}
	if abs, err := filepath.Abs(loc); err == nil {
		return abs
	}
	return loc
}

func isRemote(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

// resolveLocation resolves a source url against the referring document.
func resolveLocation(base, ref string) (string, error) {
	if isRemote(ref) {
		return ref, nil
	}
	if strings.HasPrefix(ref, "file://") {
		u, err := url.Parse(ref)
		if err != nil {
			return "", err
		}
		return filepath.FromSlash(u.Path), nil
	}
	if u, err := url.Parse(ref); err == nil && u.Scheme != "" && len(u.Scheme) > 1 {
		return "", fmt.Errorf("unsupported URL scheme %q", u.Scheme)
	}
	if isRemote(base) {
		b, err := url.Parse(base)
		if err != nil {
			return "", err
		}
		r, err := url.Parse(ref)
		if err != nil {
			return "", err
		}
		return b.ResolveReference(r).String(), nil
	}
	// Local files: a fragment or query has no meaning on a path.
	if i := strings.IndexAny(ref, "#?"); i >= 0 {
		ref = ref[:i]
	}
	if p, err := url.PathUnescape(ref); err == nil {
		ref = p
	}
	if filepath.IsAbs(ref) {
		return filepath.Clean(ref), nil
	}
	dir := "."
	if base != "-" && base != "" {
		dir = filepath.Dir(base)
	}
	abs, err := filepath.Abs(filepath.Join(dir, filepath.FromSlash(ref)))
	if err != nil {
		return "", err
	}
	return abs, nil
}

func (l *loader) loadSources(ctx context.Context, doc *Document) Diagnostics {
	var ds Diagnostics
	for _, s := range doc.SourceDescriptions {
		if d := l.loadSource(ctx, doc, s); d != nil {
			ds = append(ds, d...)
		}
	}
	return ds
}

func (l *loader) loadSource(ctx context.Context, doc *Document, s *SourceDescription) Diagnostics {
	if s.URL == "" {
		return nil // the schema reports the missing url
	}
	at := s.Loc.FieldPos("url")
	diag := func(sev Severity, rule, format string, args ...any) Diagnostics {
		return Diagnostics{{Severity: sev, Rule: rule, Msg: fmt.Sprintf(format, args...), File: doc.File,
			Pos: at, End: endOfScalar(newLineIndex(doc.Src), at, s.URL), Pointer: s.Loc.Pointer + "/url"}}
	}
	loc, err := resolveLocation(doc.File, s.URL)
	if err != nil {
		s.LoadErr = err
		return diag(SeverityError, RuleSourceUnavailable, "source %q: cannot resolve url %q: %v", s.Name, s.URL, err)
	}
	if isRemote(doc.File) && !isRemote(loc) {
		// A server must not make us read (and then quote in diagnostics, or send) our own files.
		s.LoadErr = fmt.Errorf("refusing to read local file %s named by a document loaded from %s", loc, doc.File)
		d := diag(SeverityError, RuleRemoteLocalSource, "source %q: a document loaded from a URL may only name URLs; %q is a local file and is not read", s.Name, s.URL)
		d[0].Fix = "name the source by an http(s) URL, or load the document from a local file"
		return d
	}
	s.Resolved = loc
	if isRemote(loc) && !l.opts.AllowRemote {
		s.LoadErr = fmt.Errorf("remote source %s not fetched (remote loading is off)", loc)
		return diag(SeverityWarning, RuleSourceNotFetched, "source %q at %s was not fetched because remote loading is off; its operations are not checked", s.Name, loc)
	}
	if s.Type == "arazzo" || s.Type == "" {
		if d, ok := l.docs[locationKey(loc)]; ok {
			s.Arazzo = d // a cycle or a shared document: reuse it
			return nil
		}
	}
	data, err := l.read(ctx, loc)
	if err != nil {
		s.LoadErr = err
		d := diag(SeverityError, RuleSourceUnavailable, "source %q cannot be read: %v", s.Name, err)
		for _, x := range d {
			x.Fix = "fix the url; a relative url is resolved against the directory of the Arazzo document"
		}
		return d
	}
	typ := s.Type
	if typ == "" {
		typ = sniffType(data)
		if typ == "" {
			s.LoadErr = errors.New("neither an OpenAPI nor an Arazzo document")
			return diag(SeverityError, RuleSourceUnavailable, "source %q at %s is neither an OpenAPI nor an Arazzo document; set its type", s.Name, s.URL)
		}
	}
	switch typ {
	case "asyncapi":
		return l.loadAsyncAPI(ctx, doc.File, s, loc, data, diag)
	case "arazzo":
		sub, sds := l.load(ctx, loc, data)
		if sub == nil {
			s.LoadErr = sds.Err()
			if s.LoadErr == nil {
				s.LoadErr = errors.New("unreadable Arazzo document")
			}
			return diag(SeverityError, RuleSourceUnavailable, "source %q is not a valid Arazzo document: %s", s.Name, firstMsg(sds))
		}
		s.Arazzo = sub
		return sds
	default:
		if src, ok := l.oapi[loc]; ok {
			s.OpenAPI = src
			return nil
		}
		ol := &openapi.Loader{ReadFile: l.opts.fileReader(), AllowRemote: l.opts.AllowRemote, Client: l.opts.HTTPClient, Timeout: l.opts.Timeout, MaxBytes: l.opts.MaxBytes}
		src, err := ol.Parse(ctx, loc, data)
		if err != nil || src == nil {
			if err == nil {
				err = errors.New("no document")
			}
			s.LoadErr = err
			if errors.Is(err, openapi.ErrLocalFromRemote) {
				d := diag(SeverityError, RuleRemoteLocalSource, "source %q is not loaded: %v", s.Name, err)
				d[0].Fix = "reference other documents by http(s) URLs only, or load the documents from local files"
				return d
			}
			return diag(SeverityError, RuleSourceUnavailable, "source %q is not a usable OpenAPI description: %v", s.Name, err)
		}
		if l.oapi == nil {
			l.oapi = map[string]*openapi.Source{}
		}
		l.oapi[loc] = src
		s.OpenAPI = src
		return repairDiagnostics(doc.File, s.Name, src.Repairs)
	}
}

// IsRepair reports whether a rule id is one of the repairs made to load a
// damaged OpenAPI description (reported as warnings; a strict run refuses
// them).
func IsRepair(rule string) bool {
	switch rule {
	case RuleOpenAPIDanglingRef, RuleOpenAPIMissingFile, RuleOpenAPIInvalidKeyword, RuleOpenAPIMixedVersion:
		return true
	}
	return false
}

// maxRepairOps bounds how many operations a repair warning names.
const maxRepairOps = 5

// repairDiagnostics reports the repairs of a damaged OpenAPI description as
// warnings at their place in the OpenAPI file, which is named as the
// Arazzo document's own path names it (relative to the same directory).
func repairDiagnostics(docFile, source string, repairs []openapi.Repair) Diagnostics {
	ds := make(Diagnostics, 0, len(repairs))
	for _, r := range repairs {
		var uses string
		switch n := len(r.Operations); {
		case n == 0 && r.Traced:
			uses = "no operation uses it"
		case n == 0:
			uses = "the operations that use it were not traced"
		case n <= maxRepairOps:
			uses = "used by " + strings.Join(r.Operations, ", ")
		default:
			uses = fmt.Sprintf("used by %s and %d more operations", strings.Join(r.Operations[:maxRepairOps], ", "), n-maxRepairOps)
		}
		ds = append(ds, &Diagnostic{
			Severity: SeverityWarning, Rule: r.Rule,
			Msg:     fmt.Sprintf("source %q: %s (%s)", source, r.Msg, uses),
			Fix:     "fix the OpenAPI description; until then it is used as repaired",
			File:    displayNear(docFile, r.File),
			Pos:     Pos{Line: r.Line, Col: r.Column},
			End:     Pos{Line: r.Line, Col: r.Column},
			Pointer: r.Pointer,
		})
	}
	return ds
}

// displayNear names file relative to the directory of docFile, joined to
// that directory as docFile writes it, so both read alike in one listing.
func displayNear(docFile, file string) string {
	if isRemote(file) || isRemote(docFile) || docFile == "" {
		return file
	}
	absDoc, err := filepath.Abs(docFile)
	if err != nil {
		return file
	}
	rel, err := filepath.Rel(filepath.Dir(absDoc), file)
	if err != nil || strings.HasPrefix(rel, "..") {
		return file
	}
	return filepath.Join(filepath.Dir(docFile), rel)
}

func firstMsg(ds Diagnostics) string {
	for _, d := range ds {
		if d.Severity == SeverityError {
			// The place in the source document: the diagnostic itself
			// stands at the sourceDescription that names it.
			if d.File != "" && d.Pos.Line > 0 {
				return fmt.Sprintf("%s:%d:%d: %s", d.File, d.Pos.Line, d.Pos.Col, d.Msg)
			}
			return d.Msg
		}
	}
	return "unknown problem"
}

// sniffType looks at the root keys of a source document.
func sniffType(data []byte) string {
	var root map[string]yaml.Node
	if yaml.Unmarshal(data, &root) != nil {
		return ""
	}
	switch {
	case has(root, "openapi"), has(root, "swagger"):
		return "openapi"
	case has(root, "arazzo"):
		return "arazzo"
	case has(root, "asyncapi"):
		return "asyncapi"
	}
	return ""
}

func has(m map[string]yaml.Node, k string) bool { _, ok := m[k]; return ok }

func (l *loader) read(ctx context.Context, loc string) ([]byte, error) {
	if !isRemote(loc) {
		return readFileLimited(l.opts.fileReader(), loc, l.opts.MaxBytes)
	}
	client := l.opts.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: l.opts.Timeout}
	}
	ctx, cancel := context.WithTimeout(ctx, l.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, loc, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("GET %s: %s", loc, resp.Status)
	}
	return readLimited(resp.Body, l.opts.MaxBytes)
}

func readFileLimited(read func(string) ([]byte, error), path string, max int64) ([]byte, error) {
	data, err := readWith(read, path, max+1)
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("larger than the limit of %d bytes", max)
	}
	return data, nil
}

// readWith reads at most n bytes of path with read, or of the regular file
// path when read is nil.
func readWith(read func(string) ([]byte, error), path string, n int64) ([]byte, error) {
	if read == nil {
		return readFile(path, n)
	}
	data, err := read(path)
	if int64(len(data)) > n {
		data = data[:n]
	}
	return data, err
}

// readFile reads at most n bytes of a regular file; a FIFO, device or
// directory is refused without blocking (regfile).
func readFile(path string, n int64) ([]byte, error) {
	return regfile.ReadHead(path, n)
}

func readLimited(r io.Reader, max int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("larger than the limit of %d bytes", max)
	}
	return data, nil
}

// endOfScalar estimates where a single-line scalar written at pos ends.
func endOfScalar(li *lineIndex, pos Pos, text string) Pos {
	if strings.ContainsAny(text, "\n") {
		return pos
	}
	end := Pos{Line: pos.Line, Col: pos.Col + utf8.RuneCountInString(text)}
	if i := li.byteOffset(pos); i < len(li.src) && (li.src[i] == '"' || li.src[i] == '\'') {
		end.Col += 2
	}
	return end
}
