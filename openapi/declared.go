package openapi

import (
	"maps"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// The types below are what an operation declares, copied out of the parsed
// description when it is indexed: callers read plain values, and the parser
// behind them can change without changing this package's API.

// Param is one parameter an operation declares.
type Param struct {
	Name string
	// In is "path", "query", "header" or "cookie" ("querystring" in
	// OpenAPI 3.2).
	In          string
	Description string
	Required    bool
	Deprecated  bool
	// Style and Explode are the serialisation in effect: as declared,
	// else the OpenAPI defaults for In (simple for path and header, form
	// for query and cookie; explode for form only). deepObject is always
	// exploded.
	Style         string
	Explode       bool
	AllowReserved bool
	// MediaType is set for a parameter declared with content instead of a
	// schema: its media type, as written. The value is then sent as one text (JSON
	// for a structured value), not by Style. "" for a schema parameter.
	MediaType string
	// Schema is the declared schema of the value; the zero Schema for a
	// content parameter.
	Schema Schema
}

// Server is one server an operation or description declares.
type Server struct {
	// URL may be relative to the description's location and may hold
	// {variables}.
	URL         string
	Description string
	Variables   map[string]ServerVariable // nil when the URL has none
}

// ServerVariable is one {variable} of a server URL.
type ServerVariable struct {
	Default     string
	Enum        []string // the allowed values; nil when any is allowed
	Description string
}

// SecurityRequirement is one alternative of an operation's security: every
// scheme it names must be satisfied, each with the scopes listed (OAuth2
// and OpenID Connect; empty for other schemes). An empty requirement ({})
// allows a request without credentials.
type SecurityRequirement map[string][]string

// SecurityScheme is one entry of the description's
// components.securitySchemes. The fields that do not apply to Type are "".
type SecurityScheme struct {
	// Type is "apiKey", "http", "oauth2", "openIdConnect" or "mutualTLS",
	// as written.
	Type        string
	Description string
	// Scheme is the HTTP authentication scheme of an http scheme
	// ("basic", "bearer", "signature"), as written.
	Scheme       string
	BearerFormat string
	// In and Name place an apiKey: in "header", "query" or "cookie",
	// under Name.
	In   string
	Name string
	// OpenIDConnectURL is the discovery URL of an openIdConnect scheme.
	OpenIDConnectURL string
	// Flows lists the flows of an oauth2 scheme; a nil flow is not
	// declared.
	Flows OAuthFlows
	// Extensions holds the scheme's x- fields by name, with their values
	// decoded from JSON (as encoding/json decodes into any), such as
	// "x-oci-request-signing". Nil when there are none.
	Extensions map[string]any
}

// OAuthFlows are the flows an oauth2 scheme declares; nil for a flow it
// does not declare.
type OAuthFlows struct {
	Implicit, Password, ClientCredentials, AuthorizationCode *OAuthFlow
}

// OAuthFlow is one OAuth2 flow; the URLs a flow does not use are "".
type OAuthFlow struct {
	AuthorizationURL string
	TokenURL         string
	RefreshURL       string
	Scopes           map[string]string // scope name -> description
}

// defaultStyle is the serialisation of a parameter the operation does not
// declare, by its location.
func defaultStyle(in string) paramStyle {
	if in == openapi3.ParameterInPath || in == openapi3.ParameterInHeader {
		return paramStyle{style: openapi3.SerializationSimple}
	}
	return paramStyle{style: openapi3.SerializationForm, explode: true}
}

// style is the serialisation NewRequest uses for a declared parameter.
func (p *Param) style() paramStyle {
	return paramStyle{style: p.Style, explode: p.Explode, allowReserved: p.AllowReserved, asContent: p.MediaType != ""}
}

// styleOf is the serialisation of the parameter in+name: as declared, else
// the default of its location.
func (o *Operation) styleOf(in, name string) paramStyle {
	if i := o.paramIndex(in, name); i >= 0 {
		return o.Params[i].style()
	}
	return defaultStyle(in)
}

func newParam(p *openapi3.Parameter) Param {
	out := Param{Name: p.Name, In: p.In, Description: p.Description, Required: p.Required, Deprecated: p.Deprecated, AllowReserved: p.AllowReserved}
	if p.Schema != nil {
		out.Schema = Schema{p.Schema.Value}
	}
	st := defaultStyle(p.In)
	if p.Style != "" {
		st.style = p.Style
	}
	// explode defaults to true for form and false otherwise (OpenAPI
	// Parameter Object); deepObject is only defined exploded.
	st.explode = st.style == openapi3.SerializationForm
	if p.Explode != nil {
		st.explode = *p.Explode
	}
	if st.style == openapi3.SerializationDeepObject {
		st.explode = true
	}
	out.Style, out.Explode = st.style, st.explode
	if p.Schema == nil && len(p.Content) > 0 {
		// The Parameter Object allows one media type; with several, the
		// first by name, so that the choice is stable.
		out.MediaType = slices.Min(slices.Collect(maps.Keys(p.Content)))
	}
	return out
}

// mergeParams overlays operation-level parameters on path-level ones: the
// operation's definition replaces the path item's for the same in+name and
// keeps its position.
func mergeParams(pathLevel, opLevel openapi3.Parameters) []Param {
	out := make([]Param, 0, len(pathLevel)+len(opLevel))
	for _, p := range pathLevel {
		if p != nil && p.Value != nil {
			out = append(out, newParam(p.Value))
		}
	}
next:
	for _, p := range opLevel {
		if p == nil || p.Value == nil {
			continue
		}
		for i := range out {
			if sameParam(&out[i], p.Value.In, p.Value.Name) {
				out[i] = newParam(p.Value)
				continue next
			}
		}
		out = append(out, newParam(p.Value))
	}
	return out
}

// sameParam matches a parameter by location and name; header names are
// case-insensitive in HTTP, so they are compared that way.
func sameParam(p *Param, in, name string) bool {
	if p.In != in {
		return false
	}
	if in == openapi3.ParameterInHeader {
		return strings.EqualFold(p.Name, name)
	}
	return p.Name == name
}

// Param finds a declared parameter by in and name (header names
// case-insensitively); ok is false when the operation declares none.
func (o *Operation) Param(in, name string) (p Param, ok bool) {
	if i := o.paramIndex(in, name); i >= 0 {
		return o.Params[i], true
	}
	return Param{}, false
}

func (o *Operation) paramIndex(in, name string) int {
	for i := range o.Params {
		if sameParam(&o.Params[i], in, name) {
			return i
		}
	}
	return -1
}

// newServers copies declared servers, skipping empty entries; nil when
// none is left.
func newServers(ss openapi3.Servers) []Server {
	var out []Server
	for _, s := range ss {
		if s == nil {
			continue
		}
		srv := Server{URL: s.URL, Description: s.Description}
		for name, v := range s.Variables {
			if v == nil {
				continue
			}
			if srv.Variables == nil {
				srv.Variables = make(map[string]ServerVariable, len(s.Variables))
			}
			srv.Variables[name] = ServerVariable{Default: v.Default, Enum: v.Enum, Description: v.Description}
		}
		out = append(out, srv)
	}
	return out
}

// newSecurity copies security requirements. An empty requirement list
// stays non-nil: it declares that no credentials are needed.
func newSecurity(rs openapi3.SecurityRequirements) []SecurityRequirement {
	out := make([]SecurityRequirement, 0, len(rs))
	for _, r := range rs {
		req := make(SecurityRequirement, len(r))
		for name, scopes := range r {
			req[name] = scopes
		}
		out = append(out, req)
	}
	return out
}

// newSecuritySchemes copies components.securitySchemes, skipping the
// entries whose $ref did not resolve.
func newSecuritySchemes(doc *openapi3.T) map[string]SecurityScheme {
	if doc.Components == nil || len(doc.Components.SecuritySchemes) == 0 {
		return nil
	}
	out := make(map[string]SecurityScheme, len(doc.Components.SecuritySchemes))
	for name, ref := range doc.Components.SecuritySchemes {
		if ref == nil || ref.Value == nil {
			continue
		}
		s := ref.Value
		sc := SecurityScheme{
			Type: s.Type, Description: s.Description, Scheme: s.Scheme, BearerFormat: s.BearerFormat,
			In: s.In, Name: s.Name, OpenIDConnectURL: s.OpenIdConnectUrl,
		}
		if len(s.Extensions) > 0 {
			sc.Extensions = maps.Clone(s.Extensions)
		}
		if f := s.Flows; f != nil {
			sc.Flows = OAuthFlows{
				Implicit: newFlow(f.Implicit), Password: newFlow(f.Password),
				ClientCredentials: newFlow(f.ClientCredentials), AuthorizationCode: newFlow(f.AuthorizationCode),
			}
		}
		out[name] = sc
	}
	return out
}

func newFlow(f *openapi3.OAuthFlow) *OAuthFlow {
	if f == nil {
		return nil
	}
	return &OAuthFlow{AuthorizationURL: f.AuthorizationURL, TokenURL: f.TokenURL, RefreshURL: f.RefreshURL, Scopes: f.Scopes}
}

// Servers lists the servers the description declares at its top level, in
// document order; nil when it declares none. An operation's own servers
// are Operation.Servers.
func (s *Source) Servers() []Server { return s.servers }

// SecuritySchemes returns the security schemes the description declares
// (components.securitySchemes) by name; nil when it declares none. A
// scheme whose $ref does not resolve is left out. The map is the index's
// own: callers must not modify it.
func (s *Source) SecuritySchemes() map[string]SecurityScheme { return s.schemes }
