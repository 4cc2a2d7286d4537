package runtime

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/arazzo-go/arazzo/expr"
	"github.com/arazzo-go/arazzo/internal/jsonlimit"
)

// Redacted replaces every secret value in results, events and errors.
const Redacted = "<redacted>"

// secretFragments mark input, header and query names that hold credentials.
// Plain substring tests: this runs for every header of every request.
// The list is expr's, so that criteria explanations hide what previews hide.
var secretFragments = expr.SecretNameFragments()

// IsSecretName reports whether an input, header or query parameter name
// suggests that its value is a credential (case-insensitively: token,
// secret, passw, authorization, api key, credential, cookie, session,
// signature, private key; expr.SecretNameFragments).
func IsSecretName(name string) bool {
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= utf8.RuneSelf {
			// Unicode case folding can map non-ASCII letters onto ASCII
			// ones (the Kelvin sign to k): let ToLower decide.
			return hasSecretFragment(strings.ToLower(name))
		}
	}
	// Plain ASCII, the case of every header name: compared in place,
	// because lower-casing allocated for every header of every request.
	return hasSecretFragment(name)
}

// hasSecretFragment reports whether s contains a secret fragment, ignoring
// ASCII case.
func hasSecretFragment[T []byte | string](s T) bool {
	for i := 0; i+1 < len(s); i++ {
		c := s[i] | 0x20
		// Most letters start no fragment, and most that do are not
		// followed by a fragment's second letter: two table reads skip them.
		if m := fragmentSecond[c]; m == 0 || m&(1<<((s[i+1]|0x20)&63)) == 0 {
			continue
		}
		for _, f := range fragmentsByFirst[c] {
			if hasFoldPrefix(s[i:], f) {
				return true
			}
		}
	}
	return false
}

// minSubstringSecret is the length from which a secret value is hidden
// inside longer text. A shorter one ("x", "t") would mangle every word that
// contains its letters, so it is hidden only where a whole value equals it.
const minSubstringSecret = 4

// redactor hides secret values: the values of secret inputs wherever they
// appear, and whole values of credential-like headers and query parameters.
type redactor struct {
	secrets  []string        // secret input values as given, for with
	creds    []string        // credential values the transport reported, for withCredentials
	values   []string        // hidden inside text; longest first, so overlapping secrets are fully hidden
	exact    map[string]bool // hidden when a whole value equals them
	maxExact int             // longest key of exact: longer text need not be hashed to look it up
}

func newRedactor(secrets []string) *redactor { return newRedactorWith(secrets, nil) }

// newRedactorWith hides secret input values and credential values.
func newRedactorWith(secrets, creds []string) *redactor {
	r := &redactor{secrets: secrets, creds: creds, exact: make(map[string]bool, len(secrets)+len(creds))}
	for _, list := range [...][]string{secrets, creds} {
		for _, s := range list {
			r.add(s)
		}
	}
	slices.SortStableFunc(r.values, func(a, b string) int { return len(b) - len(a) })
	return r
}

// add hides s and its percent-encoded forms: a secret may show up encoded
// in a URL or form body.
func (r *redactor) add(s string) {
	for _, v := range [...]string{s, url.PathEscape(s), url.QueryEscape(s)} {
		if v == "" || r.exact[v] {
			continue
		}
		r.exact[v] = true
		r.maxExact = max(r.maxExact, len(v))
		if len(v) >= minSubstringSecret {
			r.values = append(r.values, v)
		}
	}
}

// with returns a redactor that also hides more secret values.
func (r *redactor) with(secrets []string) *redactor {
	// A nested workflow in a poll loop passes the same secrets each time.
	var added []string
	for _, s := range secrets {
		if !slices.Contains(r.secrets, s) && !slices.Contains(added, s) {
			added = append(added, s)
		}
	}
	if len(added) == 0 {
		return r
	}
	return newRedactorWith(append(append([]string(nil), r.secrets...), added...), r.creds)
}

// withCredentials returns a redactor that hides r's secret inputs and, in
// place of the credentials r hid, creds (the transport's current list: a
// per-request signature drops out of it after a while).
func (r *redactor) withCredentials(creds []string) *redactor {
	if slices.Equal(creds, r.creds) {
		return r
	}
	return newRedactorWith(r.secrets, creds)
}

// String hides every secret value inside s.
func (r *redactor) String(s string) string {
	if r == nil {
		return s
	}
	if len(s) <= r.maxExact && r.exact[s] {
		return Redacted
	}
	for _, v := range r.values {
		if strings.Contains(s, v) {
			s = strings.ReplaceAll(s, v, Redacted)
		}
	}
	if strings.Contains(s, "…") {
		s = r.hideCutSecrets(s)
	}
	return s
}

// maxMessage bounds an error or explanation the engine records: they quote
// values and bodies, which may be of any size (a regex timeout on a 30 MB
// body), so they are cut like a body preview.
const maxMessage = previewBytes

