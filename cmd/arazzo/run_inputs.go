package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/joho/godotenv"
	"golang.org/x/term"

	"github.com/arazzo-go/arazzo/arazzo"
	"github.com/arazzo-go/arazzo/runtime"
)

// inputEnvPrefix names the environment variables read as inputs:
// ARAZZO_INPUT_authToken is the input authToken, spelt as the workflow does.
const inputEnvPrefix = "ARAZZO_INPUT_"

// runOutsideInputs collects the inputs that come from outside the command
// line, so secrets stay out of shell history and ps: ARAZZO_INPUT_<name>
// variables (from the environment or --env-file, the environment winning),
// then --input-env NAME=VAR and --input-file NAME=PATH, each overriding the
// one before. --input NAME=VALUE is applied after these by the caller.
// Errors never contain a value.
func runOutsideInputs(doc *arazzo.Document, wf *arazzo.Workflow, f *runFlags, inputs map[string]any) error {
	fileEnv := map[string]string{}
	if f.envFile != "" {
		m, err := godotenv.Read(f.envFile)
		if err != nil {
			// godotenv's parse errors quote the offending line, which may
			// hold a secret: report the file only.
			if _, statErr := os.Stat(f.envFile); statErr != nil {
				return fmt.Errorf("--env-file: %v", statErr)
			}
			return fmt.Errorf("--env-file %s: not in dotenv syntax (NAME=VALUE lines)", f.envFile)
		}
		fileEnv = m
	}
	lookup := func(name string) (string, bool) {
		if v, ok := os.LookupEnv(name); ok {
			return v, true
		}
		v, ok := fileEnv[name]
		return v, ok
	}
	set := func(origin, name, value string) error {
		typ := runtime.InputType(doc, wf, name)
		v, err := runCoerceInput(typ, value)
		if err != nil {
			return fmt.Errorf("%s: input %s: %v", origin, name, runHideSecretInput(err, typ, runtime.IsSecretInput(doc, wf, name)))
		}
		inputs[name] = v
		return nil
	}
	for _, name := range runtime.InputNames(doc, wf) {
		if v, ok := lookup(inputEnvPrefix + name); ok {
			if err := set(inputEnvPrefix+name, name, v); err != nil {
				return err
			}
		}
	}
	for _, kv := range f.inputEnv {
		name, variable, ok := strings.Cut(kv, "=")
		if !ok || name == "" || variable == "" {
			return fmt.Errorf("--input-env: want NAME=VARIABLE (inputs: %s)", runInputNames(doc, wf))
		}
		v, ok := lookup(variable)
		if !ok {
			return fmt.Errorf("--input-env %s=%s: variable %s is not set", name, variable, variable)
		}
		if err := set("--input-env "+name, name, v); err != nil {
			return err
		}
	}
	for _, kv := range f.inputFile {
		name, path, ok := strings.Cut(kv, "=")
		if !ok || name == "" || path == "" {
			return fmt.Errorf("--input-file: want NAME=PATH (inputs: %s)", runInputNames(doc, wf))
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("--input-file %s: %v", name, err)
		}
		// A file written by an editor or `echo` ends in a newline that is
		// not part of the token.
		if err := set("--input-file "+name, name, strings.TrimRight(string(data), "\r\n")); err != nil {
			return err
		}
	}
	return nil
}

// runPromptSecrets asks, without echo, for the required secret inputs no
// other source gave, when stdin is a terminal; a script or CI job (stdin
// not a terminal) gets the usual "missing required input" error instead of
// a prompt that would hang.
func runPromptSecrets(doc *arazzo.Document, wf *arazzo.Workflow, inputs map[string]any, stdin io.Reader, stderr io.Writer) error {
	file, ok := stdin.(*os.File)
	if !ok || !term.IsTerminal(int(file.Fd())) {
		return nil
	}
	for _, name := range runtime.RequiredInputs(doc, wf) {
		if _, given := inputs[name]; given || !runtime.IsSecretInput(doc, wf, name) {
			continue
		}
		fmt.Fprintf(stderr, "%s (secret, not echoed): ", name)
		b, err := term.ReadPassword(int(file.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return fmt.Errorf("input %s: reading the terminal: %v", name, err)
		}
		typ := runtime.InputType(doc, wf, name)
		v, err := runCoerceInput(typ, string(b))
		if err != nil {
			return fmt.Errorf("input %s: %v", name, runHideSecretInput(err, typ, true))
		}
		inputs[name] = v
	}
	return nil
}
