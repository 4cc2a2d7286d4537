package openapi

// Tolerant loading. Public descriptions are often damaged: $refs to
// components a split file no longer holds, sibling files that are missing,
// keywords of the wrong type for the declared version. kin-openapi refuses
// such a file whole, and with it every operation the file describes. When a
// strict load fails, the repairer edits a YAML copy of every file the load
// reads, records each change as a Repair at its line and column, and hands
// the repaired copies to kin-openapi, which stays the parser.
//
// The work is linear in the size of the files: one walk of each file finds
// the $refs, each $ref is resolved once against the parsed trees, and type
// errors are found by decoding each path item and component (not the whole
// document) into kin-openapi's own types, so one damaged fragment costs a
// re-decode of that fragment only.

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v4"
)

// Rule ids of the repairs; the arazzo package reports repairs under them.
const (
	// RuleDanglingRef: a $ref names a component or fragment that does not
	// exist; a schema becomes the empty schema, anything else is dropped.
	RuleDanglingRef = "openapi-dangling-ref"
	// RuleMissingFile: a $ref names a file that cannot be read or parsed;
	// the file is treated as empty, so the $ref is repaired as dangling.
	RuleMissingFile = "openapi-missing-file"
	// RuleInvalidKeyword: a keyword whose value has the wrong type for the
	// declared version; a scalar that should be a string becomes one,
	// anything else is removed.
	RuleInvalidKeyword = "openapi-invalid-keyword"
	// RuleMixedVersion: a Swagger 2.0 construct in an OpenAPI 3 file,
	// rewritten in its OpenAPI 3 form.
	RuleMixedVersion = "openapi-mixed-version"
)

// Repair is one change the loader made to a damaged description so that it
// loads. Every repair is a warning: the operations it does not touch are
// exact, and the ones it touches run with the repaired shape.
type Repair struct {
	Rule    string // one of the Rule* constants
	File    string // the damaged file: a path, or a URL for a remote file
	Line    int    // 1-based position of the repaired node in File
	Column  int
	Pointer string // JSON Pointer of the repaired node in File
	Msg     string // what was wrong and what the loader did
	// Operations names the operations whose description uses the
	// repaired node ("listPets", or "GET /pets" without an operationId),
	// in document order; nil when no operation uses it. When the document
	// is too large to trace every use, Traced is false and Operations may
	// be incomplete.
	Operations []string
	Traced     bool
}

// maxFragmentRounds bounds how often one path item or component is decoded
// again after a repair; a fragment still failing after that is dropped.
const maxFragmentRounds = 24

// kind is the OpenAPI object a node is expected to be, which decides how a
// dangling $ref to it is repaired and which kin-openapi type checks it.
type kind int

const (
	kOpaque kind = iota
	kDoc
	kPaths
	kPathItem
	kOperation
	kParameter
	kRequestBody
	kMedia
	kResponse
	kHeader
	kExample
	kLink
	kCallback
	kSchema
	kSecurityScheme
	kComponents
)

// yfile is one file of the load, parsed for repair.
type yfile struct {
	key     string   // normalised location, the key of repairer.files
	loc     *url.URL // nil for an entry document parsed without location
	name    string   // for messages
	doc     *yaml.Node
	root    *yaml.Node // doc's content: the top-level node
	err     error      // why the file cannot be used
	changed bool
	at      map[[2]int]nodeAt // lazily built: position -> node
}

// nodeAt is a node with the place it sits in.
type nodeAt struct {
	node, parent, key *yaml.Node // key is nil for a sequence item
	ptr               []string
}

// site is a $ref found by the walk.
type site struct {
	file   *yfile
	holder *yaml.Node // the mapping with the $ref key
	parent *yaml.Node // where holder sits (mapping or sequence)
	key    *yaml.Node // holder's key in parent, nil in a sequence
	ref    *yaml.Node // the $ref's value
	kind   kind
	ptr    []string
	owner  string
}

// fragment is a node checked on its own against its kin-openapi type.
type fragment struct {
	file   *yfile
	node   *yaml.Node
	parent *yaml.Node
	key    *yaml.Node
	kind   kind
	ptr    []string
	owner  string
}

