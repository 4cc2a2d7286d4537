package expr

import (
	"errors"
	"strings"
	"unicode/utf8"
)

// ErrAbsent is wrapped by errors that mean "no such value" (a step that has
// not run, a missing JSON member, an unset input). Callers test it with
// errors.Is.
var ErrAbsent = errors.New("value is absent")

// ErrNotJSON is wrapped by errors that mean a JSON Pointer or JSONPath met
// a value that is not JSON (an XML, HTML or text response body). Unlike an
// absent value it is an evaluation error: the expression cannot work on
// that value at all. Callers test it with errors.Is.
var ErrNotJSON = errors.New("value is not JSON")

// AbsentError says which value is absent and why. It wraps ErrAbsent.
type AbsentError struct {
	Expr   string // the expression in standard form, e.g. "$response.body#/a/b"
	Reason string // e.g. `member "b" not found at /a`
}

// Error says which value is absent and why.
func (e *AbsentError) Error() string {
	if e.Expr == "" {
		return e.Reason
	}
	return e.Expr + ": " + e.Reason
}

// Unwrap makes errors.Is(err, ErrAbsent) hold.
func (e *AbsentError) Unwrap() error { return ErrAbsent }

// errorf-free constructor keeps the message lowercase and allocation explicit.
func newError(off, end int, msg string) *Error {
	return &Error{Offset: off, End: end, Msg: msg}
}

// scopedError wraps an error from Scope.Lookup with the expression that asked.
type scopedError struct {
	expr string
	err  error
}

func (e *scopedError) Error() string { return e.expr + ": " + e.err.Error() }
func (e *scopedError) Unwrap() error { return e.err }

// Snippet shows where the error is in src (the string that was compiled):
// the line holding the error and a caret line under the offending bytes.
//
//	$statusCode = 200
//	            ^
func (e *Error) Snippet(src string) string {
	off, end := e.Offset, e.End
	if off < 0 || off > len(src) {
		return src
	}
	if end <= off {
		end = off + 1
	}
	lineStart := strings.LastIndexByte(src[:off], '\n') + 1
	lineEnd := len(src)
	if i := strings.IndexByte(src[off:], '\n'); i >= 0 {
		lineEnd = off + i
	}
	if end > lineEnd {
		end = lineEnd
	}
	var b strings.Builder
	b.WriteString(src[lineStart:lineEnd])
	b.WriteByte('\n')
	for _, r := range src[lineStart:off] {
		if r == '\t' {
			b.WriteByte('\t')
		} else {
			b.WriteByte(' ')
		}
	}
	n := utf8.RuneCountInString(src[off:max(end, off)])
	b.WriteString(strings.Repeat("^", max(n, 1)))
	return b.String()
}
