package openapi

import "slices"

// Detached returns a copy of s for running requests, which keeps nothing of
// the decoded description: its operations build the same requests
// (Operation.NewRequest) and describe themselves the same way (ID, Method,
// Path, Params, Servers, Security, RequestBodyTypes, FixedQuery, Pointer),
// and lookups (Operation, OperationByPointer, Operations, the latter in the
// same order, so that its i-th operation is the copy of s's) work as on s, but
// a detached operation has no Responses, no RequestSchema and no parameter
// Schema, and CheckResponse finds nothing to check. s is not changed.
//
// runtime.New keeps detached copies of its documents' sources: the decoded
// description is most of what a loaded document keeps reachable, and the
// collector marks all of it on every cycle of a process that only runs
// workflows (docs/performance.md item 27). Nil for a nil Source.
func (s *Source) Detached() *Source {
	if s == nil {
		return nil
	}
	d := *s
	d.doc = nil
	moved := make(map[*Operation]*Operation, len(s.ops))
	d.ops = make([]*Operation, len(s.ops))
	for i, o := range s.ops {
		c := *o
		c.Source, c.op, c.item = &d, nil, nil
		if o.Params != nil {
			c.Params = slices.Clone(o.Params)
			for j := range c.Params {
				c.Params[j].Schema = Schema{}
			}
		}
		d.ops[i], moved[o] = &c, &c
	}
	d.byID = make(map[string]*Operation, len(s.byID))
	for id, o := range s.byID {
		d.byID[id] = moved[o]
	}
	d.paths = make(map[string]*pathEntry, len(s.paths))
	for key, e := range s.paths {
		ops := make(map[string]*Operation, len(e.ops))
		for token, o := range e.ops {
			ops[token] = moved[o]
		}
		d.paths[key] = &pathEntry{servers: e.servers, ops: ops}
	}
	return &d
}
