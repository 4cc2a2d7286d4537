package arazzo

import (
	"encoding/json"
	"fmt"
	"maps"
	"mime"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/arazzo-go/arazzo/expr"
	"github.com/arazzo-go/arazzo/openapi"
)

// Data rules that read the step's OpenAPI operation: what the responses
// declare (media types, schemas, enums) against what the step reads and
// compares, and the request body against its media type. An operation or
// schema that is not there (a source that did not load, a response without
// a schema) makes the rule stay silent: it judges only what it can see.

// checkData applies the data rules to an operation step whose operation
// was resolved. It is called once per step, from checkOperation.
func (c *checker) checkData(w *Workflow, s *Step, op *openapi.Operation) {
	if op == nil {
		return
	}
	if c.lint.ops == nil {
		c.lint.ops = map[*Step]*openapi.Operation{}
	}
	c.lint.ops[s] = op // for checkPayloadMedia, which runs for every step
	c.checkPointersOnNonJSON(s, op)
	c.checkEnumComparisons(s, op)
	c.checkRootFilters(s, op)
	c.checkUnhandledStates(w, s, op)
}

// acceptedStatuses reads the status codes a step's successCriteria accept
// when they say so plainly ($statusCode == 200); nil when they do not.
func acceptedStatuses(s *Step) []string {
	for _, cr := range s.SuccessCriteria {
		if !isSimple(cr) {
			continue
		}
		m := statusEquals.FindStringSubmatch(cr.Condition)
		if m != nil {
			return []string{m[1]}
		}
	}
	return nil
}

var statusEquals = regexp.MustCompile(`^\s*\$statusCode\s*==\s*(\d{3})\s*$`)

// isJSONMedia reports whether a media type carries JSON (application/json,
// +json suffixes, and wildcards that admit it).
func isJSONMedia(mt string) bool {
	base, _, err := mime.ParseMediaType(mt)
	if err != nil {
		base = strings.ToLower(strings.TrimSpace(mt))
	}
	return base == "application/json" || strings.HasSuffix(base, "+json") || base == "*/*" ||
		base == "application/*" || strings.HasSuffix(base, "/json")
}

// isTextualNonJSON reports media types that hold markup or plain text:
// XML, HTML, text/*.
func isTextualNonJSON(mt string) bool {
	base, _, err := mime.ParseMediaType(mt)
	if err != nil {
		base = strings.ToLower(strings.TrimSpace(mt))
	}
	return base == "application/xml" || strings.HasSuffix(base, "+xml") || (strings.HasPrefix(base, "text/") && base != "text/json")
}

// checkPayloadMedia compares a request body's payload with its media
// type: a YAML object or array under XML or text is sent as JSON text
// with that content type; a string under JSON that is not JSON (after
// its {$...} templates are filled) is sent as one JSON string. The media
// type is the requestBody's contentType, else the operation's only one;
// op is nil when the operation is not known (its source did not load).
func (c *checker) checkPayloadMedia(s *Step, op *openapi.Operation) {
	b := s.RequestBody
	if b == nil || !b.HasPayload || b.Payload == nil {
		return
	}
	ct := b.ContentType
	if ct == "" {
		if op == nil || len(op.RequestBodyTypes) != 1 {
			return
		}
		ct = op.RequestBodyTypes[0]
	}
	pos, ptr := b.Loc.FieldPos("payload"), b.Loc.Pointer+"/payload"
	switch p := b.Payload.(type) {
	case map[string]any, []any:
		if isTextualNonJSON(ct) {
			d := c.warnf(RulePayloadMedia, pos, ptr, "step %q sends a structured payload as %s: it goes out as JSON text labelled %s, which the server will not read as meant", s.StepID, ct, ct)
			d.Fix = "write the payload as a " + mediaWord(ct) + " string (a block scalar, with {$...} for values), or use contentType: application/json"
		}
	case string:
		if !isJSONMedia(ct) || strings.HasPrefix(strings.TrimSpace(p), "$") {
			return // a runtime expression supplies the value
		}
		t := strings.TrimSpace(p)
		if !strings.HasPrefix(t, "{") && !strings.HasPrefix(t, "[") {
			// A JSON string value, sent quoted: what a plain string
			// means, unless the operation wants an object or an array
			// there (a YAML block string such as "name: x" is the
			// usual slip: it is text, not a mapping).
			if want := requestBodyShape(op, ct); want != "" && !json.Valid([]byte(templateHole.ReplaceAllString(t, "0"))) {
				d := c.warnf(RulePayloadMedia, pos, ptr, "step %q sends %s and operation %s expects %s, but the payload is text that is not JSON: it goes out as one JSON string", s.StepID, ct, opName(op), want)
				d.Fix = "write the payload as a YAML mapping or list (no | or quotes), which is encoded as JSON, or as JSON text"
			}
			return
		}
		filled := templateHole.ReplaceAllString(t, "0")
		if err := json.Unmarshal([]byte(filled), new(any)); err != nil {
			d := c.warnf(RulePayloadMedia, pos, ptr, "step %q sends %s, but its payload text is not JSON (%v), so it goes out as one JSON string, quotes escaped", s.StepID, ct, err)
			d.Fix = "fix the JSON text, or write the payload as YAML (a mapping) and let it be encoded"
		}
	}
}

