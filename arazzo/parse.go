package arazzo

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/arazzo-go/arazzo/expr"
)

// Parse decodes one document from bytes (YAML or JSON) into the model,
// keeping positions. It does not load source descriptions. The returned
// Diagnostics hold syntax/limit problems; the document is nil only when
// nothing usable could be built.
func Parse(file string, src []byte, opts LoadOptions) (*Document, Diagnostics) {
	opts = opts.withDefaults()
	p := &parser{file: file, src: src, opts: opts}
	root := p.parseRoot()
	if root == nil {
		return nil, p.diags
	}
	doc := p.document(root)
	doc.File, doc.Src = file, src
	return doc, p.diags
}

// parser turns a yaml.v3 node tree into the model. It never reports type
// mismatches itself: the JSON Schema pass owns structural errors, so a field
// of the wrong type is simply left at its zero value here.
type parser struct {
	file  string
	src   []byte
	opts  LoadOptions
	diags Diagnostics
}

func (p *parser) add(sev Severity, rule string, pos Pos, ptr, format string, args ...any) *Diagnostic {
	d := &Diagnostic{Severity: sev, Rule: rule, Msg: fmt.Sprintf(format, args...), File: p.file, Pos: pos, End: pos, Pointer: ptr}
	p.diags = append(p.diags, d)
	return d
}

var yamlLineRE = regexp.MustCompile(`line (\d+)`)

// parseRoot reads the YAML stream and enforces the input limits before any
// decoding, so that a hostile document costs bounded memory and time.
func (p *parser) parseRoot() *yaml.Node {
	if int64(len(p.src)) > p.opts.MaxBytes {
		p.add(SeverityError, RuleInputTooLarge, Pos{1, 1}, "", "document is %d bytes, over the limit of %d bytes", len(p.src), p.opts.MaxBytes)
		return nil
	}
	if len(bytes.TrimSpace(p.src)) == 0 {
		p.add(SeverityError, RuleNotAnObject, Pos{1, 1}, "", "document is empty; an Arazzo document is an object with arazzo, info, sourceDescriptions and workflows")
		return nil
	}
	// yaml.v3 reports a byte that is not UTF-8 at 1:1 ("invalid leading
	// UTF-8 octet"); find it so that the diagnostic points at it. Files with
	// a UTF-16 byte order mark are yaml.v3's to decode.
	if !bytes.HasPrefix(p.src, []byte{0xFE, 0xFF}) && !bytes.HasPrefix(p.src, []byte{0xFF, 0xFE}) && !utf8.Valid(p.src) {
		line, col, b := invalidUTF8At(p.src)
		p.add(SeverityError, RuleYAMLSyntax, Pos{line, col}, "", "invalid YAML: byte 0x%02X is not UTF-8 (save the file as UTF-8)", b)
		return nil
	}
	var root yaml.Node
	text, shifts := patchJSONSurrogates(p.src)
	if err := yaml.Unmarshal(text, &root); err != nil {
		line := 1
		if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
			line, _ = strconv.Atoi(m[1])
		}
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		msg = strings.TrimPrefix(msg, fmt.Sprintf("line %d: ", line))
		p.add(SeverityError, RuleYAMLSyntax, Pos{line, 1}, "", "invalid YAML: %s", msg)
		return nil
	}
	if shifts != nil {
		shifts.shiftColumns(&root)
	}
	p.checkSingleDocument(text)
	if root.Kind != yaml.DocumentNode || len(root.Content) == 0 {
		p.add(SeverityError, RuleNotAnObject, Pos{1, 1}, "", "document is empty")
		return nil
	}
	doc := root.Content[0]
	if !p.checkLimits(doc) {
		return nil
	}
	if doc.Kind != yaml.MappingNode {
		p.add(SeverityError, RuleNotAnObject, nodePos(doc), "", "the document root must be an object, not %s", kindName(doc))
		return nil
	}
	return doc
}

