package arazzo

import (
	"slices"
	"sort"
	"strings"

	"github.com/arazzo-go/arazzo/expr"
)

// Rule ids. They are stable: tools and CI configurations match on them.
// docs/rules.md documents each one with its severity, meaning and a fix.
const (
	// Input and syntax.
	RuleInputTooLarge  = "input-too-large"
	RuleYAMLSyntax     = "yaml-syntax"
	RuleYAMLAliasLimit = "yaml-alias-limit"
	RuleYAMLDepthLimit = "yaml-depth-limit"
	RuleDuplicateKey   = "duplicate-key"
	RuleNotAnObject    = "not-an-object"

	// Structure (JSON Schema).
	RuleSchema             = "schema"
	RuleMissingField       = "missing-field"
	RuleUnknownField       = "unknown-field"
	RuleUnsupportedVersion = "unsupported-version"

	// Identity and references.
	RuleDuplicateID         = "duplicate-id"
	RuleIDPattern           = "id-pattern"
	RuleKeyPattern          = "key-pattern"
	RuleStepTarget          = "step-target"
	RuleGotoTarget          = "goto-target"
	RuleUnknownWorkflow     = "unknown-workflow"
	RuleUnknownSource       = "unknown-source"
	RuleDependsOnUnknown    = "depends-on-unknown"
	RuleDependsOnCycle      = "depends-on-cycle"
	RuleUnresolvedReference = "unresolved-reference"
	RuleReferenceType       = "reference-type"
	RuleDuplicateParameter  = "duplicate-parameter"
	RuleDuplicateAction     = "duplicate-action"
	RuleParameterMissingIn  = "parameter-missing-in"
	RuleActionParameters    = "action-parameters"
	RuleIgnoredField        = "ignored-field"
	RuleUnknownStepOutput   = "unknown-step-output"
	RuleForwardStepRef      = "forward-step-reference"
	RuleUnknownInput        = "unknown-input"
	RuleUnknownOutput       = "unknown-workflow-output"

	// Expressions.
	RuleInvalidExpression = "invalid-expression"
	RuleInvalidCriterion  = "invalid-criterion"
	RuleInvalidSelector   = "invalid-selector"
	RuleStatusInWorkflow  = "response-in-workflow-step"
	RuleOutputLiteral     = "output-not-expression"

	// Operations and sources.
	RuleOperationNotFound    = "operation-not-found"
	RuleAmbiguousOperation   = "ambiguous-operation"
	RuleUnqualifiedOperation = "unqualified-operation-id"
	RuleInvalidOperationPath = "invalid-operation-path"
	RulePreferOperationID    = "prefer-operation-id"
	RuleParameterUndeclared  = "parameter-not-declared"
	RuleMissingParameter     = "missing-parameter"
	RuleFixedQueryParameter  = "fixed-query-parameter"
	RuleBodyWithoutSemantics = "request-body-method"
	RuleWorkflowStepBody     = "workflow-step-request-body"
	RuleSourceUnavailable    = "source-unavailable"
	// RuleStepNotRunnable is reported by the runtime (arazzo run), not by
	// validation: a binding failure no load diagnostic explains.
	RuleStepNotRunnable   = "step-not-runnable"
	RuleSourceNotFetched  = "source-not-fetched"
	RuleRemoteLocalSource = "remote-local-source"
	RuleSourceNotChecked  = "source-not-checked"

	// Repairs of damaged OpenAPI descriptions (openapi.Repair), reported
	// at their position in the OpenAPI file. The ids are openapi's Rule*
	// constants (TestOpenAPIRepairRules), written out for the registry.
	RuleOpenAPIDanglingRef    = "openapi-dangling-ref"
	RuleOpenAPIMissingFile    = "openapi-missing-file"
	RuleOpenAPIInvalidKeyword = "openapi-invalid-keyword"
	RuleOpenAPIMixedVersion   = "openapi-mixed-version"
	RuleAsyncField            = "async-field"

	// AsyncAPI sources and steps.
	RuleAsyncAPIProblem        = "asyncapi-problem"
	RuleAsyncOperationNotFound = "async-operation-not-found"
	RuleAsyncChannelPath       = "async-channel-path"
	RuleAsyncActionMismatch    = "async-action-mismatch"
	RuleAsyncChannelParameter  = "async-channel-parameter"
	RuleAsyncCorrelationID     = "async-correlation-id"
	RuleAsyncPayloadMember     = "async-payload-member"
	RuleAsyncMessageExpression = "async-message-expression"

	RuleEndlessGoto       = "endless-goto"
	RuleMultipleDocuments = "multiple-documents"

	// Control flow.
	RuleGotoLoop          = "goto-loop"
	RuleUnreachableStep   = "unreachable-step"
	RuleRecursiveWorkflow = "recursive-workflow"
	RuleDeadFailureAction = "dead-failure-action"

	// Data against the OpenAPI operation.
	RulePayloadMedia         = "payload-media-mismatch"
	RulePointerOnNonJSON     = "json-pointer-on-non-json"
	RuleImpossibleComparison = "impossible-comparison"
	RuleUnhandledState       = "unhandled-state"
	RuleSelfOutput           = "self-output-reference"
	RuleJSONPathRootFilter   = "jsonpath-root-filter"

	// Files (cmd/arazzo validate).
	RuleUnreadableFile = "unreadable-file"
	RuleUnknownIgnore  = "unknown-ignore-rule"
)

