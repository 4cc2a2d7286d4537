package main

import (
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"

	"github.com/arazzo-go/arazzo/arazzo"
)

const completionUsage = `usage: arazzo completion bash|zsh|fish

Prints a shell completion script. It completes commands, flags, and, from the
document named on the command line, workflow ids (after --workflow/-w) and
input names (after --input). Install:
  bash:  source <(arazzo completion bash)          (e.g. in ~/.bashrc)
  zsh:   arazzo completion zsh > "${fpath[1]}/_arazzo"
  fish:  arazzo completion fish > ~/.config/fish/completions/arazzo.fish
The scripts call "arazzo __complete WORDS... CURRENT", which prints one
candidate per line; it reads only the document given and never the network.
`

// The scripts keep no list of their own: they ask the binary, so a newer
// arazzo completes its new flags without regenerating the script.
var completionScripts = map[string]string{
	"bash": `# bash completion for arazzo (arazzo completion bash)
_arazzo() {
    local cur=${COMP_WORDS[COMP_CWORD]}
    local IFS=$'\n'
    COMPREPLY=($(arazzo __complete "${COMP_WORDS[@]:1:COMP_CWORD-1}" "$cur" 2>/dev/null))
}
complete -o default -F _arazzo arazzo
`,
	"zsh": `#compdef arazzo
# zsh completion for arazzo (arazzo completion zsh)
_arazzo() {
    local -a candidates
    candidates=("${(@f)$(arazzo __complete "${(@)words[2,CURRENT-1]}" "${words[CURRENT]}" 2>/dev/null)}")
    if [[ -n "${candidates[1]}" ]]; then
        compadd -S '' -- "${candidates[@]}"
    else
        _files
    fi
}
compdef _arazzo arazzo
`,
	"fish": `# fish completion for arazzo (arazzo completion fish)
function __arazzo_complete
    set -l words (commandline -opc)
    arazzo __complete $words[2..-1] (commandline -ct) 2>/dev/null
end
complete -c arazzo -f -a '(__arazzo_complete)'
`,
}

func cmdCompletion(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help") {
		fmt.Fprint(stdout, completionUsage)
		return exitOK
	}
	if len(args) != 1 || completionScripts[args[0]] == "" {
		got := strings.Join(args, " ")
		if len(args) == 1 && strings.HasPrefix(args[0], "-") {
			fmt.Fprintf(stderr, "arazzo completion: unknown flag %s\n\n%s", args[0], completionUsage)
		} else {
			fmt.Fprintf(stderr, "arazzo completion: want one of bash, zsh, fish; got %q\n\n%s", got, completionUsage)
		}
		return exitUsage
	}
	fmt.Fprint(stdout, completionScripts[args[0]])
	return exitOK
}

// commandUsages maps each command to its usage text, the one source of the
// flags completion offers.
func commandUsages() map[string]string {
	return map[string]string{
		"validate": validateUsage, "list": listUsage, "run": runUsage, "test": testUsage,
		"graph": graphUsage, "version": versionUsage, "completion": completionUsage,
		// resume takes the run flags too.
		"resume": resumeUsage + runUsage, "runs": runsUsage,
	}
}

var usageFlag = regexp.MustCompile(`(?:^|[\s,\[(])(--?[a-z][a-z0-9-]*)`)

// cmdComplete answers the completion scripts: args are the words before the
// cursor, the last one the word being completed. Errors print nothing: a
// completion must never write into the user's command line.
func cmdComplete(args []string, _ io.Reader, stdout, _ io.Writer) int {
	if len(args) == 0 {
		return exitOK
	}
	words, cur := args[:len(args)-1], args[len(args)-1]
	var cands []string
	switch {
	case len(words) == 0:
		for _, c := range commands() {
			cands = append(cands, c.name)
		}
		cands = append(cands, "help")
	case words[0] == "help":
		if len(words) == 1 {
			for _, c := range commands() {
				cands = append(cands, c.name)
			}
		}
	case words[0] == "completion":
		if len(words) == 1 {
			cands = []string{"bash", "fish", "zsh"}
		}
	default:
		prev := words[len(words)-1]
		switch {
		case prev == "--workflow" || prev == "-w":
			for _, w := range completionWorkflows(words[1:]) {
				cands = append(cands, w.WorkflowID)
			}
		case prev == "--input":
			wf := completionFlagValue(words[1:], "--workflow", "-w")
			for _, w := range completionWorkflows(words[1:]) {
				if wf == "" || w.WorkflowID == wf {
					for _, name := range inputNames(w) {
						cands = append(cands, name+"=")
					}
				}
			}
		case strings.HasPrefix(cur, "-"):
			seen := map[string]bool{}
			for _, m := range usageFlag.FindAllStringSubmatch(commandUsages()[words[0]], -1) {
				if !seen[m[1]] {
					seen[m[1]] = true
					cands = append(cands, m[1])
				}
			}
			cands = append(cands, "--help")
		}
	}
	sort.Strings(cands)
	last := ""
	for _, c := range cands {
		if strings.HasPrefix(c, cur) && c != last {
			fmt.Fprintln(stdout, c)
			last = c
		}
	}
	return exitOK
}

// completionWorkflows reads the workflows of the first argument that looks
// like an Arazzo document (a .yaml, .yml or .json file that parses).
func completionWorkflows(words []string) []*arazzo.Workflow {
	for i, w := range words {
		if strings.HasPrefix(w, "-") || (i > 0 && completionTakesValue(words[i-1])) {
			continue
		}
		if !strings.HasSuffix(w, ".yaml") && !strings.HasSuffix(w, ".yml") && !strings.HasSuffix(w, ".json") {
			continue
		}
		data, err := os.ReadFile(w)
		if err != nil {
			continue
		}
		if doc, _ := arazzo.Parse(w, data, arazzo.LoadOptions{}); doc != nil && len(doc.Workflows) > 0 {
			return doc.Workflows
		}
	}
	return nil
}

func completionTakesValue(flag string) bool {
	switch flag {
	case "--workflow", "-w", "--input", "--inputs", "--server", "--server-var", "--mock", "--auth",
		"--report", "--har", "--junit", "--format", "--config", "--run", "--timeout", "--request-timeout",
		"--max-steps", "--loop-delay", "--tls", "--tls-config":
		return true
	}
	return false
}

func completionFlagValue(words []string, names ...string) string {
	for i := 0; i+1 < len(words); i++ {
		for _, n := range names {
			if words[i] == n {
				return words[i+1]
			}
		}
	}
	return ""
}

// inputNames lists the properties of a workflow's inputs schema.
func inputNames(w *arazzo.Workflow) []string {
	schema, _ := w.Inputs.(map[string]any)
	props, _ := schema["properties"].(map[string]any)
	names := make([]string, 0, len(props))
	for name := range props {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}
