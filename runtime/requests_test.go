package runtime_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/arazzo-go/arazzo/runtime"
)

// TestSelfAndDefaults covers $self (1.1) and input defaults reaching the wire.
func TestSelfAndDefaults(t *testing.T) {
	src := strings.Replace(rulesHeader, "info:", "$self: https://example.com/flows/self.arazzo.yaml\ninfo:", 1) + `workflows:
  - workflowId: main
    inputs:
      type: object
      properties:
        tag: {type: string, default: fallback}
    steps:
      - stepId: get
        operationId: getItem
        parameters:
          - {name: id, in: path, value: "1"}
          - {name: q, in: query, value: $inputs.tag}
        outputs: {self: $self}
    outputs: {self: $steps.get.outputs.self}
`
	doc := loadDoc(t, "testdata/rules/self.arazzo.yaml", src)
	api, srv := newScriptedAPI(t, nil)
	eng, err := runtime.New(doc, runtime.Options{Servers: map[string]string{"api": srv.URL + "/v1"}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := eng.Run(context.Background(), "main", nil)
	if err != nil || res.Status != runtime.Succeeded {
		t.Fatalf("%v %+v", err, res)
	}
	if res.Outputs["self"] != "https://example.com/flows/self.arazzo.yaml" {
		t.Errorf("$self = %v", res.Outputs["self"])
	}
	if u := api.Requests()[0].URL; !strings.Contains(u, "q=fallback") {
		t.Errorf("default input not sent: %s", u)
	}
	if res.Inputs["tag"] != "fallback" {
		t.Errorf("result inputs %v", res.Inputs)
	}
}

func TestRequestsReachTheWire(t *testing.T) {
	tests := []ruleCase{
		{
			name: "path query header cookie serialisation",
			doc: mainSteps + `
      - stepId: get
        operationId: getItem
        parameters:
          - {name: id, in: path, value: "a b/c"}
          - {name: tags, in: query, value: [x, "y z"]}
          - {name: q, in: query, value: $inputs.missing}
          - {name: X-Trace, in: header, value: 42}
          - {name: session, in: cookie, value: abc}
        outputs: {path: $request.path.id, query: $request.query.tags, header: $request.header.x-trace, none: $request.query.q}
    outputs: {path: $steps.get.outputs.path, query: $steps.get.outputs.query, header: $steps.get.outputs.header, none: $steps.get.outputs.none}
`,
			status:  runtime.Succeeded,
			outputs: `{"header":"42","none":null,"path":"a b/c","query":"x"}`,
			check: func(t *testing.T, res *runtime.Result, reqs []*recordedRequest) {
				u, _ := url.Parse(reqs[0].URL)
				if u.EscapedPath() != "/v1/items/a%20b%2Fc" {
					t.Errorf("path %s", u.EscapedPath())
				}
				if got := u.Query()["tags"]; !reflect.DeepEqual(got, []string{"x", "y z"}) {
					t.Errorf("tags %q (raw %s)", got, u.RawQuery)
				}
				if u.Query().Has("q") {
					t.Errorf("absent value sent: %s", u.RawQuery)
				}
				if reqs[0].Header.Get("X-Trace") != "42" || !strings.Contains(reqs[0].Header.Get("Cookie"), "session=abc") {
					t.Errorf("headers %v", reqs[0].Header)
				}
			},
		},
		{
			name: "json body with replacements",
			doc: mainSteps + `
      - stepId: create
        operationId: createItem
        requestBody:
          contentType: application/json
          payload: {name: $inputs.name, count: $inputs.count, fixed: "$100", nested: {a: 1}}
          replacements:
            - {target: /nested/a, value: $inputs.count}
            - {target: /added, value: "hi {$inputs.name}"}
        outputs: {sent: $request.body#/nested/a}
    outputs: {sent: $steps.create.outputs.sent}
`,
			inputs: map[string]any{"name": "n1", "count": 3},
			status: runtime.Succeeded, outputs: `{"sent":3}`,
			check: func(t *testing.T, res *runtime.Result, reqs []*recordedRequest) {
				var got map[string]any
				if err := json.Unmarshal([]byte(reqs[0].Body), &got); err != nil {
					t.Fatal(err)
				}
				want := map[string]any{"name": "n1", "count": 3.0, "fixed": "$100", "nested": map[string]any{"a": 3.0}, "added": "hi n1"}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("body %v, want %v", got, want)
				}
			},
		},
		{
			name: "form body",
			doc: mainSteps + `
      - stepId: create
        operationId: createItem
        requestBody:
          contentType: application/x-www-form-urlencoded
          payload: {grant_type: password, user: $inputs.name}
`,
			inputs: map[string]any{"name": "a&b"},
			status: runtime.Succeeded,
			check: func(t *testing.T, res *runtime.Result, reqs []*recordedRequest) {
				v, err := url.ParseQuery(reqs[0].Body)
				if err != nil || v.Get("grant_type") != "password" || v.Get("user") != "a&b" {
					t.Errorf("form body %q", reqs[0].Body)
				}
				if !strings.HasPrefix(reqs[0].Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
					t.Errorf("Content-Type %q", reqs[0].Header.Get("Content-Type"))
				}
			},
		},
		{
			name: "xml body with xpath replacement",
			doc: mainSteps + `
      - stepId: create
        operationId: createItem
        requestBody:
          contentType: application/xml
          payload: "<item><name>{$inputs.name}</name><qty>0</qty></item>"
          replacements:
            - {target: /item/qty, value: $inputs.count}
`,
			inputs: map[string]any{"name": "n1", "count": 5},
			status: runtime.Succeeded,
			check: func(t *testing.T, res *runtime.Result, reqs []*recordedRequest) {
				if !strings.Contains(reqs[0].Body, "<name>n1</name>") || !strings.Contains(reqs[0].Body, "<qty>5</qty>") {
					t.Errorf("xml body %q", reqs[0].Body)
				}
			},
		},
		{
			name: "multipart body",
			doc: mainSteps + `
      - stepId: create
        operationId: createItem
        requestBody:
          contentType: multipart/form-data
          payload: {title: $inputs.name, note: plain}
        outputs: {src: $sourceDescriptions.api.url}
    outputs: {src: $steps.create.outputs.src}
`,
			inputs: map[string]any{"name": "n1"},
			status: runtime.Succeeded, outputs: `{"src":"./openapi.yaml"}`,
			check: func(t *testing.T, res *runtime.Result, reqs []*recordedRequest) {
				req, _ := http.NewRequest("POST", "/", strings.NewReader(reqs[0].Body))
				req.Header.Set("Content-Type", reqs[0].Header.Get("Content-Type"))
				if err := req.ParseMultipartForm(1 << 20); err != nil {
					t.Fatalf("multipart body %q: %v", reqs[0].Body, err)
				}
				if req.FormValue("title") != "n1" || req.FormValue("note") != "plain" {
					t.Errorf("multipart fields %v", req.MultipartForm.Value)
				}
			},
		},
		{
			name: "text body is sent as is",
			doc: mainSteps + `
      - stepId: create
        operationId: createItem
        requestBody:
          contentType: text/plain
          payload: "hello {$inputs.name}"
`,
			inputs: map[string]any{"name": "world"},
			status: runtime.Succeeded,
			check: func(t *testing.T, res *runtime.Result, reqs []*recordedRequest) {
				if reqs[0].Body != "hello world" {
					t.Errorf("text body %q", reqs[0].Body)
				}
			},
		},
		{
			name: "secret inputs are redacted from the result",
			doc: `workflows:
  - workflowId: main
    inputs:
      type: object
      properties:
        pin: {type: string, format: password}
    steps:
      - stepId: get
        operationId: getItem
        parameters:
          - {name: id, in: path, value: $inputs.pin}
          - {name: q, in: query, value: $inputs.pin}
          - {name: X-Trace, in: header, value: "pin={$inputs.pin}"}
        successCriteria: [{condition: $statusCode == 200}]
    outputs: {echo: $inputs.pin}
`,
			inputs:  map[string]any{"pin": "9876-secret"},
			outputs: `{"echo":"<redacted>"}`,
			script:  map[string][]answer{"getItem": {{status: 500, body: `{"echo":"9876-secret"}`}}},
			status:  runtime.Failed,
			check: func(t *testing.T, res *runtime.Result, reqs []*recordedRequest) {
				if !strings.Contains(reqs[0].URL, "9876-secret") {
					t.Fatalf("the secret did not reach the wire: %s", reqs[0].URL)
				}
				b, _ := json.Marshal(res)
				if strings.Contains(string(b), "9876-secret") {
					t.Errorf("secret leaked into the result: %s", b)
				}
			},
		},
	}
	runRuleCases(t, tests)
}