// ruleDescriptions says in one line what each rule id reports: SARIF's
// shortDescription, which code scanning shows beside every alert. It covers
// the validator's rules and the expression notes of expr that the
// validator passes on; docs/rules.md says the same at more length, with a
// fix for each.
var ruleDescriptions = map[string]string{
	RuleInputTooLarge:  "The document is larger than the loader's size limit.",
	RuleYAMLSyntax:     "The file is not valid YAML or JSON.",
	RuleYAMLAliasLimit: "YAML aliases expand to too many nodes.",
	RuleYAMLDepthLimit: "Values nest deeper than the loader's depth limit.",
	RuleDuplicateKey:   "A mapping repeats a key.",
	RuleNotAnObject:    "The document is empty or its root is not an object.",

	RuleSchema:             "A value breaks the structure the Arazzo specification defines.",
	RuleMissingField:       "A required field is absent.",
	RuleUnknownField:       "A field the Arazzo specification does not define.",
	RuleUnsupportedVersion: "The arazzo version is not 1.0.x or 1.1.x.",

	RuleDuplicateID:         "A source name, workflowId or stepId is used twice.",
	RuleIDPattern:           "A workflowId or stepId uses characters other than [A-Za-z0-9_-].",
	RuleKeyPattern:          "An output or component key does not match ^[a-zA-Z0-9.\\-_]+$.",
	RuleStepTarget:          "A step does not name exactly one of operationId, operationPath, workflowId and channelPath.",
	RuleGotoTarget:          "A goto or retry stepId is not a step of the same workflow.",
	RuleUnknownWorkflow:     "A workflowId names no workflow.",
	RuleUnknownSource:       "A source description name names no source description.",
	RuleDependsOnUnknown:    "A dependsOn entry names nothing or has a form that is not allowed.",
	RuleDependsOnCycle:      "Workflows or steps depend on each other in a cycle.",
	RuleUnresolvedReference: "A reference names no component.",
	RuleReferenceType:       "A reusable object points at the wrong type of component.",
	RuleDuplicateParameter:  "A list repeats a parameter (same name and in).",
	RuleDuplicateAction:     "A list repeats an action name.",
	RuleParameterMissingIn:  "A parameter of an operation step has no in.",
	RuleActionParameters:    "Action parameters without a workflowId, or with in.",
	RuleIgnoredField:        "A field that has no effect for the action type.",
	RuleUnknownStepOutput:   "A $steps expression names a step or output that does not exist.",
	RuleForwardStepRef:      "A step reads outputs of a step that comes later.",
	RuleUnknownInput:        "An input that the workflow does not declare.",
	RuleUnknownOutput:       "A workflow output that the workflow does not define.",

	RuleInvalidExpression: "A runtime expression or {$...} template does not parse.",
	RuleInvalidCriterion:  "A criterion's condition does not compile.",
	RuleInvalidSelector:   "A selector does not compile.",
	RuleStatusInWorkflow:  "A response expression in a step that calls a workflow, where it has no value.",
	RuleOutputLiteral:     "An output value is constant text, not a runtime expression.",

	RuleOperationNotFound:     "The operation is in no loaded OpenAPI source description.",
	RuleAmbiguousOperation:    "A bare operationId exists in several source descriptions.",
	RuleUnqualifiedOperation:  "A bare operationId while there are several source descriptions.",
	RuleInvalidOperationPath:  "An operationPath does not point at an OpenAPI operation.",
	RulePreferOperationID:     "An operationPath is used although the operation has an operationId.",
	RuleParameterUndeclared:   "A parameter the OpenAPI operation does not declare.",
	RuleMissingParameter:      "A parameter the OpenAPI operation requires is not set.",
	RuleFixedQueryParameter:   "A step sets a query parameter that the operation's path key already fixes.",
	RuleBodyWithoutSemantics:  "A request body on a GET, HEAD or DELETE operation.",
	RuleWorkflowStepBody:      "A request body on a step that calls a workflow, where it is ignored.",
	RuleSourceUnavailable:     "A source description cannot be loaded or is invalid.",
	RuleSourceNotFetched:      "A remote source description was not fetched, so its operations are not checked.",
	RuleRemoteLocalSource:     "A document loaded from a URL names a local file, which is not read.",
	RuleSourceNotChecked:      "An AsyncAPI source of a version other than 2.x or 3.x, whose operations and channels are not checked.",
	RuleOpenAPIDanglingRef:    "A $ref in an OpenAPI description points to nothing; the description is loaded with it repaired.",
	RuleOpenAPIMissingFile:    "A $ref in an OpenAPI description names a file that cannot be read; the file is treated as empty.",
	RuleOpenAPIInvalidKeyword: "An OpenAPI keyword has the wrong type for the declared version; it is converted or removed.",
	RuleOpenAPIMixedVersion:   "A Swagger 2.0 construct in an OpenAPI 3 description; it is read in its OpenAPI 3 form.",
	RuleAsyncField:            "An AsyncAPI field where it does not apply.",

	// AsyncAPI sources and steps.
	RuleAsyncAPIProblem:        "A part of an AsyncAPI description that cannot be read (a $ref that does not resolve, a wrong type); it is left out.",
	RuleAsyncOperationNotFound: "An operationId or operationPath names no operation of its AsyncAPI source description.",
	RuleAsyncChannelPath:       "A channelPath that does not point at a channel of an AsyncAPI source description.",
	RuleAsyncActionMismatch:    "A step's action goes the same way as its AsyncAPI operation, whose peer the workflow is.",
	RuleAsyncChannelParameter:  "A parameter of the channel address that the step does not set.",
	RuleAsyncCorrelationID:     "A step and its AsyncAPI message disagree on the correlationId: unset on a receive step, or not filled in by a send step.",
	RuleAsyncPayloadMember:     "A payload or header member that the AsyncAPI message's schema does not declare.",
	RuleAsyncMessageExpression: "A $message expression in a step that sends or receives no message.",

	RuleEndlessGoto:       "A step's success goto targets the step itself with no criteria.",
	RuleMultipleDocuments: "The file holds more than one YAML document; only the first is read.",

	RuleGotoLoop:             "A goto loop that no successful response leaves.",
	RuleUnreachableStep:      "A step that no path of the workflow reaches.",
	RuleRecursiveWorkflow:    "A workflow that starts itself again on every run, directly or through other workflows, in this or other Arazzo documents.",
	RuleDeadFailureAction:    "A failure action whose criteria only hold for responses that pass the successCriteria.",
	RulePayloadMedia:         "A request payload that does not fit its media type.",
	RulePointerOnNonJSON:     "A JSON Pointer into a response that the operation declares as XML, HTML or text only.",
	RuleImpossibleComparison: "A comparison with a value the response schema rules out, so it never or always holds.",
	RuleUnhandledState:       "Success actions branch on a response field but miss values its enum allows.",
	RuleSelfOutput:           "A step reads its own outputs, which have no value while it runs.",
	RuleJSONPathRootFilter:   "A JSONPath filter at the root of an object body, which tests its members, not the body.",
	RuleUnreadableFile:       "A file given to validate could not be read.",
	RuleUnknownIgnore:        "An arazzo-ignore comment that names no rule, so it suppresses nothing.",
	RuleStepNotRunnable:      "arazzo run: a step or workflow could not be bound for a reason no other rule reports.",

	expr.RuleHeaderPlural:       "$response.headers is not standard; the source is $response.header.",
	expr.RuleHeaderPointer:      "A header is named with a JSON pointer instead of .<name>.",
	expr.RuleDotNavigation:      "Dot or index navigation outside a simple condition; a JSON pointer is standard.",
	expr.RuleUnbracedExpression: "Text looks like a runtime expression but is kept as text.",
	expr.RuleDoubleQuotes:       "A double-quoted string in a simple condition, where strings are single-quoted.",
	expr.RuleBareOperand:        "An operand used as a boolean in a simple condition.",
	expr.RuleJSONPathDialect:    "A simple criterion compares JSONPath values.",
	expr.RuleXPathVersion:       "An XPath version beyond 1.0, evaluated with an XPath 1.0 engine.",
	expr.RuleMissingContext:     "A regex, JSONPath or XPath criterion without a context.",
	expr.RuleEqualsTypo:         "=== or !== in a simple condition, which has == and !=.",
	expr.RuleBracedOperand:      "A {$...} operand in a simple condition, where expressions are bare.",
	expr.RuleJSONPathLength:     ".length on a JSONPath query: the number of nodes or elements, which RFC 9535 cannot express.",
	expr.RuleJSONPathExpression: "A runtime expression compared with a JSONPath query, which cannot hold one.",
	expr.RuleExpressionInText:   "A runtime expression inside a string literal or pattern, matched as written.",

	// lint2 block (issue 14, second pass).
	expr.RuleMissingOutputs: "A $steps or $workflows expression without .outputs. before the output name.",

	sarifNoRule: "A diagnostic without a rule id of its own.",
}

