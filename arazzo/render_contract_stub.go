package arazzo

// CONTRACT STUBS for diagnostic rendering; the CLI helper implements them in
// render.go and deletes this file.

import "io"

// Sources maps a diagnostic's File to its bytes, for snippets.
type Sources map[string][]byte

// WriteText prints compiler-style diagnostics with a source line and caret,
// then "N errors, M warnings".
func WriteText(w io.Writer, ds Diagnostics, src Sources, color bool) error { return errTODO }

// WriteJSON prints the documented JSON shape.
func WriteJSON(w io.Writer, ds Diagnostics) error { return errTODO }

// WriteSARIF prints SARIF 2.1.0.
func WriteSARIF(w io.Writer, ds Diagnostics, toolVersion string) error { return errTODO }

// WriteGitHub prints GitHub Actions workflow commands.
func WriteGitHub(w io.Writer, ds Diagnostics) error { return errTODO }

// Sort orders diagnostics by file, line, column and drops exact duplicates.
func (ds Diagnostics) Sort() Diagnostics { return ds }
