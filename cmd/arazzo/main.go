// Command arazzo validates, inspects and runs Arazzo workflows.
//
//	arazzo validate FILE...      check documents, report file:line:col diagnostics
//	arazzo list FILE             show workflows, inputs and steps
//	arazzo run FILE [flags]      execute a workflow
//	arazzo test [PATH...]        run workflow test cases against mocks
//	arazzo graph FILE            print a workflow's control flow
//	arazzo version               print the version, the Go version and the Arazzo versions read
//
// Exit codes: 0 success; 1 validation errors (validate) or workflow failed
// (run); 2 usage, load or input errors; 3 run aborted (guard, timeout,
// interrupt); 4 the run is being executed by another process (resume).
package main

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"
)

// Exit codes shared by every command.
const (
	exitOK      = 0
	exitFailed  = 1
	exitUsage   = 2
	exitAborted = 3
	// exitLeased: resume found the run leased by a live process; trying
	// again later (after the lease time) may succeed, unlike exitUsage.
	exitLeased = 4
)

func main() {
	// A CLI process is short-lived and its heap small next to what it
	// allocates while loading: collecting at 5x the live heap instead of
	// 2x saves about 8% of a cold run of the seed and of validating a
	// 1.5 MB description (docs/performance.md), for ~10% more peak memory.
	// A GOGC set in the environment still decides.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
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
		{"resume", "continue a run recorded with run --state", cmdResume},
		{"runs", "list the runs of a state file, or show one's history", cmdRuns},
		{"test", "run workflow test cases (*.arazzo-test.yaml) against mocks", cmdTest},
		{"graph", "print a workflow's control flow as mermaid or dot", cmdGraph},
		{"version", "print the arazzo version and the Arazzo versions it reads", cmdVersion},
		{"completion", "print a bash, zsh or fish completion script", cmdCompletion},
	}
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 && (args[0] == "--version" || args[0] == "-version") {
		args = []string{"version"}
	}
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		// "arazzo help CMD" is "arazzo CMD --help".
		if args[0] == "help" && len(args) > 1 {
			args = []string{args[1], "--help"}
		} else {
			usage(stdout)
			return exitOK
		}
	}
	if args[0] == "__complete" {
		return cmdComplete(args[1:], stdin, stdout, stderr)
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

const versionUsage = `usage: arazzo version

Prints the arazzo version (stamped by scripts/release.sh, the module version
for go install, or "devel" with the commit for a build from a checkout), the
Go version it was built with and the Arazzo versions it reads. Exit 0.
`

// version and commit are stamped by scripts/release.sh through
// -ldflags "-X main.version=v1.2.3 -X main.commit=SHA"; empty in any other
// build, which then reports what the Go toolchain recorded.
var version, commit string

// cmdVersion prints the module version the binary was built from ("devel"
// for a build from a checkout, with its VCS revision when Go recorded one).
func cmdVersion(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		if args[0] == "-h" || args[0] == "--help" {
			fmt.Fprint(stdout, versionUsage)
			return exitOK
		}
		fmt.Fprintf(stderr, "arazzo version: takes no arguments (got %q)\n\n%s", args[0], versionUsage)
		return exitUsage
	}
	v, goVersion, revision := "devel", "", ""
	if info, ok := debug.ReadBuildInfo(); ok {
		goVersion = info.GoVersion
		if mv := info.Main.Version; mv != "" && mv != "(devel)" {
			v = mv
		}
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				revision = s.Value[:12]
			}
		}
	}
	if version != "" {
		v, revision = version, commit
		if len(revision) > 12 {
			revision = revision[:12]
		}
	}
	if revision != "" {
		v += " (" + revision + ")"
	}
	fmt.Fprintf(stdout, "arazzo %s, built with %s; reads Arazzo 1.0.x and 1.1.x\n", v, goVersion)
	return exitOK
}