// requestBodyShape is "an object" or "an array" when the operation's
// request body schema for media type ct (parameters aside) declares one,
// else "".
func requestBodyShape(op *openapi.Operation, ct string) string {
	sc := op.RequestSchema(ct)
	switch {
	case sc.IsObject():
		return "an object"
	case sc.IsArray():
		return "an array"
	}
	return ""
}

// templateHole matches a {$...} template; filled with 0 it leaves valid
// JSON both inside a string and as a value.
var templateHole = regexp.MustCompile(`\{\$[^{}]*\}`)

func mediaWord(ct string) string {
	if strings.Contains(ct, "xml") {
		return "XML"
	}
	return "text"
}

// checkPointersOnNonJSON reports $response.body#/... read by a step whose
// responses (for the status codes it accepts, or all 2XX) declare only
// XML, HTML or text: a JSON Pointer finds nothing in them.
func (c *checker) checkPointersOnNonJSON(s *Step, op *openapi.Operation) {
	var media []string
	for _, r := range op.Responses(acceptedStatuses(s)...) {
		for mt := range r.Content {
			media = append(media, mt)
		}
	}
	if len(media) == 0 || slices.ContainsFunc(media, func(mt string) bool { return !isTextualNonJSON(mt) }) {
		return
	}
	slices.Sort(media)
	media = slices.Compact(media)
	for _, u := range c.usesOf(s) {
		if u.ref.Kind != expr.KindResponse || u.ref.Field != "body" || !u.ref.HasPointer || u.ref.Pointer == "" {
			continue
		}
		toks := strings.Split(strings.TrimPrefix(u.ref.Pointer, "/"), "/")
		d := c.warnf(RulePointerOnNonJSON, u.pos, u.ptr, "%s reads a JSON Pointer, but operation %s answers %s only: the pointer finds nothing there", u.ref.String(), opName(op), strings.Join(media, ", "))
		d.Fix = fmt.Sprintf("read it with XPath: a criterion {context: $response.body, type: xpath, condition: //%s} or, in Arazzo 1.1, a selector {context: $response.body, selector: //%s, type: xpath}", toks[len(toks)-1], toks[len(toks)-1])
	}
}

// fieldComparison is `$response.body#/x == 'v'` (or !=) in a condition.
type fieldComparison struct {
	pointer string // "/status"
	op      string
	lit     string // as written
	value   any    // decoded
}

var comparisonPattern = regexp.MustCompile(`\$response\.body#(/[^\s=!<>()&|]*)\s*(==|!=)\s*('(?:[^']|'')*'|-?\d+(?:\.\d+)?|true|false)`)

