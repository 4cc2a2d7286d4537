package main

import (
	"fmt"
	"io"
)

// cmdTest is replaced by its owner; see the contract in main.go.
func cmdTest(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "arazzo test: not implemented yet")
	return exitUsage
}
