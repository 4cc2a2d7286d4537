package testutil_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/arazzo-go/arazzo/internal/testutil"
)

// A package's tests run in the package directory; the repository root is
// the nearest directory above it holding go.mod.
func ExampleFindRepoRoot() {
	wd, _ := os.Getwd()
	root, err := testutil.FindRepoRoot(wd)
	if err != nil {
		fmt.Println(err)
		return
	}
	rel, _ := filepath.Rel(root, wd)
	fmt.Println(filepath.ToSlash(rel))
	// Output: internal/testutil
}
