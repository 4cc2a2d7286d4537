package main

import (
	"fmt"
	"io"
)

// cmdGraph is replaced by its owner; see the contract in main.go.
func cmdGraph(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "arazzo graph: not implemented yet")
	return exitUsage
}
