// Package expr compiles and evaluates the expression languages of Arazzo:
// runtime expressions ($inputs.x, $steps.s.outputs.y, $response.body#/id),
// templates with embedded {$...} expressions, simple conditions, and the
// criteria types simple, regex, jsonpath and xpath.
//
// Everything is compiled once (at document load) and evaluated many times
// against a Scope that the caller implements. The package imports nothing of
// this project; positions are byte offsets into the source string so that the
// caller can map them to file:line:col.
//
// # Runtime expressions
//
// Parse reads the structured grammar of Arazzo 1.1 for documents of every
// version: step, workflow and source ids are [A-Za-z0-9_-]+, input and
// output names may contain dots, and any of them may end with a JSON
// Pointer ("#/a/0"). Evaluation asks the Scope for the base value named by
// the Ref (kind, step, field, name) and applies the pointer itself. When
// the exact dotted name is absent ($inputs.user.name with no input
// "user.name"), the longest defined prefix is looked up and the rest is
// navigated, as if "$inputs.user#/name" had been written.
//
// Real-world forms outside the grammar are accepted with a Note that carries
// the standard form: $response.headers.X, dot navigation outside conditions
// ($response.body.a.b), unbraced expressions in text ("Bearer
// $inputs.token"), double-quoted strings in simple conditions, and the
// JSONPath comparison dialect ($.state == "STOPPED").
//
// # Values
//
// ParseValue decides whether a string is an expression: the whole string
// parsing as one runtime expression gives a typed value; "{$...}" inside
// text gives a string (objects and arrays as JSON, null as ""); everything
// else, including "$100" and "$.items[*]", is a literal.
//
// # Conditions and criteria
//
// Simple conditions have the precedence || < && < (!, comparison, grouping);
// comparisons do not chain. Strings compare case-insensitively, numeric
// strings are coerced against numbers, null equals only null, and a
// comparison with an absent value is false. A bare operand passes when it
// is present and neither null nor false.
//
// JSONPath criteria pass when the query selects at least one node (RFC 9535
// by default, the Goessner draft on request). Conditions that are not RFC
// 9535 but compare singular queries with literals ($.state == "STOPPED",
// $.data.length > 0) are evaluated with the simple-condition rules. Regex
// criteria use ECMAScript syntax, search without implicit anchors and time
// out after RegexTimeout. XPath criteria use an XPath 1.0 engine and the
// Effective Boolean Value.
//
// Criterion.Eval never panics and always explains itself: the operands it
// read and the operator, or the query and how many nodes it selected.
// Values read through names that look secret (token, password, apikey, ...)
// are shown as <redacted>.
package expr