// comparisonsOf finds body field comparisons in a criterion: simple
// conditions as written, JSONPath comparison dialect through its standard
// form.
func comparisonsOf(cr *Criterion) ([]fieldComparison, bool) {
	cond := cr.Condition
	if !isSimple(cr) {
		if cr.Compiled == nil {
			return nil, false
		}
		std := ""
		for _, n := range cr.Compiled.Notes() {
			if n.Rule == expr.RuleJSONPathDialect && n.Fix != "" {
				std = n.Fix
			}
		}
		if std == "" {
			return nil, false
		}
		cond = std
	}
	var out []fieldComparison
	for _, m := range comparisonPattern.FindAllStringSubmatch(cond, -1) {
		fc := fieldComparison{pointer: m[1], op: m[2], lit: m[3]}
		switch {
		case m[3][0] == '\'':
			fc.value = strings.ReplaceAll(m[3][1:len(m[3])-1], "''", "'")
		case m[3] == "true", m[3] == "false":
			fc.value = m[3] == "true"
		default:
			f, _ := strconv.ParseFloat(m[3], 64)
			fc.value = f
		}
		out = append(out, fc)
	}
	return out, true
}

// fieldSchemas returns the schemas of the member a JSON Pointer names in
// the JSON responses, one per response media type; nil when any response
// does not declare it.
func fieldSchemas(rs []openapi.Response, pointer string) []openapi.Schema {
	if toks, err := openapi.ParsePointer(pointer); err != nil || len(toks) == 0 {
		return nil
	}
	var out []openapi.Schema
	for _, r := range rs {
		found := false
		for _, mt := range slices.Sorted(maps.Keys(r.Content)) {
			sc := r.Content[mt]
			if !isJSONMedia(mt) || sc.IsZero() {
				continue
			}
			member, ok := sc.At(pointer)
			if !ok {
				return nil
			}
			out = append(out, member)
			found = true
		}
		if !found {
			return nil
		}
	}
	return out
}

// enumOf returns the string and number values a schema's enum allows, or
// nil when it has none.
func enumOf(scs []openapi.Schema) []any {
	var out []any
	for _, sc := range scs {
		enum := sc.Enum()
		if len(enum) == 0 {
			return nil
		}
		for _, v := range enum {
			if !slices.ContainsFunc(out, func(o any) bool { return sameValue(o, v) }) {
				out = append(out, v)
			}
		}
	}
	return out
}

// sameValue compares as simple conditions do: strings case-insensitively,
// numbers numerically.
func sameValue(a, b any) bool {
	as, aok := a.(string)
	bs, bok := b.(string)
	if aok && bok {
		return strings.EqualFold(as, bs)
	}
	af, aok := toFloat(a)
	bf, bok := toFloat(b)
	if aok && bok {
		return af == bf
	}
	return a == b
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case string:
		f, err := strconv.ParseFloat(x, 64)
		return f, err == nil
	}
	return 0, false
}

