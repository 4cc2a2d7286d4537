package openapi

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// escapeToken escapes one JSON Pointer reference token (RFC 6901 §3).
func escapeToken(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// unescapeToken reverses escapeToken; "~" followed by anything but 0 or 1
// is an error (RFC 6901 §4).
func unescapeToken(s string) (string, error) {
	if !strings.Contains(s, "~") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '~' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 < len(s) && (s[i+1] == '0' || s[i+1] == '1') {
			b.WriteByte("~/"[s[i+1]-'0'])
			i++
			continue
		}
		return "", fmt.Errorf("invalid escape %q in JSON Pointer token %q (use ~0 for ~ and ~1 for /)", s[i:min(i+2, len(s))], s)
	}
	return b.String(), nil
}

// ParsePointer decodes the fragment of an operationPath into its reference
// tokens: anything up to and including a "#" is dropped, the fragment is
// percent-decoded (RFC 6901 §6) and then split and unescaped. Raw "{" and
// "}" are accepted as they are, and so is a "%" that starts no escape.
func ParsePointer(pointer string) ([]string, error) {
	p := pointer
	// A whole operationPath ("{$sourceDescriptions.x.url}#/paths/...") or
	// URI reference: only the fragment is the pointer.
	if i := strings.IndexByte(p, '#'); i >= 0 && !strings.HasPrefix(p, "/") {
		p = p[i+1:]
	}
	// A "%" that starts no valid escape is kept as it is: the caller may
	// have decoded the fragment already, and a path may hold a literal "%".
	if strings.Contains(p, "%") {
		p = percentDecode(p)
	}
	if p == "" {
		return nil, nil
	}
	if p[0] != '/' {
		return nil, fmt.Errorf("JSON Pointer %q must start with \"/\"", pointer)
	}
	raw := strings.Split(p[1:], "/")
	tokens := make([]string, len(raw))
	for i, t := range raw {
		u, err := unescapeToken(t)
		if err != nil {
			return nil, err
		}
		tokens[i] = u
	}
	return tokens, nil
}

