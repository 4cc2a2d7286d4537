package openapi

import (
	"net/url"
	"strings"
)

// QueryPair is one query pair fixed by an operation's path key, as in
// "/?Action=RunInstances" or "/{Bucket}?lifecycle". Bare marks a key
// written without "=" ("?lifecycle"), which is sent bare.
type QueryPair struct {
	Name, Value string
	Bare        bool
}

// splitPathKey splits a path key of the query-style APIs (AWS EC2, SQS,
// IAM, S3 sub-resources) into the request path template and the query
// pairs it fixes. The template ends at the first "?" or "#" outside a
// {param}; "/#Action=X" fixes Action=X like "/?Action=X" (the "#" form
// exists only to keep path keys unique, a fragment is never sent). Pairs
// keep their order and are decoded, so they can be re-encoded uniformly.
func splitPathKey(key string) (template string, fixed []QueryPair) {
	depth := 0
	cut := -1
	for i := 0; i < len(key) && cut < 0; i++ {
		switch key[i] {
		case '{':
			depth++
		case '}':
			if depth > 0 {
				depth--
			}
		case '?', '#':
			if depth == 0 {
				cut = i
			}
		}
	}
	if cut < 0 {
		return key, nil
	}
	template = key[:cut]
	if template == "" {
		template = "/"
	}
	rest := key[cut+1:]
	for _, part := range strings.FieldsFunc(rest, func(r rune) bool { return r == '&' || r == '?' || r == '#' }) {
		name, value, hasValue := strings.Cut(part, "=")
		name, value = unescapeQuery(name), unescapeQuery(value)
		if name == "" {
			continue
		}
		fixed = append(fixed, QueryPair{Name: name, Value: value, Bare: !hasValue})
	}
	return template, fixed
}

func unescapeQuery(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// FixesQuery reports whether the path key fixes the query parameter name.
// Such a pair always wins over a step parameter of the same name, which
// NewRequest then drops: the pair selects the operation (as Action does in
// "/?Action=RunInstances"), so a step must not turn the request into
// another operation.
func (o *Operation) FixesQuery(name string) bool {
	for _, p := range o.FixedQuery {
		if p.Name == name {
			return true
		}
	}
	return false
}

// writeFixedQuery appends the fixed pairs in path-key order.
func writeFixedQuery(q *strings.Builder, pairs []QueryPair) {
	for _, p := range pairs {
		if q.Len() > 0 {
			q.WriteByte('&')
		}
		q.WriteString(escapeStrict(p.Name))
		if !p.Bare {
			q.WriteByte('=')
			q.WriteString(escapeStrict(p.Value))
		}
	}
}