// checkEnumComparisons reports comparisons of a response field with a
// value its schema rules out: a value outside the field's enum (== never
// holds, != always does), or a literal of a type the field cannot have.
func (c *checker) checkEnumComparisons(s *Step, op *openapi.Operation) {
	rs := op.Responses(acceptedStatuses(s)...)
	if len(rs) == 0 {
		return
	}
	// successCriteria and success actions see the accepted responses;
	// failure actions see others, whose shape the lookup does not know.
	criteria := slices.Clone(s.SuccessCriteria)
	for _, a := range s.OnSuccess {
		if a.Reference == "" {
			criteria = append(criteria, a.Criteria...)
		}
	}
	for _, cr := range criteria {
		fcs, ok := comparisonsOf(cr)
		if !ok {
			continue
		}
		for _, fc := range fcs {
			scs := fieldSchemas(rs, fc.pointer)
			if scs == nil {
				continue
			}
			always := "never holds"
			if fc.op == "!=" {
				always = "always holds"
			}
			pos, ptr := cr.Loc.FieldPos("condition"), cr.Loc.Pointer+"/condition"
			if enum := enumOf(scs); enum != nil {
				if slices.ContainsFunc(enum, func(v any) bool { return sameValue(v, fc.value) }) {
					continue
				}
				names := enumStrings(enum)
				d := c.warnf(RuleImpossibleComparison, pos, ptr, "$response.body#%s %s %s %s: the response schema of operation %s allows only %s", fc.pointer, fc.op, fc.lit, always, opName(op), strings.Join(names, ", "))
				if best := closest(fmt.Sprint(fc.value), names); best != "" {
					d.Msg += fmt.Sprintf("; did you mean '%s'?", best)
					d.Fix = fmt.Sprintf("$response.body#%s %s '%s'", fc.pointer, fc.op, best)
				}
				continue
			}
			typ := schemaTypes(scs)
			if typ != "" && !literalFits(typ, fc.value) {
				d := c.warnf(RuleImpossibleComparison, pos, ptr, "$response.body#%s %s %s %s: the response schema of operation %s declares it %s", fc.pointer, fc.op, fc.lit, always, opName(op), typ)
				d.Fix = "compare with a " + typ + " literal"
				continue
			}
			if _, isStr := fc.value.(string); typ == "string" && !isStr {
				// A string field equals a number or boolean only when its
				// text reads as one ('5' == 5); a format whose values
				// never do rules that out.
				if f := textFormat(scs); f != "" {
					d := c.warnf(RuleImpossibleComparison, pos, ptr, "$response.body#%s %s %s %s: the response schema of operation %s declares it a string of format %s, which never reads as %s", fc.pointer, fc.op, fc.lit, always, opName(op), f, fc.lit)
					d.Fix = "compare with a string literal of that format, or read the field you meant"
				}
			}
		}
	}
}

func enumStrings(enum []any) []string {
	out := make([]string, 0, len(enum))
	for _, v := range enum {
		out = append(out, fmt.Sprint(v))
	}
	return out
}

// schemaTypes is the one JSON type all schemas give the field ("boolean",
// "number"), or "" when that is not clear (several types, none, nullable).
func schemaTypes(scs []openapi.Schema) string {
	typ := ""
	for _, sc := range scs {
		types := sc.Types()
		if len(types) != 1 || sc.Nullable() {
			return ""
		}
		t := types[0]
		if t == "integer" {
			t = "number"
		}
		if typ != "" && typ != t {
			return ""
		}
		typ = t
	}
	return typ
}

// nonNumericFormats are the string formats (JSON Schema, OpenAPI) whose
// values are never the text of a number or a boolean: each holds a
// character such text cannot ("-", ":", "@", "P", a second ".").
var nonNumericFormats = map[string]bool{
	"date": true, "date-time": true, "time": true, "duration": true, "uuid": true,
	"email": true, "idn-email": true, "uri": true, "iri": true, "ipv4": true, "ipv6": true,
}

// textFormat is the format every schema gives the string field when it is
// one of nonNumericFormats, else "".
func textFormat(scs []openapi.Schema) string {
	f := ""
	for _, sc := range scs {
		format := sc.Format()
		if !nonNumericFormats[format] || (f != "" && format != f) {
			return ""
		}
		f = format
	}
	return f
}

// literalFits reports whether a literal can ever equal a value of the
// type, under the simple-condition rules (numeric strings compare with
// numbers).
func literalFits(typ string, v any) bool {
	switch typ {
	case "boolean":
		_, ok := v.(bool)
		if s, isStr := v.(string); isStr {
			ok = strings.EqualFold(s, "true") || strings.EqualFold(s, "false")
		}
		return ok
	case "number":
		_, ok := toFloat(v)
		return ok
	}
	// A string field can hold "5" or "true", which compare equal to 5 and
	// true: no literal is ruled out by the type alone.
	return true
}

