package auth

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/arazzo-go/arazzo/arazzo"
)

// Check reports every credential problem that would otherwise only show when a request is sent: an unknown
// source or scheme, a kind that fits no scheme of its source, a secret that cannot be read, an OCI profile or
// key that does not load. Each error names its --auth flag and never a secret. nil when all is well.
func Check(doc *arazzo.Document, creds []Credential) error {
	var errs []error
	seen := map[string]bool{}
	for _, c := range creds {
		key := dupKey(c)
		if seen[key] {
			errs = append(errs, fmt.Errorf("%s is given twice", c.Name()))
			continue
		}
		seen[key] = true
		if err := checkTarget(doc, c); err != nil {
			errs = append(errs, fmt.Errorf("%s: %v", c.Name(), err))
			continue
		}
		st := &credState{}
		if err := st.load(c, Options{}.withDefaults()); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (o Options) withDefaults() Options {
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

func checkTarget(doc *arazzo.Document, c Credential) error {
	if doc == nil {
		return nil
	}
	sd := doc.Source(c.Source)
	if sd == nil {
		var names []string
		for _, s := range doc.SourceDescriptions {
			names = append(names, s.Name)
		}
		sort.Strings(names)
		return fmt.Errorf("no source description %q (have %s)", c.Source, strings.Join(names, ", "))
	}
	if sd.OpenAPI == nil {
		return fmt.Errorf("source %q is not a loaded OpenAPI description", c.Source)
	}
	schemes := schemesOf(sd.OpenAPI)
	if c.Scheme != "" {
		scheme, declared := schemes[c.Scheme]
		if !declared {
			return fmt.Errorf("source %q declares no security scheme %q (have %s)", c.Source, c.Scheme, schemeNames(schemes))
		}
		return compatible(c.Kind, scheme, true)
	}
	if len(schemes) == 0 {
		if c.Kind == KindAPIKey || c.Kind == KindOAuth2 {
			return fmt.Errorf("source %q declares no security schemes, so there is nowhere to put the %s credential", c.Source, c.Kind)
		}
		return nil
	}
	var reasons []string
	for _, n := range sortedSchemeNames(schemes) {
		err := compatible(c.Kind, schemes[n], false)
		if err == nil {
			return nil
		}
		reasons = append(reasons, n+": "+err.Error())
	}
	// No scheme fits; the credential still serves operations that declare no security, when its kind
	// needs no scheme details.
	if c.Kind == KindBearer || c.Kind == KindBasic || c.Kind == KindOCI {
		for _, op := range sd.OpenAPI.Operations() {
			if !op.SecurityDeclared {
				return nil
			}
		}
	}
	return fmt.Errorf("fits none of the security schemes of source %q (%s)", c.Source, strings.Join(reasons, "; "))
}

func sortedSchemeNames[M ~map[string]V, V any](m M) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func schemeNames[M ~map[string]V, V any](m M) string {
	if len(m) == 0 {
		return "none"
	}
	return strings.Join(sortedSchemeNames(m), ", ")
}
