package expr

import "strings"

// MapScope is a Scope for tests and examples: keys are base expressions
// without pointer or navigation ("$statusCode", "$response.body",
// "$inputs.token", "$steps.s.outputs.id", "$response.header.content-type").
// Header names are matched case-insensitively.
type MapScope map[string]any

// Lookup implements Scope.
func (m MapScope) Lookup(ref *Ref) (any, error) {
	var b strings.Builder
	ref.writeBase(&b)
	key := b.String()
	if v, ok := m[key]; ok {
		return v, nil
	}
	if ref.Field == "header" {
		for k, v := range m {
			if strings.EqualFold(k, key) {
				return v, nil
			}
		}
	}
	return nil, &AbsentError{Expr: key, Reason: "not set"}
}
