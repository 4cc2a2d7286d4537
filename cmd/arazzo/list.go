package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"gopkg.in/yaml.v3"

	"github.com/arazzo-go/arazzo/arazzo"
	"github.com/arazzo-go/arazzo/internal/jsonlimit"
)

const listUsage = `usage: arazzo list [--json] FILE

Shows a document's workflows: summary, inputs (type, required, whether the
value looks like a secret), steps with what they call and their actions, and
outputs. FILE "-" reads standard input.

flags:
  --json    print JSON instead of text

exit codes: 0 ok, 2 usage error, unreadable file or unparsable document
`

// listFormatVersion is the "formatVersion" of list --json, an integer as
// in every JSON the tool prints (docs/schemas/list.schema.json).
const listFormatVersion = 1

// listDocument is the --json shape: documented in docs/cli.md.
type listDocument struct {
	FormatVersion int            `json:"formatVersion"`
	File          string         `json:"file"`
	Arazzo        string         `json:"arazzo"`
	Title         string         `json:"title"`
	Version       string         `json:"version"`
	Sources       []listSource   `json:"sourceDescriptions"`
	Workflows     []listWorkflow `json:"workflows"`
}

type listSource struct {
	Name string `json:"name"`
	Type string `json:"type"`
	URL  string `json:"url"`
}

type listWorkflow struct {
	WorkflowID string      `json:"workflowId"`
	Summary    string      `json:"summary"`
	DependsOn  []string    `json:"dependsOn"`
	Inputs     []listInput `json:"inputs"`
	Steps      []listStep  `json:"steps"`
	// Workflow-level actions, which apply to every step.
	SuccessActions []listAction `json:"successActions"`
	FailureActions []listAction `json:"failureActions"`
	Outputs        []string     `json:"outputs"`
}

type listInput struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Required bool   `json:"required"`
	Secret   bool   `json:"secret"`
}

type listStep struct {
	StepID    string       `json:"stepId"`
	Kind      string       `json:"kind"`   // operationId, operationPath, workflowId or channelPath
	Target    string       `json:"target"` // what the step calls
	OnSuccess []listAction `json:"onSuccess"`
	OnFailure []listAction `json:"onFailure"`
	Outputs   []string     `json:"outputs"`
}

type listAction struct {
	Name      string `json:"name"`
	Type      string `json:"type"`
	Target    string `json:"target,omitempty"`
	Reference string `json:"reference,omitempty"`
	Criteria  int    `json:"criteria"`
}

func cmdList(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("list", flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	asJSON := flags.Bool("json", false, "")
	pos, err := parseFlagsAnywhere(flags, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, listUsage)
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "arazzo list: %v\n\n%s", err, listUsage)
		return exitUsage
	}
	if len(pos) != 1 {
		fmt.Fprintf(stderr, "arazzo list: want exactly one FILE, got %d\n\n%s", len(pos), listUsage)
		return exitUsage
	}
	doc, code := parseForInspection("list", pos[0], stdin, stderr)
	if doc == nil {
		return code
	}
	ld := listBuild(doc, displayName(pos[0]))
	if *asJSON {
		err = listWriteJSON(stdout, ld)
	} else {
		err = listWriteText(stdout, ld)
	}
	if err != nil {
		fmt.Fprintf(stderr, "arazzo list: writing output: %v\n", err)
		return exitUsage
	}
	return exitOK
}