type repairer struct {
	r       *reader
	entry   *yfile
	files   map[string]*yfile
	v31     bool
	swagger bool // a Swagger 2.0 document
	sites   []site
	frags   []fragment
	walked  map[*yaml.Node]bool
	removed map[*yaml.Node]map[*yaml.Node]bool // parent -> children to drop
	repairs []Repair
	owners  []string                   // owner of each repair, parallel to repairs
	edges   map[string]map[string]bool // referenced owner -> referring owners
}

// repairLoad parses data as a damaged OpenAPI 3 document and returns the
// repaired bytes of the entry document, with the repairs made. It returns
// ok=false when data is not a YAML mapping at all (nothing to repair).
func (l *Loader) repairLoad(ctx context.Context, r *reader, loc *url.URL, data []byte) (entry []byte, rp *repairer, ok bool) {
	rp = &repairer{r: r, files: map[string]*yfile{}, walked: map[*yaml.Node]bool{},
		removed: map[*yaml.Node]map[*yaml.Node]bool{}, edges: map[string]map[string]bool{}}
	f := rp.parseFile(loc, data)
	if f.err != nil || f.root.Kind != yaml.MappingNode {
		return nil, nil, false
	}
	rp.entry = f
	if v := mapValue(f.root, "openapi"); v != nil && strings.HasPrefix(v.Value, "3.1") {
		rp.v31 = true
	}
	rp.swagger = mapValue(f.root, "swagger") != nil
	rp.walkDoc(f)
	rp.resolveSites()
	rp.sweep()
	rp.checkFragments()
	rp.sweep()
	// kin-openapi reads the sibling files through the reader: hand it the
	// repaired copies.
	budget := 4 * int(l.maxBytes())
	for _, yf := range rp.files {
		if yf != f && yf.changed && yf.err == nil {
			if b, err := nodeYAML(yf.doc, budget); err == nil {
				r.repaired[yf.key] = b
			}
		}
	}
	out, err := nodeYAML(f.doc, budget)
	if err != nil {
		return nil, nil, false
	}
	return out, rp, true
}

func fileKey(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := *u
	c.Fragment, c.RawFragment = "", ""
	if c.Scheme == "" || c.Scheme == "file" {
		c.Scheme = "file"
		c.Path = path.Clean(c.Path)
	}
	return c.String()
}

func (rp *repairer) parseFile(loc *url.URL, data []byte) *yfile {
	f := &yfile{key: fileKey(loc), loc: loc, name: displayLocation(loc)}
	rp.files[f.key] = f
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		f.err = err
		return f
	}
	f.doc = &doc
	f.root = &doc
	if doc.Kind == yaml.DocumentNode {
		if len(doc.Content) == 0 {
			// An empty file is an empty mapping: every pointer into it dangles.
			doc.Content = []*yaml.Node{{Kind: yaml.MappingNode, Tag: "!!map"}}
		}
		f.root = doc.Content[0]
	}
	rp.dedupe(f)
	return f
}

// ownerOf is the owner of the node at ptr in f: an operation, a path or a
// component of the entry document, or a whole sibling file.
func (rp *repairer) ownerOf(f *yfile, ptr []string) string {
	if rp.entry != nil && f != rp.entry {
		return "file:" + f.key
	}
	switch {
	case len(ptr) >= 3 && ptr[0] == "paths" && operationKeys[ptr[2]]:
		return "/paths/" + escapeToken(ptr[1]) + "/" + ptr[2]
	case len(ptr) >= 2 && ptr[0] == "paths":
		return "/paths/" + escapeToken(ptr[1])
	case len(ptr) >= 3 && ptr[0] == "components":
		return pointerOf(ptr[:3])
	case len(ptr) >= 2 && swaggerRootKinds[ptr[0]] != kOpaque:
		return pointerOf(ptr[:2])
	}
	return ""
}

// dedupe keeps the first of repeated keys in every mapping of f: YAML
// forbids them, and kin-openapi refuses the file for one.
func (rp *repairer) dedupe(f *yfile) {
	seen := map[string]bool{}
	eachNode(nodeAt{node: f.root}, func(cur nodeAt) bool {
		n := cur.node
		if n.Kind != yaml.MappingNode || len(n.Content) <= 2 {
			return true
		}
		clear(seen)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if seen[k.Value] {
				ptr := appendPtr(cur.ptr, k.Value)
				rp.remove(n, n.Content[i+1])
				rp.add(f, k, ptr, RuleInvalidKeyword, fmt.Sprintf("key %q is repeated in this mapping; the first one is used", quoteBounded(k.Value)), rp.ownerOf(f, ptr))
				continue
			}
			seen[k.Value] = true
		}
		return true
	})
	rp.sweep()
}