// Default severities of the rules, as docs/rules.md states them. A rule
// whose check reports either, depending on the case (the message says
// which), is DefaultMixed. Rules missing here are errors; a test keeps
// this map, ruleDescriptions and docs/rules.md in step.
var ruleSeverities = map[string]RuleSeverity{
	RuleIDPattern:  DefaultWarning,
	RuleAsyncField: DefaultMixed,

	// AsyncAPI sources and steps.
	RuleAsyncAPIProblem:       DefaultWarning,
	RuleAsyncActionMismatch:   DefaultWarning,
	RuleAsyncChannelParameter: DefaultMixed,
	RuleAsyncCorrelationID:    DefaultWarning,
	RuleAsyncPayloadMember:    DefaultWarning,

	RuleEndlessGoto:           DefaultWarning,
	RuleIgnoredField:          DefaultWarning,
	RuleForwardStepRef:        DefaultWarning,
	RuleUnknownInput:          DefaultMixed,
	RuleOutputLiteral:         DefaultWarning,
	RuleStatusInWorkflow:      DefaultWarning,
	RuleUnqualifiedOperation:  DefaultWarning,
	RulePreferOperationID:     DefaultWarning,
	RuleParameterUndeclared:   DefaultWarning,
	RuleMissingParameter:      DefaultMixed,
	RuleFixedQueryParameter:   DefaultWarning,
	RuleBodyWithoutSemantics:  DefaultWarning,
	RuleWorkflowStepBody:      DefaultWarning,
	RuleSourceNotFetched:      DefaultWarning,
	RuleSourceNotChecked:      DefaultWarning,
	RuleOpenAPIDanglingRef:    DefaultWarning,
	RuleOpenAPIMissingFile:    DefaultWarning,
	RuleOpenAPIInvalidKeyword: DefaultWarning,
	RuleOpenAPIMixedVersion:   DefaultWarning,
	RuleGotoLoop:              DefaultWarning,
	RuleUnreachableStep:       DefaultWarning,
	RuleDeadFailureAction:     DefaultWarning,
	RuleRecursiveWorkflow:     DefaultWarning,
	RulePayloadMedia:          DefaultWarning,
	RulePointerOnNonJSON:      DefaultWarning,
	RuleImpossibleComparison:  DefaultWarning,
	RuleUnhandledState:        DefaultWarning,
	RuleSelfOutput:            DefaultWarning,
	RuleJSONPathRootFilter:    DefaultWarning,
	RuleUnknownIgnore:         DefaultWarning,

	expr.RuleHeaderPlural:       DefaultWarning,
	expr.RuleHeaderPointer:      DefaultWarning,
	expr.RuleDotNavigation:      DefaultWarning,
	expr.RuleUnbracedExpression: DefaultWarning,
	expr.RuleDoubleQuotes:       DefaultWarning,
	expr.RuleBareOperand:        DefaultWarning,
	expr.RuleJSONPathDialect:    DefaultWarning,
	expr.RuleXPathVersion:       DefaultWarning,
	expr.RuleMissingContext:     DefaultWarning,
	expr.RuleEqualsTypo:         DefaultWarning,
	expr.RuleBracedOperand:      DefaultWarning,
	expr.RuleJSONPathLength:     DefaultWarning,
	expr.RuleJSONPathExpression: DefaultWarning,
	expr.RuleExpressionInText:   DefaultWarning,

	// lint2 block (issue 14, second pass).
	expr.RuleMissingOutputs: DefaultError,
}