// Message is String for an error or explanation: cut to maxMessage bytes
// (on a character boundary, with "…"), then redacted, so that a secret the
// cut splits is hidden too.
func (r *redactor) Message(s string) string {
	if len(s) > maxMessage {
		n := maxMessage
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		s = s[:n] + "…"
	}
	return r.String(s)
}

// hideCutSecrets hides the visible start of a secret that a shortened value
// ends with: explanations cut long values ("…" or `"…` after a quoted one)
// before the runtime sees them, so the whole secret is no longer there to
// match. Starts of 3 bytes or more count; shorter ones are too common.
func (r *redactor) hideCutSecrets(s string) string {
	var out strings.Builder
	for {
		i := strings.Index(s, "…")
		if i < 0 {
			out.WriteString(s)
			return out.String()
		}
		head, quote := s[:i], ""
		if strings.HasSuffix(head, `"`) {
			head, quote = head[:len(head)-1], `"`
		}
		for _, v := range r.values {
			for k := len(v) - 1; k >= 3; k-- {
				if strings.HasSuffix(head, v[:k]) {
					head = head[:len(head)-k] + Redacted
					break
				}
			}
		}
		out.WriteString(head + quote + "…")
		s = s[i+len("…"):]
	}
}

// Header returns the headers as a flat map with credentials hidden.
func (r *redactor) Header(h http.Header) map[string]string {
	if len(h) == 0 {
		return nil
	}
	out := make(map[string]string, len(h))
	for k, vs := range h {
		v := strings.Join(vs, ", ")
		if IsSecretName(k) || strings.EqualFold(k, "Proxy-Authorization") {
			v = Redacted
		} else {
			v = r.String(v)
		}
		out[http.CanonicalHeaderKey(k)] = v
	}
	return out
}

// urlText is URL for a u whose text is already known: without user info
// or query there is nothing to rebuild.
func (r *redactor) urlText(u *url.URL, text string) string {
	if u != nil && u.User == nil && u.RawQuery == "" {
		return r.String(text)
	}
	return r.URL(u)
}

// URL returns u as text with credential-like query values and user info
// hidden.
func (r *redactor) URL(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := *u
	if c.User != nil {
		c.User = url.User(Redacted)
	}
	if c.RawQuery != "" {
		parts := strings.Split(c.RawQuery, "&")
		for i, part := range parts {
			name, value, _ := strings.Cut(part, "=")
			dn, err1 := url.QueryUnescape(name)
			dv, err2 := url.QueryUnescape(value)
			if err1 != nil || err2 != nil {
				dn, dv = name, value
			}
			if IsSecretName(dn) || r.String(dv) != dv {
				parts[i] = name + "=" + Redacted
			}
		}
		c.RawQuery = strings.Join(parts, "&")
	}
	return r.String(c.String())
}

// Body returns the preview of a request or response body with secrets
// hidden: besides secret input values, the values of credential-like JSON
// members and form fields, because a token endpoint's answer
// ({"access_token": ...}) or a client_secret in a form carries credentials
// that no input named. The preview is re-encoded only when it changed.
func (r *redactor) Body(b []byte, contentType string) string {
	mt := mediaType(contentType)
	switch {
	case isJSONBody(mt, b):
		if mayNameSecret(b) {
			b = hideSecretJSON(b)
		}
	case mt == "application/x-www-form-urlencoded":
		parts := strings.Split(string(b), "&")
		changed := false
		for i, part := range parts {
			name, _, ok := strings.Cut(part, "=")
			if dn, err := url.QueryUnescape(name); ok && err == nil && IsSecretName(dn) {
				parts[i], changed = name+"="+url.QueryEscape(Redacted), true
			}
		}
		if changed {
			b = []byte(strings.Join(parts, "&"))
		}
	}
	return r.preview(b)
}

// hideSecretJSON re-encodes a JSON body with the values of credential-like
// members hidden, or returns it as it is when it has none (or is not one
// JSON value).
func hideSecretJSON(b []byte) []byte {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if jsonlimit.CheckDepth(b) == nil && dec.Decode(&v) == nil && !dec.More() {
		if hidden, changed := hideSecretMembers(v); changed {
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			if enc.Encode(hidden) == nil {
				return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
			}
		}
	}
	return b
}

// mayNameSecret reports whether a JSON body could hold a member whose
// name IsSecretName accepts. Decoding every JSON body to look
// (hideSecretJSON) was a quarter of the CPU of a seed run, and almost no
// body names a secret. Only member names matter (a string followed by a
// colon): values are skipped whole, and a name is looked at closely only if
// it has an escape or a non-ASCII byte (either may spell a fragment once
// decoded or case-folded: then the body is decoded). A body that is not
// valid JSON may get any answer: hideSecretJSON leaves it as it is.
func mayNameSecret(b []byte) bool {
	// A member name is a piece of the text: if the text has no escape, no
	// non-ASCII byte and no fragment anywhere, no name can spell one. One
	// pass over the bytes costs a third of walking the strings, and most
	// bodies (an API's resources) end here.
	if bytes.IndexByte(b, '\\') < 0 && isASCII(b) && !hasSecretFragment(b) {
		return false
	}
	for i := 0; i < len(b); {
		q := bytes.IndexByte(b[i:], '"')
		if q < 0 {
			return false
		}
		start := i + q + 1
		end := stringEnd(b, start)
		if end < 0 {
			return false
		}
		k := skipJSONSpace(b, end+1)
		if k < len(b) && b[k] == ':' && nameMaySpellSecret(b[start:end]) {
			return true
		}
		i = end + 1
	}
	return false
}