// file returns the parsed sibling at u, reading it through the load's reader
// (so the remote and local-file rules hold for repairs too).
func (rp *repairer) file(u *url.URL) *yfile {
	key := fileKey(u)
	if f, ok := rp.files[key]; ok {
		return f
	}
	data, err := rp.r.read(u)
	if err != nil {
		f := &yfile{key: key, loc: u, name: displayLocation(u), err: err}
		rp.files[key] = f
		return f
	}
	return rp.parseFile(u, data)
}

// ---- the walk ----

// walkDoc walks the entry document and queues its fragments.
func (rp *repairer) walkDoc(f *yfile) {
	root := f.root
	rest := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: root.Line, Column: root.Column}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "paths", "webhooks":
			if v.Kind != yaml.MappingNode {
				rest.Content = append(rest.Content, k, v)
				continue
			}
			eachPair(v, func(pk, pv *yaml.Node) {
				if strings.HasPrefix(pk.Value, "x-") {
					return
				}
				ptr := []string{k.Value, pk.Value}
				owner := ""
				if k.Value == "paths" {
					owner = "/paths/" + escapeToken(pk.Value)
				}
				rp.frags = append(rp.frags, fragment{f, pv, v, pk, kPathItem, ptr, owner})
				rp.walk(f, pv, v, pk, kPathItem, ptr, owner)
			})
		case "definitions", "parameters", "responses":
			if !rp.swagger || v.Kind != yaml.MappingNode {
				rest.Content = append(rest.Content, k, v)
				continue
			}
			ek := swaggerRootKinds[k.Value]
			eachPair(v, func(nk, nv *yaml.Node) {
				ptr := []string{k.Value, nk.Value}
				owner := pointerOf(ptr)
				rp.frags = append(rp.frags, fragment{f, nv, v, nk, ek, ptr, owner})
				rp.walk(f, nv, v, nk, ek, ptr, owner)
			})
		case "components":
			if v.Kind != yaml.MappingNode {
				rest.Content = append(rest.Content, k, v)
				continue
			}
			eachPair(v, func(ck, cv *yaml.Node) {
				ek := componentKinds[ck.Value]
				if ek == kOpaque || cv.Kind != yaml.MappingNode {
					return
				}
				eachPair(cv, func(nk, nv *yaml.Node) {
					ptr := []string{"components", ck.Value, nk.Value}
					owner := pointerOf(ptr)
					rp.frags = append(rp.frags, fragment{f, nv, cv, nk, ek, ptr, owner})
					rp.walk(f, nv, cv, nk, ek, ptr, owner)
				})
			})
		default:
			rest.Content = append(rest.Content, k, v)
		}
	}
	rp.frags = append(rp.frags, fragment{f, rest, nil, nil, kDoc, nil, ""})
}

var componentKinds = map[string]kind{
	"schemas": kSchema, "responses": kResponse, "parameters": kParameter, "examples": kExample,
	"requestBodies": kRequestBody, "headers": kHeader, "securitySchemes": kSecurityScheme,
	"links": kLink, "callbacks": kCallback, "pathItems": kPathItem,
}

var operationKeys = map[string]bool{
	"get": true, "put": true, "post": true, "delete": true, "options": true,
	"head": true, "patch": true, "trace": true, "query": true,
}

// Schema keywords whose value is a schema, a map of schemas, or a list of them.
var (
	schemaOne = map[string]bool{"items": true, "not": true, "if": true, "then": true, "else": true,
		"contains": true, "propertyNames": true, "unevaluatedItems": true, "unevaluatedProperties": true,
		"contentSchema": true, "additionalItems": true, "additionalProperties": true}
	schemaMap  = map[string]bool{"properties": true, "patternProperties": true, "$defs": true, "dependentSchemas": true, "definitions": true}
	schemaList = map[string]bool{"allOf": true, "anyOf": true, "oneOf": true, "prefixItems": true}
)

