package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"syscall"

	"github.com/arazzo-go/arazzo/internal/wftest"
)

// newTestRunner builds the runner of `arazzo test`; tests swap the executor.
var newTestRunner = func() *wftest.Runner { return &wftest.Runner{} }

const testUsage = `usage: arazzo test [PATH...] [--junit FILE] [--json] [--run REGEXP] [-v]

Runs the cases of every *.arazzo-test.yaml file in PATHs (files, or
directories walked recursively, skipping testdata/, vendor/ and hidden
directories; default "."). Each case runs against its mocks, offline, with
no delays. The format is described in docs/testing.md.

exit codes: 0 all cases pass, 1 a case failed, 2 a test file is invalid or a
usage error

flags:
`

// cmdTest runs workflow test cases.
func cmdTest(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	junitPath := fs.String("junit", "", "also write JUnit XML to `FILE` (one suite per file, one case per test case)")
	asJSON := fs.Bool("json", false, "print machine-readable results instead of text")
	runPattern := fs.String("run", "", "run only cases whose name matches `REGEXP`")
	verbose := fs.Bool("v", false, "show the step attempts of passing cases too")
	fs.BoolVar(verbose, "verbose", false, "same as -v")
	printUsage := func(w io.Writer) {
		fmt.Fprint(w, testUsage)
		fs.SetOutput(w)
		fs.PrintDefaults()
	}
	paths, err := testParseArgs(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		printUsage(stdout)
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "arazzo test: %v\n\n", err)
		printUsage(stderr)
		return exitUsage
	}
	runner := newTestRunner()
	if *runPattern != "" {
		re, err := regexp.Compile(*runPattern)
		if err != nil {
			fmt.Fprintf(stderr, "arazzo test: --run: %v\n", err)
			return exitUsage
		}
		runner.Filter = re.MatchString
	}

	if *junitPath != "" {
		if err := checkWritable(*junitPath); err != nil {
			fmt.Fprintf(stderr, "arazzo test: --junit %s: %v; no case was run\n", *junitPath, err)
			return exitUsage
		}
	}
	// As for run: SIGTERM (a CI job cancelled) and SIGHUP (its terminal
	// closed) end the cases in progress, which then report, instead of
	// killing the process without a result or a JUnit file.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	results, err := runner.RunPaths(ctx, paths)
	if err != nil {
		fmt.Fprintf(stderr, "arazzo test: %v\n", err)
		return exitUsage
	}
	if len(results) == 0 {
		if len(paths) == 0 {
			paths = []string{"."}
		}
		fmt.Fprintf(stderr, "arazzo test: no %s files in %s\n", strings.Join(wftest.Suffixes, " or "), strings.Join(paths, ", "))
		return exitUsage
	}

	if *asJSON {
		err = wftest.WriteJSON(stdout, results)
	} else {
		err = wftest.WriteText(stdout, results, *verbose)
	}
	if err != nil {
		fmt.Fprintf(stderr, "arazzo test: writing results: %v\n", err)
		return exitUsage
	}
	if *junitPath != "" {
		if err := writeFileWith(*junitPath, func(w io.Writer) error { return wftest.WriteJUnit(w, results) }); err != nil {
			fmt.Fprintf(stderr, "arazzo test: --junit %s: not written: %v\n", *junitPath, pathReason(err))
			return exitUsage
		}
	}
	return wftest.Summarize(results).ExitCode()
}

// testParseArgs accepts flags before, between and after the paths
// (`arazzo test workflows/ -v`), which flag.Parse alone does not.
func testParseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, runFlagError(fs, err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}
