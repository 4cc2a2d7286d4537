package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/arazzo-go/arazzo/arazzo"
	"github.com/arazzo-go/arazzo/internal/graph"
)

const graphUsage = `usage: arazzo graph [flags] FILE

Prints the control flow of a document's workflows: steps in order, the
implicit "next" edges, success and failure actions with their criteria,
retries, ends, and calls of other workflows. FILE "-" reads standard input.

flags:
  --workflow ID             only this workflow (default: every workflow)
  --format mermaid|dot      output format (default mermaid; paste it into a
                            Markdown ` + "```mermaid" + ` block, or run dot -Tsvg)

exit codes: 0 ok, 2 usage error, unreadable file or unparsable document
`

func cmdGraph(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("graph", flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	workflowID := flags.String("workflow", "", "")
	format := flags.String("format", "mermaid", "")
	pos, err := parseFlagsAnywhere(flags, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, graphUsage)
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "arazzo graph: %v\n\n%s", err, graphUsage)
		return exitUsage
	}
	if *format != "mermaid" && *format != "dot" {
		fmt.Fprintf(stderr, "arazzo graph: unknown format %q (want mermaid or dot)\n", *format)
		return exitUsage
	}
	if len(pos) != 1 {
		fmt.Fprintf(stderr, "arazzo graph: want exactly one FILE, got %d\n\n%s", len(pos), graphUsage)
		return exitUsage
	}
	doc, code := parseForInspection("graph", pos[0], stdin, stderr)
	if doc == nil {
		return code
	}
	workflows := doc.Workflows
	if *workflowID != "" {
		wf := doc.Workflow(*workflowID)
		if wf == nil {
			fmt.Fprintf(stderr, "arazzo graph: workflow %q not found in %s (have: %s)\n",
				*workflowID, displayName(pos[0]), strings.Join(workflowIDs(doc), ", "))
			return exitUsage
		}
		workflows = []*arazzo.Workflow{wf}
	}
	if len(workflows) == 0 {
		fmt.Fprintf(stderr, "arazzo graph: %s has no workflows\n", displayName(pos[0]))
		return exitUsage
	}
	g := graph.Build(doc, workflows)
	if *format == "dot" {
		err = g.WriteDOT(stdout)
	} else {
		err = g.WriteMermaid(stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "arazzo graph: writing output: %v\n", err)
		return exitUsage
	}
	return exitOK
}

func workflowIDs(doc *arazzo.Document) []string {
	ids := make([]string, 0, len(doc.Workflows))
	for _, w := range doc.Workflows {
		ids = append(ids, w.WorkflowID)
	}
	return ids
}

func displayName(file string) string {
	if file == "-" {
		return stdinName
	}
	return file
}

// parseForInspection reads and parses one document for list and graph,
// which need only the model, not its sources. On failure it reports on
// stderr and returns a nil document with the exit code.
func parseForInspection(cmd, file string, stdin io.Reader, stderr io.Writer) (*arazzo.Document, int) {
	var data []byte
	var err error
	name := displayName(file)
	if file == "-" {
		data, err = io.ReadAll(io.LimitReader(stdin, validateMaxSourceBytes+1))
	} else {
		data, err = readFileUpTo(file, validateMaxSourceBytes)
	}
	if err != nil {
		var pe interface{ Unwrap() error }
		if errors.As(err, &pe) && pe.Unwrap() != nil && !strings.Contains(err.Error(), "larger") {
			err = pe.Unwrap()
		}
		fmt.Fprintf(stderr, "arazzo %s: cannot read %s: %v\n", cmd, name, err)
		return nil, exitUsage
	}
	doc, ds := arazzo.Parse(name, data, arazzo.LoadOptions{})
	if doc == nil || ds.HasErrors() {
		errs := make(arazzo.Diagnostics, 0, len(ds))
		for _, d := range ds {
			if d.Severity == arazzo.SeverityError {
				errs = append(errs, d)
			}
		}
		fmt.Fprintf(stderr, "arazzo %s: %s cannot be read as an Arazzo document (arazzo validate shows every problem):\n", cmd, name)
		arazzo.WriteText(stderr, errs, arazzo.Sources{name: data}, false)
		return nil, exitUsage
	}
	return doc, exitOK
}