func listBuild(doc *arazzo.Document, file string) listDocument {
	ld := listDocument{File: file, Arazzo: doc.Arazzo, Title: doc.Info.Title, Version: doc.Info.Version,
		Sources: []listSource{}, Workflows: []listWorkflow{}}
	for _, s := range doc.SourceDescriptions {
		ld.Sources = append(ld.Sources, listSource{Name: s.Name, Type: s.Type, URL: s.URL})
	}
	for _, wf := range doc.Workflows {
		lw := listWorkflow{WorkflowID: wf.WorkflowID, Summary: oneLineText(wf.Summary),
			DependsOn: nonNil(wf.DependsOn), Inputs: listInputs(doc, wf), Steps: []listStep{}, Outputs: []string{},
			SuccessActions: listActions(wf.SuccessActions), FailureActions: listActions(wf.FailureActions)}
		for _, s := range wf.Steps {
			ls := listStep{StepID: s.StepID, OnSuccess: listActions(s.OnSuccess), OnFailure: listActions(s.OnFailure), Outputs: []string{}}
			switch {
			case s.OperationID != "":
				ls.Kind, ls.Target = "operationId", s.OperationID
			case s.OperationPath != "":
				ls.Kind, ls.Target = "operationPath", s.OperationPath
			case s.WorkflowID != "":
				ls.Kind, ls.Target = "workflowId", s.WorkflowID
			case s.ChannelPath != "":
				ls.Kind, ls.Target = "channelPath", strings.TrimSpace(s.Action+" "+s.ChannelPath)
			}
			for _, o := range s.Outputs {
				ls.Outputs = append(ls.Outputs, o.Name)
			}
			lw.Steps = append(lw.Steps, ls)
		}
		for _, o := range wf.Outputs {
			lw.Outputs = append(lw.Outputs, o.Name)
		}
		ld.Workflows = append(ld.Workflows, lw)
	}
	return ld
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func listActions(as []*arazzo.Action) []listAction {
	out := []listAction{}
	for _, a := range as {
		la := listAction{Name: a.Name, Type: a.Type, Reference: a.Reference, Criteria: len(a.Criteria)}
		switch {
		case a.StepID != "":
			la.Target = a.StepID
		case a.WorkflowID != "":
			la.Target = a.WorkflowID
		}
		if a.Reference != "" && la.Name == "" {
			la.Name = a.Reference
		}
		out = append(out, la)
	}
	return out
}

// listInputs describes the top-level properties of a workflow's inputs
// schema, in document order, following a $ref into components.inputs.
func listInputs(doc *arazzo.Document, wf *arazzo.Workflow) []listInput {
	schema, _ := wf.Inputs.(map[string]any)
	order := listPropertyOrder(wf.Loc.Node)
	if ref, ok := schema["$ref"].(string); ok && doc.Components != nil {
		if key, ok := strings.CutPrefix(ref, "#/components/inputs/"); ok {
			schema, _ = doc.Components.Inputs[key].(map[string]any)
			order = nil // components are decoded maps: sorted below
		}
	}
	props, _ := schema["properties"].(map[string]any)
	required := map[string]bool{}
	if req, ok := schema["required"].([]any); ok {
		for _, r := range req {
			if s, ok := r.(string); ok {
				required[s] = true
			}
		}
	}
	names := make([]string, 0, len(props))
	seen := map[string]bool{}
	for _, n := range order {
		if _, ok := props[n]; ok && !seen[n] {
			names, seen[n] = append(names, n), true
		}
	}
	var rest []string
	for n := range props {
		if !seen[n] {
			rest = append(rest, n)
		}
	}
	sort.Strings(rest)
	names = append(names, rest...)

	out := []listInput{}
	for _, n := range names {
		p, _ := props[n].(map[string]any)
		in := listInput{Name: n, Required: required[n], Secret: listLooksSecret(n, p)}
		switch t := p["type"].(type) {
		case string:
			in.Type = t
		case []any:
			var ts []string
			for _, x := range t {
				ts = append(ts, fmt.Sprint(x))
			}
			in.Type = strings.Join(ts, "|")
		}
		if f, ok := p["format"].(string); ok && in.Type != "" {
			in.Type += " (" + f + ")"
		}
		out = append(out, in)
	}
	return out
}

// listPropertyOrder returns the keys of inputs.properties in the order they
// are written; decoded maps have lost it.
func listPropertyOrder(wf *yaml.Node) []string {
	props := yamlChild(yamlChild(wf, "inputs"), "properties")
	if props == nil {
		return nil
	}
	var keys []string
	for i := 0; i+1 < len(props.Content); i += 2 {
		keys = append(keys, props.Content[i].Value)
	}
	return keys
}

func yamlChild(n *yaml.Node, key string) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			v := n.Content[i+1]
			for v != nil && v.Kind == yaml.AliasNode {
				v = v.Alias
			}
			return v
		}
	}
	return nil
}

// listSecretWords are name fragments that mark an input as a credential,
// whose value must never be printed.
var listSecretWords = []string{"token", "secret", "password", "passwd", "authorization", "apikey", "api_key", "api-key", "credential", "privatekey", "private_key", "cookie", "session"}