// walk records the $refs under node, an object of kind k, without
// descending into values that are data (examples, defaults, enums).
func (rp *repairer) walk(f *yfile, node, parent, key *yaml.Node, k kind, ptr []string, owner string) {
	if node == nil || node.Kind != yaml.MappingNode || rp.walked[node] {
		return
	}
	rp.walked[node] = true
	if ref := mapValue(node, "$ref"); ref != nil && ref.Kind == yaml.ScalarNode && k != kOpaque {
		rp.sites = append(rp.sites, site{f, node, parent, key, ref, k, ptr, owner})
		return
	}
	switch {
	case rp.swagger:
	case k == kOperation:
		rp.swaggerOperation(f, node, ptr, owner)
	case k == kParameter || k == kHeader:
		rp.swaggerParam(f, node, ptr, owner)
	}
	sub := func(name string) []string { return append(append([]string(nil), ptr...), name) }
	eachPair(node, func(kn, cv *yaml.Node) {
		name := kn.Value
		if strings.HasPrefix(name, "x-") {
			return
		}
		one := func(ck kind) { rp.walk(f, cv, node, kn, ck, sub(name), owner) }
		mapOf := func(ck kind) {
			if cv.Kind != yaml.MappingNode {
				return
			}
			eachPair(cv, func(ek, ev *yaml.Node) {
				if !strings.HasPrefix(ek.Value, "x-") {
					rp.walk(f, ev, cv, ek, ck, append(sub(name), ek.Value), owner)
				}
			})
		}
		listOf := func(ck kind) {
			if cv.Kind != yaml.SequenceNode {
				return
			}
			for i, ev := range cv.Content {
				rp.walk(f, ev, cv, nil, ck, append(sub(name), strconv.Itoa(i)), owner)
			}
		}
		switch k {
		case kPathItem:
			switch {
			case name == "parameters":
				listOf(kParameter)
			case operationKeys[name]:
				rp.walk(f, cv, node, kn, kOperation, sub(name), rp.ownerOf(f, sub(name)))
			case name == "additionalOperations":
				mapOf(kOperation)
			}
		case kOperation:
			switch name {
			case "parameters":
				listOf(kParameter)
			case "requestBody":
				rp.walk(f, cv, node, kn, kRequestBody, sub(name), owner)
			case "responses":
				mapOf(kResponse)
			case "callbacks":
				mapOf(kCallback)
			}
		case kParameter, kHeader:
			switch name {
			case "schema":
				rp.walk(f, cv, node, kn, kSchema, sub(name), owner)
			case "content":
				mapOf(kMedia)
			case "examples":
				mapOf(kExample)
			}
		case kRequestBody:
			if name == "content" {
				mapOf(kMedia)
			}
		case kMedia:
			switch name {
			case "schema", "itemSchema":
				rp.walk(f, cv, node, kn, kSchema, sub(name), owner)
			case "examples":
				mapOf(kExample)
			case "encoding":
				if cv.Kind == yaml.MappingNode {
					eachPair(cv, func(ek, ev *yaml.Node) {
						if h := mapValue(ev, "headers"); h != nil && h.Kind == yaml.MappingNode {
							eachPair(h, func(hk, hv *yaml.Node) {
								rp.walk(f, hv, h, hk, kHeader, append(sub(name), ek.Value, "headers", hk.Value), owner)
							})
						}
					})
				}
			}
		case kResponse:
			switch name {
			case "schema": // Swagger 2.0
				rp.walk(f, cv, node, kn, kSchema, sub(name), owner)
			case "headers":
				mapOf(kHeader)
			case "content":
				mapOf(kMedia)
			case "links":
				mapOf(kLink)
			}
		case kCallback:
			rp.walk(f, cv, node, kn, kPathItem, sub(name), owner)
		case kSchema:
			switch {
			case schemaOne[name]:
				one(kSchema)
			case schemaMap[name]:
				mapOf(kSchema)
			case schemaList[name]:
				listOf(kSchema)
			}
		}
	})
}

// ---- $refs ----

