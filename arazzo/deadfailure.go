package arazzo

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/arazzo-go/arazzo/expr"
)

// A failure action runs only for responses that fail the step's
// successCriteria. When its own criteria can only hold for responses that
// pass them (onFailure: $statusCode == 200 beside successCriteria:
// $statusCode == 200), it never runs: the response it was written for
// succeeds and goes on as a success. checkDeadFailureActions finds such
// actions by evaluating the criteria, with the expression engine the
// runtime uses, over every combination of values that matter: the
// literals the conditions compare with, values next to them, another
// value, and absence.

// probeMaxCombinations bounds the evaluations per action; an action with
// more operands or literals than that is not judged. probeDocumentBudget
// bounds them per document, so that the cost stays linear however many
// actions a document holds.
const (
	probeMaxCombinations = 1024
	probeDocumentBudget  = 1 << 18
)

// probeOther stands for "some other string" in a probe.
const probeOther = "\x00other"

var probeLiteral = regexp.MustCompile(`'(?:[^']|'')*'|"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|\btrue\b|\bfalse\b|\bnull\b`)

func (c *checker) checkDeadFailureActions(w *Workflow) {
	for i, s := range w.Steps {
		if len(s.SuccessCriteria) == 0 || len(s.OnFailure) == 0 {
			continue
		}
		for _, a := range s.OnFailure {
			r := c.resolveActionQuiet(a, true)
			if r == nil || len(r.Criteria) == 0 {
				continue
			}
			witness, dead := deadFailureAction(s.SuccessCriteria, r.Criteria, &c.lint.probeBudget)
			if !dead {
				continue
			}
			next := "the workflow then succeeds (it is the last step)"
			if len(s.OnSuccess) > 0 || len(w.SuccessActions) > 0 {
				next = "its success actions decide what follows"
			} else if i+1 < len(w.Steps) {
				next = fmt.Sprintf("the run falls through to step %q", w.Steps[i+1].StepID)
			}
			name := r.Name
			if name == "" {
				name = r.Type
			}
			d := c.warnf(RuleDeadFailureAction, a.Loc.FieldPos("name"), a.Loc.Pointer,
				"onFailure action %q of step %q never runs: its criteria only hold for responses that pass the successCriteria (%s), so such a response is a success and %s", name, s.StepID, witness, next)
			d.Fix = "move the action to onSuccess (type goto or end, with these criteria), or make successCriteria reject these responses"
		}
	}
}

// checkDeadWorkflowFailureActions reports a workflow-level failure action
// that no step can trigger: for every step it applies to (not overridden
// by a step action of the same name) its criteria only hold for responses
// that pass that step's successCriteria. An action dead for some steps
// only is meant for the others and is not reported; a step without
// successCriteria (any response succeeds) or one that cannot be judged
// keeps the action silent.
func (c *checker) checkDeadWorkflowFailureActions(w *Workflow) {
	if len(w.FailureActions) == 0 || len(w.Steps)*len(w.FailureActions) > maxFlowWork {
		return
	}
	// The names each step's own failure actions use, once per step: they
	// replace the workflow's actions of those names.
	own := make([]map[string]bool, len(w.Steps))
	for i, s := range w.Steps {
		for _, a := range s.OnFailure {
			if r := c.resolveActionQuiet(a, true); r != nil && r.Name != "" {
				if own[i] == nil {
					own[i] = map[string]bool{}
				}
				own[i][r.Name] = true
			}
		}
	}
	for _, a := range w.FailureActions {
		r := c.resolveActionQuiet(a, true)
		if r == nil || len(r.Criteria) == 0 {
			continue
		}
		witness, applies := "", 0
		dead := true
		for i, s := range w.Steps {
			if r.Name != "" && own[i][r.Name] {
				continue
			}
			applies++
			if len(s.SuccessCriteria) == 0 {
				dead = false
				break
			}
			wit, ok := deadFailureAction(s.SuccessCriteria, r.Criteria, &c.lint.probeBudget)
			if !ok {
				dead = false
				break
			}
			if witness == "" {
				witness = fmt.Sprintf("%s in step %q", wit, s.StepID)
			}
		}
		if !dead || applies == 0 {
			continue
		}
		name := r.Name
		if name == "" {
			name = r.Type
		}
		d := c.warnf(RuleDeadFailureAction, a.Loc.FieldPos("name"), a.Loc.Pointer,
			"workflow failureAction %q never runs: in every step it applies to, its criteria only hold for responses that pass the step's successCriteria (%s), so such a response is a success", name, witness)
		d.Fix = "move the action to successActions (type goto or end, with these criteria), or make the steps' successCriteria reject these responses"
	}
}

