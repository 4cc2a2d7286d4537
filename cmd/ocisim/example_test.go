package main

import (
	"fmt"
	"os"
)

// Bad flags are reported on stderr (here stdout, for the example) with exit code 2.
func Example_badFlag() {
	code := run([]string{"-polls", "-3"}, os.Stdout, os.Stdout, nil)
	fmt.Println("exit", code)
	// Output:
	// ocisim: -polls -3 is invalid (want N >= 0, or -1 for never)
	// exit 2
}
