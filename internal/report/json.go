package report

import (
	"errors"
	"io"

	"github.com/arazzo-go/arazzo/internal/jsonlimit"
	"github.com/arazzo-go/arazzo/runtime"
)

var errNilResult = errors.New("report: no run result")

// WriteJSON writes the run report: the Result's own JSON shape
// (runtime.Result.MarshalJSON, docs/schemas/run-report.schema.json),
// indented, so that `arazzo run --report FILE`, `arazzo run --json` and a
// library user's json.Marshal(result) are one shape.
func WriteJSON(w io.Writer, r *runtime.Result) error {
	if r == nil {
		return errNilResult
	}
	// Outputs can be response bodies nested thousands of levels deep.
	return jsonlimit.Encode(w, r)
}