// deadFailureAction reports whether every response that meets all of
// failure also meets all of success, while some response meets failure
// (an action whose criteria never hold at all is another mistake). The
// witness describes such a response.
func deadFailureAction(success, failure []*Criterion, spent *int) (string, bool) {
	// Criteria the engine cannot probe (regex, JSONPath, XPath) count
	// only when the failure criteria repeat them exactly.
	var simpleSuccess []*Criterion
	for _, s := range success {
		if s.Compiled == nil {
			return "", false
		}
		if isSimple(s) {
			simpleSuccess = append(simpleSuccess, s)
			continue
		}
		if !repeats(failure, s) {
			return "", false
		}
	}
	var probeFailure []*Criterion
	for _, f := range failure {
		if f.Compiled == nil {
			return "", false
		}
		if isSimple(f) {
			probeFailure = append(probeFailure, f)
		} else if !repeats(success, f) {
			return "", false // an unprobed condition might be what fails success
		}
	}
	if len(simpleSuccess) == 0 {
		return "they repeat the successCriteria", true
	}
	if len(probeFailure) == 0 {
		return "", false
	}
	all := append(append([]*Criterion{}, simpleSuccess...), probeFailure...)
	operands, values, ok := probeSpace(all)
	if !ok {
		return "", false
	}
	combos := 1
	for range operands {
		combos *= len(values) + 1
		if combos > probeMaxCombinations {
			return "", false
		}
	}
	if *spent += combos; *spent > probeDocumentBudget {
		return "", false
	}
	choice := make([]int, len(operands)) // len(values) = absent
	witness := ""
	for n := 0; n < combos; n++ {
		k := n
		for i := range choice {
			choice[i] = k % (len(values) + 1)
			k /= len(values) + 1
		}
		scope, ok := probeScope(operands, values, choice)
		if !ok {
			return "", false
		}
		if !allPass(probeFailure, scope) {
			continue
		}
		if !allPass(simpleSuccess, scope) {
			return "", false // a failing response that the action catches
		}
		if witness == "" {
			witness = describeProbe(operands, values, choice, probeFailure)
		}
	}
	if witness == "" {
		return "", false
	}
	return "for example " + witness, true
}

func isSimple(cr *Criterion) bool { return cr.Type == "" || cr.Type == "simple" }

// repeats reports whether list holds a criterion written like cr.
func repeats(list []*Criterion, cr *Criterion) bool {
	for _, o := range list {
		if o.Type == cr.Type && o.Version == cr.Version && strings.TrimSpace(o.Context) == strings.TrimSpace(cr.Context) &&
			strings.Join(strings.Fields(o.Condition), " ") == strings.Join(strings.Fields(cr.Condition), " ") {
			return true
		}
	}
	return false
}

func allPass(list []*Criterion, scope expr.Scope) bool {
	for _, cr := range list {
		if !cr.Compiled.Eval(scope).Pass {
			return false
		}
	}
	return true
}

// probeOperand is one value a condition reads: the base expression the
// scope supplies and the pointer tokens into it.
type probeOperand struct {
	text string   // as written, for messages
	base string   // "$response.body", "$statusCode"
	toks []string // nil: the base itself
}

