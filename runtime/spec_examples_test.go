package runtime_test

import (
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/arazzo-go/arazzo/runtime"
)

// TestOfficialExampleConstructs runs our own small documents that exercise
// the constructs of the official 1.0.0 examples (bnpl, oauth, pet-coupons,
// FAPI-PAR, ExtendedParametersExample). The official documents themselves do
// not run unchanged (notes §13: pet-coupons sets path parameter pet_id where
// the operation declares petId; ExtendedParametersExample has no OpenAPI).
func TestOfficialExampleConstructs(t *testing.T) {
	tests := []ruleCase{
		{
			// bnpl: the first onSuccess action whose criteria pass wins, even
			// when a later, more specific one also matches.
			name: "bnpl first matching success action shadows later ones",
			doc: mainSteps + `
      - stepId: check
        operationId: getItem
        parameters: [{name: id, in: path, value: "1"}]
        successCriteria: [{condition: $statusCode == 200}]
        onSuccess:
          - {name: notEligible, type: end, criteria: [{condition: $response.body#/eligible == false}]}
          - {name: found, type: goto, stepId: buy, criteria: [{context: $response.body, condition: "$[?count(@.products) > 0]", type: jsonpath}]}
          - {name: notFound, type: end, criteria: [{context: $response.body, condition: "$.products[?@ == 'none']", type: jsonpath}]}
      - stepId: skipped
        operationId: getJob
        parameters: [{name: id, in: path, value: s}]
      - stepId: buy
        operationId: createItem
`,
			script: map[string][]answer{"getItem": {{body: `{"eligible":false,"products":["none"]}`}}},
			status: runtime.Succeeded, trace: "check:end",
			check: func(t *testing.T, res *runtime.Result, _ []*recordedRequest) {
				if res.Steps[0].ActionName != "notEligible" {
					t.Errorf("action %q, want the first match notEligible", res.Steps[0].ActionName)
				}
				var owners []string
				for _, c := range res.Steps[0].Criteria {
					owners = append(owners, c.Action)
				}
				if !reflect.DeepEqual(owners, []string{"", "notEligible"}) {
					t.Errorf("criteria belong to %q, want the successCriteria then notEligible's only", owners)
				}
			},
		},
		{
			// oauth: $outputs in a workflow step's outputs is the called
			// workflow's outputs; the next step posts it form-encoded; the
			// jsonpath filter on an object body is vacuously true (notes §13).
			name: "oauth outputs of a workflow step feed a form body",
			doc: `workflows:
  - workflowId: main
    inputs: {type: object, properties: {my_client_id: {type: string}, my_client_secret: {type: string}}}
    steps:
      - stepId: auth
        workflowId: code-flow
        parameters:
          - {name: client_id, value: $inputs.my_client_id}
          - {name: client_secret, value: $inputs.my_client_secret}
        outputs: {my_refresh_token: $outputs.refresh_token}
      - stepId: refresh
        operationId: createItem
        requestBody:
          contentType: application/x-www-form-urlencoded
          payload: {grant_type: refresh_token, refresh_token: $steps.auth.outputs.my_refresh_token}
        successCriteria:
          - condition: $statusCode == 200
          - {context: $response.body, condition: "$[?@.access_token != null]", type: jsonpath}
        outputs: {access_token: $response.body#/access_token}
    outputs: {access_token: $steps.refresh.outputs.access_token}
  - workflowId: code-flow
    inputs: {type: object, properties: {client_id: {type: string}, client_secret: {type: string}}}
    steps:
      - stepId: token
        operationId: refreshToken
        requestBody:
          contentType: application/x-www-form-urlencoded
          payload: {client_id: $inputs.client_id, client_secret: $inputs.client_secret, grant_type: authorization_code}
        outputs: {refresh_token: $response.body#/refresh_token}
    outputs: {refresh_token: $steps.token.outputs.refresh_token}
`,
			inputs: map[string]any{"my_client_id": "cid", "my_client_secret": "s3cret-value"},
			script: map[string][]answer{"refreshToken": {{body: `{"refresh_token":"r1"}`}}, "createItem": {{body: `{"access_token":"a1"}`}}},
			status: runtime.Succeeded, trace: "token:next auth:next refresh:next", outputs: `{"access_token":"a1"}`,
			check: func(t *testing.T, res *runtime.Result, reqs []*recordedRequest) {
				first, _ := url.ParseQuery(reqs[0].Body)
				if first.Get("client_secret") != "s3cret-value" || first.Get("grant_type") != "authorization_code" {
					t.Errorf("sub-workflow form body %q", reqs[0].Body)
				}
				second, _ := url.ParseQuery(reqs[1].Body)
				if second.Get("refresh_token") != "r1" {
					t.Errorf("refresh form body %q, want refresh_token=r1 from $outputs", reqs[1].Body)
				}
				// Tokens learned at run time stay out of the recorded
				// previews (reports, --json), though the workflow outputs
				// the access token it was written to produce.
				for _, a := range res.Steps {
					if a.Request != nil && strings.Contains(a.Request.BodyPreview(), "r1") {
						t.Errorf("step %s request preview %q shows the refresh token", a.StepID, a.Request.BodyPreview())
					}
					if a.Response != nil && (strings.Contains(a.Response.BodyPreview(), "r1") || strings.Contains(a.Response.BodyPreview(), "a1")) {
						t.Errorf("step %s response preview %q shows a token", a.StepID, a.Response.BodyPreview())
					}
				}
			},
		},
		{
			// pet-coupons: inputs $ref to components, also nested in
			// properties, and reusable parameters with a value override.
			name: "pet-coupons inputs ref and reusable parameter override",
			doc: `components:
  inputs:
    apply: {type: object, properties: {tags: {type: array, items: {type: string}}, store_id: {$ref: "#/components/inputs/store_id"}}, required: [store_id]}
    store_id: {type: string, minLength: 3}
  parameters:
    page: {name: q, in: query, value: "1"}
    trace: {name: X-Trace, in: header, value: "100"}
workflows:
  - workflowId: main
    inputs: {$ref: "#/components/inputs/apply"}
    steps:
      - stepId: find
        operationId: getItem
        parameters:
          - {name: id, in: path, value: $inputs.store_id}
          - {name: tags, in: query, value: $inputs.tags}
          - {reference: $components.parameters.page, value: "2"}
          - {reference: $components.parameters.trace}
`,
			inputs: map[string]any{"store_id": "pets.example.com", "tags": []any{"puppy", "dalmatian"}},
			status: runtime.Succeeded,
			check: func(t *testing.T, res *runtime.Result, reqs []*recordedRequest) {
				u, _ := url.Parse(reqs[0].URL)
				if u.Query().Get("q") != "2" || !reflect.DeepEqual(u.Query()["tags"], []string{"puppy", "dalmatian"}) {
					t.Errorf("query %s", u.RawQuery)
				}
				if reqs[0].Header.Get("X-Trace") != "100" {
					t.Errorf("X-Trace %q", reqs[0].Header.Get("X-Trace"))
				}
			},
		},
		{
			// pet-coupons: "$statusCode == 200" on a workflow step has no
			// value there, so the criterion fails although the child succeeded.
			name: "pet-coupons statusCode criterion on a workflow step fails",
			doc: mainSteps + `
      - stepId: order
        workflowId: child
        successCriteria: [{condition: $statusCode == 200}]
  - workflowId: child
    steps:
      - stepId: get
        operationId: getItem
        parameters: [{name: id, in: path, value: "1"}]
`,
			status: runtime.Failed, trace: "get:next order:fail", errHas: "statusCode",
		},
		{
			// ExtendedParametersExample: workflow-level and step-level cookie
			// parameters are merged into one Cookie header, with headers kept.
			name: "extended parameters merge workflow and step cookies",
			doc: `workflows:
  - workflowId: main
    parameters:
      - {in: cookie, name: workflowLevelParamOne, value: someValue}
      - {in: header, name: workflowLevelParamTwo, value: someValue}
    steps:
      - stepId: get
        operationId: getItem
        parameters:
          - {name: id, in: path, value: "1"}
          - {in: cookie, name: session, value: SUPER_SECRET}
      - stepId: job
        operationId: getJob
        parameters: [{name: id, in: path, value: j}]
`,
			status: runtime.Succeeded,
			check: func(t *testing.T, res *runtime.Result, reqs []*recordedRequest) {
				for i, r := range reqs {
					c := r.Header.Get("Cookie")
					if !strings.Contains(c, "workflowLevelParamOne=someValue") || r.Header.Get("workflowLevelParamTwo") != "someValue" {
						t.Errorf("request %d lost a workflow parameter: Cookie %q, headers %v", i, c, r.Header)
					}
					if len(r.Header.Values("Cookie")) != 1 {
						t.Errorf("request %d sent %d Cookie headers", i, len(r.Header.Values("Cookie")))
					}
				}
				if !strings.Contains(reqs[0].Header.Get("Cookie"), "session=SUPER_SECRET") {
					t.Errorf("step cookie missing: %q", reqs[0].Header.Get("Cookie"))
				}
			},
		},
		{
			// FAPI-PAR: the whole payload is one expression (an object input)
			// sent form-encoded; the token step uses a string template.
			name: "fapi whole-object form payload and string template",
			doc: `workflows:
  - workflowId: main
    inputs: {type: object, properties: {PARrequestBody: {type: object}, code_verifier: {type: string}}}
    steps:
      - stepId: par
        operationId: createItem
        requestBody:
          contentType: application/x-www-form-urlencoded
          payload: $inputs.PARrequestBody
        outputs: {code: $response.body#/code}
      - stepId: token
        operationId: createItem
        requestBody:
          contentType: application/x-www-form-urlencoded
          payload: "grant_type=authorization_code&code={$steps.par.outputs.code}&code_verifier={$inputs.code_verifier}"
`,
			inputs: map[string]any{"PARrequestBody": map[string]any{"response_type": "code", "scope": "openid accounts"}, "code_verifier": "v1"},
			script: map[string][]answer{"createItem": {{body: `{"code":"c-9"}`}}},
			status: runtime.Succeeded,
			check: func(t *testing.T, res *runtime.Result, reqs []*recordedRequest) {
				first, err := url.ParseQuery(reqs[0].Body)
				if err != nil || first.Get("response_type") != "code" || first.Get("scope") != "openid accounts" {
					t.Errorf("PAR body %q", reqs[0].Body)
				}
				if reqs[1].Body != "grant_type=authorization_code&code=c-9&code_verifier=v1" {
					t.Errorf("template body %q", reqs[1].Body)
				}
			},
		},
	}
	runRuleCases(t, tests)
}
