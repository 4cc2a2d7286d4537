package runtime_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/arazzo-go/arazzo/runtime"
)

func TestInputErrorsDoNotShowSecretValues(t *testing.T) {
	doc := loadDoc(t, "testdata/rules/secret-input-errors.arazzo.yaml", rulesHeader+`workflows:
  - workflowId: main
    inputs:
      type: object
      properties:
        apiToken: {type: string, pattern: "^tk-[0-9]+$", minLength: 20}
        pin: {type: string, format: password, enum: ["0000"]}
        other: {type: integer}
    steps:
      - stepId: get
        operationId: getItem
        parameters: [{name: id, in: path, value: "1"}]
`)
	eng, err := runtime.New(doc, runtime.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = eng.Run(context.Background(), "main", map[string]any{"apiToken": "hunter2-leaked", "pin": "9876-leaked", "other": "x"})
	var ie *runtime.InputError
	if !errors.As(err, &ie) {
		t.Fatalf("err %v, want an InputError", err)
	}
	text := err.Error()
	for _, p := range ie.Problems {
		text += "\n" + p.Field + ": " + p.Msg
	}
	if strings.Contains(text, "leaked") {
		t.Errorf("input errors show a secret value:\n%s", text)
	}
	for _, field := range []string{"apiToken", "pin", "other"} {
		if !strings.Contains(text, field) {
			t.Errorf("input errors do not name %s:\n%s", field, text)
		}
	}
}
