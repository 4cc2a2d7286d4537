// Package graph turns Arazzo workflows into control-flow graphs and prints
// them as Mermaid flowcharts (which GitHub renders in Markdown) or Graphviz
// DOT.
//
// The graph shows what the engine may do, following the reading of the spec
// in docs/decisions.md: steps run in order; after a success the first
// matching success action wins, and when none matches (or none has no
// criteria) control falls through to the next step, drawn as "next"; after a
// failure the first matching failure action wins. The implicit "no failure
// action matched, the workflow fails" exit exists for every step and is not
// drawn, or every graph would be mostly failure edges.
package graph

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/arazzo-go/arazzo/arazzo"
)

// NodeKind says what a node stands for, which decides its shape.
type NodeKind int

// Node kinds.
const (
	NodeStart    NodeKind = iota // a workflow's entry
	NodeStep                     // a step that calls an operation
	NodeCallStep                 // a step that calls a workflow
	NodeWorkflow                 // a workflow outside the graph (another document, or not drawn)
	NodeSuccess                  // the workflow ends successfully
	NodeFailure                  // the workflow ends after a failure
)

// EdgeKind says why control moves along an edge, which decides its style.
type EdgeKind int

// Edge kinds.
const (
	EdgeNext    EdgeKind = iota // implicit: to the next step (or the end) after a success
	EdgeSuccess                 // a success action (end or goto)
	EdgeFailure                 // a failure action (end or goto)
	EdgeRetry                   // a retry failure action: back to the same step
	EdgeCall                    // a call that returns: a workflow step, or what a retry runs first
)

// Node is one box of the graph.
type Node struct {
	ID    string // stable and safe in Mermaid and DOT: letters, digits, '_'
	Label string
	Kind  NodeKind
}

// Edge is one arrow of the graph.
type Edge struct {
	From, To string
	Kind     EdgeKind
	Label    string
}

// Cluster groups the nodes of one workflow.
type Cluster struct {
	WorkflowID string
	Title      string
	Nodes      []Node
}

// Graph is the control flow of one or more workflows of a document.
type Graph struct {
	Clusters []Cluster
	Outside  []Node // workflows called or jumped to that are not drawn
	Edges    []Edge
}

// MaxLabel is how many characters of a criterion a label shows; longer
// conditions are cut with "…" so that the chart stays readable.
const MaxLabel = 48

// MaxCriteria is how many criteria of one action a label lists.
const MaxCriteria = 3

// Build returns the graph of the given workflows of doc, each in its own
// cluster. A goto or call to a workflow that is drawn points at its start
// node; other workflows become separate nodes. Build does not need loaded
// sources: the parsed model is enough.
func Build(doc *arazzo.Document, workflows []*arazzo.Workflow) *Graph {
	b := &builder{doc: doc, g: &Graph{}, start: map[string]string{}, outside: map[string]string{}}
	workflows = slices.DeleteFunc(slices.Clone(workflows), func(wf *arazzo.Workflow) bool { return wf == nil })
	for i, wf := range workflows {
		b.start[wf.WorkflowID] = fmt.Sprintf("w%d_start", i)
	}
	for i, wf := range workflows {
		b.workflow(i, wf)
	}
	return b.g
}

type builder struct {
	doc     *arazzo.Document
	g       *Graph
	start   map[string]string // workflowId drawn -> its start node
	outside map[string]string // workflow reference -> node id
}

