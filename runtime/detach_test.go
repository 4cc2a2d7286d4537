package runtime

import (
	"context"
	"reflect"
	goruntime "runtime"
	"testing"
	"weak"

	"gopkg.in/yaml.v3"

	"github.com/arazzo-go/arazzo/arazzo"
	"github.com/arazzo-go/arazzo/openapi"
)

// An engine keeps nothing of the document given to New reachable (detach):
// the caller's document, its sources and their decoded descriptions are
// collected once the caller lets go of them, and the engine still has its
// workflows, steps and problems. Before detach, Workflow.Doc and the bound
// steps' operations kept all of it alive for the collector to mark on every
// cycle.
func TestEngineLetsTheCallersDocumentGo(t *testing.T) {
	doc, ds, err := arazzo.Load(context.Background(), "../workflows/oracle/oracle-create-custom-image-from-instance-workflow.yml", arazzo.LoadOptions{})
	if err != nil || ds.HasErrors() {
		t.Fatalf("loading the seed: %v %v", err, ds)
	}
	held := weak.Make(doc)
	src := weak.Make(doc.SourceDescriptions[0].OpenAPI)
	op := weak.Make(doc.SourceDescriptions[0].OpenAPI.Operations()[0])
	eng, err := New(doc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	id := doc.Workflows[0].WorkflowID
	doc = nil
	for range 5 {
		goruntime.GC()
	}
	if held.Value() != nil || src.Value() != nil || op.Value() != nil {
		t.Fatalf("still reachable from the engine: document %v, source %v, operation %v",
			held.Value() != nil, src.Value() != nil, op.Value() != nil)
	}
	w := eng.Document().Workflow(id)
	if w == nil || w.Doc != eng.Document() || eng.workflows[w] == nil {
		t.Fatalf("the engine's workflow %s is not bound to its own document", id)
	}
	if _, err := eng.Problems(id); err != nil {
		t.Errorf("Problems(%s): %v", id, err)
	}
	for _, bs := range eng.workflows[w].steps {
		if bs.op == nil || bs.op.Source != eng.Document().Source(bs.source.Name).OpenAPI {
			t.Errorf("step %s is not bound to the engine's detached source", bs.step.StepID)
		}
	}
}

// An engine keeps no YAML syntax tree and no object of the caller's model:
// every step, parameter, criterion, action and output it runs is its own
// copy (modelCopy), in documents loaded through arazzo-type sources and for
// AsyncAPI steps too. The syntax trees were what the collector still marked
// on every cycle after the sources were detached.
func TestEngineKeepsNoSyntaxTree(t *testing.T) {
	main := `arazzo: 1.1.0
info: {title: main, version: "1"}
sourceDescriptions:
  - {name: child, url: ./child.arazzo.yaml, type: arazzo}
  - {name: api, url: ./openapi.yaml, type: openapi}
components:
  parameters:
    jobId: {name: id, in: path, value: j1}
  successActions:
    done: {name: done, type: end}
workflows:
  - workflowId: main
    steps:
      - stepId: job
        operationId: getJob
        parameters: [{reference: $components.parameters.jobId}]
        successCriteria: [{condition: $statusCode == 200}]
        onSuccess: [{reference: $components.successActions.done}]
      - stepId: call
        workflowId: $sourceDescriptions.child.fetchJob
        parameters: [{name: tag, value: t1}]
        outputs: {state: $outputs.state}
    outputs: {state: $steps.call.outputs.state}
`
	docs := map[string]func() *arazzo.Document{
		"seed": func() *arazzo.Document {
			doc, ds, err := arazzo.Load(context.Background(), "../workflows/oracle/oracle-create-custom-image-from-instance-workflow.yml", arazzo.LoadOptions{})
			if err != nil || ds.HasErrors() {
				t.Fatalf("loading the seed: %v %v", err, ds)
			}
			return doc
		},
		"arazzo source and components": func() *arazzo.Document {
			doc, ds := arazzo.LoadBytes(context.Background(), "testdata/rules/main.arazzo.yaml", []byte(main), arazzo.LoadOptions{})
			if ds.HasErrors() || doc == nil {
				t.Fatalf("loading:\n%v", ds)
			}
			return doc
		},
		"asyncapi": func() *arazzo.Document {
			doc, ds, err := arazzo.Load(context.Background(), "testdata/async/orders.arazzo.yaml", arazzo.LoadOptions{})
			if err != nil || ds.HasErrors() {
				t.Fatalf("loading: %v %v", err, ds)
			}
			return doc
		},
	}
	for name, load := range docs {
		t.Run(name, func(t *testing.T) {
			doc := load()
			callers := map[uintptr]string{}
			walkPointers(reflect.ValueOf(doc), func(p reflect.Value) {
				if e := p.Type().Elem(); p.Type() == reflect.TypeFor[*yaml.Node]() || e.Kind() == reflect.Struct && e.PkgPath() == reflect.TypeFor[arazzo.Document]().PkgPath() {
					callers[p.Pointer()] = p.Type().String()
				}
			})
			eng, err := New(doc, Options{})
			if err != nil {
				t.Fatal(err)
			}
			var nodes, shared int
			walkPointers(reflect.ValueOf(eng), func(p reflect.Value) {
				if p.Type() == reflect.TypeFor[*yaml.Node]() {
					nodes++
				}
				if typ, ok := callers[p.Pointer()]; ok && typ == p.Type().String() {
					shared++
				}
			})
			if nodes > 0 || shared > 0 {
				t.Errorf("the engine reaches %d YAML nodes and %d objects of the caller's model", nodes, shared)
			}
			for _, w := range eng.Document().Workflows {
				if eng.workflows[w] == nil || w.Doc != eng.Document() {
					t.Errorf("workflow %s is not bound to the engine's copy", w.WorkflowID)
				}
			}
			// A description two documents share (the loader reads it once)
			// is detached once: every step builds its requests from the
			// source its own document names.
			sources := map[string]*openapi.Source{}
			for _, d := range eng.Document().Documents() {
				for _, sd := range d.SourceDescriptions {
					if sd.OpenAPI == nil {
						continue
					}
					if prev, ok := sources[sd.URL]; ok && prev != sd.OpenAPI {
						t.Errorf("%s is detached twice", sd.URL)
					}
					sources[sd.URL] = sd.OpenAPI
				}
			}
			for _, bw := range eng.workflows {
				for _, bs := range bw.steps {
					if bs.op != nil && bs.op.Source != bs.source.OpenAPI {
						t.Errorf("step %s builds its requests from another copy than its source's", bs.path)
					}
				}
			}
		})
	}
}

// walkPointers calls visit with every non-nil pointer reachable from v,
// unexported fields included, each once.
func walkPointers(v reflect.Value, visit func(reflect.Value)) {
	type key struct {
		t reflect.Type
		p uintptr
	}
	seen := map[key]bool{}
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer:
			if v.IsNil() || seen[key{v.Type(), v.Pointer()}] {
				return
			}
			seen[key{v.Type(), v.Pointer()}] = true
			visit(v)
			walk(v.Elem())
		case reflect.Interface:
			if !v.IsNil() {
				walk(v.Elem())
			}
		case reflect.Struct:
			for i := range v.NumField() {
				walk(v.Field(i))
			}
		case reflect.Slice:
			if v.IsNil() || seen[key{v.Type(), v.Pointer()}] {
				return
			}
			seen[key{v.Type(), v.Pointer()}] = true
			fallthrough
		case reflect.Array:
			for i := range v.Len() {
				walk(v.Index(i))
			}
		case reflect.Map:
			for it := v.MapRange(); it.Next(); {
				walk(it.Key())
				walk(it.Value())
			}
		}
	}
	walk(v)
}
