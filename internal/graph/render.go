package graph

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// WriteMermaid prints g as a Mermaid flowchart, top to bottom, that GitHub
// renders inside a ```mermaid block. Several workflows become subgraphs.
// Failure edges are dashed and red, retries dashed and orange, calls thick.
func (g *Graph) WriteMermaid(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "flowchart TD")
	indent := "  "
	nested := len(g.Clusters) > 1
	for _, c := range g.Clusters {
		if nested {
			fmt.Fprintf(bw, "  subgraph %s[\"%s\"]\n", clusterID(c), mermaidText(c.Title))
			indent = "    "
		}
		for _, n := range c.Nodes {
			fmt.Fprintf(bw, "%s%s\n", indent, mermaidNode(n))
		}
		if nested {
			fmt.Fprintln(bw, "  end")
		}
	}
	for _, n := range g.Outside {
		fmt.Fprintf(bw, "  %s\n", mermaidNode(n))
	}
	var failures, retries []string
	for i, e := range g.Edges {
		arrow := "-->"
		switch e.Kind {
		case EdgeFailure:
			arrow = "-.->"
			failures = append(failures, strconv.Itoa(i))
		case EdgeRetry:
			arrow = "-.->"
			retries = append(retries, strconv.Itoa(i))
		case EdgeCall:
			arrow = "==>"
		}
		if e.Label != "" {
			arrow += "|\"" + mermaidText(e.Label) + "\"|"
		}
		fmt.Fprintf(bw, "  %s %s %s\n", e.From, arrow, e.To)
	}
	if len(failures) > 0 {
		fmt.Fprintf(bw, "  linkStyle %s stroke:#d33,color:#d33\n", strings.Join(failures, ","))
	}
	if len(retries) > 0 {
		fmt.Fprintf(bw, "  linkStyle %s stroke:#d80,color:#d80\n", strings.Join(retries, ","))
	}
	return bw.Flush()
}

func clusterID(c Cluster) string { return "wf_" + sanitizeID(c.WorkflowID) + "_cluster" }

func mermaidNode(n Node) string {
	open, close := "[\"", "\"]"
	switch n.Kind {
	case NodeStart:
		open, close = "([\"", "\"])"
	case NodeCallStep:
		open, close = "[[\"", "\"]]"
	case NodeWorkflow:
		open, close = "{{\"", "\"}}"
	case NodeSuccess, NodeFailure:
		open, close = "((\"", "\"))"
	}
	return n.ID + open + mermaidText(n.Label) + close
}

// mermaidText escapes a label for a quoted Mermaid string: quotes and the
// characters Mermaid would read as HTML or entity codes become entity codes,
// and line breaks become <br/>.
func mermaidText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString("#quot;")
		case '#':
			b.WriteString("#35;")
		case '<':
			b.WriteString("#lt;")
		case '>':
			b.WriteString("#gt;")
		case '&':
			b.WriteString("#amp;")
		case '`':
			b.WriteString("#96;")
		case '|':
			b.WriteString("#124;")
		case '\n':
			b.WriteString("<br/>")
		case '\r', '\t':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// WriteDOT prints g in Graphviz DOT; several workflows become clusters.
func (g *Graph) WriteDOT(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "digraph arazzo {")
	fmt.Fprintln(bw, "  rankdir=TB;")
	fmt.Fprintln(bw, `  node [shape=box, style=rounded, fontname="Helvetica"];`)
	fmt.Fprintln(bw, `  edge [fontname="Helvetica", fontsize=10];`)
	for i, c := range g.Clusters {
		fmt.Fprintf(bw, "  subgraph cluster_%d {\n", i)
		fmt.Fprintf(bw, "    label=%s;\n", dotString(c.Title))
		for _, n := range c.Nodes {
			fmt.Fprintf(bw, "    %s\n", dotNode(n))
		}
		fmt.Fprintln(bw, "  }")
	}
	for _, n := range g.Outside {
		fmt.Fprintf(bw, "  %s\n", dotNode(n))
	}
	for _, e := range g.Edges {
		var attrs []string
		if e.Label != "" {
			attrs = append(attrs, "label="+dotString(e.Label))
		}
		switch e.Kind {
		case EdgeFailure:
			attrs = append(attrs, "style=dashed", `color="#dd3333"`, `fontcolor="#dd3333"`)
		case EdgeRetry:
			attrs = append(attrs, "style=dashed", `color="#dd8800"`, `fontcolor="#dd8800"`)
		case EdgeCall:
			attrs = append(attrs, "style=bold")
		}
		suffix := ""
		if len(attrs) > 0 {
			suffix = " [" + strings.Join(attrs, ", ") + "]"
		}
		fmt.Fprintf(bw, "  %s -> %s%s;\n", e.From, e.To, suffix)
	}
	fmt.Fprintln(bw, "}")
	return bw.Flush()
}

func dotNode(n Node) string {
	attrs := "label=" + dotString(n.Label)
	switch n.Kind {
	case NodeStart:
		attrs += ", shape=oval, style=solid"
	case NodeCallStep:
		attrs += ", peripheries=2"
	case NodeWorkflow:
		attrs += ", shape=hexagon, style=solid"
	case NodeSuccess:
		attrs += ", shape=doublecircle, style=solid"
	case NodeFailure:
		attrs += `, shape=doublecircle, style=solid, color="#dd3333"`
	}
	return n.ID + " [" + attrs + "];"
}

// dotString quotes s as a DOT string; \n is a centered line break.
func dotString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r', '\t':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
