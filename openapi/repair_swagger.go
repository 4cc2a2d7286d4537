package openapi

// Swagger 2.0 constructs written into OpenAPI 3 files: kin-openapi loads
// them without complaint but keeps them as extensions, so a parameter would
// have no schema and a body parameter would never be sent. They are read in
// their OpenAPI 3 form, each rewrite a RuleMixedVersion repair.

import (
	"fmt"
	"slices"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v4"
)

// swaggerSchemaKeys are the keywords a Swagger 2.0 parameter or header
// carries beside name and in, which OpenAPI 3 puts under schema.
var swaggerSchemaKeys = map[string]bool{"type": true, "format": true, "items": true, "enum": true,
	"default": true, "minimum": true, "maximum": true, "exclusiveMinimum": true, "exclusiveMaximum": true,
	"minLength": true, "maxLength": true, "pattern": true, "minItems": true, "maxItems": true,
	"uniqueItems": true, "multipleOf": true}

// hasSwaggerForms reports whether a document that loaded strictly still
// holds Swagger 2.0 forms that only a repair makes usable.
func hasSwaggerForms(doc *openapi3.T) bool {
	if doc == nil || doc.Paths == nil {
		return false
	}
	swaggerParam := func(p *openapi3.ParameterRef) bool {
		if p == nil || p.Value == nil || p.Ref != "" {
			return false
		}
		v := p.Value
		return v.In == "body" || v.In == "formData" || (v.Schema == nil && len(v.Content) == 0 && v.Extensions["type"] != nil)
	}
	for _, item := range doc.Paths.Map() {
		if item == nil {
			continue
		}
		if slices.ContainsFunc(item.Parameters, swaggerParam) {
			return true
		}
		for _, op := range item.Operations() {
			if slices.ContainsFunc(op.Parameters, swaggerParam) {
				return true
			}
			if op.Responses == nil {
				continue
			}
			for _, r := range op.Responses.Map() {
				if r != nil && r.Ref == "" && r.Value != nil && len(r.Value.Content) == 0 && r.Value.Extensions["schema"] != nil {
					return true
				}
			}
		}
	}
	return false
}

// swaggerParam moves a Swagger 2.0 parameter's (or header's) type keywords
// under schema.
func (rp *repairer) swaggerParam(f *yfile, node *yaml.Node, ptr []string, owner string) {
	if node.Kind != yaml.MappingNode || mapValue(node, "schema") != nil || mapValue(node, "content") != nil {
		return
	}
	typ := keyNode(node, "type")
	if typ == nil {
		return
	}
	if in := mapValue(node, "in"); in != nil && (in.Value == "body" || in.Value == "formData") {
		return // the operation turns these into its request body
	}
	schema := swaggerSchema(node)
	node.Content = append(node.Content, scalar("schema"), schema)
	rp.add(f, typ, appendPtr(ptr, "type"), RuleMixedVersion, "a Swagger 2.0 parameter: its \"type\" stands beside \"name\" instead of under \"schema\"; read as schema", owner)
}

// swaggerSchema takes the schema keywords out of a Swagger parameter node
// and returns them as a schema mapping; collectionFormat becomes style and
// explode.
func swaggerSchema(node *yaml.Node) *yaml.Node {
	schema := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	kept := make([]*yaml.Node, 0, len(node.Content))
	for i := 0; i+1 < len(node.Content); i += 2 {
		k, v := node.Content[i], node.Content[i+1]
		switch {
		case swaggerSchemaKeys[k.Value]:
			schema.Content = append(schema.Content, k, v)
		case k.Value == "collectionFormat":
			style, explode := "form", "false"
			switch v.Value {
			case "ssv":
				style = "spaceDelimited"
			case "pipes":
				style = "pipeDelimited"
			case "multi":
				explode = "true"
			}
			kept = append(kept, scalar("style"), scalar(style), scalar("explode"), &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: explode})
		default:
			kept = append(kept, k, v)
		}
	}
	node.Content = kept
	return schema
}