func (rp *repairer) resolveSites() {
	// Resolving a $ref into a sibling file walks that file's fragment,
	// which may add sites: the loop runs until none are left.
	for i := 0; i < len(rp.sites); i++ {
		s := rp.sites[i]
		target, tf, rule, why := rp.resolve(s.file, s.ref.Value, s.kind, 0)
		if target == nil {
			rp.repairSite(s, rule, why)
			continue
		}
		to := rp.ownerOf(tf, target.ptr)
		if to != "" && to != s.owner {
			if rp.edges[to] == nil {
				rp.edges[to] = map[string]bool{}
			}
			rp.edges[to][s.owner] = true
		}
		if tf != rp.entry && !rp.walked[target.node] {
			owner := "file:" + tf.key
			rp.frags = append(rp.frags, fragment{tf, target.node, target.parent, target.key, s.kind, target.ptr, owner})
			rp.walk(tf, target.node, target.parent, target.key, s.kind, target.ptr, owner)
		}
	}
}

const maxRefChain = 32

// resolve follows ref from file f (and a chain of $refs) to its node.
func (rp *repairer) resolve(f *yfile, ref string, k kind, depth int) (*nodeAt, *yfile, string, string) {
	if depth > maxRefChain {
		return nil, nil, RuleDanglingRef, "its chain of $refs is too long or circular"
	}
	filePart, frag, _ := strings.Cut(ref, "#")
	tf := f
	if filePart != "" {
		u, err := url.Parse(filePart)
		if err != nil {
			return nil, nil, RuleMissingFile, fmt.Sprintf("%q is not a valid reference", filePart)
		}
		if f.loc != nil {
			u = f.loc.ResolveReference(u)
		}
		tf = rp.file(u)
		if tf.err != nil {
			return nil, nil, RuleMissingFile, fmt.Sprintf("file %q cannot be used (%s) and is treated as empty", filePart, shortErr(tf.err))
		}
	}
	at, ok := lookupPointer(tf.root, frag)
	if !ok {
		where := "this file"
		if tf != f {
			where = tf.name
		}
		return nil, nil, RuleDanglingRef, fmt.Sprintf("%s does not hold %q", where, "#"+frag)
	}
	if next := mapValue(at.node, "$ref"); next != nil && next.Kind == yaml.ScalarNode {
		if t, _, rule, why := rp.resolve(tf, next.Value, k, depth+1); t == nil {
			return nil, nil, rule, why
		}
	}
	return at, tf, "", ""
}

// shortErr keeps a read error to its first line.
func shortErr(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err // the path is already in the message
	}
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return quoteBounded(s)
}

func quoteBounded(s string) string {
	const max = 200
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}

// lookupPointer finds the node a JSON Pointer fragment names.
func lookupPointer(root *yaml.Node, frag string) (*nodeAt, bool) {
	at := &nodeAt{node: root}
	if frag == "" {
		return at, true
	}
	if !strings.HasPrefix(frag, "/") {
		return nil, false // a plain-name fragment (an $anchor): not modelled
	}
	for _, tok := range strings.Split(frag[1:], "/") {
		tok, err := url.PathUnescape(tok)
		if err != nil {
			return nil, false
		}
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		n := at.node
		if n.Kind == yaml.AliasNode && n.Alias != nil {
			n = n.Alias
		}
		switch n.Kind {
		case yaml.MappingNode:
			var next *nodeAt
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == tok {
					next = &nodeAt{node: n.Content[i+1], parent: n, key: n.Content[i], ptr: append(at.ptr, tok)}
					break
				}
			}
			if next == nil {
				return nil, false
			}
			at = next
		case yaml.SequenceNode:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(n.Content) {
				return nil, false
			}
			at = &nodeAt{node: n.Content[i], parent: n, ptr: append(at.ptr, tok)}
		default:
			return nil, false
		}
	}
	return at, true
}

// repairSite replaces a $ref that leads nowhere: a schema becomes the empty
// schema (any value), a response keeps its status code with a stub
// description, anything else is dropped from where it sits.
func (rp *repairer) repairSite(s site, rule, why string) {
	ref := s.ref.Value
	var did string
	switch {
	case s.kind == kSchema:
		s.holder.Content = nil
		s.holder.Style = yaml.FlowStyle
		did = "treated as an empty schema (any value)"
	case s.kind == kResponse && s.key != nil:
		s.holder.Content = []*yaml.Node{scalar("description"), scalar("(description unavailable: " + ref + " could not be resolved)")}
		did = "the response is kept without content"
	default:
		rp.remove(s.parent, s.holder)
		did = "the " + kindName(s.kind) + " is left out"
	}
	rp.add(s.file, s.ref, s.ptr, rule, fmt.Sprintf("$ref %q cannot be resolved: %s; %s", ref, why, did), s.owner)
}

