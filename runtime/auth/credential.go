package auth

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
)

// Kind is the sort of credential and decides how it is applied.
type Kind string

// Credential kinds.
const (
	// KindBearer sends "Authorization: Bearer <token>".
	KindBearer Kind = "bearer"
	// KindBasic sends "Authorization: Basic base64(user:password)".
	KindBasic Kind = "basic"
	// KindAPIKey puts the key where the apiKey scheme says (header, query or cookie).
	KindAPIKey Kind = "apikey"
	// KindOAuth2 fetches a token with the OAuth2 client-credentials grant and sends it as a bearer token.
	KindOAuth2 Kind = "oauth2"
	// KindOCI signs each request the way Oracle Cloud Infrastructure requires.
	KindOCI Kind = "oci"
)

// maxSecretFile bounds a secret read from a file; tokens and passwords are short.
const maxSecretFile = 64 << 10

// Secret says where a secret value is read from. Exactly one field is set. Parsed flags only ever fill Env or
// File, so a secret never sits in a command line; Value is for library callers that already hold the secret.
type Secret struct {
	Env   string // environment variable name
	File  string // file path; surrounding white space of the content is dropped
	Value string // the secret itself (library use only)
}

// String describes where the secret comes from, never the secret itself.
func (s Secret) String() string {
	switch {
	case s.Env != "":
		return "env:" + s.Env
	case s.File != "":
		return "file:" + s.File
	case s.Value != "":
		return "(value)"
	}
	return "(none)"
}

// GoString keeps %#v from printing a Value.
func (s Secret) GoString() string { return "auth.Secret{" + s.String() + "}" }

// IsZero reports whether no source is set.
func (s Secret) IsZero() bool { return s.Env == "" && s.File == "" && s.Value == "" }

// Read returns the secret. Errors name the variable or file, never a value.
func (s Secret) Read() (string, error) {
	switch {
	case s.Env != "":
		v, ok := os.LookupEnv(s.Env)
		if !ok {
			return "", fmt.Errorf("environment variable %s is not set", s.Env)
		}
		if v == "" {
			return "", fmt.Errorf("environment variable %s is empty", s.Env)
		}
		return v, nil
	case s.File != "":
		f, err := os.Open(s.File)
		if err != nil {
			return "", fmt.Errorf("secret file: %w", err)
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			return "", fmt.Errorf("secret file: %w", err)
		}
		if !st.Mode().IsRegular() {
			return "", fmt.Errorf("secret file %s is not a regular file", s.File)
		}
		if st.Size() > maxSecretFile {
			return "", fmt.Errorf("secret file %s is larger than %d bytes", s.File, maxSecretFile)
		}
		buf, err := io.ReadAll(io.LimitReader(f, maxSecretFile))
		if err != nil {
			return "", fmt.Errorf("secret file %s: read failed", s.File)
		}
		v := strings.TrimSpace(string(buf))
		if v == "" {
			return "", fmt.Errorf("secret file %s is empty", s.File)
		}
		return v, nil
	case s.Value != "":
		return s.Value, nil
	}
	return "", errors.New("no secret source")
}

// Signer signs a request in place, setting its Authorization header. *ocisign.Signer is one.
type Signer interface {
	Sign(req *http.Request) error
}

// Credential maps a source description, and optionally one of its security schemes, to credentials.
// Without Scheme it serves every scheme of the source that its Kind can satisfy.
type Credential struct {
	Source string // source description name
	Scheme string // security scheme name; empty = any compatible scheme of Source
	Kind   Kind

	Token Secret // bearer token or API key

	User, Password Secret // basic

	ClientID, ClientSecret Secret   // oauth2 client credentials
	Scopes                 []string // oauth2; empty = the scopes the security requirement asks for

	// OCI: the profile of an OCI config file. Empty Profile means $OCI_CLI_PROFILE or DEFAULT, empty
	// ConfigFile $OCI_CONFIG_FILE or ~/.oci/config.
	Profile, ConfigFile string
	// Signer, when set on a KindOCI credential, signs instead of a key loaded from the config file.
	Signer Signer
}

// Name is how the credential is referred to in messages: "--auth source" or "--auth source.scheme".
func (c Credential) Name() string {
	if c.Scheme != "" {
		return "--auth " + c.Source + "." + c.Scheme
	}
	return "--auth " + c.Source
}

// String describes the credential without any secret.
func (c Credential) String() string {
	target := c.Source
	if c.Scheme != "" {
		target += "." + c.Scheme
	}
	switch c.Kind {
	case KindBearer, KindAPIKey:
		return fmt.Sprintf("%s=%s:%s", target, c.Kind, c.Token)
	case KindBasic:
		return fmt.Sprintf("%s=basic:%s:%s", target, c.User, c.Password)
	case KindOAuth2:
		s := fmt.Sprintf("%s=oauth2:%s:%s", target, c.ClientID, c.ClientSecret)
		if len(c.Scopes) > 0 {
			s += ":" + strings.Join(c.Scopes, ",")
		}
		return s
	case KindOCI:
		s := target + "=oci:" + c.Profile
		if c.ConfigFile != "" {
			s += "@" + c.ConfigFile
		}
		return s
	}
	return target + "=" + string(c.Kind)
}

// GoString keeps %#v from printing a secret Value.
func (c Credential) GoString() string { return "auth.Credential{" + c.String() + "}" }

const flagFormat = "want SOURCE[.SCHEME]=KIND:SPEC with KIND bearer, basic, apikey, oauth2 or oci"