// swaggerOperation turns `in: body` and `in: formData` parameters into the
// operation's request body and a response's `schema` into its content.
func (rp *repairer) swaggerOperation(f *yfile, op *yaml.Node, ptr []string, owner string) {
	if params := mapValue(op, "parameters"); params != nil && params.Kind == yaml.SequenceNode {
		var form *yaml.Node
		var formRequired []*yaml.Node
		multipart := false
		for i, p := range params.Content {
			in := mapValue(p, "in")
			if in == nil || (in.Value != "body" && in.Value != "formData") {
				continue
			}
			name := mapValue(p, "name")
			pptr := append(append([]string(nil), ptr...), "parameters", fmt.Sprint(i), "in")
			rp.remove(params, p)
			if in.Value == "body" {
				if mapValue(op, "requestBody") != nil {
					rp.add(f, in, pptr, RuleMixedVersion, "a Swagger 2.0 body parameter beside a requestBody; it is left out", owner)
					continue
				}
				schema := mapValue(p, "schema")
				if schema == nil {
					schema = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
				}
				body := mapping("content", mapping(rp.mediaType(op, "consumes", "application/json"), mapping("schema", schema)))
				if req := mapValue(p, "required"); req != nil {
					body.Content = append(body.Content, scalar("required"), req)
				}
				op.Content = append(op.Content, scalar("requestBody"), body)
				rp.add(f, in, pptr, RuleMixedVersion, "a Swagger 2.0 body parameter; read as the operation's requestBody", owner)
				continue
			}
			if form == nil {
				form = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			}
			if t := mapValue(p, "type"); t != nil && t.Value == "file" {
				multipart = true
				t.Value = "string"
				p.Content = append(p.Content, scalar("format"), scalar("binary"))
			}
			if name != nil {
				form.Content = append(form.Content, scalar(name.Value), swaggerSchema(p))
				if req := mapValue(p, "required"); req != nil && req.Value == "true" {
					formRequired = append(formRequired, scalar(name.Value))
				}
			}
			rp.add(f, in, pptr, RuleMixedVersion, "a Swagger 2.0 formData parameter; read as a field of the operation's form requestBody", owner)
		}
		if form != nil && mapValue(op, "requestBody") == nil {
			mt := "application/x-www-form-urlencoded"
			if multipart {
				mt = "multipart/form-data"
			}
			schema := mapping("type", scalar("object"))
			schema.Content = append(schema.Content, scalar("properties"), form)
			if len(formRequired) > 0 {
				schema.Content = append(schema.Content, scalar("required"), &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: formRequired})
			}
			op.Content = append(op.Content, scalar("requestBody"), mapping("content", mapping(mt, mapping("schema", schema))))
		}
	}
	if responses := mapValue(op, "responses"); responses != nil && responses.Kind == yaml.MappingNode {
		eachPair(responses, func(code, resp *yaml.Node) {
			schemaKey := keyNode(resp, "schema")
			if schemaKey == nil || mapValue(resp, "content") != nil || mapValue(resp, "$ref") != nil {
				return
			}
			schema := mapValue(resp, "schema")
			kept := make([]*yaml.Node, 0, len(resp.Content))
			for i := 0; i+1 < len(resp.Content); i += 2 {
				if resp.Content[i] != schemaKey {
					kept = append(kept, resp.Content[i], resp.Content[i+1])
				}
			}
			resp.Content = append(kept, scalar("content"), mapping(rp.mediaType(op, "produces", "application/json"), mapping("schema", schema)))
			rp.add(f, schemaKey, append(append([]string(nil), ptr...), "responses", code.Value, "schema"), RuleMixedVersion,
				"a Swagger 2.0 response schema; read as its content", owner)
		})
	}
}

// mediaType is the first entry of the operation's (else the document's)
// Swagger consumes/produces list, or def.
func (rp *repairer) mediaType(op *yaml.Node, list, def string) string {
	for _, n := range []*yaml.Node{op, rp.entry.root} {
		if l := mapValue(n, list); l != nil && l.Kind == yaml.SequenceNode && len(l.Content) > 0 && l.Content[0].Value != "" {
			return l.Content[0].Value
		}
	}
	return def
}

func mapping(key string, value *yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{scalar(key), value}}
}

func keyNode(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i]
		}
	}
	return nil
}
