package expr

import (
	"errors"
	"strconv"
	"strings"
)

// explainer collects the human-readable account of one evaluation.
type explainer struct {
	b strings.Builder
}

func (ex *explainer) clause(s string) {
	if ex.b.Len() > 0 {
		ex.b.WriteString("; ")
	}
	ex.b.WriteString(s)
}

func (ex *explainer) String() string { return ex.b.String() }

// comparison writes `$response.body#/lifecycleState was "PROVISIONING",
// expected == 'AVAILABLE'`.
func (ex *explainer) comparison(n *cmpNode, a any, aok bool, areason string, b any, bok bool, breason string) {
	var parts []string
	describe := func(o operand, v any, ok bool, reason string) {
		if _, isLit := o.(*literal); isLit {
			return
		}
		eo := o
		if !ok {
			parts = append(parts, eo.describe()+" is absent ("+reason+")")
			return
		}
		parts = append(parts, eo.describe()+" was "+formatValue(v, eo.secret()))
	}
	describe(n.left, a, aok, areason)
	describe(n.right, b, bok, breason)
	_, leftLit := n.left.(*literal)
	_, rightLit := n.right.(*literal)
	var want string
	switch {
	case !leftLit && rightLit:
		want = "expected " + n.op.String() + " " + n.right.String()
	default:
		want = "expected " + n.String()
	}
	parts = append(parts, want)
	ex.clause(strings.Join(parts, ", "))
}

// formatValue prints a value for people, shortened, with secrets hidden.
func formatValue(v any, secret bool) string {
	if secret {
		return "<redacted>"
	}
	var s string
	switch t := v.(type) {
	case nil:
		return "null"
	case string:
		s = strconv.Quote(t)
	default:
		s = Stringify(v)
	}
	const max = 120
	if len(s) > max {
		s = s[:max] + "…"
	}
	return s
}

func isAbsent(err error) bool { return errors.Is(err, ErrAbsent) }

// secretWords mark names whose values must never be shown.
var secretWords = [...]string{"token", "secret", "password", "passwd", "authorization", "apikey", "api_key", "api-key", "cookie", "credential", "private"}

func isSecretName(s string) bool {
	l := strings.ToLower(s)
	for _, w := range secretWords {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}

// isSecretRef reports whether the value a reference reads may be a secret.
func isSecretRef(r *Ref) bool {
	if isSecretName(r.Name) || isSecretName(r.Pointer) {
		return true
	}
	for _, p := range r.Path {
		if isSecretName(p) {
			return true
		}
	}
	return false
}

// absentReason drops the expression from an absence error when the
// explanation already names it.
func absentReason(err error, e *Expr) string {
	var se *scopedError
	if errors.As(err, &se) && se.expr == e.src {
		return se.err.Error()
	}
	var ae *AbsentError
	if errors.As(err, &ae) && ae.Expr == e.src {
		return ae.Reason
	}
	return err.Error()
}
