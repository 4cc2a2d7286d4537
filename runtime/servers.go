package runtime

import (
	"fmt"
	"slices"
	"strings"

	"github.com/arazzo-go/arazzo/arazzo"
	"github.com/arazzo-go/arazzo/openapi"
)

// checkServerOptions refuses Options.Servers and Options.ServerVars entries
// that name no source description or no server variable: a typo there
// (regoin for region) would otherwise be ignored silently and the requests
// would go to the description's own server, which may be production.
func (e *Engine) checkServerOptions() error {
	return e.checkServers(e.opts.Servers, e.opts.ServerVars)
}

// checkServers refuses server overrides and variables for names the
// document does not declare, with a "did you mean".
func (e *Engine) checkServers(servers map[string]string, serverVars map[string]map[string]string) error {
	sources := map[string]*arazzo.SourceDescription{}
	var names []string
	for _, d := range e.documents() {
		for _, s := range d.SourceDescriptions {
			if s != nil && sources[s.Name] == nil {
				sources[s.Name] = s
				names = append(names, s.Name)
			}
		}
	}
	slices.Sort(names)
	unknown := func(what, name string) error {
		hint := ""
		if n := openapi.Nearest(name, names, (len(name)+1)/2); n != "" {
			hint = fmt.Sprintf("; did you mean %q?", n)
		}
		return fmt.Errorf("%s for %q: no source description of that name%s (have %s)", what, name, hint, strings.Join(names, ", "))
	}
	for _, name := range sortedKeys(servers) {
		if sources[name] == nil {
			return unknown("server override", name)
		}
	}
	for _, name := range sortedKeys(serverVars) {
		src := sources[name]
		if src == nil {
			return unknown("server variables", name)
		}
		if src.OpenAPI == nil {
			continue // not loaded: nothing to check against, and no request will use them
		}
		declared := serverVariables(src.OpenAPI)
		for _, v := range sortedKeys(serverVars[name]) {
			if !slices.Contains(declared, v) {
				hint := ""
				if n := openapi.Nearest(v, declared, (len(v)+1)/2); n != "" {
					hint = fmt.Sprintf("; did you mean %q?", n)
				}
				have := "it declares none"
				if len(declared) > 0 {
					have = "have " + strings.Join(declared, ", ")
				}
				return fmt.Errorf("server variable %q of source %q: the source's servers declare no such variable%s (%s)", v, name, hint, have)
			}
		}
	}
	return nil
}

// documents lists the entry document and every Arazzo document bound
// through a source description, once each.
func (e *Engine) documents() []*arazzo.Document {
	out := []*arazzo.Document{e.doc}
	for _, bw := range e.workflows {
		if !slices.Contains(out, bw.doc) {
			out = append(out, bw.doc)
		}
	}
	return out
}

// serverVariables lists, sorted, the variables of every server a source
// declares (document, path and operation level).
func serverVariables(src *openapi.Source) []string {
	seen := map[string]bool{}
	for _, op := range src.Operations() {
		for _, s := range op.Servers {
			for name := range s.Variables {
				seen[name] = true
			}
		}
	}
	for _, s := range src.Servers() {
		for name := range s.Variables {
			seen[name] = true
		}
	}
	return sortedKeys(seen)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// baseURL is the run's server override for a source: RunOptions.Servers,
// else Options.Servers ("" = the description's server).
func (r *runState) baseURL(source string) string {
	if u, ok := r.servers[source]; ok {
		return u
	}
	return r.e.opts.Servers[source]
}

// serverVars are the run's server variables for a source:
// RunOptions.ServerVars over Options.ServerVars, variable by variable.
func (r *runState) serverVars(source string) map[string]string {
	own := r.vars[source]
	if own == nil {
		return r.e.opts.ServerVars[source]
	}
	base := r.e.opts.ServerVars[source]
	if base == nil {
		return own
	}
	merged := make(map[string]string, len(base)+len(own))
	for k, v := range base {
		merged[k] = v
	}
	for k, v := range own {
		merged[k] = v
	}
	return merged
}
