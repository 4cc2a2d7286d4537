package runtime

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// Redacted replaces every secret value in results, events and errors.
const Redacted = "<redacted>"

// secretFragments mark input, header and query names that hold credentials.
// Plain substring tests: this runs for every header of every request.
var secretFragments = []string{"token", "secret", "passw", "authorization", "apikey", "api-key", "api_key", "credential", "cookie", "session", "signature"}

// IsSecretName reports whether an input, header or query parameter name
// suggests that its value is a credential (case-insensitively: token,
// secret, passw, authorization, api key, credential, cookie, session,
// signature).
func IsSecretName(name string) bool {
	lower := strings.ToLower(name)
	for _, f := range secretFragments {
		if strings.Contains(lower, f) {
			return true
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
	secrets []string        // as given, for with
	values  []string        // hidden inside text; longest first, so overlapping secrets are fully hidden
	exact   map[string]bool // hidden when a whole value equals them
}

func newRedactor(secrets []string) *redactor {
	r := &redactor{secrets: secrets, exact: map[string]bool{}}
	seen := map[string]bool{}
	for _, s := range secrets {
		// A secret may show up percent-encoded in a URL or form body.
		for _, v := range []string{s, url.PathEscape(s), url.QueryEscape(s)} {
			if v == "" || seen[v] {
				continue
			}
			seen[v] = true
			r.exact[v] = true
			if len(v) >= minSubstringSecret {
				r.values = append(r.values, v)
			}
		}
	}
	sort.Slice(r.values, func(i, j int) bool { return len(r.values[i]) > len(r.values[j]) })
	return r
}

// with returns a redactor that also hides more secret values.
func (r *redactor) with(secrets []string) *redactor {
	if len(secrets) == 0 {
		return r
	}
	return newRedactor(append(append([]string(nil), r.secrets...), secrets...))
}

// String hides every secret value inside s.
func (r *redactor) String(s string) string {
	if r == nil {
		return s
	}
	if r.exact[s] {
		return Redacted
	}
	for _, v := range r.values {
		if strings.Contains(s, v) {
			s = strings.ReplaceAll(s, v, Redacted)
		}
	}
	return s
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
