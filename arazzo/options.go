package arazzo

import (
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"time"
)

// errTODO backs the rendering stubs in render_contract_stub.go until their
// owner replaces them.
var errTODO = errors.New("arazzo: not implemented yet")

// LoadOptions bound and direct loading. The zero value means defaults.
type LoadOptions struct {
	MaxBytes    int64         // per document; default 16 MiB
	MaxDepth    int           // YAML nesting; default 200
	MaxAliases  int           // alias expansions; default 10000
	AllowRemote bool          // fetch http(s) source descriptions
	HTTPClient  *http.Client  // for remote sources; nil -> a client with Timeout
	Timeout     time.Duration // per remote fetch; default 30s
	// ReadFile reads local documents (the entry document of Load and every
	// relative source or $ref) instead of the process's file system. It
	// is given the path as the loader resolved it: relative sources are
	// resolved against the referring document and made absolute against
	// the working directory, as for files on disk. nil -> FS, if set, else
	// the operating system.
	ReadFile func(path string) ([]byte, error)
	// FS serves local documents when ReadFile is nil, as if mounted at the
	// working directory: Load(ctx, "flows/a.arazzo.yaml", ...) reads
	// "flows/a.arazzo.yaml" of FS, and its source "../apis/a.yaml" reads
	// "apis/a.yaml". A path outside it does not exist.
	FS fs.FS
}

// fileReader returns the ReadFile of o, nil for the operating system.
func (o LoadOptions) fileReader() func(string) ([]byte, error) {
	if o.ReadFile != nil {
		return o.ReadFile
	}
	if o.FS != nil {
		fsys := o.FS
		return func(p string) ([]byte, error) {
			if filepath.IsAbs(p) {
				if wd, err := os.Getwd(); err == nil {
					if rel, err := filepath.Rel(wd, p); err == nil {
						p = rel
					}
				}
			}
			return fs.ReadFile(fsys, path.Clean(filepath.ToSlash(p)))
		}
	}
	return nil
}

const (
	defaultMaxBytes   = 16 << 20
	defaultMaxDepth   = 200
	defaultMaxAliases = 10000
	defaultTimeout    = 30 * time.Second
)

func (o LoadOptions) withDefaults() LoadOptions {
	if o.MaxBytes <= 0 {
		o.MaxBytes = defaultMaxBytes
	}
	if o.MaxDepth <= 0 {
		o.MaxDepth = defaultMaxDepth
	}
	if o.MaxAliases <= 0 {
		o.MaxAliases = defaultMaxAliases
	}
	if o.Timeout <= 0 {
		o.Timeout = defaultTimeout
	}
	return o
}
