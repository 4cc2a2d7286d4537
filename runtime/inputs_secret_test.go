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

// TestInputErrorsDoNotShowShortOrNumericSecrets covers what the redactor
// cannot hide by value: secrets shorter than it hides inside text, and
// numbers. The validator's own messages quote such values ("'a9z' does not
// match pattern", "minimum: got 123457"), so input problems of secret
// inputs are worded without the value or its length.
func TestInputErrorsDoNotShowShortOrNumericSecrets(t *testing.T) {
	doc := loadDoc(t, "testdata/rules/secret-input-short.arazzo.yaml", rulesHeader+`workflows:
  - workflowId: main
    inputs:
      type: object
      properties:
        pin: {type: integer, format: password, minimum: 200000, multipleOf: 2}
        code: {type: string, format: password, pattern: "^[0-9]+$", maxLength: 2}
        sessionMail: {type: string, format: email}
        apiKeys: {type: array, items: {type: string, enum: ["k1"]}, maxItems: 1}
    steps:
      - stepId: get
        operationId: getItem
        parameters: [{name: id, in: path, value: "1"}]
`)
	eng, err := runtime.New(doc, runtime.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = eng.Run(context.Background(), "main", map[string]any{
		"pin": 123457, "code": "a9z", "sessionMail": "q7x", "apiKeys": []any{"zz9", "zz9"},
	})
	var ie *runtime.InputError
	if !errors.As(err, &ie) {
		t.Fatalf("err %v, want an InputError", err)
	}
	text := err.Error()
	for _, p := range ie.Problems {
		text += "\n" + p.Field + ": " + p.Msg
	}
	for _, secret := range []string{"123457", "a9z", "q7x", "zz9", "got 3"} {
		if strings.Contains(text, secret) {
			t.Errorf("input errors show %q:\n%s", secret, text)
		}
	}
	for _, want := range []string{"pin: must be >= 200000", "pin: must be a multiple of 2", "code: does not match pattern", "code: length must be <= 2",
		"sessionMail: value is not valid 'email'", "apiKeys: must have at most 1 item,", "apiKeys/0: value must be one of \"k1\""} {
		if !strings.Contains(text, want) {
			t.Errorf("input errors do not say %q:\n%s", want, text)
		}
	}
}
