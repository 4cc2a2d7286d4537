package main

import (
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
)

// runTemporalPlugin hands `arazzo run --temporal ...` to the arazzo-temporal
// command found on PATH (a git-style plugin), so that this binary does not
// depend on the Temporal SDK: the temporal/ module builds it
// (docs/temporal.md). handled is false when --temporal is not among args.
func runTemporalPlugin(args []string, stdin io.Reader, stdout, stderr io.Writer) (code int, handled bool) {
	found := false
	for _, a := range args {
		if a == "--" {
			break
		}
		if a == "--temporal" || a == "-temporal" || strings.HasPrefix(a, "--temporal=") || strings.HasPrefix(a, "-temporal=") {
			found = true
			break
		}
	}
	if !found {
		return 0, false
	}
	bin, err := exec.LookPath("arazzo-temporal")
	if err != nil {
		fmt.Fprintln(stderr, "arazzo run: --temporal needs the arazzo-temporal command on PATH (cd temporal && go install ./cmd/arazzo-temporal; docs/temporal.md)")
		return exitUsage, true
	}
	cmd := exec.Command(bin, append([]string{"run"}, args...)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, stderr
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ExitCode() >= 0 {
			return ee.ExitCode(), true
		}
		fmt.Fprintf(stderr, "arazzo run: running %s: %v\n", bin, err)
		return exitUsage, true
	}
	return exitOK, true
}
