//go:build !unix

package regfile

import "os"

func openNonBlocking(path string) (*os.File, error) {
	// Checking before opening leaves a window, but no FIFO semantics block open here.
	if st, err := os.Stat(path); err == nil && !st.IsDir() && !st.Mode().IsRegular() {
		return nil, &os.PathError{Op: "read", Path: path, Err: ErrNotRegular}
	}
	return os.Open(path)
}
