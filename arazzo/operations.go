package arazzo

import (
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/arazzo-go/arazzo/openapi"
)

// checkOperation resolves a step's operationId or operationPath against the
// loaded OpenAPI sources. Sources that could not be loaded were reported
// once at their url; steps that use them are not checked further.
func (c *checker) checkOperation(w *Workflow, s *Step) {
	var op *openapi.Operation
	switch {
	case s.OperationID != "":
		op = c.resolveOperationID(s)
	case s.OperationPath != "":
		op = c.resolveOperationPath(s)
	}
	if op == nil {
		return
	}
	if s.RequestBody != nil {
		switch op.Method {
		case "GET", "HEAD", "DELETE":
			c.warnf(RuleBodyWithoutSemantics, s.Loc.FieldPos("requestBody"), s.Loc.Pointer+"/requestBody",
				"step %q sends a requestBody with %s, which has no defined semantics for it", s.StepID, op.Method)
		}
	}
	c.checkRequiredParameters(w, s, op)
	c.checkData(w, s, op)
	for _, p := range s.Parameters {
		r := p
		if p.Reference != "" {
			r = c.resolveParameterQuiet(p)
		}
		if r == nil || r.In == "" || r.In == "querystring" {
			continue
		}
		if r.In == "header" {
			switch strings.ToLower(r.Name) {
			case "accept", "content-type", "authorization":
				continue // OpenAPI ignores declarations of these headers
			}
		}
		if r.In == "query" && op.FixesQuery(r.Name) {
			// The path key's pair is sent and this value is dropped: the
			// pair selects the operation (docs/decisions.md).
			d := c.warnf(RuleFixedQueryParameter, p.Loc.Pos, p.Loc.Pointer, "query parameter %q is fixed by the path key %q of operation %s; the path key's value is sent and this one is ignored", r.Name, op.Path, opName(op))
			d.Fix = "remove the parameter"
			continue
		}
		if _, declared := op.Param(r.In, r.Name); !declared && !(r.In == "path" && inPathTemplate(op.Template, r.Name)) {
			var names []string
			for _, q := range op.Params {
				if q.In == r.In {
					names = append(names, q.Name)
				}
			}
			d := c.warnf(RuleParameterUndeclared, p.Loc.Pos, p.Loc.Pointer, "operation %s has no %s parameter %q", opName(op), r.In, r.Name)
			if in := declaredIn(op, r.Name); in != "" {
				// The name is right, the place is not: the value goes
				// where the step says, not where the operation reads it.
				d.Msg += fmt.Sprintf("; it declares %q as a %s parameter, so the value is sent in the wrong place", r.Name, in)
				d.Fix = "in: " + in
			} else if best := closest(r.Name, names); best == "" && r.In == "path" && !inPathTemplate(op.Template, r.Name) {
				d.Msg += fmt.Sprintf(" (the path %s has no {%s}, so the value is not sent)", op.Path, r.Name)
				if best := closest(r.Name, pathTemplateNames(op.Template)); best != "" {
					d.Msg += fmt.Sprintf("; did you mean %q?", best)
					d.Fix = "name: " + best
				}
			} else if best != "" {
				d.Msg += fmt.Sprintf("; did you mean %q? (%s parameter names are case-sensitive)", best, r.In)
				d.Fix = "name: " + best
			} else {
				// What the run does: the value goes out as written, and
				// an API reads only what it declares.
				d.Msg += "; it is sent as written, but the operation does not read it"
				d.Fix = "fix the name or in to one the operation declares, or remove the parameter"
			}
		}
	}
}

// declaredIn returns where the operation declares a parameter of this
// name when that is not the step's place ("" when nowhere, or ambiguous).
func declaredIn(op *openapi.Operation, name string) string {
	found := ""
	for _, p := range op.Params {
		if p.Name != name {
			continue
		}
		if found != "" && found != p.In {
			return ""
		}
		found = p.In
	}
	return found
}

// pathTemplateNames returns the {names} of an OpenAPI path template.
func pathTemplateNames(path string) []string {
	var out []string
	for {
		open := strings.IndexByte(path, '{')
		if open < 0 {
			return out
		}
		end := strings.IndexByte(path[open:], '}')
		if end < 0 {
			return out
		}
		// {Key+} is the greedy form of parameter Key (openapi.Operation).
		out = append(out, strings.TrimSuffix(path[open+1:open+end], "+"))
		path = path[open+end+1:]
	}
}

func inPathTemplate(path, name string) bool {
	for _, n := range pathTemplateNames(path) {
		if n == name {
			return true
		}
	}
	return false
}

