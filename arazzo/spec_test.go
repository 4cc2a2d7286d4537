package arazzo

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/arazzo-go/arazzo/expr"
	"github.com/arazzo-go/arazzo/internal/testutil"
)

// specPassExceptions lists the errors that pass fixtures and examples DO
// give, each for a documented reason; the test asserts exactly these rules.
var specPassExceptions = map[string][]string{
	// The fixture refers to ./oauth.openapi.yaml, which lives in examples/, not beside it.
	"tests/v1.0/pass/oauth-example.yaml": {RuleSourceUnavailable},
	"tests/v1.1/pass/oauth-example.yaml": {RuleSourceUnavailable},
	// Same for ./pet-coupons.openapi.yaml.
	"tests/v1.0/pass/pet-coupons-example.yaml": {RuleSourceUnavailable},
	"tests/v1.1/pass/pet-coupons-example.yaml": {RuleSourceUnavailable},
	// Four local OpenAPI files and one AsyncAPI file that are not part of the fixture set.
	"tests/v1.1/pass/openapi-and-asyncapi.arazzo.yaml": {RuleSourceUnavailable, RuleSourceUnavailable, RuleSourceUnavailable, RuleSourceUnavailable, RuleSourceUnavailable},
	// The source is named "UserAPI" but referenced as "userAPI"; names are case-sensitive.
	"tests/v1.1/pass/openapi-success-criteria.arazzo.yaml":  {RuleUnknownSource},
	"tests/v1.1/pass/workflow-success-criteria.arazzo.yaml": {RuleUnknownSource},
	// Characterizes the official schema only: the spec requires a runtime
	// expression that names the source, so the operation cannot be found.
	"tests/v1.1/pass/characterization-openapi-invalid-operationPath-string.arazzo.yaml": {RuleInvalidOperationPath},
	// The same for channelPath, which the spec also requires to be a runtime
	// expression naming the source ({$sourceDescriptions.<name>.url}#/channels/...).
	"tests/v1.1/pass/characterization-async-invalid-channelPath-string.arazzo.yaml": {RuleAsyncChannelPath},
	"tests/v1.1/pass/async-with-channel-path.arazzo.yaml":                           {RuleAsyncChannelPath},
	// Notes §13: ./animals.yaml does not exist.
	"examples/1.0.0/ExtendedParametersExample.arazzo.yaml": {RuleSourceUnavailable},
	// The step passes "pet_id" but getPetCoupons declares the path parameter
	// "petId": the request URL cannot be built.
	"examples/1.0.0/pet-coupons.arazzo.yaml": {RuleMissingParameter},
	// The OpenAPI operation is "Par"; operationIds are case-sensitive.
	"examples/1.0.0/FAPI-PAR.arazzo.yaml": {RuleOperationNotFound},
	// Notes §13 (bnpl): a step reads its own undefined output redirectAuthToken,
	// loanTransactionId is never defined (twice), and a workflow output lacks
	// ".outputs." (only in the examples/ copy).
	"examples/1.0.0/bnpl-arazzo.yaml":   {RuleUnknownStepOutput, RuleUnknownStepOutput, RuleUnknownStepOutput, expr.RuleMissingOutputs},
	"tests/v1.0/pass/bnpl-example.yaml": {RuleUnknownStepOutput, RuleUnknownStepOutput, RuleUnknownStepOutput},
	"tests/v1.1/pass/bnpl-example.yaml": {RuleUnknownStepOutput, RuleUnknownStepOutput, RuleUnknownStepOutput},
	// $workflows.<id>.steps.<step>.outputs.<name> is not in the 1.1 ABNF
	// (only dependsOn has the .steps. form, issue #557).
	"tests/v1.1/pass/async-depends-on-cross-workflow.arazzo.yaml": {RuleInvalidExpression},
	// $steps.previous.outputs names no output (and there is no step "previous").
	"tests/v1.1/pass/payload-replacement-using-selector.arazzo.yaml": {RuleInvalidExpression},
}

