package arazzo

import (
	"strconv"

	"gopkg.in/yaml.v3"
)

// The decoders below map each Arazzo object onto the model. Unknown fields
// and wrong types are ignored here; the schema pass reports them with the
// same positions.

func (p *parser) document(n *yaml.Node) *Document {
	d := &Document{}
	for _, f := range p.fields(n, "", &d.Loc, &d.Extensions) {
		switch f.key {
		case "arazzo":
			d.Arazzo = str(f.val)
		case "$self":
			d.Self = str(f.val)
		case "info":
			d.Info = p.info(f.val, f.ptr)
		case "sourceDescriptions":
			d.SourceDescriptions = listOf(p, f.val, f.ptr, p.source)
		case "workflows":
			d.Workflows = listOf(p, f.val, f.ptr, p.workflow)
			for _, w := range d.Workflows {
				w.Doc = d
			}
		case "components":
			d.Components = p.components(f.val, f.ptr)
		}
	}
	return d
}

func (p *parser) info(n *yaml.Node, ptr string) Info {
	var in Info
	for _, f := range p.fields(n, ptr, &in.Loc, &in.Extensions) {
		switch f.key {
		case "title":
			in.Title = str(f.val)
		case "summary":
			in.Summary = str(f.val)
		case "description":
			in.Description = str(f.val)
		case "version":
			in.Version = str(f.val)
		}
	}
	return in
}

func (p *parser) source(n *yaml.Node, ptr string) *SourceDescription {
	s := &SourceDescription{}
	for _, f := range p.fields(n, ptr, &s.Loc, &s.Extensions) {
		switch f.key {
		case "name":
			s.Name = str(f.val)
		case "url":
			s.URL = str(f.val)
		case "type":
			s.Type = str(f.val)
		}
	}
	return s
}

func (p *parser) workflow(n *yaml.Node, ptr string) *Workflow {
	w := &Workflow{}
	for _, f := range p.fields(n, ptr, &w.Loc, &w.Extensions) {
		switch f.key {
		case "workflowId":
			w.WorkflowID = str(f.val)
		case "summary":
			w.Summary = str(f.val)
		case "description":
			w.Description = str(f.val)
		case "inputs":
			w.Inputs = decodeValue(f.val, 0)
		case "dependsOn":
			w.DependsOn = p.strings(f.val)
		case "steps":
			w.Steps = listOf(p, f.val, f.ptr, p.step)
		case "successActions":
			w.SuccessActions = p.actions(f.val, f.ptr)
		case "failureActions":
			w.FailureActions = p.actions(f.val, f.ptr)
		case "outputs":
			w.Outputs = p.outputs(f.val, f.ptr)
		case "parameters":
			w.Parameters = p.parameters(f.val, f.ptr)
		}
	}
	return w
}

func (p *parser) step(n *yaml.Node, ptr string) *Step {
	s := &Step{}
	for _, f := range p.fields(n, ptr, &s.Loc, &s.Extensions) {
		switch f.key {
		case "stepId":
			s.StepID = str(f.val)
		case "description":
			s.Description = str(f.val)
		case "operationId":
			s.OperationID = str(f.val)
		case "operationPath":
			s.OperationPath = str(f.val)
		case "workflowId":
			s.WorkflowID = str(f.val)
		case "channelPath":
			s.ChannelPath = str(f.val)
		case "action":
			s.Action = str(f.val)
		case "correlationId":
			s.CorrelationID = str(f.val)
		case "timeout":
			if v, ok := decodeValue(f.val, 0).(int); ok {
				t := int64(v)
				s.Timeout = &t
			}
		case "dependsOn":
			s.DependsOn = p.strings(f.val)
		case "parameters":
			s.Parameters = p.parameters(f.val, f.ptr)
		case "requestBody":
			s.RequestBody = p.requestBody(f.val, f.ptr)
		case "successCriteria":
			s.SuccessCriteria = p.criteria(f.val, f.ptr)
		case "onSuccess":
			s.OnSuccess = p.actions(f.val, f.ptr)
		case "onFailure":
			s.OnFailure = p.actions(f.val, f.ptr)
		case "outputs":
			s.Outputs = p.outputs(f.val, f.ptr)
		}
	}
	return s
}

