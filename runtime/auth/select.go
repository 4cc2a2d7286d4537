package auth

import (
	"fmt"
	"sort"
	"strings"

	"github.com/arazzo-go/arazzo/openapi"
)

// use is one credential applied for one security scheme of a requirement.
type use struct {
	schemeName string
	scheme     openapi.SecurityScheme // zero when the description declares no security
	cred       int                    // index into transport.creds
	scopes     []string               // the requirement's scopes (oauth2)
}

// plan is what the transport does to every request of one operation: the uses of the chosen requirement,
// applied non-signers first so that a signature covers everything they add.
type plan struct {
	uses []use
	note string // why, for Options.Log; never holds a secret
}

func (p *plan) hasOAuth2(creds []Credential) bool {
	for _, u := range p.uses {
		if creds[u.cred].Kind == KindOAuth2 {
			return true
		}
	}
	return false
}

// schemesOf returns the security schemes a description declares.
func schemesOf(src *openapi.Source) map[string]openapi.SecurityScheme {
	if src == nil {
		return nil
	}
	return src.SecuritySchemes()
}

// planFor chooses the credentials for an operation. The operation's security (operation-level, else
// document-level, resolved by the openapi package) lists alternatives; the first one every scheme of which has
// a matching credential wins. An empty alternative ({}) makes credentials optional: it is chosen only when no
// other alternative can be satisfied, since a user who configured credentials wants them sent.
func (t *transport) planFor(source string, op *openapi.Operation) *plan {
	label := op.ID
	if label == "" {
		label = op.Method + " " + op.Path
	}
	if !op.SecurityDeclared {
		// Nothing declared: the description may simply be incomplete (most are), so a source-wide
		// credential that needs no scheme details is still sent.
		p := &plan{}
		var kinds []string
		for i, c := range t.creds {
			if c.Source == source && c.Scheme == "" && (c.Kind == KindBearer || c.Kind == KindBasic || c.Kind == KindOCI) {
				p.uses = append(p.uses, use{cred: i})
				kinds = append(kinds, string(c.Kind))
			}
		}
		if len(p.uses) > 0 {
			p.note = fmt.Sprintf("%s: the description declares no security; applying %s from --auth %s", label, strings.Join(kinds, ", "), source)
		}
		return orderUses(p, t.creds)
	}
	if len(op.Security) == 0 {
		return &plan{note: fmt.Sprintf("%s: security is explicitly empty; no credentials sent", label)}
	}
	schemes := schemesOf(t.doc.Source(source).OpenAPI)
	anonymous := false
	var wanted []string
	for _, req := range op.Security {
		if len(req) == 0 {
			anonymous = true
			continue
		}
		names := make([]string, 0, len(req))
		for n := range req {
			names = append(names, n)
		}
		sort.Strings(names)
		wanted = append(wanted, strings.Join(names, "+"))
		p := &plan{}
		for _, n := range names {
			scheme, declared := schemes[n]
			if !declared {
				p = nil
				break
			}
			ci := t.match(source, n, scheme)
			if ci < 0 {
				p = nil
				break
			}
			p.uses = append(p.uses, use{schemeName: n, scheme: scheme, cred: ci, scopes: req[n]})
		}
		if p != nil {
			var parts []string
			for _, u := range p.uses {
				parts = append(parts, fmt.Sprintf("%s (%s)", u.schemeName, t.creds[u.cred].Kind))
			}
			p.note = fmt.Sprintf("%s: applying %s", label, strings.Join(parts, " + "))
			return orderUses(p, t.creds)
		}
	}
	if anonymous {
		return &plan{note: fmt.Sprintf("%s: no --auth matches %s; sending without credentials, which the description allows", label, strings.Join(wanted, " or "))}
	}
	return &plan{note: fmt.Sprintf("%s: needs %s, and no --auth for source %s matches; sending the request as built", label, strings.Join(wanted, " or "), source)}
}

// orderUses puts signers last: a signature must cover the final headers and query.
func orderUses(p *plan, creds []Credential) *plan {
	sort.SliceStable(p.uses, func(i, j int) bool {
		return creds[p.uses[i].cred].Kind != KindOCI && creds[p.uses[j].cred].Kind == KindOCI
	})
	return p
}

// match finds the credential for one scheme: one configured for exactly this scheme, else a source-wide one
// whose kind fits the scheme's type. -1 when none.
func (t *transport) match(source, name string, s openapi.SecurityScheme) int {
	for i, c := range t.creds {
		if c.Source == source && c.Scheme == name {
			if compatible(c.Kind, s, true) == nil {
				return i
			}
			return -1
		}
	}
	for i, c := range t.creds {
		if c.Source == source && c.Scheme == "" && compatible(c.Kind, s, false) == nil {
			return i
		}
	}
	return -1
}

// compatible says whether a credential kind can satisfy a scheme. named is true when the user tied the
// credential to this scheme by name, which lets an oci signer serve a scheme a description models loosely.
func compatible(k Kind, s openapi.SecurityScheme, named bool) error {
	typ := strings.ToLower(s.Type)
	httpScheme := strings.ToLower(s.Scheme)
	switch k {
	case KindBearer:
		if typ == "http" && httpScheme == "bearer" || typ == "oauth2" || typ == "openidconnect" {
			return nil
		}
		return fmt.Errorf("a bearer token fits http bearer, oauth2 or openIdConnect schemes, not %s", describeScheme(s))
	case KindBasic:
		if typ == "http" && httpScheme == "basic" {
			return nil
		}
		return fmt.Errorf("basic credentials fit http basic schemes, not %s", describeScheme(s))
	case KindAPIKey:
		if typ != "apikey" {
			return fmt.Errorf("an api key fits apiKey schemes, not %s", describeScheme(s))
		}
		if s.Name == "" {
			return fmt.Errorf("the apiKey scheme has no name")
		}
		switch strings.ToLower(s.In) {
		case "header", "query", "cookie":
			return nil
		}
		return fmt.Errorf("the apiKey scheme is in %q; want header, query or cookie", s.In)
	case KindOAuth2:
		if typ != "oauth2" {
			return fmt.Errorf("oauth2 client credentials fit oauth2 schemes, not %s", describeScheme(s))
		}
		if s.Flows.ClientCredentials == nil || s.Flows.ClientCredentials.TokenURL == "" {
			return fmt.Errorf("the oauth2 scheme has no clientCredentials flow with a tokenUrl")
		}
		return nil
	case KindOCI:
		if named || isOCIScheme(s) {
			return nil
		}
		return fmt.Errorf("oci signing fits http Signature schemes, not %s (name the scheme to force it)", describeScheme(s))
	}
	return fmt.Errorf("unknown credential kind %q", k)
}

// isOCIScheme recognises how descriptions declare OCI request signing.
func isOCIScheme(s openapi.SecurityScheme) bool {
	if _, ok := s.Extensions["x-oci-request-signing"]; ok {
		return true
	}
	return strings.EqualFold(s.Type, "http") && strings.EqualFold(s.Scheme, "signature")
}

func describeScheme(s openapi.SecurityScheme) string {
	switch strings.ToLower(s.Type) {
	case "http":
		return "http " + s.Scheme
	case "apikey":
		return "apiKey in " + s.In
	}
	return s.Type
}
