package expr

import (
	"strconv"
	"strings"
)

// Expr is one compiled runtime expression ("$response.body#/id").
type Expr struct {
	src string   // the text as written
	str string   // String(), computed once: explanations print it on every evaluation
	ref Ref      // what the Scope is asked for
	ptr []string // unescaped pointer tokens, precomputed so Eval does not allocate
	// steps are ptr and ref.Path as Steps, for a PathScope; nil when the
	// expression has neither.
	steps []Step
	notes []Note
}

// Parse compiles a whole runtime expression. Lenient real-world forms
// ($response.headers.X, $response.body.a.b) are accepted and reported through
// Notes.
func Parse(src string) (*Expr, error) {
	p := refParser{src: src, mode: modeWhole}
	e, err := p.parse()
	if err != nil {
		return nil, err
	}
	if p.pos != len(src) {
		return nil, newError(p.pos, len(src), "unexpected "+strconv.Quote(src[p.pos:])+" after runtime expression "+strconv.Quote(src[:p.pos]))
	}
	return e, nil
}

// MustParse is Parse for expressions known to be valid; it panics otherwise.
func MustParse(src string) *Expr {
	e, err := Parse(src)
	if err != nil {
		panic(err)
	}
	return e
}

// Ref returns what the expression refers to.
func (e *Expr) Ref() *Ref { return &e.ref }

// Notes returns the dialect warnings found while parsing.
func (e *Expr) Notes() []Note { return e.notes }

// Source returns the expression as written.
func (e *Expr) Source() string { return e.src }

// String prints the expression in source form (header singular, navigation
// kept as written).
func (e *Expr) String() string {
	if e.str == "" {
		return e.ref.String()
	}
	return e.str
}

// parseMode says where an expression sits, which decides where its free-text
// parts (query names, pointer tokens, source members) end.
type parseMode uint8

const (
	modeWhole    parseMode = iota // the whole string is the expression
	modeEmbedded                  // inside "{...}": ends at '}'
	modeOperand                   // an operand of a simple condition
	modeUnbraced                  // "Bearer $inputs.token": ends at whitespace
)

func (m parseMode) stops(c byte) bool {
	switch m {
	case modeEmbedded:
		return c == '}'
	case modeOperand:
		switch c {
		case ' ', '\t', '\n', '\r', '!', '&', '(', ')', '<', '=', '>', '{', '}', '|':
			return true
		}
	case modeUnbraced:
		switch c {
		case ' ', '\t', '\n', '\r', '"', '\'', ',', ';', '{', '}':
			return true
		}
	}
	return false
}

// Rule ids of the notes this package emits.
const (
	RuleHeaderPlural       = "response-headers-plural"
	RuleHeaderPointer      = "header-json-pointer"
	RuleDotNavigation      = "dot-navigation-outside-condition"
	RuleUnbracedExpression = "unbraced-expression"
	RuleDoubleQuotes       = "double-quoted-string"
	RuleBareOperand        = "bare-operand-truthiness"
	RuleJSONPathDialect    = "jsonpath-comparison-dialect"
	RuleXPathVersion       = "xpath-version-subset"
	RuleMissingContext     = "missing-context"
	RuleEqualsTypo         = "strict-equality-operator"
	RuleBracedOperand      = "braced-expression-in-condition"
	RuleJSONPathLength     = "jsonpath-length"
	RuleJSONPathExpression = "jsonpath-runtime-expression"
	RuleExpressionInText   = "runtime-expression-in-literal"
	// RuleMissingOutputs is an error, not a note: $steps.<id>.<name>
	// without ".outputs." does not parse (Error.Rule, with Error.Fix).
	RuleMissingOutputs = "missing-outputs-segment"
)

type refParser struct {
	src   string
	pos   int
	mode  parseMode
	notes []Note
}

func (p *refParser) errf(off int, msg string) *Error {
	end := p.pos
	if end <= off {
		end = off + 1
	}
	if end > len(p.src) {
		end = len(p.src)
	}
	return newError(off, end, msg)
}

