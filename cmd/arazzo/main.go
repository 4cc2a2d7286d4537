// Command arazzo validates, inspects and runs Arazzo workflows.
//
//	arazzo validate FILE...      check documents, report file:line:col diagnostics
//	arazzo list FILE             show workflows, inputs and steps
//	arazzo run FILE [flags]      execute a workflow
//	arazzo test [PATH...]        run workflow test cases against mocks
//	arazzo graph FILE            print a workflow's control flow
//
// Exit codes: 0 success; 1 validation errors (validate) or workflow failed
// (run); 2 usage, load or input errors; 3 run aborted (guard, timeout,
// interrupt).
package main

import (
	"fmt"
	"io"
	"os"
)

// Exit codes shared by every command.
const (
	exitOK      = 0
	exitFailed  = 1
	exitUsage   = 2
	exitAborted = 3
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// command is one subcommand: it gets its own arguments and returns an exit code.
type command struct {
	name, summary string
	run           func(args []string, stdin io.Reader, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"validate", "check Arazzo documents and report diagnostics", cmdValidate},
		{"list", "show a document's workflows, inputs and steps", cmdList},
		{"run", "execute a workflow", cmdRun},
		{"test", "run workflow test cases (*.arazzo-test.yaml) against mocks", cmdTest},
		{"graph", "print a workflow's control flow as mermaid or dot", cmdGraph},
	}
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(args[1:], stdin, stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "arazzo: unknown command %q\n\n", args[0])
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: arazzo <command> [arguments]\n\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nexit codes: 0 ok, 1 invalid document or workflow failed, 2 usage/load/input error, 3 aborted")
}