// specFailRules names, for each fail fixture, the rule that must report
// its real problem.
var specFailRules = map[string]string{
	"tests/v1.0/fail/invalid-arazzo-version.yaml":                                 RuleUnsupportedVersion,
	"tests/v1.0/fail/not-an-object.yaml":                                          RuleNotAnObject,
	"tests/v1.1/fail/async-both-operationId-and-channelPath.arazzo.yaml":          RuleStepTarget,
	"tests/v1.1/fail/async-channelPath-without-action.arazzo.yaml":                RuleAsyncField,
	"tests/v1.1/fail/async-depends-on-duplicate-values.arazzo.yaml":               RuleSchema,
	"tests/v1.1/fail/async-depends-on-empty.arazzo.yaml":                          RuleSchema,
	"tests/v1.1/fail/async-depends-on-invalid-reference.arazzo.yaml":              RuleDependsOnUnknown,
	"tests/v1.1/fail/channel-path-is-invalid-for-openapi.arazzo.yaml":             RuleStepTarget,
	"tests/v1.1/fail/invalid-arazzo-version.yaml":                                 RuleUnsupportedVersion,
	"tests/v1.1/fail/invalid-async-correlation-id-non-receive-action.arazzo.yaml": RuleAsyncField,
	"tests/v1.1/fail/invalid-async-parameter-without-in.arazzo.yaml":              RuleParameterMissingIn,
	"tests/v1.1/fail/invalid-async.arazzo.yaml":                                   RuleSchema,
	"tests/v1.1/fail/invalid-expression-type-object.arazzo.yaml":                  RuleSchema,
	"tests/v1.1/fail/invalid-openapi-parameter-without-in.arazzo.yaml":            RuleParameterMissingIn,
	"tests/v1.1/fail/invalid-openapi-success-criteria.arazzo.yaml":                RuleSchema,
	"tests/v1.1/fail/invalid-querystring-without-value.arazzo.yaml":               RuleMissingField,
	"tests/v1.1/fail/invalid-selector-object.arazzo.yaml":                         RuleMissingField,
	"tests/v1.1/fail/invalid-self-fragment.arazzo.yaml":                           RuleSchema,
	"tests/v1.1/fail/invalid-targetSelectorType.arazzo.yaml":                      RuleSchema,
	"tests/v1.1/fail/invalid-workflow-step-with-operationId.arazzo.yaml":          RuleStepTarget,
	"tests/v1.1/fail/invalid-workflow-success-criteria.arazzo.yaml":               RuleSchema,
	"tests/v1.1/fail/not-an-object.yaml":                                          RuleNotAnObject,
	"tests/v1.1/fail/openapi-both-operationId-and-operationPath.arazzo.yaml":      RuleStepTarget,
	"tests/v1.1/fail/openapi-duplicate-parameters.arazzo.yaml":                    RuleDuplicateParameter,
	"tests/v1.1/fail/openapi-missing-operation-target.arazzo.yaml":                RuleStepTarget,
	"tests/v1.1/fail/workflow-duplicate-parameters.arazzo.yaml":                   RuleDuplicateParameter,
	"tests/v1.1/fail/workflow-missing-workflowId.arazzo.yaml":                     RuleStepTarget,
	"tests/v1.1/fail/workflow-step-with-action.arazzo.yaml":                       RuleAsyncField,
	"tests/v1.1/fail/workflow-step-with-channelPath.arazzo.yaml":                  RuleStepTarget,
}

func TestSpecFixtures(t *testing.T) {
	dir := testutil.SharedDir(t, "arazzo-spec")
	var files []string
	for _, pattern := range []string{"tests/v1.*/*/*.yaml", "examples/*/*arazzo*.yaml"} {
		m, err := filepath.Glob(filepath.Join(dir, pattern))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 60 {
		t.Fatalf("found only %d spec fixtures in %s", len(files), dir)
	}
	seenFail := 0
	for _, f := range files {
		rel, _ := filepath.Rel(dir, f)
		rel = filepath.ToSlash(rel)
		t.Run(rel, func(t *testing.T) {
			_, ds, err := Load(context.Background(), f, LoadOptions{})
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			var errs []string
			for _, d := range ds {
				if d.Severity == SeverityError {
					errs = append(errs, d.Rule)
				}
			}
			if strings.Contains(rel, "/fail/") {
				seenFail++
				want, ok := specFailRules[rel]
				if !ok {
					t.Fatalf("fail fixture has no expected rule in specFailRules; it gives:\n%v", ds)
				}
				if !slices.Contains(errs, want) {
					t.Errorf("want an error with rule %s, got:\n%v", want, ds)
				}
				return
			}
			want := slices.Clone(specPassExceptions[rel])
			slices.Sort(want)
			slices.Sort(errs)
			if !slices.Equal(errs, want) {
				t.Errorf("errors %v, want exactly %v (documented exceptions); diagnostics:\n%v", errs, want, ds)
			}
		})
	}
	if seenFail != len(specFailRules) {
		t.Errorf("ran %d fail fixtures, the table has %d", seenFail, len(specFailRules))
	}
}