// checkLimits walks the tree the way the decoder will (following aliases)
// and stops at the first exceeded limit: nesting depth, alias expansions, or
// total expanded nodes (a billion-laughs document has few aliases per level
// but an exponential expansion).
func (p *parser) checkLimits(root *yaml.Node) bool {
	aliases, visited := 0, 0
	maxVisited := 2*p.nodeBudgetBase() + 1000000
	var walk func(n *yaml.Node, depth int) bool
	walk = func(n *yaml.Node, depth int) bool {
		visited++
		if depth > p.opts.MaxDepth {
			p.add(SeverityError, RuleYAMLDepthLimit, nodePos(n), "", "document nests deeper than %d levels", p.opts.MaxDepth)
			return false
		}
		if visited > maxVisited {
			p.add(SeverityError, RuleYAMLAliasLimit, nodePos(n), "", "document expands to more than %d nodes through aliases", maxVisited)
			return false
		}
		if n.Kind == yaml.AliasNode {
			aliases++
			if aliases > p.opts.MaxAliases {
				p.add(SeverityError, RuleYAMLAliasLimit, nodePos(n), "", "document uses more than %d alias expansions", p.opts.MaxAliases)
				return false
			}
			if n.Alias == nil {
				return true
			}
			return walk(n.Alias, depth+1)
		}
		for _, c := range n.Content {
			if !walk(c, depth+1) {
				return false
			}
		}
		return true
	}
	return walk(root, 0)
}

// nodeBudgetBase approximates the node count of a document from its size:
// a node costs at least two bytes of source.
func (p *parser) nodeBudgetBase() int { return len(p.src)/2 + 1 }

func nodePos(n *yaml.Node) Pos { return Pos{Line: n.Line, Col: n.Column} }

func kindName(n *yaml.Node) string {
	n = resolve(n)
	switch n.Kind {
	case yaml.MappingNode:
		return "an object"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "null"
		}
		return "a scalar"
	}
	return "empty"
}

// resolve follows aliases; checkLimits has bounded their expansion.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

type field struct {
	key      string
	keyNode  *yaml.Node
	val      *yaml.Node
	ptr      string
	position Pos
}

// object reads a mapping node: its Loc and its fields in document order.
// ok is false when n is not a mapping (the schema pass reports that).
func (p *parser) object(n *yaml.Node, ptr string) (Loc, []field, bool) {
	n = resolve(n)
	loc := Loc{Pointer: ptr, Node: n}
	if n == nil {
		return loc, nil, false
	}
	loc.Pos = nodePos(n)
	if n.Kind != yaml.MappingNode {
		return loc, nil, false
	}
	fields := make([]field, 0, len(n.Content)/2)
	loc.Fields = make(map[string]Pos, len(n.Content)/2)
	loc.Keys = make(map[string]Pos, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), n.Content[i+1]
		key := k.Value
		if k.Tag == "!!merge" {
			// YAML 1.2, which the spec recommends, has no merge keys.
			p.add(SeverityError, RuleYAMLSyntax, nodePos(k), ptr, "YAML merge keys (<<) are not supported in Arazzo documents; write the fields out")
			continue
		}
		if _, dup := loc.Keys[key]; dup {
			p.add(SeverityError, RuleDuplicateKey, nodePos(k), ptr+"/"+expr.EscapePointerToken(key), "duplicate key %q", key)
			continue
		}
		rv := resolve(v)
		vp := nodePos(k)
		if rv != nil {
			vp = nodePos(rv)
			if v.Kind == yaml.AliasNode {
				vp = nodePos(v)
			}
		}
		loc.Keys[key] = nodePos(k)
		loc.Fields[key] = vp
		fields = append(fields, field{key: key, keyNode: k, val: v, ptr: ptr + "/" + expr.EscapePointerToken(key), position: vp})
	}
	return loc, fields, true
}

// str returns a scalar's text as written (so `version: 1.0` stays "1.0").
func str(n *yaml.Node) string {
	n = resolve(n)
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return ""
	}
	return n.Value
}

func isExt(key string) bool { return strings.HasPrefix(key, "x-") }

