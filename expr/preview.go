package expr

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// secretNameFragments mark names (inputs, headers, query parameters, JSON
// members, form fields) whose values are credentials. The runtime's
// redaction uses the same list (SecretNameFragments), so an explanation
// hides what a body preview hides.
var secretNameFragments = [...]string{"token", "secret", "passw", "authorization", "apikey", "api-key", "api_key", "credential", "cookie", "session", "signature", "privatekey", "private_key", "private-key"}

// SecretNameFragments returns the lower-case fragments that make a name
// secret, matched as substrings ignoring ASCII case: "access_token",
// "client_secret", "X-API-Key", "password" and "Set-Cookie" are secret
// names.
func SecretNameFragments() []string { return append([]string(nil), secretNameFragments[:]...) }

// IsSecretName reports whether a name holds a secret fragment
// (SecretNameFragments), ignoring case.
func IsSecretName(name string) bool {
	l := strings.ToLower(name)
	for _, w := range secretNameFragments {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}

// MaxQuoted bounds how much of a pattern or substituted condition an error
// or explanation repeats (values are bounded by maxShown). Text that comes
// from a response can be of any size; a message never is.
const MaxQuoted = 200

// cutIndex returns the length of s cut to at most n bytes on a character
// boundary.
func cutIndex(s string, n int) int {
	if len(s) <= n {
		return len(s)
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return n
}

// quoteClipped quotes s, cut to MaxQuoted bytes (then followed by "…").
func quoteClipped(s string) string {
	if len(s) <= MaxQuoted {
		return strconv.Quote(s)
	}
	return strconv.Quote(s[:cutIndex(s, MaxQuoted)]) + "…"
}

// clipPattern cuts a regex pattern (substituted from a template, it may
// hold response text) to MaxQuoted bytes.
func clipPattern(s string) string {
	if len(s) <= MaxQuoted {
		return s
	}
	return s[:cutIndex(s, MaxQuoted)] + "…"
}

// hideSecretText hides, in text an explanation is about to show, the values
// of secret-named JSON members ("access_token": "…") and form fields
// (client_secret=…), the way the runtime's body previews do for whole
// bodies: a regex context is often a body turned into text, and a cut
// value has no end to find, so everything after its start is hidden. It
// runs on shown text only, at most maxShown bytes.
func hideSecretText(s string) string {
	if !mayHoldSecretName(s) {
		return s
	}
	var b strings.Builder
	i := 0
	for i < len(s) {
		// A JSON member: "name" then optional spaces and a colon.
		if s[i] == '"' {
			j := skipJSONValue(s, i) // after the closing quote, escapes skipped
			if j >= len(s) && (j == i+1 || s[j-1] != '"') {
				break // a string the cut left open: no member follows
			}
			name := s[i+1 : j-1]
			k := j
			for k < len(s) && (s[k] == ' ' || s[k] == '\t') {
				k++
			}
			if k < len(s) && s[k] == ':' && IsSecretName(name) {
				k++
				for k < len(s) && (s[k] == ' ' || s[k] == '\t') {
					k++
				}
				b.WriteString(s[i:k])
				b.WriteString(`"<redacted>"`)
				i = skipJSONValue(s, k)
				continue
			}
			b.WriteString(s[i:j])
			i = j
			continue
		}
		// A form field: name=value, the name starting the text or after & or ?.
		if s[i] == '=' {
			start := strings.LastIndexAny(s[:i], "&?\" ") + 1
			if start < i && IsSecretName(s[start:i]) {
				b.WriteString("=<redacted>")
				end := strings.IndexAny(s[i+1:], "&\" ")
				if end < 0 {
					return b.String()
				}
				i = i + 1 + end
				continue
			}
		}
		b.WriteByte(s[i])
		i++
	}
	b.WriteString(s[i:])
	return b.String()
}

// skipJSONValue returns the index after the JSON value starting at s[i]: a
// string to its closing quote, anything else to the next comma or closing
// bracket; the end of s when the value is cut.
func skipJSONValue(s string, i int) int {
	if i < len(s) && s[i] == '"' {
		for j := i + 1; j < len(s); j++ {
			switch s[j] {
			case '\\':
				j++
			case '"':
				return j + 1
			}
		}
		return len(s)
	}
	if end := strings.IndexAny(s[i:], ",}]"); end >= 0 {
		return i + end
	}
	return len(s)
}

// mayHoldSecretName is a quick test that spares hideSecretText most text.
func mayHoldSecretName(s string) bool {
	return strings.ContainsAny(s, ":=") && IsSecretName(s)
}
