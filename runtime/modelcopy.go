package runtime

import (
	"reflect"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/arazzo-go/arazzo/arazzo"
)

// modelCopy copies an Arazzo document graph for the engine to keep, without
// the YAML syntax tree the loader leaves in every object (Loc.Node) and
// without the positions of each object's fields and keys (Loc.Fields,
// Loc.Keys: two small maps an object); each object keeps its own position
// and JSON pointer, which is what a run's errors cite. The tree is what
// validation reads; a run never does, yet it was the largest part of what
// an engine kept reachable after its OpenAPI sources were detached, and the
// collector marked it on every cycle (docs/performance.md item 28).
//
// Every struct of the arazzo package reached through a pointer, a slice or
// a map is copied once (a workflow's Doc and an arazzo-type source's
// document are cycles, and stay cycles among the copies); to maps each
// original pointer to its copy, and each copy to itself, so that what the
// engine bound to the originals, or made of them, moves to the copies. What
// is not the arazzo package's own (sources, decoded values, position maps,
// diagnostics) is shared: the engine never changes it. The copier works by
// reflection so that a field added to the model is copied without this file
// knowing; only exported fields are copied, and the model's one unexported
// field (Document.calls) is validation's and stays behind. The zero value
// is ready to use.
type modelCopy struct {
	to map[any]any
}

var (
	yamlNodeType = reflect.TypeFor[*yaml.Node]()
	locType      = reflect.TypeFor[arazzo.Loc]()
	modelPkgPath = reflect.TypeFor[arazzo.Document]().PkgPath()
	// copyTypes caches copiedType: reflect.Type → bool.
	copyTypes sync.Map
)

// copyDocument returns the copy of doc and of everything of the model it
// reaches.
func (c *modelCopy) copyDocument(doc *arazzo.Document) *arazzo.Document {
	return c.value(reflect.ValueOf(doc)).Interface().(*arazzo.Document)
}

// copyOf returns p's copy: the one made already when the copy of the
// document reached p, else a new one (the binder makes objects of its own,
// a referenced parameter with its value compiled, say); a copy is its own
// copy.
func copyOf[T any](c *modelCopy, p *T) *T {
	if p == nil {
		return nil
	}
	return c.value(reflect.ValueOf(p)).Interface().(*T)
}

// copiesOf replaces each element of ps with its copy, in a new slice.
func copiesOf[T any](c *modelCopy, ps []*T) []*T {
	if ps == nil {
		return nil
	}
	out := make([]*T, len(ps))
	for i, p := range ps {
		out[i] = copyOf(c, p)
	}
	return out
}

func (c *modelCopy) value(v reflect.Value) reflect.Value {
	t := v.Type()
	if !copiedType(t) {
		return v
	}
	switch t.Kind() {
	case reflect.Pointer:
		if t == yamlNodeType || v.IsNil() {
			return reflect.Zero(t)
		}
		if n, ok := c.to[v.Interface()]; ok {
			return reflect.ValueOf(n)
		}
		if c.to == nil {
			c.to = map[any]any{}
		}
		n := reflect.New(t.Elem())
		c.to[v.Interface()] = n.Interface()
		c.to[n.Interface()] = n.Interface()
		c.fields(n.Elem(), v.Elem())
		return n
	case reflect.Struct:
		if t == locType {
			l := v.Interface().(arazzo.Loc)
			return reflect.ValueOf(arazzo.Loc{Pos: l.Pos, Pointer: l.Pointer})
		}
		n := reflect.New(t).Elem()
		c.fields(n, v)
		return n
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		n := reflect.MakeSlice(t, v.Len(), v.Len())
		for i := range v.Len() {
			n.Index(i).Set(c.value(v.Index(i)))
		}
		return n
	case reflect.Array:
		n := reflect.New(t).Elem()
		for i := range v.Len() {
			n.Index(i).Set(c.value(v.Index(i)))
		}
		return n
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		n := reflect.MakeMapWithSize(t, v.Len())
		for it := v.MapRange(); it.Next(); {
			n.SetMapIndex(it.Key(), c.value(it.Value()))
		}
		return n
	}
	return v
}

// fields copies src's exported fields into dst.
func (c *modelCopy) fields(dst, src reflect.Value) {
	t := src.Type()
	for i := range t.NumField() {
		if t.Field(i).IsExported() {
			dst.Field(i).Set(c.value(src.Field(i)))
		}
	}
}

// copiedType reports whether a value of type t is copied rather than
// shared: a YAML node (dropped), a pointer to an arazzo struct, an arazzo
// struct holding either or with unexported fields, or a slice, array or
// map of those.
func copiedType(t reflect.Type) bool {
	if v, ok := copyTypes.Load(t); ok {
		return v.(bool)
	}
	copied := copiedTypeIn(t, map[reflect.Type]bool{})
	copyTypes.Store(t, copied)
	return copied
}

// copiedTypeIn is copiedType for a type met while looking at those of
// visiting: one that reaches itself through slices or maps (not through a
// pointer to an arazzo struct, which is copied without looking further)
// counts as not copied where it recurs.
func copiedTypeIn(t reflect.Type, visiting map[reflect.Type]bool) bool {
	if visiting[t] {
		return false
	}
	visiting[t] = true
	defer delete(visiting, t)
	switch t.Kind() {
	case reflect.Pointer:
		e := t.Elem()
		return t == yamlNodeType || e.Kind() == reflect.Struct && e.PkgPath() == modelPkgPath
	case reflect.Struct:
		if t.PkgPath() != modelPkgPath {
			return false
		}
		for i := range t.NumField() {
			if f := t.Field(i); !f.IsExported() || copiedTypeIn(f.Type, visiting) {
				return true
			}
		}
	case reflect.Slice, reflect.Array, reflect.Map:
		return copiedTypeIn(t.Elem(), visiting)
	}
	return false
}
