package main

import (
	"fmt"
	"io"
)

// cmdList is replaced by its owner; see the contract in main.go.
func cmdList(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "arazzo list: not implemented yet")
	return exitUsage
}
