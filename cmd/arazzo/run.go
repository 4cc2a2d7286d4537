package main

import (
	"fmt"
	"io"
)

// cmdRun is replaced by its owner; see the contract in main.go.
func cmdRun(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "arazzo run: not implemented yet")
	return exitUsage
}