func kindName(k kind) string {
	switch k {
	case kPathItem:
		return "path item"
	case kOperation:
		return "operation"
	case kParameter:
		return "parameter"
	case kRequestBody:
		return "request body"
	case kResponse:
		return "response"
	case kHeader:
		return "header"
	case kExample:
		return "example"
	case kLink:
		return "link"
	case kCallback:
		return "callback"
	case kSecurityScheme:
		return "security scheme"
	case kMedia:
		return "media type"
	}
	return "value"
}

func scalar(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v} }

func (rp *repairer) remove(parent, child *yaml.Node) {
	if parent == nil {
		return
	}
	if rp.removed[parent] == nil {
		rp.removed[parent] = map[*yaml.Node]bool{}
	}
	rp.removed[parent][child] = true
}

// sweep drops the removed nodes, one pass per parent, so removing many
// children of one node stays linear.
func (rp *repairer) sweep() {
	for parent, gone := range rp.removed {
		out := parent.Content[:0]
		switch parent.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(parent.Content); i += 2 {
				if !gone[parent.Content[i+1]] && !gone[parent.Content[i]] {
					out = append(out, parent.Content[i], parent.Content[i+1])
				}
			}
		case yaml.SequenceNode:
			for _, c := range parent.Content {
				if !gone[c] {
					out = append(out, c)
				}
			}
		default:
			continue
		}
		parent.Content = out
	}
	clear(rp.removed)
}

func (rp *repairer) add(f *yfile, n *yaml.Node, ptr []string, rule, msg, owner string) {
	f.changed = true
	rp.repairs = append(rp.repairs, Repair{Rule: rule, File: f.name, Line: n.Line, Column: n.Column, Pointer: pointerOf(ptr), Msg: msg})
	rp.owners = append(rp.owners, owner)
}

// ---- keyword types ----

// checkFragments decodes each fragment into its kin-openapi type and
// repairs what the decoder rejects, fragment by fragment.
func (rp *repairer) checkFragments() {
	for _, fr := range rp.frags {
		rp.checkFragment(fr)
	}
}

var fieldInMessage = regexp.MustCompile(`field "([^"]+)"`)

func (rp *repairer) checkFragment(fr fragment) {
	for round := 0; ; round++ {
		var err error
		fixed := false
		if rp.swagger {
			var at *nodeAt
			var msg string
			at, msg, err = decodeSwagger(fr)
			if err == nil {
				return
			}
			if at != nil && round < maxFragmentRounds {
				fixed = rp.fixNode(fr, *at, msg)
			}
		} else {
			err = decodeAs(fr.node, fr.kind)
			if err == nil {
				return
			}
			var le *yaml.LoadErrors
			if errors.As(err, &le) && round < maxFragmentRounds {
				for _, e := range le.Errors {
					if rp.fixAt(fr, e.Mark.Line, e.Mark.Column, e.Message) {
						fixed = true
					}
				}
			}
		}
		rp.sweep()
		if fixed {
			continue
		}
		// Nothing pinpoints the damage: the fragment goes.
		if fr.parent == nil {
			return // the document's own fields: kin-openapi reports them
		}
		rp.remove(fr.parent, fr.node)
		if fr.key != nil {
			rp.remove(fr.parent, fr.key)
		}
		rp.sweep()
		at := fr.node
		if fr.key != nil {
			at = fr.key
		}
		rp.add(fr.file, at, fr.ptr, RuleInvalidKeyword, fmt.Sprintf("this %s cannot be read (%s) and is left out", kindName(fr.kind), quoteBounded(firstLine(err.Error()))), fr.owner)
		return
	}
}