func opName(op *openapi.Operation) string {
	if op.ID != "" {
		return `"` + op.ID + `"`
	}
	return op.Method + " " + op.Path
}

func (c *checker) resolveParameterQuiet(p *Parameter) *Parameter {
	saved := c.diags
	r := c.resolveParameter(p)
	c.diags = saved
	return r
}

func (c *checker) resolveOperationID(s *Step) *openapi.Operation {
	pos, ptr := s.Loc.FieldPos("operationId"), s.Loc.Pointer+"/operationId"
	if name, id, ok := splitSourceRef(s.OperationID); ok {
		src := c.doc.Source(name)
		if src == nil {
			d := c.errorf(RuleUnknownSource, pos, ptr, "operationId %q names no source description %q%s", s.OperationID, name, c.suggestSource(name))
			d.End = c.endOf(pos, s.OperationID)
			return nil
		}
		if src.OpenAPI == nil {
			if src.Arazzo != nil {
				c.errorf(RuleOperationNotFound, pos, ptr, "source %q is an Arazzo document; call its workflows with workflowId, not operationId", name)
			}
			return nil
		}
		op, found := src.OpenAPI.Operation(id)
		if !found {
			d := c.errorf(RuleOperationNotFound, pos, ptr, "operationId %q not found in source %q%s", id, name, suggestOperationID(id, src.OpenAPI.OperationIDs()))
			d.End = c.endOf(pos, s.OperationID)
			if best := closestOperationID(id, src.OpenAPI.OperationIDs()); best != "" {
				d.Fix = "$sourceDescriptions." + name + "." + best
			}
			return nil
		}
		return op
	}
	var candidates, unloaded int
	var matches []*openapi.Operation
	var matchSources []string
	var all []string
	for _, src := range c.doc.SourceDescriptions {
		if sourceKind(src) == "arazzo" || src.Type == "asyncapi" || src.AsyncAPI != nil {
			continue
		}
		candidates++
		if src.OpenAPI == nil {
			unloaded++
			continue
		}
		if op, ok := src.OpenAPI.Operation(s.OperationID); ok {
			matches = append(matches, op)
			matchSources = append(matchSources, src.Name)
		}
		all = append(all, src.OpenAPI.OperationIDs()...)
	}
	switch {
	case len(matches) == 1:
		if candidates > 1 {
			d := c.warnf(RuleUnqualifiedOperation, pos, ptr, "operationId %q should be qualified when there are several source descriptions", s.OperationID)
			d.Fix = "$sourceDescriptions." + matchSources[0] + "." + s.OperationID
			d.End = c.endOf(pos, s.OperationID)
		}
		return matches[0]
	case len(matches) > 1:
		d := c.errorf(RuleAmbiguousOperation, pos, ptr, "operationId %q exists in several sources (%s); qualify it as $sourceDescriptions.<name>.%s", s.OperationID, strings.Join(matchSources, ", "), s.OperationID)
		d.End = c.endOf(pos, s.OperationID)
		d.Fix = "$sourceDescriptions." + matchSources[0] + "." + s.OperationID + " (or another of " + strings.Join(matchSources, ", ") + ")"
	case unloaded > 0:
		// Cannot tell: the operation may be in a source that was not loaded.
	case candidates == 0:
		if c.hasAsyncSource() {
			return nil
		}
		c.errorf(RuleOperationNotFound, pos, ptr, "operationId %q: the document has no OpenAPI source description", s.OperationID).Fix =
			"sourceDescriptions: [{name: api, url: ./openapi.yaml, type: openapi}]"
	default:
		sort.Strings(all)
		d := c.errorf(RuleOperationNotFound, pos, ptr, "operationId %q not found%s", s.OperationID, suggestOperationID(s.OperationID, all))
		d.End = c.endOf(pos, s.OperationID)
		d.Fix = closestOperationID(s.OperationID, all)
	}
	return nil
}

// parseOperationPath splits '{$sourceDescriptions.name.url}#/paths/...'
// into the source name and the (still escaped) JSON Pointer. It also takes
// the brace-less forms seen in the wild and in the 1.1 fixtures.
func parseOperationPath(s string) (name, pointer string, ok bool) {
	ref, frag, hasFrag := strings.Cut(s, "#")
	if !hasFrag {
		return "", "", false
	}
	ref = strings.TrimSuffix(strings.TrimPrefix(ref, "{"), "}")
	const prefix = "$sourceDescriptions."
	if !strings.HasPrefix(ref, prefix) {
		return "", "", false
	}
	name = strings.TrimSuffix(ref[len(prefix):], ".url")
	if name == "" || strings.Contains(name, ".") {
		return "", "", false
	}
	if p, err := url.PathUnescape(frag); err == nil {
		frag = p
	}
	return name, frag, true
}

