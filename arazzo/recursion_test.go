package arazzo

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// recursionFindings loads path (from fsys when it is not nil) and returns
// its recursive-workflow findings. A load that does not end within ten
// seconds fails the test: cyclic source references must not loop.
func recursionFindings(t *testing.T, path string, fsys fstest.MapFS) Diagnostics {
	t.Helper()
	type result struct {
		ds  Diagnostics
		err error
	}
	done := make(chan result, 1)
	go func() {
		opts := LoadOptions{}
		if fsys != nil {
			opts.FS = fsys
		}
		_, ds, err := Load(context.Background(), path, opts)
		done <- result{ds, err}
	}()
	var r result
	select {
	case r = <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("Load(%s) did not return within 10 s", path)
	}
	if r.err != nil {
		t.Fatal(r.err)
	}
	var out Diagnostics
	for _, d := range r.ds {
		if d.Rule == RuleRecursiveWorkflow {
			out = append(out, d)
		}
	}
	return out
}

// TestRecursionAcrossDocuments: a cycle through other Arazzo documents is
// found from whichever document of it validation starts at, and placed
// on that document's hop; the near-miss documents (which refer to each
// other, but whose calls back are conditional or absent) give none.
func TestRecursionAcrossDocuments(t *testing.T) {
	dir := filepath.Join("testdata", "validate")
	entry := filepath.Join(dir, "recursive-workflow-across.arazzo.yaml")
	ds := recursionFindings(t, entry, nil)
	if len(ds) != 3 {
		t.Fatalf("%d findings, want 3 (order, audit, report):\n%v", len(ds), ds)
	}
	for _, d := range ds {
		if d.File != entry {
			t.Errorf("finding placed in %s, want the entry document %s: %v", d.File, entry, d)
		}
	}
	// Each hop names its file:line:col, the other documents relative to
	// the entry's directory as it was given.
	for _, hop := range []string{
		entry + ":34:25 audit goes to $sourceDescriptions.shipping.ship",
		filepath.Join(dir, "recursion", "shipping.arazzo.yaml") + ":13:21 ship calls $sourceDescriptions.billing.invoice",
		filepath.Join(dir, "recursion", "billing.arazzo.yaml") + ":17:21 invoice calls $sourceDescriptions.orders.audit",
	} {
		if !strings.Contains(ds[1].Msg, hop) {
			t.Errorf("the audit cycle does not show the hop %q:\n%s", hop, ds[1].Msg)
		}
	}

	// Started from billing, the same cycles are placed on billing's hops.
	billing := filepath.Join(dir, "recursion", "billing.arazzo.yaml")
	ds = recursionFindings(t, billing, nil)
	if len(ds) != 3 {
		t.Fatalf("from billing: %d findings, want 3:\n%v", len(ds), ds)
	}
	for _, d := range ds {
		if d.File != billing {
			t.Errorf("from billing: finding placed in %s: %v", d.File, d)
		}
	}

	if ds := recursionFindings(t, filepath.Join(dir, "recursive-workflow-across-ok.arazzo.yaml"), nil); len(ds) != 0 {
		t.Errorf("near misses: %d findings, want none:\n%v", len(ds), ds)
	}
}

// TestRecursionAcrossCyclicSources: documents whose sources refer to each
// other in a ring, and a document that names itself as a source, load in
// bounded time; a cycle inside one document reached through its own
// source name is reported once (by the document's own check), and a ring
// of three documents once, with its three hops.
func TestRecursionAcrossCyclicSources(t *testing.T) {
	doc := func(self, next, call string) *fstest.MapFile {
		return &fstest.MapFile{Data: []byte(`arazzo: 1.0.1
info: {title: ` + self + `, version: "1"}
sourceDescriptions:
  - {name: next, url: ./` + next + `.arazzo.yaml, type: arazzo}
  - {name: me, url: ./` + self + `.arazzo.yaml, type: arazzo}
workflows:
  - workflowId: w
    steps:
      - stepId: call
        workflowId: ` + call + `
`)}
	}
	fsys := fstest.MapFS{
		"ring/a.arazzo.yaml": doc("a", "b", "$sourceDescriptions.next.w"),
		"ring/b.arazzo.yaml": doc("b", "c", "$sourceDescriptions.next.w"),
		"ring/c.arazzo.yaml": doc("c", "a", "$sourceDescriptions.next.w"),
		"self/s.arazzo.yaml": doc("s", "s", "$sourceDescriptions.me.w"),
	}
	ds := recursionFindings(t, "ring/a.arazzo.yaml", fsys)
	if len(ds) != 1 {
		t.Fatalf("ring: %d findings, want 1:\n%v", len(ds), ds)
	}
	if got := strings.Count(ds[0].Msg, " calls $sourceDescriptions.next.w"); got != 3 {
		t.Errorf("ring: %d hops, want 3:\n%s", got, ds[0].Msg)
	}
	ds = recursionFindings(t, "self/s.arazzo.yaml", fsys)
	if len(ds) != 1 || strings.Contains(ds[0].Msg, "another Arazzo document") {
		t.Errorf("self: want the one same-document finding:\n%v", ds)
	}
}

// TestRecursionAcrossLongRing: a ring of 60 documents, each calling the
// next, is one finding whose message lists the first hops, the number
// left out and the hop that closes the ring.
func TestRecursionAcrossLongRing(t *testing.T) {
	const n = 60
	fsys := fstest.MapFS{}
	for i := range n {
		fsys[fmt.Sprintf("ring/d%d.arazzo.yaml", i)] = &fstest.MapFile{Data: []byte(fmt.Sprintf(`arazzo: 1.0.1
info: {title: d%d, version: "1"}
sourceDescriptions:
  - {name: next, url: ./d%d.arazzo.yaml, type: arazzo}
workflows:
  - workflowId: w
    steps:
      - stepId: call
        workflowId: $sourceDescriptions.next.w
`, i, (i+1)%n))}
	}
	ds := recursionFindings(t, "ring/d0.arazzo.yaml", fsys)
	if len(ds) != 1 {
		t.Fatalf("%d findings, want 1:\n%v", len(ds), ds)
	}
	msg := ds[0].Msg
	if got := strings.Count(msg, " calls "); got != maxHopsShown {
		t.Errorf("%d hops listed, want %d:\n%s", got, maxHopsShown, msg)
	}
	if want := fmt.Sprintf("%d more hops", n-maxHopsShown); !strings.Contains(msg, want) {
		t.Errorf("no %q in:\n%s", want, msg)
	}
	if !strings.Contains(msg, "d59.arazzo.yaml:9:21 w calls") {
		t.Errorf("the closing hop (d59 back to d0) is not shown:\n%s", msg)
	}
}
