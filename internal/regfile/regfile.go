// Package regfile opens the files arazzo is given (documents, --inputs, mock files, descriptions) so that a
// FIFO, a device or a directory where a file is expected is refused at once with a clear error instead of
// blocking the CLI forever, and so that every read has a size limit.
package regfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// ErrNotRegular is returned (wrapped in an *fs.PathError) for a path that is not a regular file.
var ErrNotRegular = errors.New("not a regular file")

// ErrIsDir is returned (wrapped in an *fs.PathError) for a directory where a file is expected.
var ErrIsDir = errors.New("is a directory, not a file")

// TooLargeError says a file is over the limit it was read with.
type TooLargeError struct {
	Path  string
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s is larger than the limit of %d bytes", e.Path, e.Limit)
}

// Open opens path for reading if it is a regular file. The file is opened without blocking (a FIFO
// without a writer would block open itself) and checked on the open descriptor, so a file swapped after
// a check cannot slip through.
func Open(path string) (*os.File, error) {
	f, err := openNonBlocking(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if st.IsDir() {
		f.Close()
		return nil, &fs.PathError{Op: "read", Path: path, Err: ErrIsDir}
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, &fs.PathError{Op: "read", Path: path, Err: ErrNotRegular}
	}
	return f, nil
}

// ReadFile reads a regular file of at most limit bytes; a larger one is a *TooLargeError.
func ReadFile(path string, limit int64) ([]byte, error) {
	data, err := ReadHead(path, limit+1)
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, &TooLargeError{Path: path, Limit: limit}
	}
	return data, nil
}

// ReadHead reads at most the first n bytes of a regular file.
func ReadHead(path string, n int64) ([]byte, error) {
	f, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, n))
}
