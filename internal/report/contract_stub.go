// Package report writes run results as a JSON report, HAR 1.2 and JUnit XML.
// Secrets are already redacted in runtime.Result; writers must not add any.
package report

// CONTRACT STUBS: the reports helper implements these; cmd/arazzo run calls them.

import (
	"errors"
	"io"

	"github.com/arazzo-go/arazzo/runtime"
)

var errTODO = errors.New("report: not implemented yet")

// WriteJSON writes the documented run report (schema in docs/report.schema.json).
func WriteJSON(w io.Writer, r *runtime.Result) error { return errTODO }

// WriteHAR writes every HTTP exchange of the run as HAR 1.2.
func WriteHAR(w io.Writer, r *runtime.Result) error { return errTODO }

// WriteJUnit writes one test suite per run and one test case per step attempt.
func WriteJUnit(w io.Writer, results ...*runtime.Result) error { return errTODO }