// isASCII reports whether every byte of b is below utf8.RuneSelf, eight
// bytes at a time.
func isASCII(b []byte) bool {
	for len(b) >= 8 {
		if binary.LittleEndian.Uint64(b)&0x8080808080808080 != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// stringEnd returns the index of the quote that closes the JSON string
// starting at b[start], or -1.
func stringEnd(b []byte, start int) int {
	for i := start; i < len(b); {
		q := bytes.IndexByte(b[i:], '"')
		if q < 0 {
			return -1
		}
		end := i + q
		backslashes := 0
		for j := end - 1; j >= start && b[j] == '\\'; j-- {
			backslashes++
		}
		if backslashes%2 == 0 {
			return end
		}
		i = end + 1
	}
	return -1
}

// nameMaySpellSecret reports whether a raw member name is a secret name or
// might decode to one.
func nameMaySpellSecret(name []byte) bool {
	for _, c := range name {
		if c == '\\' || c >= utf8.RuneSelf {
			return true
		}
	}
	return hasSecretFragment(name)
}

// fragmentsByFirst lists secretFragments by their first byte.
var (
	fragmentsByFirst [256][]string
	// fragmentSecond has, for each first byte, a bit per possible second
	// byte (by its low 6 bits, lower-cased; a shared bit only lets more
	// through to the exact comparison).
	fragmentSecond [256]uint64
)

func init() {
	for _, f := range secretFragments {
		fragmentsByFirst[f[0]] = append(fragmentsByFirst[f[0]], f)
		fragmentSecond[f[0]] |= 1 << ((f[1] | 0x20) & 63)
	}
}

// hasFoldPrefix reports whether b starts with the lower-case ASCII word f,
// ignoring ASCII case.
func hasFoldPrefix[T []byte | string](b T, f string) bool {
	if len(b) < len(f) {
		return false
	}
	for j := 0; j < len(f); j++ {
		c := b[j]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != f[j] {
			return false
		}
	}
	return true
}

// mayHoldCredential reports whether a decoded JSON value can be or hold a
// credential: a string, an object or an array.
func mayHoldCredential(v any) bool {
	switch v.(type) {
	case string, map[string]any, []any:
		return true
	}
	return false
}

// preview is the package's preview with secrets hidden, including one that
// the preview's cut splits: its visible start would not match as a whole.
func (r *redactor) preview(b []byte) string {
	p := preview(b)
	if r == nil {
		return p
	}
	if head, cut := strings.CutSuffix(p, "…"); cut && len(head) < len(b) {
		n, start := len(head), len(head)
		for _, v := range r.values {
			lo, hi := max(0, n-len(v)+1), min(len(b), n+len(v)-1)
			if i := bytes.Index(b[lo:hi], []byte(v)); i >= 0 && lo+i < start {
				start = lo + i
			}
		}
		if start < n {
			return r.String(head[:start]) + Redacted + "…"
		}
	}
	return r.String(p)
}

// hideSecretMembers replaces the values of credential-like object members.
// A number or a boolean is no credential: "input_tokens": 812 or
// "session_expired": true say how many or whether, and hiding them took
// usage figures out of every LLM API's response. A credential is a string
// (or an object or array that may hold one).
func hideSecretMembers(v any) (any, bool) {
	switch x := v.(type) {
	case map[string]any:
		changed := false
		for k, e := range x {
			if IsSecretName(k) && mayHoldCredential(e) {
				x[k], changed = Redacted, true
				continue
			}
			if h, c := hideSecretMembers(e); c {
				x[k], changed = h, true
			}
		}
		return x, changed
	case []any:
		changed := false
		for i, e := range x {
			if h, c := hideSecretMembers(e); c {
				x[i], changed = h, true
			}
		}
		return x, changed
	}
	return v, false
}

// attempt redacts a recorded attempt again, for secrets learned after it
// was recorded.
func (r *redactor) attempt(a *StepAttempt) {
	headers := func(h map[string]string) {
		for k, v := range h {
			h[k] = r.String(v)
		}
	}
	if q := a.Request; q != nil {
		q.URL, q.BodyPreview = r.String(q.URL), r.String(q.BodyPreview)
		headers(q.Headers)
	}
	if p := a.Response; p != nil {
		p.BodyPreview = r.String(p.BodyPreview)
		headers(p.Headers)
	}
	for i := range a.Criteria {
		a.Criteria[i].Explanation = r.String(a.Criteria[i].Explanation)
		a.Criteria[i].Error = r.String(a.Criteria[i].Error)
	}
	a.Error = r.String(a.Error)
	if a.Outputs != nil {
		a.Outputs, _ = redactValue(a.Outputs, r).(map[string]any)
	}
}