func (b *builder) workflow(wi int, wf *arazzo.Workflow) {
	// A model built by hand, or from a broken document, may hold nils.
	steps := slices.DeleteFunc(slices.Clone(wf.Steps), func(s *arazzo.Step) bool { return s == nil })
	prefix := fmt.Sprintf("w%d_", wi)
	c := Cluster{WorkflowID: wf.WorkflowID, Title: "workflow " + wf.WorkflowID}
	c.Nodes = append(c.Nodes, Node{ID: prefix + "start", Label: wf.WorkflowID, Kind: NodeStart})
	stepIDs := map[string]string{}
	for si, s := range steps {
		id := fmt.Sprintf("%ss%d", prefix, si)
		if _, dup := stepIDs[s.StepID]; !dup {
			stepIDs[s.StepID] = id
		}
		kind := NodeStep
		if s.WorkflowID != "" {
			kind = NodeCallStep
		}
		c.Nodes = append(c.Nodes, Node{ID: id, Label: stepLabel(s), Kind: kind})
	}
	okID, failID := prefix+"done", prefix+"failed"
	usedOK, usedFail := false, false

	stepNode := func(si int) string { return fmt.Sprintf("%ss%d", prefix, si) }
	if len(steps) == 0 {
		b.edge(prefix+"start", okID, EdgeNext, "")
		usedOK = true
	} else {
		b.edge(prefix+"start", stepNode(0), EdgeNext, "")
	}

	for si, s := range steps {
		from := stepNode(si)
		if s.WorkflowID != "" {
			b.edge(from, b.workflowNode(s.WorkflowID), EdgeCall, "calls")
		}
		fallsThrough := true
		successActions := b.effective(s.OnSuccess, wf.SuccessActions, "successActions")
		for _, a := range successActions {
			if len(a.Criteria) == 0 && a.Reference == "" {
				fallsThrough = false
			}
			to := ""
			switch a.Type {
			case "end":
				to, usedOK = okID, true
			case "goto":
				to = b.gotoTarget(a, stepIDs, prefix)
			}
			if to != "" {
				b.edge(from, to, EdgeSuccess, actionLabel(a))
			}
			if !fallsThrough {
				break // later actions can never be selected
			}
		}
		if fallsThrough {
			next := okID
			if si+1 < len(steps) {
				next = stepNode(si + 1)
			} else {
				usedOK = true
			}
			label := ""
			if len(successActions) > 0 {
				label = "otherwise"
			}
			b.edge(from, next, EdgeNext, label)
		}
		for _, a := range b.effective(s.OnFailure, wf.FailureActions, "failureActions") {
			switch a.Type {
			case "end":
				b.edge(from, failID, EdgeFailure, actionLabel(a))
				usedFail = true
			case "goto":
				if to := b.gotoTarget(a, stepIDs, prefix); to != "" {
					b.edge(from, to, EdgeFailure, actionLabel(a))
				}
			case "retry":
				b.edge(from, from, EdgeRetry, actionLabel(a))
				if to := b.gotoTarget(a, stepIDs, prefix); to != "" {
					b.edge(from, to, EdgeCall, "before retry")
				}
			}
			// A failure action without criteria always matches; a retry
			// one still lets later actions run once its budget is spent.
			if len(a.Criteria) == 0 && a.Reference == "" && a.Type != "retry" {
				break
			}
		}
	}
	if usedOK {
		c.Nodes = append(c.Nodes, Node{ID: okID, Label: "end", Kind: NodeSuccess})
	}
	if usedFail {
		c.Nodes = append(c.Nodes, Node{ID: failID, Label: "failed", Kind: NodeFailure})
	}
	b.g.Clusters = append(b.g.Clusters, c)
}

func (b *builder) edge(from, to string, kind EdgeKind, label string) {
	b.g.Edges = append(b.g.Edges, Edge{From: from, To: to, Kind: kind, Label: label})
}

// effective is the action list the engine evaluates: the step's actions in
// order, then the workflow's actions whose name the step does not override
// (docs/decisions.md), with Reusable Objects resolved where possible.
func (b *builder) effective(step, workflow []*arazzo.Action, component string) []*arazzo.Action {
	var out []*arazzo.Action
	names := map[string]bool{}
	for _, a := range step {
		if a == nil {
			continue
		}
		a = b.resolve(a, component)
		names[a.Name] = true
		out = append(out, a)
	}
	for _, a := range workflow {
		if a == nil {
			continue
		}
		a = b.resolve(a, component)
		if !names[a.Name] {
			out = append(out, a)
		}
	}
	return out
}

func (b *builder) resolve(a *arazzo.Action, component string) *arazzo.Action {
	if a.Reference == "" {
		return a
	}
	key, ok := strings.CutPrefix(a.Reference, "$components."+component+".")
	if ok && b.doc != nil && b.doc.Components != nil {
		m := b.doc.Components.SuccessActions
		if component == "failureActions" {
			m = b.doc.Components.FailureActions
		}
		if r, ok := m[key]; ok && r != nil {
			return r
		}
	}
	// Unresolved: keep it visible under its reference; validate reports it.
	return &arazzo.Action{Name: a.Reference, Type: a.Type, Reference: a.Reference}
}