func (p *parser) ext(ext *Extensions, f field) {
	if *ext == nil {
		*ext = Extensions{}
	}
	(*ext)[f.key] = decodeValue(f.val, 0)
}

func (p *parser) items(n *yaml.Node) []*yaml.Node {
	n = resolve(n)
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	return n.Content
}

func (p *parser) strings(n *yaml.Node) []string {
	var out []string
	for _, c := range p.items(n) {
		out = append(out, str(c))
	}
	return out
}

// decodeValue converts a YAML node into a generic JSON-like value:
// map[string]any, []any, string, int, float64, bool or nil.
func decodeValue(n *yaml.Node, depth int) any {
	n = resolve(n)
	if n == nil || depth > 10000 {
		return nil
	}
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := resolve(n.Content[i])
			if k.Tag == "!!merge" {
				if mm, ok := decodeValue(n.Content[i+1], depth+1).(map[string]any); ok {
					for kk, vv := range mm {
						if _, set := m[kk]; !set {
							m[kk] = vv
						}
					}
				}
				continue
			}
			m[k.Value] = decodeValue(n.Content[i+1], depth+1)
		}
		return m
	case yaml.SequenceNode:
		s := make([]any, len(n.Content))
		for i, c := range n.Content {
			s[i] = decodeValue(c, depth+1)
		}
		return s
	case yaml.ScalarNode:
		return scalarValue(n)
	}
	return nil
}

func scalarValue(n *yaml.Node) any {
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		var b bool
		if n.Decode(&b) == nil {
			return b
		}
	case "!!int":
		var i int
		if n.Decode(&i) == nil {
			return i
		}
		var f float64
		if n.Decode(&f) == nil {
			return f
		}
	case "!!float":
		var f float64
		if n.Decode(&f) == nil {
			return f
		}
	}
	return n.Value
}

// checkSingleDocument reports a second YAML document in the stream
// (after `---`): yaml.Unmarshal reads only the first, and a file of
// several workflows documents pasted together would lose the rest silently.
func (p *parser) checkSingleDocument(text []byte) {
	// Decoding twice costs a second parse: only when a marker line could
	// start another document, and not for the common lone leading `---`.
	marks := documentMarkerRE.FindAllIndex(text, 3)
	if len(marks) == 0 || len(marks) == 1 && text[marks[0][0]] == '-' && onlyComments(text[:marks[0][0]]) {
		return
	}
	dec := yaml.NewDecoder(bytes.NewReader(text))
	var first, second yaml.Node
	if dec.Decode(&first) != nil || dec.Decode(&second) != nil {
		return // io.EOF: one document; a syntax error was reported already
	}
	if len(second.Content) == 0 || second.Content[0].Kind == yaml.ScalarNode && second.Content[0].Value == "" {
		return // an empty trailing document (`---` at the end)
	}
	pos := Pos{Line: second.Content[0].Line, Col: second.Content[0].Column}
	p.add(SeverityError, RuleMultipleDocuments, pos, "", "the file holds more than one YAML document; only the first is read").Fix =
		"keep one Arazzo document per file (remove the `---` and what follows, or move it to its own file)"
}

var documentMarkerRE = regexp.MustCompile(`(?m)^(---|\.\.\.)(\s|$)`)

// onlyComments reports whether b holds nothing but blank and comment lines
// (and a BOM).
func onlyComments(b []byte) bool {
	for _, line := range bytes.Split(bytes.TrimPrefix(b, []byte("\uFEFF")), []byte("\n")) {
		if t := bytes.TrimSpace(line); len(t) > 0 && t[0] != '#' && t[0] != '%' {
			return false
		}
	}
	return true
}

// invalidUTF8At returns the line and column (in characters, 1-based) of the
// first byte of src that is not valid UTF-8, and that byte; one pass.
func invalidUTF8At(src []byte) (line, col int, b byte) {
	line, col = 1, 1
	for i := 0; i < len(src); {
		r, n := utf8.DecodeRune(src[i:])
		if r == utf8.RuneError && n <= 1 {
			return line, col, src[i]
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i += n
	}
	return line, col, 0
}
