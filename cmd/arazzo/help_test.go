package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestHelpEveryCommand: --help and -h print the command's usage on stdout
// with exit 0, `arazzo help CMD` prints the same, and an unknown flag prints
// the usage on stderr with exit 2, for every command.
func TestHelpEveryCommand(t *testing.T) {
	for _, c := range commands() {
		var helpOut string
		for _, args := range [][]string{{c.name, "--help"}, {c.name, "-h"}, {"help", c.name}} {
			var stdout, stderr bytes.Buffer
			code := run(args, nil, &stdout, &stderr)
			if code != exitOK || stderr.Len() != 0 || !strings.Contains(stdout.String(), "usage: arazzo "+c.name) {
				t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, stdout.String(), stderr.String())
			}
			if helpOut == "" {
				helpOut = stdout.String()
			} else if stdout.String() != helpOut {
				t.Errorf("%v prints a different usage than %s --help", args, c.name)
			}
		}
		var stdout, stderr bytes.Buffer
		code := run([]string{c.name, "--no-such-flag"}, nil, &stdout, &stderr)
		if code != exitUsage || stdout.Len() != 0 || !strings.Contains(stderr.String(), "usage: arazzo "+c.name) ||
			!strings.Contains(stderr.String(), "--no-such-flag") {
			t.Errorf("%s --no-such-flag: exit %d, stdout %q, stderr %q", c.name, code, stdout.String(), stderr.String())
		}
	}
	for _, args := range [][]string{{"help"}, {"--help"}, {"-h"}} {
		var stdout, stderr bytes.Buffer
		if code := run(args, nil, &stdout, &stderr); code != exitOK || !strings.Contains(stdout.String(), "usage: arazzo <command>") {
			t.Errorf("%v: exit %d, stdout %q", args, code, stdout.String())
		}
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"help", "nope"}, nil, &stdout, &stderr); code != exitUsage || !strings.Contains(stderr.String(), `unknown command "nope"`) {
		t.Errorf("help nope: exit %d, stderr %q", code, stderr.String())
	}
}