// gotoTarget is the node an action's stepId or workflowId leads to, or ""
// when it names neither (an error validate reports).
func (b *builder) gotoTarget(a *arazzo.Action, stepIDs map[string]string, prefix string) string {
	switch {
	case a.StepID != "":
		if id, ok := stepIDs[a.StepID]; ok {
			return id
		}
		return b.outsideNode("missing step "+a.StepID, prefix+"missing_"+sanitizeID(a.StepID))
	case a.WorkflowID != "":
		return b.workflowNode(a.WorkflowID)
	}
	return ""
}

func (b *builder) workflowNode(ref string) string {
	if id, ok := b.start[ref]; ok {
		return id
	}
	return b.outsideNode("workflow "+shortRef(ref), "wf_"+sanitizeID(ref))
}

func (b *builder) outsideNode(label, id string) string {
	if have, ok := b.outside[label]; ok {
		return have
	}
	// Sanitizing may map two references to one id; keep them apart.
	base, n := id, 2
	for b.idTaken(id) {
		id = fmt.Sprintf("%s_%d", base, n)
		n++
	}
	b.outside[label] = id
	b.g.Outside = append(b.g.Outside, Node{ID: id, Label: label, Kind: NodeWorkflow})
	return id
}

func (b *builder) idTaken(id string) bool {
	for _, n := range b.g.Outside {
		if n.ID == id {
			return true
		}
	}
	return false
}

func sanitizeID(s string) string {
	var sb strings.Builder
	for _, r := range s {
		if r < 128 && (r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			sb.WriteRune(r)
		} else {
			sb.WriteByte('_')
		}
	}
	return sb.String()
}

// stepLabel is the step id and what it runs.
func stepLabel(s *arazzo.Step) string {
	var what string
	switch {
	case s.OperationID != "":
		what = shortRef(s.OperationID)
	case s.OperationPath != "":
		what = shortOperationPath(s.OperationPath)
	case s.WorkflowID != "":
		what = "workflow " + shortRef(s.WorkflowID)
	case s.ChannelPath != "":
		what = strings.TrimSpace(s.Action + " " + s.ChannelPath)
	}
	if what == "" {
		return s.StepID
	}
	return s.StepID + "\n" + what
}

// shortRef drops the "$sourceDescriptions." of a qualified operationId or
// workflowId: "$sourceDescriptions.pets.getPet" reads as "pets.getPet".
func shortRef(ref string) string {
	return strings.TrimPrefix(ref, "$sourceDescriptions.")
}

// shortOperationPath turns "{$sourceDescriptions.x.url}#/paths/~1pets~1{id}/get"
// into "GET /pets/{id}"; anything else is shown as written.
func shortOperationPath(p string) string {
	_, frag, ok := strings.Cut(p, "#")
	if !ok {
		return p
	}
	if u, err := url.PathUnescape(frag); err == nil {
		frag = u
	}
	parts := strings.Split(strings.TrimPrefix(frag, "/"), "/")
	if len(parts) != 3 || parts[0] != "paths" {
		return p
	}
	path := strings.NewReplacer("~1", "/", "~0", "~").Replace(parts[1])
	return strings.ToUpper(parts[2]) + " " + path
}

// actionLabel is the action's name, a summary of its kind for retries, and
// its criteria, shortened.
func actionLabel(a *arazzo.Action) string {
	label := a.Name
	if a.Type == "retry" {
		limit := int64(1) // the spec's default: a single retry
		if a.RetryLimit != nil {
			limit = *a.RetryLimit
		}
		label += fmt.Sprintf(" (retry ≤%d", limit)
		if a.RetryAfter != nil {
			label += fmt.Sprintf(", after %gs", *a.RetryAfter)
		}
		label += ")"
	}
	if c := criteriaText(a.Criteria); c != "" {
		label += "\n" + c
	}
	return label
}

// criteriaText shows each criterion on its own line, shortened, and at most
// MaxCriteria of them, so that labels stay readable in a chart.
func criteriaText(cs []*arazzo.Criterion) string {
	var lines []string
	n := 0
	for _, c := range cs {
		if c == nil {
			continue
		}
		n++
		if n > MaxCriteria {
			continue
		}
		cond := strings.Join(strings.Fields(c.Condition), " ")
		if c.Type != "" && c.Type != "simple" {
			cond = c.Type + ": " + cond
		}
		lines = append(lines, shorten(cond, MaxLabel))
	}
	if n > MaxCriteria {
		lines = append(lines, fmt.Sprintf("and %d more", n-MaxCriteria))
	}
	return strings.Join(lines, "\n")
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