// rootFilter is an RFC 9535 filter selector applied to the root:
// "$[?count(@.products) > 0]"; the first @.name it reads is captured.
var (
	rootFilter   = regexp.MustCompile(`^\s*\$\s*\[\s*\?`)
	filterMember = regexp.MustCompile(`@\.([A-Za-z_][A-Za-z0-9_]*)`)
)

// checkRootFilters reports RFC 9535 JSONPath criteria whose query filters
// the root of a response that the operation declares as an object. A
// filter selects among the children of what it is applied to, so
// $[?@.x ...] tests each member value of the body, not the body: the
// author's $[?count(@.products) > 0] never holds and
// $[?@.access_token != null] always does. Criteria read with the Goessner
// draft are left alone (implementations of it differ on this point).
func (c *checker) checkRootFilters(s *Step, op *openapi.Operation) {
	var criteria []*Criterion
	criteria = append(criteria, s.SuccessCriteria...)
	for _, a := range s.OnSuccess {
		if a.Reference == "" {
			criteria = append(criteria, a.Criteria...)
		}
	}
	var objectBody *bool
	for _, cr := range criteria {
		if cr.Type != "jsonpath" || strings.TrimSpace(cr.Context) != "$response.body" || cr.Compiled == nil ||
			(cr.Version != "" && cr.Version != expr.JSONPathRFC9535) || !rootFilter.MatchString(cr.Condition) {
			continue
		}
		if objectBody == nil {
			v := bodyIsObject(op.Responses(acceptedStatuses(s)...))
			objectBody = &v
		}
		if !*objectBody {
			return
		}
		d := c.warnf(RuleJSONPathRootFilter, cr.Loc.FieldPos("condition"), cr.Loc.Pointer+"/condition",
			"%s filters the members of the response object, not the object: operation %s answers an object, so each @ is one member's value and the condition does not test the body's own fields", cr.Condition, opName(op))
		if m := filterMember.FindStringSubmatch(cr.Condition); m != nil {
			d.Fix = fmt.Sprintf("test the field with a simple condition ($response.body#/%s != null, or a comparison), or start the query at it ($.%s)", m[1], m[1])
		} else {
			d.Fix = "write a simple condition on $response.body#/<field>"
		}
	}
}

// bodyIsObject reports whether every JSON response in rs declares an
// object schema (type object, or properties without a type).
func bodyIsObject(rs []openapi.Response) bool {
	n := 0
	for _, r := range rs {
		for mt, sc := range r.Content {
			if !isJSONMedia(mt) {
				continue
			}
			if !sc.IsObject() {
				return false
			}
			n++
		}
	}
	return n > 0
}