// probeSpace lists the operands of simple criteria and the candidate
// values: each literal the conditions contain, numbers next to each
// numeric literal, and one other string.
func probeSpace(list []*Criterion) ([]probeOperand, []any, bool) {
	var operands []probeOperand
	seen := map[string]bool{}
	values := []any{probeOther}
	seenVal := map[string]bool{}
	addVal := func(v any) {
		k := fmt.Sprintf("%T:%v", v, v)
		if !seenVal[k] {
			seenVal[k] = true
			values = append(values, v)
		}
	}
	for _, cr := range list {
		cond := []byte(cr.Condition)
		for _, r := range cr.Compiled.Refs() {
			if r == nil || r.Offset < 0 || r.End > len(cond) || r.Offset >= r.End {
				return nil, nil, false
			}
			op, ok := operandOf(r)
			if !ok {
				return nil, nil, false
			}
			if !seen[op.text] {
				seen[op.text] = true
				operands = append(operands, op)
			}
			for i := r.Offset; i < r.End; i++ {
				cond[i] = ' '
			}
		}
		for _, lit := range probeLiteral.FindAllString(string(cond), -1) {
			switch {
			case lit == "true":
				addVal(true)
			case lit == "false":
				addVal(false)
			case lit == "null":
				addVal(nil)
			case lit[0] == '\'':
				addVal(strings.ReplaceAll(lit[1:len(lit)-1], "''", "'"))
			case lit[0] == '"':
				if s, err := strconv.Unquote(lit); err == nil {
					addVal(s)
				}
			default:
				if f, err := strconv.ParseFloat(lit, 64); err == nil {
					for _, d := range []float64{0, -1, 1, -0.5, 0.5} {
						addVal(f + d)
					}
				}
			}
		}
	}
	return operands, values, len(operands) > 0
}

// operandOf reads a reference as a base and pointer tokens. Index
// navigation and array pointers are not modelled: the probe builds
// objects only.
func operandOf(r *expr.Ref) (probeOperand, bool) {
	base := *r
	base.Pointer, base.HasPointer, base.Path = "", false, nil
	op := probeOperand{text: r.String(), base: base.String()}
	if r.HasPointer && r.Pointer != "" {
		p, err := expr.ParsePointer(r.Pointer)
		if err != nil {
			return op, false
		}
		op.toks = append(op.toks, p.Tokens()...)
	}
	op.toks = append(op.toks, r.Path...)
	for _, t := range op.toks {
		if _, err := strconv.Atoi(t); err == nil || t == "" {
			return op, false
		}
	}
	return op, true
}

// probeScope builds the values the chosen combination stands for.
func probeScope(operands []probeOperand, values []any, choice []int) (expr.MapScope, bool) {
	scope := expr.MapScope{}
	for i, op := range operands {
		if choice[i] == len(values) {
			if len(op.toks) > 0 {
				if _, ok := scope[op.base]; !ok {
					scope[op.base] = map[string]any{}
				}
			}
			continue // absent
		}
		v := values[choice[i]]
		if len(op.toks) == 0 {
			if _, taken := scope[op.base]; taken {
				return nil, false // the base and a member of it: not modelled
			}
			scope[op.base] = v
			continue
		}
		m, ok := scope[op.base].(map[string]any)
		if !ok {
			if _, taken := scope[op.base]; taken {
				return nil, false
			}
			m = map[string]any{}
			scope[op.base] = m
		}
		for _, t := range op.toks[:len(op.toks)-1] {
			sub, ok := m[t].(map[string]any)
			if !ok {
				if _, taken := m[t]; taken {
					return nil, false
				}
				sub = map[string]any{}
				m[t] = sub
			}
			m = sub
		}
		last := op.toks[len(op.toks)-1]
		if _, taken := m[last]; taken {
			return nil, false
		}
		m[last] = v
	}
	return scope, true
}

// describeProbe writes the operands the failure criteria read, with their
// values in the combination: "$statusCode = 200".
func describeProbe(operands []probeOperand, values []any, choice []int, failure []*Criterion) string {
	read := map[string]bool{}
	for _, cr := range failure {
		for _, r := range cr.Compiled.Refs() {
			if r != nil {
				read[r.String()] = true
			}
		}
	}
	var parts []string
	for i, op := range operands {
		if !read[op.text] {
			continue
		}
		if choice[i] == len(values) {
			parts = append(parts, op.text+" absent")
			continue
		}
		v := values[choice[i]]
		switch x := v.(type) {
		case string:
			if x == probeOther {
				parts = append(parts, op.text+" = any other value")
			} else {
				parts = append(parts, op.text+" = '"+x+"'")
			}
		default:
			parts = append(parts, fmt.Sprintf("%s = %v", op.text, expr.Stringify(v)))
		}
	}
	return strings.Join(parts, ", ")
}