func firstLine(s string) string {
	s = strings.TrimPrefix(s, "yaml: construct errors: ")
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// fixAt repairs the node a decode error points at: a scalar where a string
// is expected becomes a string, anything else is removed. It reports whether
// it changed the tree.
func (rp *repairer) fixAt(fr fragment, line, col int, msg string) bool {
	at, ok := fr.file.index()[[2]int{line, col}]
	if !ok {
		return false
	}
	return rp.fixNode(fr, at, msg)
}

// fixNode repairs the node at (or its field the message names).
func (rp *repairer) fixNode(fr fragment, at nodeAt, msg string) bool {
	target := at
	if m := fieldInMessage.FindStringSubmatch(msg); m != nil && at.node.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(at.node.Content); i += 2 {
			if at.node.Content[i].Value == m[1] {
				target = nodeAt{node: at.node.Content[i+1], parent: at.node, key: at.node.Content[i], ptr: append(append([]string(nil), at.ptr...), m[1])}
				break
			}
		}
	}
	if target.node == fr.node || target.parent == nil {
		return false
	}
	if target.node.Kind == yaml.ScalarNode && strings.Contains(msg, "into string") {
		target.node.Tag = "!!str"
		target.node.Style = yaml.DoubleQuotedStyle
		rp.add(fr.file, target.node, target.ptr, RuleInvalidKeyword, fmt.Sprintf("%s must be a string; read as the string %q", keyName(target), target.node.Value), fr.owner)
		return true
	}
	what := fmt.Sprintf("is %s here, where %s expects %s", nodeKindName(target.node), rp.version(), expectedName(msg))
	rp.remove(target.parent, target.node)
	at2 := target.node
	if target.key != nil {
		rp.remove(target.parent, target.key)
		at2 = target.key
	}
	rp.add(fr.file, at2, target.ptr, RuleInvalidKeyword, fmt.Sprintf("%s %s; it is removed", keyName(target), what), fr.owner)
	return true
}

// intoType finds the Go type a decode error names ("... into []string").
var intoType = regexp.MustCompile(`into (?:string field "[^"]*" of type )?(\S+(?: \{\})?)`)

// expectedName says in OpenAPI words what a kin-openapi type holds.
func expectedName(msg string) string {
	m := intoType.FindStringSubmatch(msg)
	if m == nil {
		return "another type"
	}
	t := strings.TrimPrefix(m[1], "*")
	switch {
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case strings.HasPrefix(t, "map[") || t == "openapi3.Examples" || strings.HasSuffix(t, "s") && strings.HasPrefix(t, "openapi3."):
		return "a mapping"
	case t == "string":
		return "a string"
	case t == "bool":
		return "a boolean"
	case strings.HasPrefix(t, "float") || strings.HasPrefix(t, "int") || strings.HasPrefix(t, "uint"):
		return "a number"
	case t == "openapi3.Schema" || t == "openapi3.SchemaRef":
		return "a schema"
	case strings.HasPrefix(t, "openapi3."):
		return "an object (" + strings.TrimPrefix(t, "openapi3.") + ")"
	}
	return t
}

func nodeKindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	}
	switch n.Tag {
	case "!!bool":
		return "the boolean " + n.Value
	case "!!int", "!!float":
		return "the number " + n.Value
	case "!!null":
		return "null"
	}
	return fmt.Sprintf("the string %q", quoteBounded(n.Value))
}

func keyName(at nodeAt) string {
	if at.key != nil {
		return fmt.Sprintf("%q", at.key.Value)
	}
	return "this item"
}

func (rp *repairer) version() string {
	if v := mapValue(rp.entry.root, "openapi"); v != nil {
		return "OpenAPI " + v.Value
	}
	if v := mapValue(rp.entry.root, "swagger"); v != nil {
		return "Swagger " + v.Value
	}
	return "OpenAPI 3"
}

// index maps each position to the shallowest node starting there, as the
// YAML decoder reports errors at a node's start.
func (f *yfile) index() map[[2]int]nodeAt {
	if f.at != nil {
		return f.at
	}
	f.at = map[[2]int]nodeAt{}
	eachNode(nodeAt{node: f.root}, func(cur nodeAt) bool {
		p := [2]int{cur.node.Line, cur.node.Column}
		if _, seen := f.at[p]; !seen {
			f.at[p] = cur
		}
		return true
	})
	return f.at
}

