package expr

import (
	"encoding/json"
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
// expected == 'AVAILABLE'` straight into the buffer (it runs on every
// evaluation).
func (ex *explainer) comparison(n *cmpNode, a any, aok bool, areason string, b any, bok bool, breason string) {
	if ex.b.Len() > 0 {
		ex.b.WriteString("; ")
	}
	if ex.b.Cap() == 0 {
		ex.b.Grow(64)
	}
	describe := func(o operand, v any, ok bool, reason string) {
		if _, isLit := o.(*literal); isLit {
			return
		}
		ex.b.WriteString(o.describe())
		if !ok {
			ex.b.WriteString(" is absent (")
			ex.b.WriteString(reason)
			ex.b.WriteString("), ")
			return
		}
		ex.b.WriteString(" was ")
		writeValue(&ex.b, v, o.secret())
		ex.b.WriteString(", ")
	}
	describe(n.left, a, aok, areason)
	describe(n.right, b, bok, breason)
	ex.b.WriteString("expected ")
	_, leftLit := n.left.(*literal)
	_, rightLit := n.right.(*literal)
	if !leftLit && rightLit {
		ex.b.WriteString(n.op.String())
		ex.b.WriteByte(' ')
		ex.b.WriteString(n.right.String())
		return
	}
	ex.b.WriteString(n.left.String())
	ex.b.WriteByte(' ')
	ex.b.WriteString(n.op.String())
	ex.b.WriteByte(' ')
	ex.b.WriteString(n.right.String())
}

// formatValue prints a value for people, shortened, with secrets hidden.
func formatValue(v any, secret bool) string {
	var b strings.Builder
	writeValue(&b, v, secret)
	return b.String()
}

// maxShown bounds how much of a value an explanation repeats.
const maxShown = 120

func writeValue(b *strings.Builder, v any, secret bool) {
	if secret {
		b.WriteString("<redacted>")
		return
	}
	switch t := v.(type) {
	case nil:
		b.WriteString("null")
		return
	case string:
		// Cut before hiding: hideSecretText hides a value the cut leaves
		// without its end, and only the shown part is ever scanned.
		if len(t) <= maxShown {
			b.WriteString(strconv.Quote(hideSecretText(t)))
			return
		}
		b.WriteString(strconv.Quote(hideSecretText(t[:cutIndex(t, maxShown)])))
		b.WriteString("…")
		return
	case bool, int, int64, float64, json.Number:
		writeText(b, t)
		return
	}
	s := Stringify(v)
	if len(s) > maxShown {
		s = hideSecretText(s[:cutIndex(s, maxShown)]) + "…"
	} else {
		s = hideSecretText(s)
	}
	b.WriteString(s)
}

func isAbsent(err error) bool { return errors.Is(err, ErrAbsent) }

// isSecretRef reports whether the value a reference reads may be a secret.
func isSecretRef(r *Ref) bool {
	if IsSecretName(r.Name) || IsSecretName(r.Pointer) {
		return true
	}
	for _, p := range r.Path {
		if IsSecretName(p) {
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
