package wftest

import (
	"sort"
	"strings"

	"github.com/arazzo-go/arazzo/internal/report"
)

// redacted is shown instead of a secret; comparisons use the real value.
const redacted = report.Redacted

// minScrubLen: shorter secrets ("t") are only hidden where we know a secret
// is printed (sensitive names, equal values); replacing them everywhere in
// free text would mangle every message.
const minScrubLen = 4

// secrets knows which values of one case must never be printed.
type secrets struct {
	names  map[string]bool // sensitive input names
	values []string        // secret values, longest first
}

func collectSecrets(c *Case, x *Execution) *secrets {
	s := &secrets{names: map[string]bool{}}
	seen := map[string]bool{}
	addValue := func(v string) {
		if v != "" && !seen[v] {
			seen[v] = true
			s.values = append(s.values, v)
		}
	}
	if x != nil {
		for _, n := range x.SecretInputs {
			s.names[n] = true
		}
	}
	for name := range c.Inputs {
		if report.IsSensitiveName(name) {
			s.names[name] = true
		}
	}
	// Every string under a secret input, however nested ({credentials:
	// {key: ...}}), is a secret value.
	var addAll func(v any)
	addAll = func(v any) {
		switch x := v.(type) {
		case string:
			addValue(x)
		case map[string]any:
			for _, e := range x {
				addAll(e)
			}
		case []any:
			for _, e := range x {
				addAll(e)
			}
		}
	}
	var walk func(name string, v any)
	walk = func(name string, v any) {
		if s.names[name] || report.IsSensitiveName(name) {
			addAll(v)
			return
		}
		if m, ok := v.(map[string]any); ok {
			for k, e := range m {
				walk(k, e)
			}
		}
	}
	for name, v := range c.Inputs {
		walk(name, v)
	}
	for _, rc := range c.Expect.Requests {
		for name, v := range rc.Headers {
			if v != nil && report.IsSensitiveName(name) {
				addValue(*v)
				addValue(bearerless(*v))
			}
		}
	}
	if x != nil {
		for _, r := range x.Requests {
			for name, vs := range r.Header {
				if report.IsSensitiveName(name) {
					for _, v := range vs {
						addValue(v)
						addValue(bearerless(v))
					}
				}
			}
		}
	}
	sort.Slice(s.values, func(i, j int) bool { return len(s.values[i]) > len(s.values[j]) })
	return s
}

// bearerless strips an auth scheme ("Bearer abc" -> "abc") so the bare
// credential is also recognised.
func bearerless(v string) string {
	if _, rest, ok := strings.Cut(v, " "); ok {
		return strings.TrimSpace(rest)
	}
	return ""
}

func (s *secrets) isSecretValue(v string) bool {
	for _, sv := range s.values {
		if v == sv {
			return true
		}
	}
	return false
}

// value hides v when it is, or sits under a key that names, a secret.
func (s *secrets) value(key string, v any) any {
	if report.IsSensitiveName(key) || s.names[key] {
		if v == nil {
			return nil
		}
		return redacted
	}
	switch x := v.(type) {
	case string:
		if s.isSecretValue(x) {
			return redacted
		}
		return x
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = s.value(k, e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = s.value("", e)
		}
		return out
	}
	return v
}

// scrub is the last line of defence on free text (errors, explanations):
// it replaces every secret long enough to be recognised safely.
func (s *secrets) scrub(text string) string {
	if s == nil {
		return text
	}
	for _, v := range s.values {
		if len(v) >= minScrubLen {
			text = strings.ReplaceAll(text, v, redacted)
		}
	}
	return text
}
