package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arazzo-go/arazzo/arazzo"
)

// TestRunInputPrecedence: --inputs < ARAZZO_INPUT_<name> (environment over
// --env-file) < --input-env / --input-file < --input.
func TestRunInputPrecedence(t *testing.T) {
	doc, _, err := arazzo.Load(context.Background(), seedDoc, arazzo.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wf := doc.Workflows[0]
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	inputsFile := write("inputs.yaml", "compartmentId: from-inputs\ninstanceId: from-inputs\ndisplayName: from-inputs\nauthToken: from-inputs\n")
	envFile := write(".env", "ARAZZO_INPUT_instanceId=from-env-file\nARAZZO_INPUT_displayName=from-env-file\nTOKEN_VAR=from-env-file-var\n")
	tokenFile := write("token", "from-file\n")
	t.Setenv("ARAZZO_INPUT_displayName", "from-environment")
	t.Setenv("ARAZZO_INPUT_authToken", "from-environment")
	t.Setenv("ARAZZO_INPUT_compartmentId", "from-environment")

	f := &runFlags{inputsFile: inputsFile, envFile: envFile,
		inputEnv:  []string{"authToken=TOKEN_VAR"},
		inputFile: []string{"compartmentId=" + tokenFile},
		inputs:    []string{"compartmentId=from-flag"}}
	got, err := runCollectInputs(context.Background(), doc, wf, f, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"instanceId":    "from-env-file",     // .env beats --inputs
		"displayName":   "from-environment",  // the environment beats .env
		"authToken":     "from-env-file-var", // --input-env beats ARAZZO_INPUT_
		"compartmentId": "from-flag",         // --input beats --input-file
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	f.inputs = nil
	if got, _ := runCollectInputs(context.Background(), doc, wf, f, nil); got["compartmentId"] != "from-file" {
		t.Errorf("--input-file gave %q (trailing newline must be dropped)", got["compartmentId"])
	}

	// Errors name the input and the variable, never a value.
	for _, tc := range []struct {
		f    runFlags
		want string
	}{
		{runFlags{inputEnv: []string{"authToken=NO_SUCH_VAR_XYZ"}}, "variable NO_SUCH_VAR_XYZ is not set"},
		{runFlags{inputEnv: []string{"authToken"}}, "--input-env: want NAME=VARIABLE"},
		{runFlags{inputFile: []string{"authToken=" + filepath.Join(dir, "missing")}}, "--input-file authToken:"},
		{runFlags{envFile: filepath.Join(dir, "missing.env")}, "--env-file:"},
		{runFlags{envFile: write("bad.env", "ARAZZO_INPUT_authToken='s3cr3t-unterminated\n")}, "not in dotenv syntax"},
	} {
		_, err := runCollectInputs(context.Background(), doc, wf, &tc.f, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "s3cr3t") || strings.Contains(err.Error(), "from-") {
			t.Errorf("%+v: error %v, want %q and no value", tc.f, err, tc.want)
		}
	}
}
