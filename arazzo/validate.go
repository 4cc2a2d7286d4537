package arazzo

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/arazzo-go/arazzo/expr"
	"github.com/arazzo-go/arazzo/openapi"
)

var (
	idPattern  = regexp.MustCompile(`^[A-Za-z0-9_\-]+$`)
	keyPattern = regexp.MustCompile(`^[a-zA-Z0-9\.\-_]+$`)
)

// checkDocument compiles every expression and applies the semantic rules of
// the specification (MUST-level as errors, SHOULD-level as warnings).
func checkDocument(doc *Document) Diagnostics {
	c := &checker{doc: doc}
	c.compile()
	c.checkIDs()
	c.checkComponents()
	for _, w := range doc.Workflows {
		c.checkWorkflow(w)
	}
	c.checkWorkflowDependsOn()
	c.checkUses()
	c.checkFlow()
	return c.diags
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (c *checker) checkIDs() {
	seen := map[string]bool{}
	for _, s := range c.doc.SourceDescriptions {
		if s.Name == "" {
			continue
		}
		if seen[s.Name] {
			c.errorf(RuleDuplicateID, s.Loc.FieldPos("name"), s.Loc.Pointer+"/name", "source description name %q is used more than once", s.Name)
		}
		seen[s.Name] = true
	}
	seen = map[string]bool{}
	for _, w := range c.doc.Workflows {
		if w.WorkflowID == "" {
			continue
		}
		if seen[w.WorkflowID] {
			c.errorf(RuleDuplicateID, w.Loc.FieldPos("workflowId"), w.Loc.Pointer+"/workflowId", "workflowId %q is used more than once", w.WorkflowID)
		}
		seen[w.WorkflowID] = true
		if !idPattern.MatchString(w.WorkflowID) {
			c.warnf(RuleIDPattern, w.Loc.FieldPos("workflowId"), w.Loc.Pointer+"/workflowId", "workflowId %q should only use letters, digits, '_' and '-'", w.WorkflowID)
		}
		steps := map[string]bool{}
		for _, s := range w.Steps {
			if s.StepID == "" {
				continue
			}
			if steps[s.StepID] {
				c.errorf(RuleDuplicateID, s.Loc.FieldPos("stepId"), s.Loc.Pointer+"/stepId", "stepId %q is used more than once in workflow %q", s.StepID, w.WorkflowID)
			}
			steps[s.StepID] = true
			if !idPattern.MatchString(s.StepID) {
				c.warnf(RuleIDPattern, s.Loc.FieldPos("stepId"), s.Loc.Pointer+"/stepId", "stepId %q should only use letters, digits, '_' and '-'", s.StepID)
			}
		}
	}
}

func (c *checker) checkComponents() {
	comp := c.doc.Components
	if comp == nil {
		return
	}
	check := func(section string, keys []string) {
		for _, k := range keys {
			if !keyPattern.MatchString(k) {
				ptr := "/components/" + section + "/" + expr.EscapePointerToken(k)
				pos := comp.Loc.Pos
				if n := childNode(comp.Loc.Node, section); n != nil {
					pos = keyPos(n, k, pos)
				}
				c.errorf(RuleKeyPattern, pos, ptr, "component key %q must match [a-zA-Z0-9.-_]+", k).Fix = validKey(k)
			}
		}
	}
	check("inputs", sortedKeys(comp.Inputs))
	check("parameters", sortedKeys(comp.Parameters))
	check("successActions", sortedKeys(comp.SuccessActions))
	check("failureActions", sortedKeys(comp.FailureActions))
	for _, k := range sortedKeys(comp.Parameters) {
		if p := comp.Parameters[k]; p.Reference != "" {
			c.errorf(RuleReferenceType, p.Loc.FieldPos("reference"), p.Loc.Pointer+"/reference", "a component parameter must be a Parameter Object, not a reference")
		}
	}
}

func keyPos(mapping *yaml.Node, key string, def Pos) Pos {
	n := resolve(mapping)
	if n == nil {
		return def
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if resolve(n.Content[i]).Value == key {
			return nodePos(n.Content[i])
		}
	}
	return def
}

// sourceKind tells what a source description holds, from its type or, once
// loaded, from what was loaded.
func sourceKind(s *SourceDescription) string {
	switch {
	case s.OpenAPI != nil:
		return "openapi"
	case s.AsyncAPI != nil:
		return "asyncapi"
	case s.Arazzo != nil:
		return "arazzo"
	}
	return s.Type
}

func (c *checker) hasAsyncSource() bool {
	for _, s := range c.doc.SourceDescriptions {
		if s.Type == "asyncapi" || s.AsyncAPI != nil {
			return true
		}
	}
	return false
}

func (c *checker) checkWorkflow(w *Workflow) {
	c.checkInputRefs(w.Inputs, w.Loc.Pointer+"/inputs", w.Loc.FieldPos("inputs"), 0)
	c.checkOutputKeys(w.Outputs)
	c.checkParameters(w.Parameters, w, nil, false)
	c.checkActions(w.SuccessActions, w, nil, "successActions")
	c.checkActions(w.FailureActions, w, nil, "failureActions")
	for _, s := range w.Steps {
		c.checkStep(w, s)
	}
	c.checkStepDependsOn(w)
}

func (c *checker) checkOutputKeys(outs []*Output) {
	for _, o := range outs {
		if !keyPattern.MatchString(o.Name) {
			c.errorf(RuleKeyPattern, o.Loc.Keys["name"], o.Loc.Pointer, "output name %q must match [a-zA-Z0-9.-_]+", o.Name).Fix = validKey(o.Name)
		}
	}
}

func (c *checker) checkStep(w *Workflow, s *Step) {
	targets := []string{}
	for _, f := range []string{"operationId", "operationPath", "workflowId", "channelPath"} {
		if _, ok := s.Loc.Fields[f]; ok {
			targets = append(targets, f)
		}
	}
	switch len(targets) {
	case 0:
		// A merge key (already an error) usually brought the target in;
		// saying it is missing would only repeat that error.
		if !hasMergeKey(s.Loc.Node) {
			c.errorf(RuleStepTarget, s.Loc.Pos, s.Loc.Pointer, "step %q needs exactly one of operationId, operationPath or workflowId", s.StepID)
		}
	case 1:
	default:
		c.errorf(RuleStepTarget, s.Loc.FieldPos(targets[1]), s.Loc.Pointer+"/"+targets[1], "step %q sets both %s and %s; use exactly one", s.StepID, targets[0], targets[1])
	}
	isWorkflowStep := s.WorkflowID != "" && len(targets) == 1
	if s.ChannelPath != "" && !c.hasAsyncSource() {
		c.errorf(RuleStepTarget, s.Loc.FieldPos("channelPath"), s.Loc.Pointer+"/channelPath", "channelPath needs an AsyncAPI source description; this document has none")
	}
	if s.WorkflowID != "" && s.Action != "" {
		c.errorf(RuleAsyncField, s.Loc.FieldPos("action"), s.Loc.Pointer+"/action", "step %q calls a workflow; action only applies to AsyncAPI steps", s.StepID)
	}
	if s.ChannelPath != "" && s.Action == "" {
		c.errorf(RuleAsyncField, s.Loc.FieldPos("channelPath"), s.Loc.Pointer+"/channelPath", "step %q uses channelPath and needs action: send or receive", s.StepID)
	}
	if s.CorrelationID != "" && s.Action != "receive" {
		c.errorf(RuleAsyncField, s.Loc.FieldPos("correlationId"), s.Loc.Pointer+"/correlationId", "correlationId only applies to steps with action: receive")
	}
	if s.Action != "" && !isWorkflowStep {
		if src := c.stepSource(s); src != nil && sourceKind(src) == "openapi" {
			c.warnf(RuleAsyncField, s.Loc.FieldPos("action"), s.Loc.Pointer+"/action", "action only applies to AsyncAPI steps; it is ignored for OpenAPI operation %q", s.OperationID+s.OperationPath)
		}
	}
	if isWorkflowStep {
		if target, ok := c.resolveWorkflowRef(s.WorkflowID, s.Loc.FieldPos("workflowId"), s.Loc.Pointer+"/workflowId"); ok && target != nil {
			c.checkWorkflowArguments(s, target)
		}
		if s.RequestBody != nil {
			c.warnf(RuleWorkflowStepBody, s.Loc.FieldPos("requestBody"), s.Loc.Pointer+"/requestBody", "step %q calls a workflow; its requestBody is ignored (pass values as parameters)", s.StepID)
		}
	}
	c.checkParameters(s.Parameters, w, s, !isWorkflowStep && len(targets) == 1)
	c.checkActions(s.OnSuccess, w, s, "onSuccess")
	c.checkActions(s.OnFailure, w, s, "onFailure")
	c.checkOutputKeys(s.Outputs)
	if len(targets) == 1 && !isWorkflowStep && !c.checkAsyncStep(w, s) && s.ChannelPath == "" {
		c.checkOperation(w, s)
	}
}

// checkWorkflowArguments warns about parameters of a workflow step that the
// called workflow does not declare as inputs.
func (c *checker) checkWorkflowArguments(s *Step, target *Workflow) {
	saved := c.doc
	c.doc = target.Doc
	schema := c.inputSchema(target.Inputs, 0)
	c.doc = saved
	props, _ := schema["properties"].(map[string]any)
	if schema == nil || props == nil {
		return
	}
	names := sortedKeys(props)
	for _, p := range s.Parameters {
		r := c.resolveParameterQuiet(p)
		if r == nil || r.In != "" || r.Name == "" {
			continue
		}
		if _, ok := props[r.Name]; !ok {
			c.warnf(RuleUnknownInput, p.Loc.FieldPos("name"), p.Loc.Pointer+"/name", "workflow %q declares no input %q%s", target.WorkflowID, r.Name, suggest(r.Name, names))
		}
	}
}

// stepSource returns the source description an operation step names, when
// it can tell.
func (c *checker) stepSource(s *Step) *SourceDescription {
	if name, _, ok := splitSourceRef(s.OperationID); ok {
		return c.doc.Source(name)
	}
	if name, _, ok := parseOperationPath(s.OperationPath); ok {
		return c.doc.Source(name)
	}
	var only *SourceDescription
	for _, src := range c.doc.SourceDescriptions {
		if src.Type != "arazzo" {
			if only != nil {
				return nil
			}
			only = src
		}
	}
	return only
}

// splitSourceRef splits "$sourceDescriptions.name.rest".
func splitSourceRef(s string) (name, rest string, ok bool) {
	const prefix = "$sourceDescriptions."
	if !strings.HasPrefix(s, prefix) {
		return "", "", false
	}
	name, rest, ok = strings.Cut(s[len(prefix):], ".")
	return name, rest, ok && name != "" && rest != ""
}

// resolveWorkflowRef resolves a workflowId reference (local, or
// $sourceDescriptions.<arazzo source>.<workflowId>) and reports it when it
// names nothing. The workflow is nil with ok true when the source was not
// loaded (already reported at its url).
func (c *checker) resolveWorkflowRef(id string, pos Pos, ptr string) (*Workflow, bool) {
	if strings.HasPrefix(id, "$sourceDescriptions.") {
		name, rest, ok := splitSourceRef(id)
		if !ok {
			c.errorf(RuleUnknownWorkflow, pos, ptr, "workflow reference %q must be $sourceDescriptions.<name>.<workflowId>", id)
			return nil, false
		}
		rest = strings.TrimPrefix(rest, "workflows.")
		src := c.doc.Source(name)
		if src == nil {
			c.errorf(RuleUnknownSource, pos, ptr, "workflow reference %q names no source description %q%s", id, name, c.suggestSource(name))
			return nil, false
		}
		if k := sourceKind(src); k != "" && k != "arazzo" {
			c.errorf(RuleUnknownWorkflow, pos, ptr, "workflow reference %q points into source %q, which is an %s description, not an Arazzo document", id, name, k)
			return nil, false
		}
		if src.Arazzo == nil {
			return nil, true // not loaded: already reported at its url
		}
		if w := src.Arazzo.Workflow(rest); w != nil {
			return w, true
		}
		c.errorf(RuleUnknownWorkflow, pos, ptr, "workflow %q not found in source %q%s", rest, name, suggest(rest, workflowIDs(src.Arazzo)))
		return nil, false
	}
	if w := c.doc.Workflow(id); w != nil {
		return w, true
	}
	c.errorf(RuleUnknownWorkflow, pos, ptr, "workflow %q not found%s", id, suggest(id, workflowIDs(c.doc)))
	return nil, false
}

func workflowIDs(d *Document) []string {
	var ids []string
	for _, w := range d.Workflows {
		ids = append(ids, w.WorkflowID)
	}
	return ids
}

func (c *checker) suggestSource(name string) string {
	var names []string
	for _, s := range c.doc.SourceDescriptions {
		names = append(names, s.Name)
	}
	return suggest(name, names)
}

// resolveParameter follows a Reusable Object to its component.
func (c *checker) resolveParameter(p *Parameter) *Parameter {
	if p.Reference == "" {
		return p
	}
	pos, ptr := p.Loc.FieldPos("reference"), p.Loc.Pointer+"/reference"
	typ, key, ok := splitComponentRef(p.Reference)
	if !ok {
		c.errorf(RuleUnresolvedReference, pos, ptr, "reference %q must be $components.parameters.<key>", p.Reference)
		return nil
	}
	if typ != "parameters" {
		c.errorf(RuleReferenceType, pos, ptr, "a parameter list can only reference $components.parameters, not $components.%s", typ)
		return nil
	}
	var comp *Parameter
	if c.doc.Components != nil {
		comp = c.doc.Components.Parameters[key]
	}
	if comp == nil {
		var keys []string
		if c.doc.Components != nil {
			keys = sortedKeys(c.doc.Components.Parameters)
		}
		c.errorf(RuleUnresolvedReference, pos, ptr, "component parameter %q not found%s", key, suggest(key, keys))
		return nil
	}
	return comp
}

func splitComponentRef(ref string) (typ, key string, ok bool) {
	const prefix = "$components."
	if !strings.HasPrefix(ref, prefix) {
		return "", "", false
	}
	typ, key, ok = strings.Cut(ref[len(prefix):], ".")
	return typ, key, ok && typ != "" && key != ""
}

func (c *checker) checkParameters(list []*Parameter, w *Workflow, s *Step, needIn bool) {
	seen := map[string]bool{}
	for _, p := range list {
		r := c.resolveParameter(p)
		if r == nil {
			continue
		}
		if needIn && r.In == "" {
			c.errorf(RuleParameterMissingIn, p.Loc.Pos, p.Loc.Pointer, "parameter %q of operation step %q needs in (path, query, header or cookie)", r.Name, s.StepID)
		}
		key := r.In + "\x00" + r.Name
		if r.In == "header" {
			key = r.In + "\x00" + strings.ToLower(r.Name)
		}
		if seen[key] {
			where := "in " + r.In
			if r.In == "" {
				where = "without in"
			}
			c.errorf(RuleDuplicateParameter, p.Loc.Pos, p.Loc.Pointer, "parameter %q (%s) is listed more than once", r.Name, where)
		}
		seen[key] = true
	}
}

// resolveAction follows a Reusable Object to its component action.
func (c *checker) resolveAction(a *Action, failure bool) *Action {
	if a.Reference == "" {
		return a
	}
	want := "successActions"
	if failure {
		want = "failureActions"
	}
	pos, ptr := a.Loc.FieldPos("reference"), a.Loc.Pointer+"/reference"
	typ, key, ok := splitComponentRef(a.Reference)
	if !ok {
		c.errorf(RuleUnresolvedReference, pos, ptr, "reference %q must be $components.%s.<key>", a.Reference, want)
		return nil
	}
	if typ != want {
		c.errorf(RuleReferenceType, pos, ptr, "this list holds %s; it cannot reference $components.%s", strings.TrimSuffix(want, "s"), typ)
		return nil
	}
	var comp map[string]*Action
	if c.doc.Components != nil {
		comp = c.doc.Components.SuccessActions
		if failure {
			comp = c.doc.Components.FailureActions
		}
	}
	if r := comp[key]; r != nil {
		return r
	}
	c.errorf(RuleUnresolvedReference, pos, ptr, "component %s %q not found%s", strings.TrimSuffix(want, "s"), key, suggest(key, sortedKeys(comp)))
	return nil
}

// checkActions checks a list of actions of workflow w; from is the step
// that owns the list, nil for the workflow's own lists.
func (c *checker) checkActions(list []*Action, w *Workflow, from *Step, field string) {
	failure := field == "onFailure" || field == "failureActions"
	seen := map[string]bool{}
	for _, a := range list {
		r := c.resolveAction(a, failure)
		if r == nil {
			continue
		}
		if r.Name != "" {
			if seen[r.Name] {
				c.errorf(RuleDuplicateAction, a.Loc.Pos, a.Loc.Pointer, "action %q is listed more than once in %s", r.Name, field)
			}
			seen[r.Name] = true
		}
		pos, ptr := a.Loc, a.Loc.Pointer
		if r != a {
			// Report a component's target problems where it is used.
			pos.Fields = nil
		}
		if r == a {
			c.checkIgnoredActionFields(a)
		}
		if r.Type == "goto" || r.Type == "retry" {
			if r.StepID != "" {
				if st, _ := w.Step(r.StepID); st == nil {
					var ids []string
					for _, s := range w.Steps {
						ids = append(ids, s.StepID)
					}
					c.errorf(RuleGotoTarget, pos.FieldPos("stepId"), ptr+"/stepId", "%s target step %q not found in workflow %q%s", r.Type, r.StepID, w.WorkflowID, suggest(r.StepID, ids))
				}
			}
			// A step that goes back to itself whenever it succeeds, with
			// nothing to stop it, polls until a request fails: the usual
			// slip is a poll loop whose exit condition was forgotten.
			// (onFailure loops end when the step succeeds, so they pass.)
			if from != nil && field == "onSuccess" && r.Type == "goto" && r.StepID == from.StepID && len(r.Criteria) == 0 {
				d := c.warnf(RuleEndlessGoto, pos.FieldPos("stepId"), ptr+"/stepId", "step %q goes to itself on every success with no criteria, so the loop only ends when a request fails", from.StepID)
				d.Fix = "give the action criteria that hold while the loop should go on, e.g. criteria: [{condition: $response.body#/status != 'done'}]"
			}
			if r.WorkflowID != "" {
				c.resolveWorkflowRef(r.WorkflowID, pos.FieldPos("workflowId"), ptr+"/workflowId")
			}
		}
		if len(r.Parameters) > 0 && r == a {
			if r.WorkflowID == "" {
				c.errorf(RuleActionParameters, a.Loc.FieldPos("parameters"), ptr+"/parameters", "action parameters are inputs of a target workflow; they need workflowId")
			}
			for _, p := range r.Parameters {
				if rp := c.resolveParameter(p); rp != nil && rp.In != "" {
					c.errorf(RuleActionParameters, p.Loc.FieldPos("in"), p.Loc.Pointer+"/in", "action parameters map to workflow inputs and must not set in")
				}
			}
		}
	}
}

// checkIgnoredActionFields warns about fields that have no effect for the
// action's type: retry settings outside retry, targets on end.
func (c *checker) checkIgnoredActionFields(a *Action) {
	if a.Type == "" {
		return
	}
	if a.Type != "retry" {
		for _, f := range []string{"retryAfter", "retryLimit"} {
			if _, ok := a.Loc.Fields[f]; ok {
				c.warnf(RuleIgnoredField, a.Loc.Keys[f], a.Loc.Pointer+"/"+f, "%s only applies to retry actions; it is ignored on this %s action", f, a.Type)
			}
		}
	}
	if a.Type == "end" {
		for _, f := range []string{"stepId", "workflowId"} {
			if _, ok := a.Loc.Fields[f]; ok {
				c.warnf(RuleIgnoredField, a.Loc.Keys[f], a.Loc.Pointer+"/"+f, "%s has no effect on an end action; use type: goto to transfer control", f)
			}
		}
	}
}

// checkStepDependsOn checks 1.1 step dependsOn entries and their cycles.
func (c *checker) checkStepDependsOn(w *Workflow) {
	graph := map[string][]string{}
	for _, s := range w.Steps {
		n := childNode(s.Loc.Node, "dependsOn")
		for i, d := range s.DependsOn {
			pos := s.Loc.FieldPos("dependsOn")
			if items := c.itemNodes(n); i < len(items) {
				pos = nodePos(items[i])
			}
			ptr := fmt.Sprintf("%s/dependsOn/%d", s.Loc.Pointer, i)
			switch {
			case strings.HasPrefix(d, "$workflows."):
				wfID, stepID, ok := strings.Cut(strings.TrimPrefix(d, "$workflows."), ".steps.")
				if !ok {
					c.errorf(RuleDependsOnUnknown, pos, ptr, "dependsOn entry %q must be a stepId, $workflows.<workflowId>.steps.<stepId> or $sourceDescriptions.<name>.<workflowId>.steps.<stepId>", d)
					continue
				}
				ow := c.doc.Workflow(wfID)
				if ow == nil {
					c.errorf(RuleDependsOnUnknown, pos, ptr, "dependsOn names workflow %q, which does not exist%s", wfID, suggest(wfID, workflowIDs(c.doc)))
				} else if st, _ := ow.Step(stepID); st == nil {
					c.errorf(RuleDependsOnUnknown, pos, ptr, "dependsOn names step %q, which workflow %q does not have", stepID, wfID)
				}
			case strings.HasPrefix(d, "$sourceDescriptions."):
				name, rest, ok := splitSourceRef(d)
				wfID, stepID, ok2 := strings.Cut(rest, ".steps.")
				if !ok || !ok2 {
					c.errorf(RuleDependsOnUnknown, pos, ptr, "dependsOn entry %q must be $sourceDescriptions.<name>.<workflowId>.steps.<stepId>", d)
					continue
				}
				src := c.doc.Source(name)
				if src == nil {
					c.errorf(RuleUnknownSource, pos, ptr, "dependsOn names source %q, which does not exist%s", name, c.suggestSource(name))
				} else if k := sourceKind(src); k != "" && k != "arazzo" {
					c.errorf(RuleDependsOnUnknown, pos, ptr, "dependsOn names source %q, which is an %s description, not an Arazzo document", name, k)
				} else if src.Arazzo != nil {
					if ow := src.Arazzo.Workflow(wfID); ow == nil {
						c.errorf(RuleDependsOnUnknown, pos, ptr, "workflow %q not found in source %q", wfID, name)
					} else if st, _ := ow.Step(stepID); st == nil {
						c.errorf(RuleDependsOnUnknown, pos, ptr, "step %q not found in workflow %q of source %q", stepID, wfID, name)
					}
				}
			case strings.HasPrefix(d, "$"):
				c.errorf(RuleDependsOnUnknown, pos, ptr, "dependsOn entry %q must be a stepId, $workflows.<workflowId>.steps.<stepId> or $sourceDescriptions.<name>.<workflowId>.steps.<stepId>", d)
			default:
				if st, _ := w.Step(d); st == nil {
					var ids []string
					for _, s := range w.Steps {
						ids = append(ids, s.StepID)
					}
					c.errorf(RuleDependsOnUnknown, pos, ptr, "dependsOn names step %q, which workflow %q does not have%s", d, w.WorkflowID, suggest(d, ids))
				} else {
					graph[s.StepID] = append(graph[s.StepID], d)
				}
			}
		}
	}
	if cyc := findCycle(graph, stepOrder(w)); cyc != nil {
		s, _ := w.Step(cyc[0])
		c.errorf(RuleDependsOnCycle, s.Loc.FieldPos("dependsOn"), s.Loc.Pointer+"/dependsOn", "steps depend on each other in a cycle: %s", strings.Join(cyc, " -> "))
	}
}

func stepOrder(w *Workflow) []string {
	var ids []string
	for _, s := range w.Steps {
		ids = append(ids, s.StepID)
	}
	return ids
}

func (c *checker) itemNodes(n *yaml.Node) []*yaml.Node {
	r := resolve(n)
	if r == nil {
		return nil
	}
	return r.Content
}

func (c *checker) checkWorkflowDependsOn() {
	graph := map[string][]string{}
	for _, w := range c.doc.Workflows {
		n := childNode(w.Loc.Node, "dependsOn")
		items := c.itemNodes(n)
		for i, d := range w.DependsOn {
			pos := w.Loc.FieldPos("dependsOn")
			if i < len(items) {
				pos = nodePos(items[i])
			}
			ptr := fmt.Sprintf("%s/dependsOn/%d", w.Loc.Pointer, i)
			target, ok := c.resolveWorkflowRefQuiet(d)
			if !ok {
				c.resolveWorkflowRef(d, pos, ptr) // reports
				continue
			}
			if target != nil && target.Doc == c.doc {
				graph[w.WorkflowID] = append(graph[w.WorkflowID], target.WorkflowID)
			}
		}
	}
	if cyc := findCycle(graph, workflowIDs(c.doc)); cyc != nil {
		w := c.doc.Workflow(cyc[0])
		c.errorf(RuleDependsOnCycle, w.Loc.FieldPos("dependsOn"), w.Loc.Pointer+"/dependsOn", "workflows depend on each other in a cycle: %s", strings.Join(cyc, " -> "))
	}
}

// resolveWorkflowRefQuiet is resolveWorkflowRef without diagnostics.
func (c *checker) resolveWorkflowRefQuiet(id string) (*Workflow, bool) {
	saved := c.diags
	w, ok := c.resolveWorkflowRef(id, Pos{}, "")
	c.diags = saved
	return w, ok
}

// findCycle returns one dependency cycle (first node repeated at the end),
// or nil. order makes the result deterministic.
func findCycle(graph map[string][]string, order []string) []string {
	const (
		white = iota
		grey
		black
	)
	color := map[string]int{}
	var stack []string
	var found []string
	var visit func(n string) bool
	visit = func(n string) bool {
		color[n] = grey
		stack = append(stack, n)
		for _, m := range graph[n] {
			switch color[m] {
			case grey:
				i := slices.Index(stack, m)
				found = append(append([]string{}, stack[i:]...), m)
				return true
			case white:
				if visit(m) {
					return true
				}
			}
		}
		stack = stack[:len(stack)-1]
		color[n] = black
		return false
	}
	for _, n := range order {
		if color[n] == white && visit(n) {
			return found
		}
	}
	return nil
}

// checkUses applies the reference rules to every runtime expression.
func (c *checker) checkUses() {
	for _, u := range c.uses {
		if u.wf == nil {
			continue
		}
		r := u.ref
		switch r.Kind {
		case expr.KindSteps:
			st, idx := u.wf.Step(r.Step)
			if st == nil {
				var ids []string
				for _, s := range u.wf.Steps {
					ids = append(ids, s.StepID)
				}
				d := c.errorf(RuleUnknownStepOutput, u.pos, u.ptr, "$steps.%s: no step %q in workflow %q%s", r.Step, r.Step, u.wf.WorkflowID, suggest(r.Step, ids))
				if best := closest(r.Step, ids); best != "" {
					d.Fix = "$steps." + best
					if r.Name != "" {
						d.Fix += ".outputs." + r.Name
					}
				}
				continue
			}
			if r.Name != "" && !definesOutput(st.Outputs, r.Name) {
				var names []string
				for _, o := range st.Outputs {
					names = append(names, o.Name)
				}
				d := c.errorf(RuleUnknownStepOutput, u.pos, u.ptr, "step %q has no output %q%s", r.Step, r.Name, suggest(r.Name, names))
				if best := closest(r.Name, names); best != "" {
					d.Fix = "$steps." + r.Step + ".outputs." + best
				}
				continue
			}
			c.checkOutputNavigation(u, st.Outputs, fmt.Sprintf("step %q", r.Step))
			if u.step != nil && idx == u.stepIdx && !u.inOutput {
				c.checkSelfOutput(u, r)
				continue
			}
			if u.step != nil && idx >= u.stepIdx && !(idx == u.stepIdx && u.inOutput) && !slices.Contains(u.step.DependsOn, r.Step) {
				c.warnf(RuleForwardStepRef, u.pos, u.ptr, "step %q reads outputs of step %q, which runs later in the list", u.step.StepID, r.Step)
			}
		case expr.KindInputs:
			c.checkInput(u.wf, r.Name, u)
		case expr.KindWorkflows:
			w := c.doc.Workflow(r.Workflow)
			if w == nil {
				c.errorf(RuleUnknownWorkflow, u.pos, u.ptr, "$workflows.%s: workflow %q not found%s", r.Workflow, r.Workflow, suggest(r.Workflow, workflowIDs(c.doc)))
				continue
			}
			if r.Field == "outputs" && r.Name != "" && !definesOutput(w.Outputs, r.Name) {
				c.errorf(RuleUnknownOutput, u.pos, u.ptr, "workflow %q has no output %q", w.WorkflowID, r.Name)
			} else if r.Field == "outputs" {
				c.checkOutputNavigation(u, w.Outputs, fmt.Sprintf("workflow %q", w.WorkflowID))
			}
		case expr.KindOutputs:
			if u.inOutput && u.step != nil && u.step.WorkflowID != "" {
				if target, ok := c.resolveWorkflowRefQuiet(u.step.WorkflowID); ok && target != nil && r.Name != "" && !definesOutput(target.Outputs, r.Name) {
					c.errorf(RuleUnknownOutput, u.pos, u.ptr, "called workflow %q has no output %q", target.WorkflowID, r.Name)
				} else if ok && target != nil {
					c.checkOutputNavigation(u, target.Outputs, fmt.Sprintf("called workflow %q", target.WorkflowID))
				}
			}
		case expr.KindSourceDescriptions:
			if c.doc.Source(r.Name) == nil {
				c.errorf(RuleUnknownSource, u.pos, u.ptr, "$sourceDescriptions.%s: no source description %q%s", r.Name, r.Name, c.suggestSource(r.Name))
			}
		case expr.KindMessage:
			c.checkMessageUse(u)
		case expr.KindStatusCode, expr.KindResponse, expr.KindRequest, expr.KindURL, expr.KindMethod:
			if u.step != nil && u.step.WorkflowID != "" {
				c.warnf(RuleStatusInWorkflow, u.pos, u.ptr, "step %q calls a workflow, so it has no HTTP request or response; this expression has no value there", u.step.StepID)
			}
		}
	}
}

func definesOutput(outs []*Output, name string) bool {
	for _, o := range outs {
		if o.Name == name || strings.HasPrefix(name, o.Name+".") {
			return true
		}
	}
	return false
}

// checkOutputNavigation warns about a dotted output name that names no
// output exactly but starts with one ($steps.s.outputs.groups.id beside
// output "groups"): the runtime reads output "groups" and navigates to
// "id" (expr's dotted fallback), which the grammar does not say; output
// names may themselves hold dots. Inside simple conditions dot navigation
// is the standard operator and nothing is reported.
func (c *checker) checkOutputNavigation(u use, outs []*Output, owner string) {
	r := u.ref
	if u.inCondition || r.Name == "" || !strings.Contains(r.Name, ".") {
		return
	}
	prefix := ""
	for _, o := range outs {
		if o.Name == r.Name {
			return
		}
		if strings.HasPrefix(r.Name, o.Name+".") && len(o.Name) > len(prefix) {
			prefix = o.Name
		}
	}
	if prefix == "" {
		return
	}
	rest := r.Name[len(prefix)+1:]
	std := *r
	std.Name, std.Path, std.HasPointer = prefix, nil, true
	var ptr strings.Builder
	for _, tok := range strings.Split(rest, ".") {
		ptr.WriteString("/" + expr.EscapePointerToken(tok))
	}
	std.Pointer = ptr.String() + r.Pointer
	d := c.warnf(expr.RuleDotNavigation, u.pos, u.ptr,
		"%s has no output %q: it is read as output %q navigated to %q, a dot navigation that is only standard inside simple conditions (output names may hold dots)",
		owner, r.Name, prefix, rest)
	d.Fix = std.Standard()
}

// checkInputRefs checks that local $refs of an inputs schema name existing
// components.inputs entries.
func (c *checker) checkInputRefs(v any, ptr string, pos Pos, depth int) {
	if depth > 64 {
		return
	}
	switch v := v.(type) {
	case map[string]any:
		if ref, ok := v["$ref"].(string); ok && strings.HasPrefix(ref, "#/components/inputs/") {
			key := strings.TrimPrefix(ref, "#/components/inputs/")
			var keys []string
			found := false
			if c.doc.Components != nil {
				_, found = c.doc.Components.Inputs[key]
				keys = sortedKeys(c.doc.Components.Inputs)
			}
			if !found {
				at := pos
				if n, _ := nodeAt(c.doc.Loc.Node, splitPointer(ptr+"/$ref")); n != nil {
					at = nodePos(n)
				}
				c.errorf(RuleUnresolvedReference, at, ptr+"/$ref", "inputs schema $ref %q: no components.inputs entry %q%s", ref, key, suggest(key, keys))
			}
		}
		for _, k := range sortedKeys(v) {
			c.checkInputRefs(v[k], ptr+"/"+expr.EscapePointerToken(k), pos, depth+1)
		}
	case []any:
		for i, e := range v {
			c.checkInputRefs(e, fmt.Sprintf("%s/%d", ptr, i), pos, depth+1)
		}
	}
}

// checkInput checks $inputs.<name> against the workflow's inputs schema:
// an error when the schema is closed (additionalProperties: false) and does
// not declare it, a warning when it is open or absent.
func (c *checker) checkInput(w *Workflow, name string, u use) {
	if name == "" {
		return
	}
	schema := c.inputSchema(w.Inputs, 0)
	if schema == nil && w.Inputs != nil {
		return // an external or broken $ref: cannot tell
	}
	// The fix for an undeclared input is one declaration, so its warning
	// is given once per workflow, at the first use; errors (a closed
	// schema) stay at every use.
	warnOnce := func(candidates []string, format string, args ...any) {
		key := undeclaredInput{w, name}
		if c.undeclaredInputs[key] {
			return
		}
		if c.undeclaredInputs == nil {
			c.undeclaredInputs = map[undeclaredInput]bool{}
		}
		c.undeclaredInputs[key] = true
		d := c.warnf(RuleUnknownInput, u.pos, u.ptr, format, args...)
		if best := closest(name, candidates); best != "" {
			d.Msg += fmt.Sprintf("; did you mean %q?", best)
			d.Fix = "$inputs." + best
		} else {
			d.Fix = fmt.Sprintf("declare it: inputs: {type: object, properties: {%s: {type: string}}}", strings.SplitN(name, ".", 2)[0])
		}
	}
	if schema == nil {
		warnOnce(nil, "$inputs.%s: workflow %q declares no inputs", name, w.WorkflowID)
		return
	}
	props, _ := schema["properties"].(map[string]any)
	for p := range props {
		if p == name || strings.HasPrefix(name, p+".") {
			return
		}
	}
	closed := schema["additionalProperties"] == false || schema["unevaluatedProperties"] == false
	var names []string
	for p := range props {
		names = append(names, p)
	}
	sort.Strings(names)
	if closed {
		c.errorf(RuleUnknownInput, u.pos, u.ptr, "$inputs.%s: workflow %q has no input %q%s", name, w.WorkflowID, name, suggest(name, names))
	} else {
		warnOnce(names, "$inputs.%s: workflow %q does not declare input %q", name, w.WorkflowID, name)
	}
}

// inputSchema returns the inputs schema object, following a local $ref to
// components.inputs (and merging allOf property lists, common in the wild).
func (c *checker) inputSchema(v any, depth int) map[string]any {
	m, ok := v.(map[string]any)
	if !ok || depth > 8 {
		return nil
	}
	if ref, ok := m["$ref"].(string); ok {
		const prefix = "#/components/inputs/"
		if strings.HasPrefix(ref, prefix) && c.doc.Components != nil {
			return c.inputSchema(c.doc.Components.Inputs[strings.TrimPrefix(ref, prefix)], depth+1)
		}
		return nil // external schema: cannot tell
	}
	if all, ok := m["allOf"].([]any); ok {
		merged := map[string]any{"properties": map[string]any{}}
		props := merged["properties"].(map[string]any)
		for _, part := range all {
			s := c.inputSchema(part, depth+1)
			if s == nil {
				return nil
			}
			if pp, ok := s["properties"].(map[string]any); ok {
				for k, v := range pp {
					props[k] = v
				}
			}
		}
		if pp, ok := m["properties"].(map[string]any); ok {
			for k, v := range pp {
				props[k] = v
			}
		}
		return merged
	}
	return m
}

// suggest returns `; did you mean "x"?` for the candidate nearest to s, when
// one is near enough to be a plausible typo.
func suggest(s string, candidates []string) string {
	if best := closest(s, candidates); best != "" {
		return fmt.Sprintf("; did you mean %q?", best)
	}
	return ""
}

// closest is the validator's hint: the candidate within half the name's
// length (at least 2 edits) of s; "fetchPet" suggests "fetch".
func closest(s string, candidates []string) string {
	return openapi.Nearest(s, candidates, max(2, len(s)/2))
}

// sortDiagnostics orders by file, position, then rule and message, and drops
// exact duplicates (a component used from two places reports once).
func sortDiagnostics(ds Diagnostics) Diagnostics {
	slices.SortStableFunc(ds, func(a, b *Diagnostic) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Pos.Line, b.Pos.Line), cmp.Compare(a.Pos.Col, b.Pos.Col),
			cmp.Compare(a.Severity, b.Severity), cmp.Compare(a.Rule, b.Rule), cmp.Compare(a.Msg, b.Msg))
	})
	out := ds[:0]
	for i, d := range ds {
		if i > 0 && *d == *ds[i-1] {
			continue
		}
		out = append(out, d)
	}
	return out
}

func hasMergeKey(n *yaml.Node) bool {
	n = resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return false
	}
	for i := 0; i < len(n.Content); i += 2 {
		if k := resolve(n.Content[i]); k.Tag == "!!merge" || k.Value == "<<" {
			return true
		}
	}
	return false
}

// validKey suggests a key that matches the key pattern: each run of other
// characters becomes one '_' ("pet list" -> "pet_list").
func validKey(k string) string {
	var b strings.Builder
	under := false
	for _, r := range k {
		if r < 0x80 && keyPattern.MatchString(string(r)) {
			b.WriteRune(r)
			under = false
		} else if !under {
			b.WriteByte('_')
			under = true
		}
	}
	return b.String()
}
