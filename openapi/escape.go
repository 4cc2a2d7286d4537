package openapi

import "strings"

const upperHex = "0123456789ABCDEF"

func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

func isReserved(c byte) bool {
	return strings.IndexByte(":/?#[]@!$&'()*+,;=", c) >= 0
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// escapeStrict percent-encodes every byte outside RFC 3986's unreserved
// set, as RFC 6570 simple expansion does. A path value's "/" becomes %2F,
// so it can never add a path segment.
func escapeStrict(s string) string {
	return escape(s, false)
}

// escapeAllowReserved keeps RFC 3986 reserved characters and existing
// percent-encoded triplets, for parameters with allowReserved: true.
func escapeAllowReserved(s string) string {
	return escape(s, true)
}

func escape(s string, allowReserved bool) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if !keep(s, i, allowReserved) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if keep(s, i, allowReserved) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(upperHex[c>>4])
		b.WriteByte(upperHex[c&15])
	}
	return b.String()
}

func keep(s string, i int, allowReserved bool) bool {
	c := s[i]
	if isUnreserved(c) {
		return true
	}
	if !allowReserved {
		return false
	}
	if c == '%' {
		return i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2])
	}
	return isReserved(c)
}

// escapeCookie encodes only what a cookie value may not hold (RFC 6265
// cookie-octet): controls, space, DQUOTE, comma, semicolon, backslash, and
// non-ASCII bytes. Tokens such as session ids pass unchanged.
func escapeCookie(s string) string {
	bad := func(c byte) bool {
		return c <= ' ' || c >= 0x7f || c == '"' || c == ',' || c == ';' || c == '\\'
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if bad(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !bad(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(upperHex[c>>4])
		b.WriteByte(upperHex[c&15])
	}
	return b.String()
}
