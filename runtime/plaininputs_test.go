package runtime

import (
	"encoding/json"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/arazzo-go/arazzo/arazzo"
)

// plainInputs only ever says yes where the validator says yes, and it
// knows the schemas of the commonest shape (the seed's) but no schema
// that constrains more than property types and required names.
func TestPlainInputsNeverAcceptWhatTheValidatorRefuses(t *testing.T) {
	schemas := map[string]bool{ // source → of the plain shape
		`{type: object, properties: {a: {type: string}, b: {type: boolean, default: true}, c: {description: any}}, required: [a]}`: true,
		`{type: object, title: t, description: d, x-note: n, properties: {a: {type: string, examples: [x], x-secret: true}}}`:      true,
		`{type: object}`: true,
		`{type: object, properties: {a: {type: string, format: email}}}`:               false,
		`{type: object, properties: {a: {type: string, minLength: 2}}}`:                false,
		`{type: object, properties: {a: {type: integer}}}`:                             false,
		`{type: object, properties: {a: {type: [string, "null"]}}}`:                    false,
		`{type: object, properties: {a: {type: string, enum: [x]}}}`:                   false,
		`{type: object, properties: {a: {type: string}}, additionalProperties: false}`: false,
		`{type: object, properties: {a: {$ref: "#/x"}}}`:                               false,
		`{type: object, $schema: "http://json-schema.org/draft-07/schema#"}`:           false,
		`{type: object, required: a}`:                                                  false,
		`{properties: {a: {type: string}}}`:                                            false,
	}
	inputs := []map[string]any{
		{}, {"a": "x"}, {"a": "x", "b": false}, {"a": 1.0}, {"a": true}, {"b": "yes"}, {"a": "x", "c": []any{1.0}},
		{"a": nil}, {"a": "x", "d": map[string]any{"k": "v"}}, {"a": "ab", "b": true, "c": nil},
	}
	for src, plainShape := range schemas {
		var schema any
		if err := yaml.Unmarshal([]byte(src), &schema); err != nil {
			t.Fatal(err)
		}
		p := plainInputsOf(schema)
		if (p != nil) != plainShape {
			t.Errorf("%s: plain %v, want %v", src, p != nil, plainShape)
		}
		if p == nil {
			continue
		}
		compiled, err := compileInputs(&arazzo.Document{}, &arazzo.Workflow{WorkflowID: "w", Inputs: schema})
		if err != nil {
			t.Fatal(err)
		}
		accepted := 0
		for _, in := range inputs {
			if !p.accepts(in) {
				continue
			}
			accepted++
			if err := compiled.Validate(map[string]any(in)); err != nil {
				t.Errorf("%s: plainInputs accepts %v, the validator says %v", src, in, err)
			}
		}
		if accepted == 0 {
			t.Errorf("%s: plainInputs accepted none of the inputs", src)
		}
	}
}

// Any inputs plainInputs accepts, the validator accepts, for every plain
// schema of the table above and inputs of any JSON shape.
func FuzzPlainInputs(f *testing.F) {
	schemas := []string{
		`{type: object, properties: {a: {type: string}, b: {type: boolean, default: true}, c: {description: any}}, required: [a]}`,
		`{type: object, properties: {a: {type: boolean}, b: {type: string}}, required: [a, b]}`,
		`{type: object}`,
	}
	type compiled struct {
		plain *plainInputs
		check func(any) error
	}
	var cs []compiled
	for _, src := range schemas {
		var schema any
		if err := yaml.Unmarshal([]byte(src), &schema); err != nil {
			f.Fatal(err)
		}
		v, err := compileInputs(&arazzo.Document{}, &arazzo.Workflow{WorkflowID: "w", Inputs: schema})
		if err != nil {
			f.Fatal(err)
		}
		cs = append(cs, compiled{plainInputsOf(schema), v.Validate})
	}
	f.Add([]byte(`{"a":"x","b":true}`), uint8(0))
	f.Add([]byte(`{"a":true,"b":"y","c":[1]}`), uint8(1))
	f.Add([]byte(`{"a":null}`), uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, which uint8) {
		var in map[string]any
		if json.Unmarshal(data, &in) != nil || in == nil {
			return
		}
		c := cs[int(which)%len(cs)]
		if c.plain.accepts(in) {
			if err := c.check(map[string]any(in)); err != nil {
				t.Fatalf("plainInputs accepts %s, the validator says %v", data, err)
			}
		}
	})
}