// percentDecode decodes every valid %XX escape and leaves any other "%"
// alone.
func percentDecode(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// OperationByPointer finds an operation by the JSON Pointer of an
// operationPath fragment ("/paths/~1pets~1{id}/get"), percent-decoding it
// first. The error says what the pointer hit instead (a Path Item, nothing).
func (s *Source) OperationByPointer(pointer string) (*Operation, error) {
	tokens, err := ParsePointer(pointer)
	if err != nil {
		return nil, err
	}
	switch {
	case len(tokens) == 0:
		return nil, fmt.Errorf("pointer %q points at the document root, not an operation; use a form like /paths/~1pets/get", pointer)
	case tokens[0] != "paths":
		return nil, fmt.Errorf("pointer %q does not start with /paths; an operation pointer looks like /paths/~1pets/get", pointer)
	case len(tokens) == 1:
		return nil, fmt.Errorf("pointer %q points at the paths object, not an operation; add the path and method, e.g. /paths/~1pets/get", pointer)
	}
	entry, ok := s.paths[tokens[1]]
	if !ok {
		return nil, s.pathNotFound(pointer, tokens)
	}
	if len(tokens) == 2 {
		return nil, fmt.Errorf("pointer %q points at a path item, not an operation; add %s", pointer, entry.methodHint())
	}
	token := tokens[2]
	rest := tokens[3:]
	if token == "additionalOperations" && len(tokens) >= 4 {
		token = "additionalOperations/" + escapeToken(tokens[3])
		rest = tokens[4:]
	}
	op, ok := entry.ops[token]
	if !ok {
		if lower := strings.ToLower(token); lower != token && entry.ops[lower] != nil {
			return nil, fmt.Errorf("pointer %q: method %q must be lower case: /%s", pointer, token, lower)
		}
		if isPathItemField(token) {
			return nil, fmt.Errorf("pointer %q points at the %s of path item %s, not an operation; use %s", pointer, token, tokens[1], entry.methodHint())
		}
		return nil, fmt.Errorf("pointer %q: path item %s has no %q operation; it has %s", pointer, tokens[1], token, entry.methodHint())
	}
	if len(rest) > 0 {
		return nil, fmt.Errorf("pointer %q points inside operation %s, not at it; stop at %s", pointer, op, op.Pointer)
	}
	return op, nil
}

func isPathItemField(token string) bool {
	switch token {
	case "parameters", "servers", "summary", "description", "$ref":
		return true
	}
	return false
}

// methodHint lists the pointer suffixes of a path item's operations:
// "/get or /post".
func (e *pathEntry) methodHint() string {
	tokens := make([]string, 0, len(e.ops))
	for _, m := range methodOrder {
		if t := strings.ToLower(m); e.ops[t] != nil {
			tokens = append(tokens, "/"+t)
		}
	}
	extra := make([]string, 0)
	for t := range e.ops {
		if strings.HasPrefix(t, "additionalOperations/") {
			extra = append(extra, "/"+t)
		}
	}
	sort.Strings(extra)
	tokens = append(tokens, extra...)
	switch len(tokens) {
	case 0:
		return "nothing (the path item has no operations)"
	case 1:
		return tokens[0]
	}
	return strings.Join(tokens[:len(tokens)-1], ", ") + " or " + tokens[len(tokens)-1]
}

// pathNotFound explains a pointer whose path token matches no path,
// catching the usual mistake of writing the path's "/" unescaped.
func (s *Source) pathNotFound(pointer string, tokens []string) error {
	// "/paths//pets/{id}/get" splits into "", "pets", "{id}", "get".
	for end := len(tokens); end > 2; end-- {
		candidate := strings.Join(tokens[1:end], "/")
		if !strings.HasPrefix(candidate, "/") {
			candidate = "/" + candidate
		}
		if _, ok := s.paths[candidate]; ok {
			fixed := "/paths/" + escapeToken(candidate)
			for _, t := range tokens[end:] {
				fixed += "/" + escapeToken(t)
			}
			return fmt.Errorf("pointer %q: no path %q; the / inside a path must be written ~1: %s", pointer, tokens[1], fixed)
		}
	}
	msg := fmt.Sprintf("pointer %q: no path %q in %s", pointer, tokens[1], s.displayName())
	if near := nearest(tokens[1], s.pathKeys()); near != "" {
		msg += fmt.Sprintf("; did you mean %s?", "/paths/"+escapeToken(near))
	}
	return fmt.Errorf("%s", msg)
}

func (s *Source) displayName() string {
	if s.Location == "" {
		return "the OpenAPI description"
	}
	return s.Location
}

func (s *Source) pathKeys() []string {
	keys := make([]string, 0, len(s.paths))
	for k := range s.paths {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Nearest returns the candidate nearest to s by edit distance, ignoring
// case, for a "did you mean" hint: one at most within edits away and fewer
// edits than s has characters (replacing every character of a short name
// is no typo), or "" when there is none. s itself and empty candidates are
// never suggested, and ties go to the alphabetically first candidate so
// that hints are stable. The caller chooses within: this package's hints
// allow a third of the name, the Arazzo validator's half.
func Nearest(s string, candidates []string, within int) string {
	best, bestD := "", -1
	lower := strings.ToLower(s)
	for _, cand := range candidates {
		if cand == "" || cand == s {
			continue
		}
		d := editDistance(lower, strings.ToLower(cand))
		if bestD < 0 || d < bestD || (d == bestD && cand < best) {
			best, bestD = cand, d
		}
	}
	if bestD < 0 || bestD > within || bestD >= utf8.RuneCountInString(s) {
		return ""
	}
	return best
}

// nearest is this package's hint: within a third of the name (at least 2).
func nearest(s string, candidates []string) string {
	return Nearest(s, candidates, max(2, len(s)/3))
}

// editDistance is the Levenshtein distance in runes. Past 256 runes it
// gives up and returns the longer length, which is never near enough for a
// hint: the cost is quadratic and no one mistypes a name that long.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 256 || len(rb) > 256 {
		return max(len(ra), len(rb))
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
