package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestMain lets the test binary act as the arazzo command when a shell
// completion script calls it back (ARAZZO_TEST_AS_CLI=1), so the shell tests
// need no separate build.
func TestMain(m *testing.M) {
	if os.Getenv("ARAZZO_TEST_AS_CLI") == "1" {
		os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

const seedDoc = "../../workflows/oracle/oracle-create-custom-image-from-instance-workflow.yml"

func TestCompleteCandidates(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"va"}, "validate\n"},
		{[]string{""}, "completion\ngraph\nhelp\nlist\nresume\nrun\nruns\ntest\nvalidate\nversion\n"},
		{[]string{"help", "gr"}, "graph\n"},
		{[]string{"completion", ""}, "bash\nfish\nzsh\n"},
		{[]string{"run", "--re"}, "--report\n--request-timeout\n"},
		{[]string{"validate", "--form"}, "--format\n"},
		{[]string{"run", seedDoc, "--workflow", ""}, "create-custom-image-from-instance\n"},
		{[]string{"run", "-w", "", seedDoc}, ""}, // a file name: left to the shell
		{[]string{"run", seedDoc, "--input", "in"}, "instanceId=\n"},
		{[]string{"run", seedDoc, "-w", "nope", "--input", ""}, ""},
		{[]string{"run", "missing.yaml", "--workflow", ""}, ""},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		if code := run(append([]string{"__complete"}, tt.args...), nil, &stdout, &stderr); code != exitOK || stderr.Len() != 0 {
			t.Errorf("%q: exit %d, stderr %q", tt.args, code, stderr.String())
		}
		if stdout.String() != tt.want {
			t.Errorf("%q: got %q, want %q", tt.args, stdout.String(), tt.want)
		}
	}
}

func TestCompletionScripts(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish"} {
		var stdout, stderr bytes.Buffer
		if code := run([]string{"completion", shell}, nil, &stdout, &stderr); code != exitOK {
			t.Fatalf("%s: exit %d %s", shell, code, stderr.String())
		}
		script := stdout.String()
		if !strings.Contains(script, "arazzo __complete") {
			t.Errorf("%s script does not call arazzo __complete:\n%s", shell, script)
		}
		t.Run(shell, func(t *testing.T) {
			sh, err := exec.LookPath(shell)
			if err != nil {
				t.Skipf("%s not installed: the generated script is checked above, not executed", shell)
			}
			out := runCompletionInShell(t, sh, shell, script)
			if out != "create-custom-image-from-instance" {
				t.Errorf("%s completed %q", shell, out)
			}
		})
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"completion", "powershell"}, nil, &stdout, &stderr); code != exitUsage || !strings.Contains(stderr.String(), "usage: arazzo completion") {
		t.Errorf("completion powershell: exit %d, stderr %q", code, stderr.String())
	}
}

// runCompletionInShell loads the script into the shell with "arazzo" being
// this test binary, completes "arazzo run DOC --workflow <TAB>" and returns
// the candidates.
func runCompletionInShell(t *testing.T, sh, shell, script string) string {
	dir := t.TempDir()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(self, filepath.Join(dir, "arazzo")); err != nil {
		t.Fatal(err)
	}
	scriptFile := filepath.Join(dir, "completion")
	if err := os.WriteFile(scriptFile, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	doc, _ := filepath.Abs(seedDoc)
	var drive string
	switch shell {
	case "bash":
		drive = `source "$1"; COMP_WORDS=(arazzo run "$2" --workflow ""); COMP_CWORD=4; _arazzo; printf '%s\n' "${COMPREPLY[@]}"`
	case "fish":
		drive = `source $argv[1]; complete -C "arazzo run $argv[2] --workflow "`
	case "zsh":
		drive = `autoload -U compinit; compinit -u; source "$1"; compadd() { shift 2; print -l -- "$@" }; words=(arazzo run "$2" --workflow ""); CURRENT=5; _arazzo`
	}
	var cmd *exec.Cmd
	if shell == "fish" {
		cmd = exec.Command(sh, "-c", drive, scriptFile, doc)
	} else {
		cmd = exec.Command(sh, "-c", drive, "sh", scriptFile, doc)
	}
	cmd.Env = append(os.Environ(), "ARAZZO_TEST_AS_CLI=1", "PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", shell, err, out)
	}
	return strings.TrimSpace(string(out))
}
