package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/joho/godotenv"

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
