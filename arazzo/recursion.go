package arazzo

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

// checkRecursionAcross reports recursive-workflow cycles that pass through
// more than one Arazzo document: a workflow that calls, through a source
// description of type arazzo, a workflow that starts it again on every
// run. It runs once per Load, after every document of the load is parsed
// and checked, over the edges each document's check recorded
// (Document.calls): a document's own check cannot see them all, since in
// a cycle of documents the one checked first sees the other still
// loading. Cycles inside one document are reported by that document's
// check (checkRecursion), so they are left out here. docs holds every
// document of the load once, in load order (the loader's cycle detection
// already ended the cycles of source references); entry is the document
// given to Load, named as given.
func checkRecursionAcross(entry *Document, docs []*Document) Diagnostics {
	if len(docs) < 2 {
		return nil
	}
	idx := map[*Workflow]int{}
	var wfs []*Workflow
	for _, d := range docs {
		for _, w := range d.Workflows {
			idx[w] = len(wfs)
			wfs = append(wfs, w)
		}
	}
	edges := make([][]callEdge, len(wfs))
	adj := make([][]int, len(wfs))
	for _, d := range docs {
		for _, e := range d.calls {
			i, ok := idx[e.from]
			j, ok2 := idx[e.to]
			if ok && ok2 {
				edges[i] = append(edges[i], e)
				adj[i] = append(adj[i], j)
			}
		}
	}
	var ds Diagnostics
	for _, scc := range stronglyConnected(adj) {
		slices.Sort(scc) // load order, then document order
		in := make(map[int]bool, len(scc))
		for _, i := range scc {
			in[i] = true
		}
		cycle := crossCycle(scc, in, idx, edges, entry)
		if cycle == nil {
			continue
		}
		hops := make([]string, len(cycle))
		for k, e := range cycle {
			name := e.from.Doc.File
			if e.from.Doc != entry {
				name = nameFrom(entry.File, name)
			}
			hops[k] = fmt.Sprintf("%s:%d:%d %s %s %s", name, e.pos.Line, e.pos.Col, e.from.WorkflowID, e.how, e.ref)
		}
		if len(hops) > maxHopsShown {
			// The first hops show where it starts, the last one how it
			// closes; a long ring would otherwise make one line per hop.
			n := len(hops) - maxHopsShown
			hops = append(hops[:maxHopsShown-1:maxHopsShown-1], fmt.Sprintf("%d more hops", n), hops[len(hops)-1])
		}
		first := cycle[0]
		ds = append(ds, &Diagnostic{
			Severity: SeverityWarning, Rule: RuleRecursiveWorkflow,
			Msg: fmt.Sprintf("workflow %q starts itself again on every run, through another Arazzo document (%s), so a run never ends by itself: the depth or step guard aborts it, and it never succeeds",
				first.from.WorkflowID, strings.Join(hops, "; ")),
			Fix:  "put the call behind a step whose success actions decide (criteria), or remove it",
			File: first.from.Doc.File, Pos: first.pos, End: first.pos, Pointer: first.ptr,
		})
	}
	return ds
}

// crossCycle returns one cycle of the strongly connected component scc
// that crosses a document boundary and holds a call or goto (a cycle of
// dependsOn alone is a dependency cycle, not a run that nests), starting
// with its edge into another document: one that leaves the entry
// document when there is one, else the first in load order. The rest of
// the cycle is the shortest way back. nil when there is none.
func crossCycle(scc []int, in map[int]bool, idx map[*Workflow]int, edges [][]callEdge, entry *Document) []callEdge {
	var candidates []callEdge
	for _, i := range scc {
		for _, e := range edges[i] {
			if e.from.Doc != e.to.Doc && in[idx[e.to]] {
				candidates = append(candidates, e)
			}
		}
	}
	slices.SortStableFunc(candidates, func(a, b callEdge) int {
		ea, eb := a.from.Doc == entry, b.from.Doc == entry
		switch {
		case ea && !eb:
			return -1
		case eb && !ea:
			return 1
		}
		return 0
	})
	if !slices.ContainsFunc(scc, func(i int) bool {
		return slices.ContainsFunc(edges[i], func(e callEdge) bool { return e.call && in[idx[e.to]] })
	}) {
		return nil // dependsOn only: depends-on-cycle's business
	}
	// Each try is one breadth-first search of the component; a few keep
	// the check linear when many ways round avoid the calls.
	if len(candidates) > maxCycleTries {
		candidates = candidates[:maxCycleTries]
	}
	for _, e := range candidates {
		back := shortestPath(idx[e.to], idx[e.from], in, idx, edges)
		if back == nil {
			continue
		}
		cycle := append([]callEdge{e}, back...)
		if slices.ContainsFunc(cycle, func(e callEdge) bool { return e.call }) {
			return cycle
		}
	}
	return nil
}

// maxHopsShown bounds the hops a message lists.
const maxHopsShown = 10

// maxCycleTries bounds the edges crossCycle starts a cycle from.
const maxCycleTries = 8

// shortestPath returns the edges of a shortest path from node src to node
// dst that stays inside the component (breadth first), nil when there is
// none or src is dst.
func shortestPath(src, dst int, in map[int]bool, idx map[*Workflow]int, edges [][]callEdge) []callEdge {
	if src == dst {
		return nil
	}
	via := map[int]callEdge{} // node -> the edge it was first reached by
	queue := []int{src}
	seen := map[int]bool{src: true}
	for len(queue) > 0 && !seen[dst] {
		v := queue[0]
		queue = queue[1:]
		for _, e := range edges[v] {
			u := idx[e.to]
			if !in[u] || seen[u] {
				continue
			}
			seen[u] = true
			via[u] = e
			queue = append(queue, u)
		}
	}
	if !seen[dst] {
		return nil
	}
	var path []callEdge
	for v := dst; v != src; v = idx[via[v].from] {
		path = append(path, via[v])
	}
	slices.Reverse(path)
	return path
}

// nameFrom names the local file as the path of the document docFile names
// it: relative to docFile's directory, joined to that directory as docFile
// writes it ("../docs/a.arazzo.yaml" from "flows/b.arazzo.yaml" is
// "docs/a.arazzo.yaml"), so that a message reads like the diagnostics
// beside it. URLs, and files a relative path cannot reach, keep their
// name.
func nameFrom(docFile, file string) string {
	if isRemote(file) || isRemote(docFile) || docFile == "" || !filepath.IsAbs(file) {
		return file
	}
	dir := "."
	if docFile != "-" {
		dir = filepath.Dir(docFile)
	}
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return file
	}
	rel, err := filepath.Rel(absDir, file)
	if err != nil {
		return file
	}
	return filepath.Join(dir, rel)
}