// ParseCredential reads one --auth flag value:
//
//	SOURCE[.SCHEME]=bearer:SECRET
//	SOURCE[.SCHEME]=apikey:SECRET
//	SOURCE[.SCHEME]=basic:SECRET:SECRET                 (user, password)
//	SOURCE[.SCHEME]=oauth2:SECRET:SECRET[:SCOPE,SCOPE]  (client id, client secret; scopes may hold colons)
//	SOURCE[.SCHEME]=oci[:[PROFILE][@CONFIG_FILE]]
//
// where SECRET is env:VARIABLE or file:PATH. Errors start with "--auth" and the target, and never repeat the
// text after the kind, in case a user typed a secret there.
func ParseCredential(flag string) (Credential, error) {
	var c Credential
	target, spec, ok := strings.Cut(flag, "=")
	if !ok {
		// Without "=" the text may be anything, a pasted token included: quote none of it.
		return c, fmt.Errorf("--auth: %s", flagFormat)
	}
	c.Source, c.Scheme, _ = strings.Cut(target, ".")
	if c.Source == "" || !validSourceName(c.Source) {
		return c, fmt.Errorf("--auth %s: source name %q is not a source description name ([A-Za-z0-9_-]+)", clip(target), clip(c.Source))
	}
	if strings.Contains(target, ".") && c.Scheme == "" {
		return c, fmt.Errorf("--auth %s: empty security scheme name after the dot", clip(target))
	}
	name := "--auth " + target
	kind, rest, _ := strings.Cut(spec, ":")
	c.Kind = Kind(strings.ToLower(kind))
	var parts []string
	if rest != "" {
		parts = strings.Split(rest, ":")
	}
	var err error
	switch c.Kind {
	case KindBearer, KindAPIKey:
		if c.Token, parts, err = takeSecret(parts); err != nil {
			return c, fmt.Errorf("%s: %s token: %v", name, c.Kind, err)
		}
	case KindBasic:
		if c.User, parts, err = takeSecret(parts); err != nil {
			return c, fmt.Errorf("%s: basic user: %v", name, err)
		}
		if c.Password, parts, err = takeSecret(parts); err != nil {
			return c, fmt.Errorf("%s: basic password: %v", name, err)
		}
	case KindOAuth2:
		if c.ClientID, parts, err = takeSecret(parts); err != nil {
			return c, fmt.Errorf("%s: oauth2 client id: %v", name, err)
		}
		if c.ClientSecret, parts, err = takeSecret(parts); err != nil {
			return c, fmt.Errorf("%s: oauth2 client secret: %v", name, err)
		}
		if len(parts) > 0 {
			// Scopes are often URLs ("api://app/.default"), so the rest, colons and all, is the list.
			for _, s := range strings.Split(strings.Join(parts, ":"), ",") {
				if s = strings.TrimSpace(s); s != "" {
					c.Scopes = append(c.Scopes, s)
				}
			}
			parts = nil
		}
	case KindOCI:
		// The profile and path are not secrets; the path may hold colons (C:\...), so rejoin.
		p := strings.Join(parts, ":")
		parts = nil
		c.Profile, c.ConfigFile, _ = strings.Cut(p, "@")
		if strings.ContainsAny(c.Profile, "[]\n") {
			return c, fmt.Errorf("%s: oci profile %q is not a profile name", name, clip(c.Profile))
		}
		if strings.HasSuffix(p, "@") {
			return c, fmt.Errorf("%s: oci: empty config file path after @", name)
		}
	case "":
		return c, fmt.Errorf("%s: missing KIND; %s", name, flagFormat)
	default:
		// The kind is not quoted: "source=TOKEN" would put a secret here.
		return c, fmt.Errorf("%s: unknown kind; %s", name, flagFormat)
	}
	if len(parts) > 0 {
		return c, fmt.Errorf("%s: %d unexpected trailing field(s) after the %s credential", name, len(parts), c.Kind)
	}
	return c, nil
}

// ParseCredentials parses several --auth values and rejects two for the same source and scheme.
func ParseCredentials(flags []string) ([]Credential, error) {
	var out []Credential
	seen := map[string]bool{}
	for _, f := range flags {
		c, err := ParseCredential(f)
		if err != nil {
			return nil, err
		}
		key := dupKey(c)
		if seen[key] {
			return nil, fmt.Errorf("%s is given twice for %s", c.Name(), c.Kind)
		}
		seen[key] = true
		out = append(out, c)
	}
	return out, nil
}

// dupKey identifies credentials that would compete: two for one scheme, or two source-wide ones of one kind.
// Source-wide credentials of different kinds serve different schemes and may be combined.
func dupKey(c Credential) string {
	if c.Scheme != "" {
		return c.Source + "." + c.Scheme
	}
	return c.Source + "=" + string(c.Kind)
}

// takeSecret consumes "env" NAME or "file" PATH from the front of parts.
func takeSecret(parts []string) (Secret, []string, error) {
	if len(parts) == 0 {
		return Secret{}, parts, errors.New("missing; want env:VARIABLE or file:PATH (secrets are never given on the command line)")
	}
	if len(parts) < 2 {
		return Secret{}, parts, errors.New("want env:VARIABLE or file:PATH (secrets are never given on the command line)")
	}
	switch parts[0] {
	case "env":
		if !validEnvName(parts[1]) {
			return Secret{}, parts, errors.New("env: wants a variable name ([A-Za-z_][A-Za-z0-9_]*)")
		}
		return Secret{Env: parts[1]}, parts[2:], nil
	case "file":
		if parts[1] == "" {
			return Secret{}, parts, errors.New("file: wants a path")
		}
		return Secret{File: parts[1]}, parts[2:], nil
	}
	return Secret{}, parts, errors.New("want env:VARIABLE or file:PATH (secrets are never given on the command line)")
}

func validSourceName(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

func validEnvName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// clip shortens user text quoted in an error; it only ever quotes the part before the kind's spec.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