func (p *refParser) peek() byte {
	if p.pos < len(p.src) {
		return p.src[p.pos]
	}
	return 0
}

func (p *refParser) atEnd() bool {
	return p.pos >= len(p.src) || p.mode.stops(p.src[p.pos])
}

func (p *refParser) accept(s string) bool {
	if strings.HasPrefix(p.src[p.pos:], s) {
		p.pos += len(s)
		return true
	}
	return false
}

// word reads [A-Za-z]+.
func (p *refParser) word() string {
	start := p.pos
	for p.pos < len(p.src) && isAlpha(p.src[p.pos]) {
		p.pos++
	}
	return p.src[start:p.pos]
}

func isAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isStrict(c byte) bool { return isAlpha(c) || isDigit(c) || c == '-' || c == '_' }

func isIdent(c byte) bool { return isStrict(c) || c == '.' }

func isTchar(c byte) bool {
	if isAlpha(c) || isDigit(c) {
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// strictID reads identifier-strict ([A-Za-z0-9_-]+).
func (p *refParser) strictID(what string) (string, error) {
	start := p.pos
	for p.pos < len(p.src) && isStrict(p.src[p.pos]) {
		p.pos++
	}
	if p.pos == start {
		return "", p.errf(start, "expected "+what+" at offset "+strconv.Itoa(start)+" of "+strconv.Quote(p.src))
	}
	return p.src[start:p.pos], nil
}

// ident reads identifier ([A-Za-z0-9._-]+); dots belong to the name.
func (p *refParser) ident(what string) (string, error) {
	start := p.pos
	for p.pos < len(p.src) && isIdent(p.src[p.pos]) && !p.mode.stops(p.src[p.pos]) {
		p.pos++
	}
	if p.mode == modeUnbraced || p.mode == modeOperand {
		// "Hello $inputs.name." ends a sentence, it does not name "name.".
		for p.pos > start && p.src[p.pos-1] == '.' {
			p.pos--
		}
	}
	if p.pos == start {
		return "", p.errf(start, "expected "+what+" at offset "+strconv.Itoa(start)+" of "+strconv.Quote(p.src))
	}
	return p.src[start:p.pos], nil
}

// freeText reads 1*CHAR up to the end of the expression (query/path names,
// source description members).
func (p *refParser) freeText(what string) (string, error) {
	start := p.pos
	for p.pos < len(p.src) && !p.mode.stops(p.src[p.pos]) {
		c := p.src[p.pos]
		if c == '{' || c == '}' {
			return "", p.errf(p.pos, strconv.Quote(string(c))+" is not allowed in "+what)
		}
		p.pos++
	}
	if p.pos == start {
		return "", p.errf(start, "expected "+what+" at offset "+strconv.Itoa(start)+" of "+strconv.Quote(p.src))
	}
	return p.src[start:p.pos], nil
}

func (p *refParser) expect(s, after string) error {
	if !p.accept(s) {
		return p.errf(p.pos, "expected "+strconv.Quote(s)+" after "+strconv.Quote(after))
	}
	return nil
}

// parse reads one runtime expression starting at p.pos (which must be '$').
func (p *refParser) parse() (*Expr, error) {
	start := p.pos
	if p.peek() != '$' {
		return nil, p.errf(start, "runtime expression must start with '$'")
	}
	p.pos++
	e := &Expr{}
	r := &e.ref
	r.Offset = start
	root := p.word()
	var err error
	switch root {
	case "url":
		r.Kind = KindURL
	case "method":
		r.Kind = KindMethod
	case "statusCode":
		r.Kind = KindStatusCode
	case "self":
		r.Kind = KindSelf
	case "request", "response", "message":
		r.Kind = KindRequest
		if root == "response" {
			r.Kind = KindResponse
		} else if root == "message" {
			r.Kind = KindMessage
		}
		err = p.source(r, "$"+root)
	case "inputs", "outputs":
		r.Kind = KindInputs
		if root == "outputs" {
			r.Kind = KindOutputs
		}
		if err = p.expect(".", "$"+root); err == nil {
			if r.Name, err = p.ident(root[:len(root)-1] + " name"); err == nil {
				err = p.tail(r, true)
			}
		}
	case "steps":
		r.Kind = KindSteps
		err = p.steps(r)
	case "workflows":
		r.Kind = KindWorkflows
		err = p.workflows(r)
	case "sourceDescriptions":
		r.Kind = KindSourceDescriptions
		if err = p.expect(".", "$sourceDescriptions"); err == nil {
			if r.Name, err = p.strictID("source description name"); err == nil {
				if p.peek() == '#' {
					// "$sourceDescriptions.api#/paths/~1users/get": a
					// pointer into the source document (operationPath).
					p.pos++
					err = p.pointer(r)
				} else if err = p.expect(".", "$sourceDescriptions."+r.Name); err == nil {
					r.Member, err = p.freeText("source description member")
				}
			}
		}
	case "components":
		r.Kind = KindComponents
		err = p.components(r)
	case "":
		if c := p.peek(); c == '.' || c == '[' {
			return nil, p.errf(start, "\"$"+string(c)+"\" starts a JSONPath, not a runtime expression; write $response.body#/<pointer> or use a jsonpath criterion")
		}
		return nil, p.errf(start, "expected a runtime expression name after '$' in "+strconv.Quote(p.src))
	default:
		return nil, p.errf(start, "unknown runtime expression \"$"+root+"\"")
	}
	if err != nil {
		return nil, err
	}
	r.End = p.pos
	e.src = p.src[start:p.pos]
	if r.HasPointer && r.Pointer != "" {
		e.ptr = splitPointer(r.Pointer)
	}
	// The 1.1 specification's own examples read message fields by dot
	// navigation ($message.payload.orderId) although its ABNF has only the
	// pointer form; authors copy them, and the engine reads them exactly,
	// so that form is not reported (docs/decisions.md, "Dot navigation
	// into a message").
	if len(r.Path) > 0 && p.mode != modeOperand && r.Kind != KindMessage {
		msg := "dot/index navigation is only standard inside simple conditions; use a JSON pointer"
		switch r.Kind {
		case KindSteps, KindWorkflows, KindOutputs, KindInputs:
			// Navigation into an output or input value: say what is read
			// and what the navigation does, since the name itself is fine.
			var base strings.Builder
			r.writeBase(&base)
			msg = "reads " + base.String() + " and navigates into its value; " + msg + " after the name (" + r.Standard() + ")"
		}
		p.note(Note{Offset: start, End: p.pos, Rule: RuleDotNavigation, Msg: msg, Fix: r.Standard()})
	}
	e.notes = p.notes
	e.str = r.String()
	if len(e.ptr) > 0 || len(r.Path) > 0 {
		e.steps = pointerSteps(e.ptr, r.Path)
	}
	return e, nil
}

func (p *refParser) note(n Note) { p.notes = append(p.notes, n) }

func (p *refParser) source(r *Ref, root string) error {
	if err := p.expect(".", root); err != nil {
		return err
	}
	fstart := p.pos
	field := p.word()
	var err error
	switch field {
	case "header", "headers":
		r.Field = "header"
		if p.peek() == '#' {
			return p.headerPointer(r, root+"."+field, fstart)
		}
		if err = p.expect(".", root+"."+field); err != nil {
			return err
		}
		start := p.pos
		for p.pos < len(p.src) && isTchar(p.src[p.pos]) && !p.mode.stops(p.src[p.pos]) {
			p.pos++
		}
		if p.mode == modeUnbraced {
			for p.pos > start && p.src[p.pos-1] == '.' {
				p.pos--
			}
		}
		if p.pos == start {
			return p.errf(start, "expected header name after \""+root+"."+field+".\"")
		}
		r.Name = p.src[start:p.pos]
		if field == "headers" {
			p.note(Note{Offset: fstart, End: fstart + len(field), Rule: RuleHeaderPlural,
				Msg: "\"" + root + ".headers\" is not standard; the source is \"header\"",
				Fix: r.String()})
		}
	case "query", "path":
		r.Field = field
		if err = p.expect(".", root+"."+field); err != nil {
			return err
		}
		r.Name, err = p.freeText(field + " parameter name")
	case "body", "payload":
		r.Field = field
		err = p.tail(r, false)
	case "":
		return p.errf(fstart, "expected header, query, path, body or payload after \""+root+".\"")
	default:
		return p.errf(fstart, "unknown source \""+field+"\" in \""+root+"."+field+"\"; expected header, query, path, body or payload")
	}
	return err
}

// headerPointer reads "$message.header#/name" (used by the 1.1 examples):
// the first pointer token is the header name, the rest a pointer into it.
func (p *refParser) headerPointer(r *Ref, written string, fstart int) error {
	p.pos++
	if err := p.pointer(r); err != nil {
		return err
	}
	toks := splitPointer(r.Pointer)
	if len(toks) == 0 || toks[0] == "" {
		return p.errf(fstart, "expected a header name in \""+written+"#/<name>\"")
	}
	for i := 0; i < len(toks[0]); i++ {
		if !isTchar(toks[0][i]) {
			return p.errf(fstart, "invalid header name "+strconv.Quote(toks[0]))
		}
	}
	r.Name = toks[0]
	rest := r.Pointer[1:]
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		r.Pointer = rest[i:]
	} else {
		r.Pointer, r.HasPointer = "", false
	}
	p.note(Note{Offset: fstart, End: p.pos, Rule: RuleHeaderPointer,
		Msg: "a header is named with \".<name>\", not a json pointer", Fix: r.String()})
	return nil
}

func (p *refParser) steps(r *Ref) error {
	var err error
	if err = p.expect(".", "$steps"); err != nil {
		return err
	}
	if r.Step, err = p.strictID("step id"); err != nil {
		return err
	}
	if !p.accept(".outputs.") {
		at := p.pos
		e := p.errf(p.pos, "expected \".outputs.<name>\" after \"$steps."+r.Step+"\"")
		if name := p.outputName(); name != "" {
			e.Rule, e.Fix = RuleMissingOutputs, "$steps."+r.Step+".outputs."+name
			e.Msg = "\"$steps." + r.Step + p.src[at:p.pos] + "\" names no output: a step's values are read through \".outputs.\", as " + e.Fix
		}
		return e
	}
	if r.Name, err = p.ident("output name"); err != nil {
		return err
	}
	return p.tail(r, true)
}

// outputName reads what follows "$steps.<id>" or "$workflows.<id>" when
// ".outputs." is missing: ".<name>", or ".output.<name>" (the singular is
// a common slip), for the Fix of a missing-outputs-segment error. It
// returns "" when no name follows.
func (p *refParser) outputName() string {
	if !p.accept(".") {
		return ""
	}
	mark := p.pos
	switch w := strings.ToLower(p.word()); {
	case w == "output" || w == "outputs":
		if !p.accept(".") {
			return "" // "$steps.x.outputs" without a name: no guess
		}
	case w == "input" || w == "inputs" || w == "steps":
		return "" // another field, misspelt or misplaced: no guess
	default:
		p.pos = mark
	}
	name, err := p.ident("output name")
	if err != nil {
		return ""
	}
	return name
}

func (p *refParser) workflows(r *Ref) error {
	var err error
	if err = p.expect(".", "$workflows"); err != nil {
		return err
	}
	if r.Workflow, err = p.strictID("workflow id"); err != nil {
		return err
	}
	if err = p.expect(".", "$workflows."+r.Workflow); err != nil {
		return err
	}
	fstart := p.pos
	r.Field = p.word()
	if r.Field == "steps" {
		return p.workflowStep(r)
	}
	if r.Field != "inputs" && r.Field != "outputs" {
		e := p.errf(fstart, "expected inputs, outputs or steps after \"$workflows."+r.Workflow+".\"")
		p.pos = fstart - 1
		if name := p.outputName(); name != "" {
			e.Rule, e.Fix = RuleMissingOutputs, "$workflows."+r.Workflow+".outputs."+name
			e.Msg = "\"$workflows." + r.Workflow + p.src[fstart-1:p.pos] + "\" names no output: a workflow's values are read through \".outputs.\", as " + e.Fix
		}
		return e
	}
	if err = p.expect(".", "$workflows."+r.Workflow+"."+r.Field); err != nil {
		return err
	}
	if r.Name, err = p.ident(r.Field[:len(r.Field)-1] + " name"); err != nil {
		return err
	}
	return p.tail(r, true)
}

// workflowStep reads "$workflows.<wf>.steps.<step>", the 1.1 step dependsOn
// form (spec text, not in the ABNF: issue #557).
func (p *refParser) workflowStep(r *Ref) error {
	var err error
	if err = p.expect(".", "$workflows."+r.Workflow+".steps"); err != nil {
		return err
	}
	if r.Step, err = p.strictID("step id"); err != nil {
		return err
	}
	if !p.atEnd() {
		// The 1.1 ABNF has no ".steps." form at all; only dependsOn names a
		// step this way, so step outputs of another workflow stay private.
		return p.errf(p.pos, "\"$workflows."+r.Workflow+".steps."+r.Step+"\" only names a step (dependsOn); read another workflow's values through $workflows."+r.Workflow+".outputs.<name>")
	}
	return nil
}

func (p *refParser) components(r *Ref) error {
	var err error
	if err = p.expect(".", "$components"); err != nil {
		return err
	}
	fstart := p.pos
	r.Field = p.word()
	switch r.Field {
	case "parameters", "successActions", "failureActions", "inputs":
	default:
		return p.errf(fstart, "unknown component type \""+r.Field+"\"; expected parameters, successActions, failureActions or inputs")
	}
	if err = p.expect(".", "$components."+r.Field); err != nil {
		return err
	}
	r.Name, err = p.ident("component name")
	return err
}

// tail reads an optional "#pointer" or navigation. afterIdent: the base was
// an identifier, which already swallowed ".x" parts, so navigation can only
// start with "[n]".
func (p *refParser) tail(r *Ref, afterIdent bool) error {
	if p.atEnd() {
		return nil
	}
	switch c := p.peek(); {
	case c == '#':
		p.pos++
		return p.pointer(r)
	case c == '[' || (c == '.' && !afterIdent):
		return p.navigation(r)
	}
	return nil
}

func (p *refParser) pointer(r *Ref) error {
	r.HasPointer = true
	start := p.pos
	if !p.atEnd() && p.peek() != '/' {
		return p.errf(p.pos, "json pointer must be empty or start with '/' in "+strconv.Quote(p.src))
	}
	for !p.atEnd() {
		c := p.src[p.pos]
		switch c {
		case '~':
			if p.pos+1 >= len(p.src) || (p.src[p.pos+1] != '0' && p.src[p.pos+1] != '1') {
				p.pos++
				return p.errf(p.pos-1, "'~' in json pointer must be followed by 0 or 1")
			}
			p.pos += 2
			continue
		case '{', '}':
			return p.errf(p.pos, strconv.Quote(string(c))+" is not allowed in a json pointer")
		}
		p.pos++
	}
	r.Pointer = p.src[start:p.pos]
	return nil
}

func isMemberByte(c byte) bool {
	switch c {
	case '.', '[', ']', '#', '{', '}', ' ', '\t', '\n', '\r', '\'', '"':
		return false
	}
	return true
}

func (p *refParser) navigation(r *Ref) error {
	for !p.atEnd() {
		switch p.peek() {
		case '.':
			p.pos++
			start := p.pos
			for p.pos < len(p.src) && isMemberByte(p.src[p.pos]) && !p.mode.stops(p.src[p.pos]) {
				p.pos++
			}
			if p.pos == start {
				if p.mode == modeUnbraced {
					p.pos-- // a sentence-ending dot
					return nil
				}
				return p.errf(start, "expected member name after '.'")
			}
			r.Path = append(r.Path, p.src[start:p.pos])
		case '[':
			p.pos++
			start := p.pos
			for p.pos < len(p.src) && isDigit(p.src[p.pos]) {
				p.pos++
			}
			if p.pos == start || p.peek() != ']' {
				return p.errf(start-1, "expected [index] with a non-negative integer")
			}
			r.Path = append(r.Path, p.src[start:p.pos])
			p.pos++
		default:
			return nil
		}
	}
	return nil
}

// String prints the reference as a runtime expression; navigation stays
// navigation (index segments as [n]).
func (r *Ref) String() string {
	var b strings.Builder
	r.writeBase(&b)
	if r.HasPointer {
		b.WriteByte('#')
		b.WriteString(r.Pointer)
	}
	for _, s := range r.Path {
		if isIndex(s) {
			b.WriteByte('[')
			b.WriteString(s)
			b.WriteByte(']')
		} else {
			b.WriteByte('.')
			b.WriteString(s)
		}
	}
	return b.String()
}

// Standard prints the reference in the form the specification defines:
// navigation becomes a JSON pointer.
func (r *Ref) Standard() string {
	var b strings.Builder
	r.writeBase(&b)
	if r.HasPointer || len(r.Path) > 0 {
		b.WriteByte('#')
		b.WriteString(r.Pointer)
		for _, s := range r.Path {
			b.WriteByte('/')
			b.WriteString(EscapePointerToken(s))
		}
	}
	return b.String()
}

func (r *Ref) writeBase(b *strings.Builder) {
	switch r.Kind {
	case KindURL:
		b.WriteString("$url")
	case KindMethod:
		b.WriteString("$method")
	case KindStatusCode:
		b.WriteString("$statusCode")
	case KindSelf:
		b.WriteString("$self")
	case KindRequest, KindResponse, KindMessage:
		b.WriteString([...]string{KindRequest: "$request.", KindResponse: "$response.", KindMessage: "$message."}[r.Kind])
		b.WriteString(r.Field)
		if r.Field != "body" && r.Field != "payload" {
			b.WriteByte('.')
			b.WriteString(r.Name)
		}
	case KindInputs:
		b.WriteString("$inputs.")
		b.WriteString(r.Name)
	case KindOutputs:
		b.WriteString("$outputs.")
		b.WriteString(r.Name)
	case KindSteps:
		b.WriteString("$steps.")
		b.WriteString(r.Step)
		b.WriteString(".outputs.")
		b.WriteString(r.Name)
	case KindWorkflows:
		b.WriteString("$workflows.")
		b.WriteString(r.Workflow)
		b.WriteByte('.')
		b.WriteString(r.Field)
		if r.Field == "steps" {
			b.WriteByte('.')
			b.WriteString(r.Step)
			return
		}
		b.WriteByte('.')
		b.WriteString(r.Name)
	case KindSourceDescriptions:
		b.WriteString("$sourceDescriptions.")
		b.WriteString(r.Name)
		if r.Member != "" {
			b.WriteByte('.')
			b.WriteString(r.Member)
		}
	case KindComponents:
		b.WriteString("$components.")
		b.WriteString(r.Field)
		b.WriteByte('.')
		b.WriteString(r.Name)
	default:
		b.WriteString("$?")
	}
}

// String names the kind as it appears in expressions ("$steps").
func (k Kind) String() string {
	names := [...]string{"invalid", "$url", "$method", "$statusCode", "$request", "$response", "$message",
		"$inputs", "$outputs", "$steps", "$workflows", "$sourceDescriptions", "$components", "$self"}
	if k < 0 || int(k) >= len(names) {
		return "Kind(" + strconv.Itoa(int(k)) + ")"
	}
	return names[k]
}

func isIndex(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// knownRoot reports whether s (after a '$') starts with a runtime-expression
// root word followed by a boundary, so "$100" and "$.items" are not taken
// for expressions.
func knownRoot(s string) bool {
	i := 0
	for i < len(s) && isAlpha(s[i]) {
		i++
	}
	switch s[:i] {
	case "url", "method", "statusCode", "self":
		return i == len(s) || !isStrict(s[i])
	case "request", "response", "message", "inputs", "outputs", "steps", "workflows", "sourceDescriptions", "components":
		return i < len(s) && s[i] == '.'
	}
	return false
}
