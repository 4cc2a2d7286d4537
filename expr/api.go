package expr

// CONTRACT FILE: the exported API below is shared by arazzo/, openapi/ and
// runtime/. Change a signature only together with every caller.

// Kind is the root of a runtime expression.
type Kind int

// The roots of the runtime-expression grammar.
const (
	KindInvalid            Kind = iota
	KindURL                     // $url
	KindMethod                  // $method
	KindStatusCode              // $statusCode
	KindRequest                 // $request.{header,query,path,body}
	KindResponse                // $response.{header,body}
	KindMessage                 // $message.{header,payload} (1.1)
	KindInputs                  // $inputs.<name>
	KindOutputs                 // $outputs.<name>
	KindSteps                   // $steps.<stepId>.outputs.<name>
	KindWorkflows               // $workflows.<id>.{inputs,outputs}.<name>
	KindSourceDescriptions      // $sourceDescriptions.<name>.<ref>
	KindComponents              // $components.<type>.<key>
	KindSelf                    // $self (1.1)
)

// Ref is what one runtime expression refers to. The Scope resolves the base
// value named by Kind/Step/Workflow/Field/Name; expr then applies Pointer and
// Path.
type Ref struct {
	Kind Kind
	// Field: for Request/Response/Message "header", "query", "path", "body",
	// "payload"; for Workflows "inputs" or "outputs", or "steps" for the
	// 1.1 dependsOn form $workflows.<id>.steps.<Step>; for Components the
	// component type ("parameters", "successActions", "failureActions",
	// "inputs").
	Field    string
	Step     string // $steps.<Step>
	Workflow string // $workflows.<Workflow>
	// Name: input/output name, header/query/path name, source description
	// name (for $sourceDescriptions, with the rest in Member), component key.
	Name string
	// Member is the part after the source name of $sourceDescriptions.<name>.<member>;
	// empty for $sourceDescriptions.<name>#<pointer> (a pointer into the source document).
	Member string
	// Pointer is the RFC 6901 JSON Pointer after '#', still escaped
	// ("/a~1b/0"); HasPointer distinguishes "#" (whole value) from none.
	Pointer    string
	HasPointer bool
	// Path is dotted/indexed navigation after the base ("data", "0", "id"
	// for $response.body.data[0].id). Standard in simple conditions; a
	// lenient extension (with a Note) elsewhere.
	Path []string
	// Offset and End are byte offsets of the expression in its source string.
	Offset, End int
}

// Scope supplies the values expressions read. The runtime implements it.
// Lookup returns the base value named by ref (ignoring ref.Pointer and
// ref.Path, which expr applies). A missing value is reported by returning an
// error that wraps ErrAbsent and says why ("step \"x\" has not run").
// Header lookups must be case-insensitive.
type Scope interface {
	Lookup(ref *Ref) (any, error)
}

// Note is a non-fatal finding: a real-world dialect that was accepted, with
// the standard form the author should write instead.
type Note struct {
	Offset, End int
	Rule        string // stable kebab-case id, e.g. "jsonpath-comparison-dialect"
	Msg         string
	Fix         string // the standard form, when one exists
}

// Error is a compile or evaluation error located in the source string.
// Rule and Fix are empty for a plain syntax error; a mistake common enough
// to have a rule of its own ($steps.x.y without ".outputs.") names it and
// gives the expression the author meant.
type Error struct {
	Offset, End int
	Msg         string
	Rule        string // stable kebab-case id, e.g. "missing-outputs-segment"
	Fix         string // the corrected expression
}

func (e *Error) Error() string { return e.Msg }
