package expr

import "errors"

// ErrAbsent is wrapped by errors that mean "no such value" (a step that has
// not run, a missing JSON member, an unset input). Callers test it with
// errors.Is.
var ErrAbsent = errors.New("value is absent")

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