func (p *parser) parameters(n *yaml.Node, ptr string) []*Parameter {
	return listOf(p, n, ptr, p.parameter)
}

func (p *parser) parameter(n *yaml.Node, ptr string) *Parameter {
	pr := &Parameter{}
	for _, f := range p.fields(n, ptr, &pr.Loc, &pr.Extensions) {
		switch f.key {
		case "name":
			pr.Name = str(f.val)
		case "in":
			pr.In = str(f.val)
		case "value":
			pr.HasValue = true
			if sel := p.selectorIfObject(f.val, f.ptr); sel != nil {
				pr.Selector = sel
			} else {
				pr.Value = decodeValue(f.val, 0)
			}
		case "reference":
			pr.Reference = str(f.val)
		}
	}
	return pr
}

// selectorIfObject reads a 1.1 Selector Object where a value may be one: a
// mapping with a selector field. Other mappings stay plain values.
func (p *parser) selectorIfObject(n *yaml.Node, ptr string) *Selector {
	r := resolve(n)
	if r == nil || r.Kind != yaml.MappingNode {
		return nil
	}
	has := false
	for i := 0; i+1 < len(r.Content); i += 2 {
		if resolve(r.Content[i]).Value == "selector" {
			has = true
		}
	}
	if !has {
		return nil
	}
	return p.selector(r, ptr)
}

func (p *parser) selector(n *yaml.Node, ptr string) *Selector {
	s := &Selector{}
	for _, f := range p.fields(n, ptr, &s.Loc, &s.Extensions) {
		switch f.key {
		case "context":
			s.Context = str(f.val)
		case "selector":
			s.Selector = str(f.val)
		case "type":
			s.Type, s.Version, _ = p.exprType(f.val)
		}
	}
	return s
}

// exprType reads a type field that is either a string or an Expression Type
// Object ({type, version}).
func (p *parser) exprType(n *yaml.Node) (typ, version string, object bool) {
	r := resolve(n)
	if r == nil {
		return "", "", false
	}
	if r.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(r.Content); i += 2 {
			switch resolve(r.Content[i]).Value {
			case "type":
				typ = str(r.Content[i+1])
			case "version":
				version = str(r.Content[i+1])
			}
		}
		return typ, version, true
	}
	return str(r), "", false
}

func (p *parser) actions(n *yaml.Node, ptr string) []*Action {
	return listOf(p, n, ptr, p.action)
}

func (p *parser) action(n *yaml.Node, ptr string) *Action {
	a := &Action{}
	for _, f := range p.fields(n, ptr, &a.Loc, &a.Extensions) {
		switch f.key {
		case "name":
			a.Name = str(f.val)
		case "type":
			a.Type = str(f.val)
		case "workflowId":
			a.WorkflowID = str(f.val)
		case "stepId":
			a.StepID = str(f.val)
		case "retryAfter":
			switch v := decodeValue(f.val, 0).(type) {
			case int:
				x := float64(v)
				a.RetryAfter = &x
			case float64:
				a.RetryAfter = &v
			}
		case "retryLimit":
			if v, ok := decodeValue(f.val, 0).(int); ok {
				x := int64(v)
				a.RetryLimit = &x
			}
		case "criteria":
			a.Criteria = p.criteria(f.val, f.ptr)
		case "parameters":
			a.Parameters = p.parameters(f.val, f.ptr)
		case "reference":
			a.Reference = str(f.val)
		}
	}
	return a
}

func (p *parser) criteria(n *yaml.Node, ptr string) []*Criterion {
	return listOf(p, n, ptr, p.criterion)
}

func (p *parser) criterion(n *yaml.Node, ptr string) *Criterion {
	c := &Criterion{}
	for _, f := range p.fields(n, ptr, &c.Loc, &c.Extensions) {
		switch f.key {
		case "context":
			c.Context = str(f.val)
		case "condition":
			c.Condition = str(f.val)
		case "type":
			c.Type, c.Version, c.TypeObject = p.exprType(f.val)
		}
	}
	return c
}

