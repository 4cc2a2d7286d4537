package main

import (
	"bytes"
	"regexp"
	"testing"
)

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		var stdout, stderr bytes.Buffer
		if code := run(args, nil, &stdout, &stderr); code != exitOK {
			t.Fatalf("%v: exit %d, stderr %q", args, code, stderr.String())
		}
		if !regexp.MustCompile(`^arazzo \S+.*, built with go1\.\d+.*; reads Arazzo 1\.0\.x and 1\.1\.x\n$`).MatchString(stdout.String()) {
			t.Errorf("%v printed %q", args, stdout.String())
		}
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"version", "extra"}, nil, &stdout, &stderr); code != exitUsage || stdout.Len() != 0 {
		t.Errorf("version with an argument: exit %d, stdout %q", code, stdout.String())
	}
}