func (c *checker) resolveOperationPath(s *Step) *openapi.Operation {
	pos, ptr := s.Loc.FieldPos("operationPath"), s.Loc.Pointer+"/operationPath"
	name, pointer, ok := parseOperationPath(s.OperationPath)
	if !ok {
		d := c.errorf(RuleInvalidOperationPath, pos, ptr, "operationPath %q must be {$sourceDescriptions.<name>.url}#<JSON Pointer to an operation>", s.OperationPath)
		d.Fix = "{$sourceDescriptions.<name>.url}#/paths/~1some~1path/get"
		return nil
	}
	src := c.doc.Source(name)
	if src == nil {
		c.errorf(RuleUnknownSource, pos, ptr, "operationPath names no source description %q%s", name, c.suggestSource(name))
		return nil
	}
	if src.OpenAPI == nil {
		return nil
	}
	op, err := src.OpenAPI.OperationByPointer(pointer)
	if err != nil || op == nil {
		msg := "no operation"
		if err != nil {
			msg = err.Error()
		}
		d := c.errorf(RuleInvalidOperationPath, pos, ptr, "operationPath %q does not point at an operation of source %q: %s", pointer, name, msg)
		// A Path Item: the fix is its first operation, as the spec's
		// own fixtures write it (".../get").
		for _, m := range []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"} {
			if op, err := src.OpenAPI.OperationByPointer(pointer + "/" + m); err == nil && op != nil {
				d.Fix = strings.TrimRight(s.OperationPath, "/") + "/" + m
				break
			}
		}
		return nil
	}
	if op.ID != "" {
		d := c.warnf(RulePreferOperationID, pos, ptr, "the operation has operationId %q, which should be preferred over operationPath", op.ID)
		d.Fix = "operationId: " + op.ID
	}
	return op
}

// checkRequiredParameters reports required OpenAPI parameters that neither
// the step nor its workflow supplies: an error for path parameters (the URL
// cannot be built), a warning for others (the runtime may get them from
// elsewhere, e.g. an auth header added by the HTTP client).
func (c *checker) checkRequiredParameters(w *Workflow, s *Step, op *openapi.Operation) {
	given := map[string]bool{}
	for _, list := range [][]*Parameter{w.Parameters, s.Parameters} {
		for _, p := range list {
			if r := c.resolveParameterQuiet(p); r != nil {
				given[paramKey(r.In, r.Name)] = true
			}
		}
	}
	pos, ptr := s.Loc.FieldPos("operationId"), s.Loc.Pointer
	if s.OperationID == "" {
		pos = s.Loc.FieldPos("operationPath")
	}
	// The request builder fills every {name} of the path template from the
	// step's path parameters, declared or not: a template name the
	// operation forgot to declare is as required as a declared one.
	for _, name := range pathTemplateNames(op.Template) {
		if _, declared := op.Param("path", name); declared || given[paramKey("path", name)] {
			continue
		}
		d := c.errorf(RuleMissingParameter, pos, ptr, "step %q does not set path parameter %q of the path %s (operation %s; the description does not declare it)", s.StepID, name, op.Path, opName(op))
		d.Fix = "parameters: [{name: " + name + ", in: path, value: ...}]"
	}
	for _, p := range op.Params {
		if !p.Required && p.In != "path" {
			continue
		}
		if given[paramKey(p.In, p.Name)] {
			continue
		}
		if p.In == "header" {
			switch strings.ToLower(p.Name) {
			case "accept", "content-type", "authorization":
				continue
			}
		}
		if p.In == "path" {
			d := c.errorf(RuleMissingParameter, pos, ptr, "step %q does not set path parameter %q that operation %s requires", s.StepID, p.Name, opName(op))
			d.Fix = "parameters: [{name: " + p.Name + ", in: path, value: ...}]"
		} else {
			d := c.warnf(RuleMissingParameter, pos, ptr, "step %q does not set required %s parameter %q of operation %s: the request goes out without it, and the API may refuse it", s.StepID, p.In, p.Name, opName(op))
			d.Fix = "parameters: [{name: " + p.Name + ", in: " + p.In + ", value: ...}]"
		}
	}
}

// paramKey identifies a parameter by location and name. Only header names
// are case-insensitive (RFC 9110); a path parameter "petid" does not fill
// the template's {petId}.
func paramKey(in, name string) string {
	if in == "header" {
		name = strings.ToLower(name)
	}
	return in + "\x00" + name
}
