package wftest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const contractAPI = `openapi: 3.0.3
info: {title: pets, version: "1"}
servers: [{url: "http://pets.invalid"}]
paths:
  /pets/{id}:
    get:
      operationId: getPet
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        '200':
          description: a pet
          content:
            application/json:
              schema:
                type: object
                required: [id, status]
                properties:
                  id: {type: string}
                  status: {type: string, enum: [available, sold]}
`

const contractFlow = `arazzo: 1.0.1
info: {title: pets, version: "1"}
sourceDescriptions:
  - {name: pets, url: ./openapi.yaml, type: openapi}
workflows:
  - workflowId: getPet
    steps:
      - stepId: get
        operationId: getPet
        parameters: [{name: id, in: path, value: p1}]
        successCriteria: [{condition: $statusCode == 200}]
`

const contractCases = `workflow: pets.arazzo.yaml
cases:
  - name: conforming answer, checked
    mocks: {getPet: [{status: 200, body: {id: p1, status: sold}}]}
    expect: {contract: clean}
  - name: drifted answer, checked
    mocks: {getPet: [{status: 200, body: {id: 7, status: lost}}]}
    expect: {contract: clean}
  - name: drifted answer, not checked
    mocks: {getPet: [{status: 200, body: {id: 7, status: lost}}]}
    expect: {status: succeeded}
`

// expect.contract: clean fails a case whose mock answers depart from the
// OpenAPI description, naming the step and the failing value's place; a
// case without it passes and shows the drift as warnings in its trace.
func TestExpectContractClean(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{"openapi.yaml": contractAPI, "pets.arazzo.yaml": contractFlow, "pets.arazzo-test.yaml": contractCases} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	res := (&Runner{}).RunFile(context.Background(), filepath.Join(dir, "pets.arazzo-test.yaml"))
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if len(res.Cases) != 3 {
		t.Fatalf("%d cases", len(res.Cases))
	}
	if c := res.Cases[0]; !c.Pass {
		t.Errorf("conforming case failed: %+v", c.Mismatches)
	}
	c := res.Cases[1]
	var msgs []string
	for _, m := range c.Mismatches {
		if m.Check == "contract" {
			msgs = append(msgs, m.Message)
		}
	}
	joined := strings.Join(msgs, "\n")
	if c.Pass || !strings.Contains(joined, "contract: step get attempt 1 (getPet): body /id") || !strings.Contains(joined, "body /status") {
		t.Errorf("drifted case: pass=%v, contract mismatches:\n%s", c.Pass, joined)
	}
	if c := res.Cases[2]; !c.Pass {
		t.Errorf("unchecked drifted case failed: %+v", c.Mismatches)
	}
	var text strings.Builder
	if err := WriteText(&text, []*FileResult{res}, true); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "contract warning: body /id") {
		t.Errorf("verbose output lacks the warnings:\n%s", text.String())
	}
}

func TestExpectContractRejectsOtherValues(t *testing.T) {
	_, err := ParseFile("x.arazzo-test.yaml", []byte("workflow: a.yaml\ncases:\n  - name: n\n    expect: {contract: strict}\n"))
	if err == nil || !strings.Contains(err.Error(), "x.arazzo-test.yaml:4: ") || !strings.Contains(err.Error(), "the only value is clean") {
		t.Errorf("err = %v", err)
	}
}