func (p *parser) requestBody(n *yaml.Node, ptr string) *RequestBody {
	b := &RequestBody{}
	for _, f := range p.fields(n, ptr, &b.Loc, &b.Extensions) {
		switch f.key {
		case "contentType":
			b.ContentType = str(f.val)
		case "payload":
			b.Payload, b.HasPayload = decodeValue(f.val, 0), true
		case "replacements":
			b.Replacements = listOf(p, f.val, f.ptr, p.replacement)
		}
	}
	return b
}

func (p *parser) replacement(n *yaml.Node, ptr string) *Replacement {
	r := &Replacement{}
	for _, f := range p.fields(n, ptr, &r.Loc, &r.Extensions) {
		switch f.key {
		case "target":
			r.Target = str(f.val)
		case "targetSelectorType":
			r.TargetSelectorType, _, _ = p.exprType(f.val)
		case "value":
			if sel := p.selectorIfObject(f.val, f.ptr); sel != nil {
				r.Selector = sel
			} else {
				r.Value = decodeValue(f.val, 0)
			}
		}
	}
	return r
}

func (p *parser) outputs(n *yaml.Node, ptr string) []*Output {
	_, fields, ok := p.object(n, ptr)
	if !ok {
		return nil
	}
	out := make([]*Output, 0, len(fields))
	for _, f := range fields {
		o := &Output{Name: f.key}
		o.Loc = Loc{Pos: f.position, Pointer: f.ptr, Node: resolve(f.val),
			Keys: map[string]Pos{"name": nodePos(f.keyNode)}, Fields: map[string]Pos{"value": f.position}}
		if r := resolve(f.val); r != nil && r.Kind == yaml.MappingNode {
			o.Selector = p.selector(r, f.ptr)
		} else {
			o.Expr = str(f.val)
		}
		out = append(out, o)
	}
	return out
}

func (p *parser) components(n *yaml.Node, ptr string) *Components {
	c := &Components{}
	for _, f := range p.fields(n, ptr, &c.Loc, &c.Extensions) {
		switch f.key {
		case "inputs":
			c.Inputs = mapOf(p, f.val, f.ptr, func(n *yaml.Node, _ string) any { return decodeValue(n, 0) })
		case "parameters":
			c.Parameters = mapOf(p, f.val, f.ptr, p.parameter)
		case "successActions":
			c.SuccessActions = mapOf(p, f.val, f.ptr, p.action)
		case "failureActions":
			c.FailureActions = mapOf(p, f.val, f.ptr, p.action)
		}
	}
	return c
}

// listOf decodes every item of a YAML sequence with one, giving each its
// JSON pointer below ptr.
func listOf[T any](p *parser, n *yaml.Node, ptr string, one func(*yaml.Node, string) T) []T {
	var out []T
	for i, c := range p.items(n) {
		out = append(out, one(c, ptr+"/"+strconv.Itoa(i)))
	}
	return out
}

// mapOf decodes every entry of a YAML mapping with one, giving each its
// JSON pointer below ptr.
func mapOf[T any](p *parser, n *yaml.Node, ptr string, one func(*yaml.Node, string) T) map[string]T {
	_, entries, _ := p.object(n, ptr)
	out := make(map[string]T, len(entries))
	for _, e := range entries {
		out[e.key] = one(e.val, e.ptr)
	}
	return out
}

// fields decodes the mapping n, filling loc, and returns its fields but
// the x- extensions, which it stores in ext: so each decoder maps only the
// fields its object defines. Other unknown fields are ignored.
func (p *parser) fields(n *yaml.Node, ptr string, loc *Loc, ext *Extensions) []field {
	l, all, _ := p.object(n, ptr)
	*loc = l
	out := all[:0]
	for _, f := range all {
		if isExt(f.key) {
			p.ext(ext, f)
			continue
		}
		out = append(out, f)
	}
	return out
}
