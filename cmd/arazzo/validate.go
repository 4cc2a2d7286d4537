package main

import (
	"fmt"
	"io"
)

// cmdValidate is replaced by its owner; see the contract in main.go.
func cmdValidate(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "arazzo validate: not implemented yet")
	return exitUsage
}