func listLooksSecret(name string, schema map[string]any) bool {
	if f, _ := schema["format"].(string); f == "password" {
		return true
	}
	if wo, _ := schema["writeOnly"].(bool); wo {
		return true
	}
	lower := strings.ToLower(name)
	for _, w := range listSecretWords {
		if strings.Contains(lower, w) {
			return true
		}
	}
	return false
}

func oneLineText(s string) string { return strings.Join(strings.Fields(s), " ") }

func listWriteText(w io.Writer, ld listDocument) error {
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 4, 2, ' ', 0)
	title := ld.Title
	if ld.Version != "" {
		title += " (" + ld.Version + ")"
	}
	fmt.Fprintf(tw, "%s: %s, arazzo %s\n", ld.File, title, ld.Arazzo)
	for _, s := range ld.Sources {
		fmt.Fprintf(tw, "source %s\t%s\t%s\n", s.Name, s.Type, s.URL)
	}
	for _, wf := range ld.Workflows {
		fmt.Fprintf(tw, "\nworkflow %s\n", wf.WorkflowID)
		if wf.Summary != "" {
			fmt.Fprintf(tw, "  %s\n", wf.Summary)
		}
		if len(wf.DependsOn) > 0 {
			fmt.Fprintf(tw, "  depends on: %s\n", strings.Join(wf.DependsOn, ", "))
		}
		if len(wf.Inputs) > 0 {
			fmt.Fprintln(tw, "  inputs:")
			for _, in := range wf.Inputs {
				var flags []string
				if in.Required {
					flags = append(flags, "required")
				}
				if in.Secret {
					flags = append(flags, "secret")
				}
				typ := in.Type
				if typ == "" {
					typ = "any"
				}
				fmt.Fprintf(tw, "    %s\t%s\t%s\n", in.Name, typ, strings.Join(flags, ", "))
			}
		}
		fmt.Fprintln(tw, "  steps:")
		for i, s := range wf.Steps {
			fmt.Fprintf(tw, "    %d. %s\t%s\t%s\n", i+1, s.StepID, listStepTarget(s), listActionsText(s))
		}
		if t := listActionGroup(wf.SuccessActions); t != "" {
			fmt.Fprintf(tw, "  every step, on success: %s\n", t)
		}
		if t := listActionGroup(wf.FailureActions); t != "" {
			fmt.Fprintf(tw, "  every step, on failure: %s\n", t)
		}
		if len(wf.Outputs) > 0 {
			fmt.Fprintf(tw, "  outputs: %s\n", strings.Join(wf.Outputs, ", "))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	// tabwriter pads empty last cells; trailing blanks only make diffs noisy.
	var out strings.Builder
	for _, line := range strings.SplitAfter(buf.String(), "\n") {
		out.WriteString(strings.TrimRight(line, " \n"))
		if strings.HasSuffix(line, "\n") {
			out.WriteByte('\n')
		}
	}
	_, err := io.WriteString(w, out.String())
	return err
}

func listStepTarget(s listStep) string {
	if s.Kind == "workflowId" {
		return "workflow " + s.Target
	}
	return s.Target
}

func listActionsText(s listStep) string {
	var parts []string
	if t := listActionGroup(s.OnSuccess); t != "" {
		parts = append(parts, "on success: "+t)
	}
	if t := listActionGroup(s.OnFailure); t != "" {
		parts = append(parts, "on failure: "+t)
	}
	return strings.Join(parts, "; ")
}

// listActionGroup shows actions as "name → type target", marking with
// "(if)" those that only apply when their criteria hold.
func listActionGroup(as []listAction) string {
	var parts []string
	for _, a := range as {
		text := a.Name + " → " + a.Type
		if a.Type == "" && a.Reference != "" {
			text = a.Reference
		}
		if a.Target != "" {
			text += " " + a.Target
		}
		if a.Criteria > 0 {
			text += " (if)"
		}
		parts = append(parts, text)
	}
	return strings.Join(parts, ", ")
}

func listWriteJSON(w io.Writer, ld listDocument) error {
	ld.FormatVersion = listFormatVersion
	return jsonlimit.Encode(w, ld)
}