// eachNode visits root and every node below it in document order (pre-order,
// without recursion, so depth cannot grow the stack), each with its parent,
// key and pointer from root, until visit returns false.
func eachNode(root nodeAt, visit func(nodeAt) bool) {
	stack := []nodeAt{root}
	for len(stack) > 0 {
		cur := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if !visit(cur) {
			return
		}
		n := cur.node
		switch n.Kind {
		case yaml.MappingNode:
			for i := len(n.Content) - 2; i >= 0; i -= 2 {
				stack = append(stack, nodeAt{node: n.Content[i+1], parent: n, key: n.Content[i], ptr: appendPtr(cur.ptr, n.Content[i].Value)})
			}
		case yaml.SequenceNode:
			for i := len(n.Content) - 1; i >= 0; i-- {
				stack = append(stack, nodeAt{node: n.Content[i], parent: n, ptr: appendPtr(cur.ptr, strconv.Itoa(i))})
			}
		}
	}
}

func appendPtr(p []string, tok string) []string {
	return append(p[:len(p):len(p)], tok)
}

// decodeAs decodes node into the kin-openapi type of k, the same decoder a
// full load uses, and returns its error.
func decodeAs(node *yaml.Node, k kind) error {
	switch k {
	case kDoc:
		var v openapi3.T
		return node.Decode(&v)
	case kPathItem:
		var v openapi3.PathItem
		return node.Decode(&v)
	case kSchema:
		var v openapi3.SchemaRef
		return node.Decode(&v)
	case kParameter:
		var v openapi3.ParameterRef
		return node.Decode(&v)
	case kRequestBody:
		var v openapi3.RequestBodyRef
		return node.Decode(&v)
	case kResponse:
		var v openapi3.ResponseRef
		return node.Decode(&v)
	case kHeader:
		var v openapi3.HeaderRef
		return node.Decode(&v)
	case kExample:
		var v openapi3.ExampleRef
		return node.Decode(&v)
	case kLink:
		var v openapi3.LinkRef
		return node.Decode(&v)
	case kCallback:
		var v openapi3.CallbackRef
		return node.Decode(&v)
	case kSecurityScheme:
		var v openapi3.SecuritySchemeRef
		return node.Decode(&v)
	}
	return nil
}

// ---- which operations a repair touches ----

// maxTraceWork bounds the reverse walk from repaired components to the
// operations that use them, so a huge damaged file stays linear.
const maxTraceWork = 1 << 20

// finish fills in each repair's Operations from the index.
func (rp *repairer) finish(s *Source) []Repair {
	byOwner := map[string][]string{}
	for _, o := range s.ops {
		name := o.label()
		byOwner[o.Pointer] = append(byOwner[o.Pointer], name)
		pathOwner := "/paths/" + escapeToken(o.Path)
		byOwner[pathOwner] = append(byOwner[pathOwner], name)
	}
	work := 0
	memo := map[string][]string{}
	traced := true
	opsOf := func(owner string) []string {
		if got, ok := memo[owner]; ok {
			return got
		}
		seen := map[string]bool{owner: true}
		queue := []string{owner}
		var ops []string
		seenOp := map[string]bool{}
		for len(queue) > 0 {
			cur := queue[0]
			queue = queue[1:]
			for _, name := range byOwner[cur] {
				if !seenOp[name] {
					seenOp[name] = true
					ops = append(ops, name)
				}
			}
			for from := range rp.edges[cur] {
				work++
				if work > maxTraceWork {
					traced = false
					break
				}
				if !seen[from] {
					seen[from] = true
					queue = append(queue, from)
				}
			}
		}
		sort.Strings(ops)
		memo[owner] = ops
		return ops
	}
	out := make([]Repair, len(rp.repairs))
	for i, r := range rp.repairs {
		if rp.owners[i] != "" {
			r.Operations = opsOf(rp.owners[i])
		}
		out[i] = r
	}
	for i := range out {
		out[i].Traced = traced
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	return out
}

// ---- helpers ----

func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func eachPair(n *yaml.Node, fn func(k, v *yaml.Node)) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		fn(n.Content[i], n.Content[i+1])
	}
}

func pointerOf(toks []string) string {
	var b strings.Builder
	for _, t := range toks {
		b.WriteByte('/')
		b.WriteString(escapeToken(t))
	}
	return b.String()
}