// RuleSeverity is the severity a rule reports with before any
// configuration changes it.
type RuleSeverity string

// Default rule severities.
const (
	DefaultError   RuleSeverity = "error"
	DefaultWarning RuleSeverity = "warning"
	// DefaultMixed rules report an error or a warning depending on the case.
	DefaultMixed RuleSeverity = "error/warning"
)

// RuleInfo describes one rule id for listings (validate --list-rules) and
// configuration checks.
type RuleInfo struct {
	ID       string
	Severity RuleSeverity
	Why      string // one sentence
}

// Rules returns every rule the validator can report, its own and the
// expression notes of expr, sorted by id. It is the one registry that
// --list-rules prints and that docs/rules.md is tested against.
func Rules() []RuleInfo {
	out := make([]RuleInfo, 0, len(ruleDescriptions))
	for id, why := range ruleDescriptions {
		if id == sarifNoRule {
			continue
		}
		out = append(out, RuleInfo{ID: id, Severity: ruleSeverity(id), Why: why})
	}
	slices.SortFunc(out, func(a, b RuleInfo) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// LookupRule returns the registry entry of a rule id.
func LookupRule(id string) (RuleInfo, bool) {
	why, ok := ruleDescriptions[id]
	if !ok || id == sarifNoRule {
		return RuleInfo{}, false
	}
	return RuleInfo{ID: id, Severity: ruleSeverity(id), Why: why}, true
}

// SuggestRule returns the rule id nearest to id, for "did you mean" in
// configuration errors, or "".
func SuggestRule(id string) string {
	ids := make([]string, 0, len(ruleDescriptions))
	for k := range ruleDescriptions {
		if k != sarifNoRule {
			ids = append(ids, k)
		}
	}
	sort.Strings(ids)
	return closest(id, ids)
}

func ruleSeverity(id string) RuleSeverity {
	if s, ok := ruleSeverities[id]; ok {
		return s
	}
	return DefaultError
}