// checkUnhandledStates reports enum values of a response field that a
// step's success actions branch on but do not cover: a response with such
// a value passes the successCriteria, matches no action, and falls
// through. Only actions whose criteria read that one field (and
// $statusCode) are judged; a field without an enum is not.
func (c *checker) checkUnhandledStates(w *Workflow, s *Step, op *openapi.Operation) {
	acts := c.effectiveActions(w, s, false)
	if len(acts) == 0 {
		return
	}
	// The field the actions branch on, and their conditions in simple form,
	// compiled once.
	field := ""
	branches := 0
	conds := make([][]*expr.Criterion, len(acts))
	for i, ea := range acts {
		if len(ea.action.Criteria) == 0 {
			return // a catch-all action: nothing falls through
		}
		for _, cr := range ea.action.Criteria {
			fcs, ok := comparisonsOf(cr)
			if !ok {
				return
			}
			cond := cr.Condition
			if !isSimple(cr) {
				cond = standardForm(cr)
			}
			for _, fc := range fcs {
				if field != "" && field != fc.pointer {
					return // branches on two fields: not judged
				}
				field = fc.pointer
			}
			if strings.Count(cond, "$") != len(fcs)+strings.Count(cond, "$statusCode") {
				return // other operands
			}
			cc, err := expr.CompileCriterion(expr.CriterionSpec{Condition: cond})
			if err != nil {
				return
			}
			conds[i] = append(conds[i], cc)
		}
		if slices.ContainsFunc(ea.action.Criteria, func(cr *Criterion) bool { return strings.Contains(cr.Condition, "#") || !isSimple(cr) }) {
			branches++
		}
	}
	// One action on the field is a special case with the rest meant to
	// go on ("end when FAILED"); two or more enumerate the states.
	if field == "" || branches < 2 {
		return
	}
	codes := acceptedStatuses(s)
	enum := enumOf(fieldSchemas(op.Responses(codes...), field))
	if enum == nil {
		return
	}
	for _, cr := range s.SuccessCriteria {
		if cr.Compiled == nil {
			return
		}
	}
	status := 200.0
	if codes != nil {
		status, _ = strconv.ParseFloat(codes[0], 64)
	}
	if c.lint.probeBudget += len(enum) * len(acts); c.lint.probeBudget > probeDocumentBudget {
		return
	}
	var missed []string
	for _, v := range enum {
		if v == nil {
			continue // null: the field absent in effect, not a state
		}
		body := map[string]any{}
		setPointer(body, field, v)
		scope := expr.MapScope{"$statusCode": status, "$response.body": body}
		if !allPass(s.SuccessCriteria, scope) {
			continue // such a response fails the step instead
		}
		caught := false
		for _, cs := range conds {
			all := true
			for _, cc := range cs {
				if !cc.Eval(scope).Pass {
					all = false
					break
				}
			}
			if all {
				caught = true
				break
			}
		}
		if !caught {
			missed = append(missed, fmt.Sprint(v))
		}
	}
	if len(missed) == 0 {
		return
	}
	next := "the workflow then ends as a success (it is the last step)"
	if _, i := w.Step(s.StepID); i >= 0 && i+1 < len(w.Steps) {
		next = fmt.Sprintf("the run falls through to step %q", w.Steps[i+1].StepID)
	}
	d := c.warnf(RuleUnhandledState, s.Loc.FieldPos("onSuccess"), s.Loc.Pointer+"/onSuccess", "step %q branches on $response.body#%s but no success action handles %s, which the response schema of operation %s allows: %s", s.StepID, field, strings.Join(missed, ", "), opName(op), next)
	d.Fix = fmt.Sprintf("add success actions for them, e.g. {name: unexpectedState, type: end, criteria: [{condition: $response.body#%s == '%s'}]}, or make successCriteria reject them", field, missed[0])
}

// standardForm is the simple condition a JSONPath comparison-dialect
// criterion stands for.
func standardForm(cr *Criterion) string {
	for _, n := range cr.Compiled.Notes() {
		if n.Rule == expr.RuleJSONPathDialect {
			return n.Fix
		}
	}
	return cr.Condition
}

// setPointer sets a member of nested objects by JSON Pointer.
func setPointer(m map[string]any, pointer string, v any) {
	toks, err := openapi.ParsePointer(pointer)
	if err != nil || len(toks) == 0 {
		return
	}
	for _, t := range toks[:len(toks)-1] {
		sub, ok := m[t].(map[string]any)
		if !ok {
			sub = map[string]any{}
			m[t] = sub
		}
		m = sub
	}
	m[toks[len(toks)-1]] = v
}

// closestOperationID is the operationId to suggest for id: one that differs
// only in case first (operationIds are case-sensitive, and "PAR" for "Par"
// is the usual slip), else the nearest by edit distance; "" when none is
// near.
func closestOperationID(id string, ids []string) string {
	for _, x := range ids {
		if x != id && strings.EqualFold(x, id) {
			return x
		}
	}
	return closest(id, ids)
}

// suggestOperationID is closestOperationID as a message suffix.
func suggestOperationID(id string, ids []string) string {
	best := closestOperationID(id, ids)
	switch {
	case best == "":
		return ""
	case strings.EqualFold(best, id):
		return fmt.Sprintf("; did you mean %q? (operationIds are case-sensitive)", best)
	}
	return fmt.Sprintf("; did you mean %q?", best)
}
