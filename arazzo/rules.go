package arazzo

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
	RuleBodyWithoutSemantics = "request-body-method"
	RuleWorkflowStepBody     = "workflow-step-request-body"
	RuleSourceUnavailable    = "source-unavailable"
	RuleSourceNotFetched     = "source-not-fetched"
	RuleSourceNotChecked     = "source-not-checked"
	RuleAsyncField           = "async-field"
)
