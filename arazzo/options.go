package arazzo

import (
	"errors"
	"net/http"
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
