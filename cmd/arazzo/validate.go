package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"github.com/arazzo-go/arazzo/internal/regfile"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"

	"github.com/arazzo-go/arazzo/arazzo"
)

// stdinName is how a document read from standard input is named in
// diagnostics; relative source URLs in it resolve against the working
// directory.
const stdinName = "<stdin>"

// validateMaxSourceBytes bounds how much of a file validate reads again for
// snippets (a source description a diagnostic points into).
const validateMaxSourceBytes = 16 << 20

const validateUsage = `usage: arazzo validate [flags] FILE...

Checks Arazzo documents (and the source descriptions they name) and reports
every problem with file:line:col, a rule id and, when known, a fix.
FILE "-" reads standard input; a directory is searched for Arazzo documents
(.yaml, .yml or .json files with a top-level "arazzo" field). A file named
*.arazzo.yaml, *.arazzo.yml or *.arazzo.json, or one with workflows below an
arazzo/ folder, is checked even without it: a misspelt key is an error, not
a skip.

Rule severities come from .arazzo.yaml in the document's directory or the
nearest one above it (or --config FILE):
  rules: {endless-goto: error, output-not-expression: off}   # off|warn|error
A "# arazzo-ignore RULE-ID" comment at the end of a line suppresses that
rule on the line; on a line of its own, on the next line and all that is
nested under it.

flags:
  --format FORMAT                   text (default), json, sarif, github,
                                    junit, checkstyle or codequality (GitLab)
  --strict                          treat warnings as errors
  -q, --quiet                       report errors only
  --no-color                        no ANSI colors in text output (also NO_COLOR)
  --allow-remote                    fetch http(s) source descriptions
  --config FILE                     rule configuration (instead of .arazzo.yaml)
  --list-rules                      print every rule: id, severity, why

exit codes: 0 no errors (warnings allowed), 1 errors found, 2 usage error or unreadable file
`

type validateOptions struct {
	format      string
	strict      bool
	quiet       bool
	noColor     bool
	allowRemote bool
	config      string
	listRules   bool
}

func cmdValidate(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var o validateOptions
	flags := flag.NewFlagSet("validate", flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	flags.StringVar(&o.format, "format", "text", "")
	flags.BoolVar(&o.strict, "strict", false, "")
	flags.BoolVar(&o.quiet, "q", false, "")
	flags.BoolVar(&o.quiet, "quiet", false, "")
	flags.BoolVar(&o.noColor, "no-color", false, "")
	flags.BoolVar(&o.allowRemote, "allow-remote", false, "")
	flags.StringVar(&o.config, "config", "", "")
	flags.BoolVar(&o.listRules, "list-rules", false, "")
	files, err := parseFlagsAnywhere(flags, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, validateUsage)
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "arazzo validate: %v\n\n%s", err, validateUsage)
		return exitUsage
	}
	switch o.format {
	case "text", "json", "sarif", "github", "junit", "checkstyle", "codequality":
	default:
		fmt.Fprintf(stderr, "arazzo validate: unknown format %q (want text, json, sarif, github, junit, checkstyle or codequality)\n", o.format)
		return exitUsage
	}
	if o.listRules {
		validateListRules(stdout)
		return exitOK
	}
	configs := &lintConfigs{}
	if o.config != "" {
		cfg, err := loadLintConfig(o.config)
		if err != nil {
			fmt.Fprintf(stderr, "arazzo validate: %v\n", err)
			return exitUsage
		}
		configs.explicit = cfg
	}
	if len(files) == 0 {
		fmt.Fprintf(stderr, "arazzo validate: no files given\n\n%s", validateUsage)
		return exitUsage
	}
	if n := countStdin(files); n > 1 {
		fmt.Fprintln(stderr, "arazzo validate: standard input (-) given more than once")
		return exitUsage
	}

	files, code := validateExpandDirs(files, stderr)
	ctx := context.Background()
	opts := arazzo.LoadOptions{AllowRemote: o.allowRemote}
	var all arazzo.Diagnostics
	src := arazzo.Sources{}
	loaded := 0
	for _, file := range files {
		cfg, err := configs.forDocument(file)
		if err != nil {
			fmt.Fprintf(stderr, "arazzo validate: %v\n", err)
			return exitUsage
		}
		ds, err := validateOne(ctx, file, stdin, opts, src)
		if err != nil {
			fmt.Fprintf(stderr, "arazzo validate: %v\n", err)
			code = exitUsage
			if o.format != "text" {
				// A machine-read report carries the failure too: a CI
				// step that uploads it must not get an empty or missing
				// file that reads as "nothing found".
				all = append(all, &arazzo.Diagnostic{Severity: arazzo.SeverityError, Rule: arazzo.RuleUnreadableFile, Msg: err.Error(), File: file})
				loaded++
			}
			continue
		}
		loaded++
		all = append(all, cfg.apply(ds)...)
	}
	if loaded == 0 {
		// Nothing was checked: a report, even an empty one, would read
		// as "valid".
		return code
	}
	all = append(arazzo.ApplyIgnores(all, src), arazzo.CheckIgnoreComments(src)...)
	all = validateAdjust(all, o)
	all, src = validateRelativize(all, src)
	if all.HasErrors() && code == exitOK {
		code = exitFailed
	}

	switch o.format {
	case "json":
		err = arazzo.WriteJSON(stdout, all)
	case "sarif":
		err = arazzo.WriteSARIF(stdout, all, validateToolVersion())
	case "github":
		err = arazzo.WriteGitHub(stdout, all)
	case "junit":
		err = arazzo.WriteJUnit(stdout, all, validateRelFiles(files))
	case "checkstyle":
		err = arazzo.WriteCheckstyle(stdout, all)
	case "codequality":
		err = arazzo.WriteCodeQuality(stdout, all)
	default:
		if o.quiet && len(all) == 0 {
			break
		}
		validateFillSources(all, src)
		err = arazzo.WriteText(stdout, all, src, validateUseColor(stdout, o.noColor))
	}
	if err != nil {
		fmt.Fprintf(stderr, "arazzo validate: writing output: %v\n", err)
		return exitUsage
	}
	return code
}

// validateOne loads one document and adds the bytes of every Arazzo document
// it reached to src. The error is for an unreadable entry document only.
func validateOne(ctx context.Context, file string, stdin io.Reader, opts arazzo.LoadOptions, src arazzo.Sources) (arazzo.Diagnostics, error) {
	var doc *arazzo.Document
	var ds arazzo.Diagnostics
	if file == "-" {
		data, err := io.ReadAll(io.LimitReader(stdin, validateMaxSourceBytes+1))
		if err != nil {
			return nil, fmt.Errorf("reading standard input: %w", err)
		}
		// Larger input goes through so that the loader reports its size
		// limit as a diagnostic, like for files.
		src[stdinName] = data
		doc, ds = arazzo.LoadBytes(ctx, stdinName, data, opts)
	} else {
		var err error
		doc, ds, err = arazzo.Load(ctx, file, opts)
		if err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			if strings.Contains(err.Error(), file) {
				return nil, err // already names the file
			}
			return nil, fmt.Errorf("cannot read %s: %w", file, err)
		}
	}
	for _, d := range doc.Documents() {
		if d.Src != nil {
			src[d.File] = d.Src
		}
	}
	return ds, nil
}

// validateListRules prints the rule registry: id, default severity and why,
// one rule a line, in columns.
func validateListRules(w io.Writer) {
	rules := arazzo.Rules()
	width := 0
	for _, r := range rules {
		width = max(width, len(r.ID))
	}
	for _, r := range rules {
		fmt.Fprintf(w, "%-*s  %-13s  %s\n", width, r.ID, r.Severity, r.Why)
	}
}

// validateRelFiles names the checked files as the report names their
// diagnostics (relative to the working directory where possible).
func validateRelFiles(files []string) []string {
	wd, _ := os.Getwd()
	out := make([]string, 0, len(files))
	for _, f := range files {
		if f == "-" {
			f = stdinName
		} else if filepath.IsAbs(f) && wd != "" {
			if r, err := filepath.Rel(wd, f); err == nil && !strings.HasPrefix(r, "..") {
				f = r
			}
		}
		out = append(out, f)
	}
	return out
}

// validateFillSources reads, for snippets, the local files diagnostics point
// into that the loader did not hand back (OpenAPI sources, documents that
// failed to parse). Unreadable files just get no snippet.
func validateFillSources(ds arazzo.Diagnostics, src arazzo.Sources) {
	for _, d := range ds {
		if _, ok := src[d.File]; ok || d.File == "" || d.File == stdinName || d.Pos.Line == 0 ||
			strings.Contains(d.File, "://") {
			continue
		}
		data, err := readFileUpTo(d.File, validateMaxSourceBytes)
		if err != nil {
			data = nil
		}
		src[d.File] = data
	}
}

func readFileUpTo(path string, limit int64) ([]byte, error) {
	return regfile.ReadFile(path, limit)
}

// validateAdjust applies --strict (warnings become errors) and --quiet
// (warnings dropped), copying rather than changing the loader's values.
func validateAdjust(ds arazzo.Diagnostics, o validateOptions) arazzo.Diagnostics {
	out := make(arazzo.Diagnostics, 0, len(ds))
	for _, d := range ds {
		if d == nil {
			continue
		}
		if d.Severity == arazzo.SeverityWarning {
			if o.strict {
				c := *d
				c.Severity = arazzo.SeverityError
				d = &c
			} else if o.quiet {
				continue
			}
		}
		out = append(out, d)
	}
	return out
}

// validateRelativize shows absolute paths under the working directory as
// relative ones, as the user would type them; SARIF consumers need relative
// URIs too. Sources are re-keyed to match.
func validateRelativize(ds arazzo.Diagnostics, src arazzo.Sources) (arazzo.Diagnostics, arazzo.Sources) {
	wd, err := os.Getwd()
	if err != nil {
		return ds, src
	}
	rel := func(file string) string {
		if !filepath.IsAbs(file) {
			return file
		}
		r, err := filepath.Rel(wd, file)
		if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
			return file
		}
		return r
	}
	out := make(arazzo.Diagnostics, len(ds))
	for i, d := range ds {
		if r := rel(d.File); r != d.File {
			c := *d
			c.File = r
			d = &c
		}
		out[i] = d
	}
	srcOut := make(arazzo.Sources, len(src))
	for k, v := range src {
		srcOut[rel(k)] = v
	}
	return out, srcOut
}

// validateUseColor colors only a terminal, and never when NO_COLOR is set
// (https://no-color.org) or --no-color was given.
func validateUseColor(w io.Writer, noColor bool) bool {
	if noColor || os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// validateToolVersion is the module version the binary was built from, for
// SARIF's tool.driver.version; empty for development builds.
func validateToolVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok || bi.Main.Version == "" || bi.Main.Version == "(devel)" {
		return ""
	}
	return bi.Main.Version
}

// validateArazzoKey finds a top-level "arazzo" field in YAML or JSON text.
// In YAML it is an unindented key; in JSON a quoted key that opens the
// object or sits at a top-level indentation.
var validateArazzoKey = regexp.MustCompile(`(?m)\A\s*\{\s*"arazzo"\s*:|^arazzo\s*:|^[ \t]{0,4}"arazzo"\s*:|^\{\s*"arazzo"\s*:`)

// validateSniffBytes is how much of a file is read to decide whether a file
// found in a directory is an Arazzo document.
const validateSniffBytes = 64 << 10

// validateExpandDirs replaces each directory argument by the Arazzo
// documents below it, in lexical order. Other arguments stay as they are. A
// directory without any document is a usage error (exit 2), reported on
// stderr, so that a CI job pointed at the wrong place does not pass.
func validateExpandDirs(args []string, stderr io.Writer) ([]string, int) {
	code := exitOK
	var out []string
	for _, arg := range args {
		st, err := os.Stat(arg)
		if arg == "-" || err != nil || !st.IsDir() {
			out = append(out, arg)
			continue
		}
		var found []string
		walkErr := filepath.WalkDir(arg, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if path != arg && strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				return nil
			}
			switch strings.ToLower(filepath.Ext(path)) {
			case ".yaml", ".yml", ".json":
			default:
				return nil
			}
			if isLintConfig(path) {
				return nil
			}
			head, err := readHead(path, validateSniffBytes)
			switch {
			case err != nil:
				// A file meant as a workflow that cannot be read is
				// reported as unreadable, not skipped.
				if validateNamedLikeWorkflow(path) || validateInArazzoDir(path, arg) {
					found = append(found, path)
				}
			case validateArazzoKey.Match(head) || validateLooksLikeWorkflow(path, arg, head):
				found = append(found, path)
			}
			return nil
		})
		if walkErr != nil {
			fmt.Fprintf(stderr, "arazzo validate: %v\n", walkErr)
			code = exitUsage
		}
		if len(found) == 0 && walkErr == nil {
			fmt.Fprintf(stderr, "arazzo validate: no Arazzo documents in %s\n", arg)
			code = exitUsage
		}
		out = append(out, found...)
	}
	return out, code
}

// validateWorkflowKeys finds a top-level field that only Arazzo documents
// have, in YAML or JSON text.
var validateWorkflowKeys = regexp.MustCompile(`(?m)^(workflows|sourceDescriptions)\s*:|^[ \t]{0,4}"(workflows|sourceDescriptions)"\s*:|^\{\s*"(workflows|sourceDescriptions)"\s*:`)

// validateLooksLikeWorkflow tells a broken workflow from an unrelated file
// when its "arazzo" field is missing (often misspelt): a file named
// *.arazzo.yaml, *.arazzo.yml or *.arazzo.json is meant to be one, and so
// is a file with workflows or sourceDescriptions below an arazzo/ folder
// (where OpenAPI descriptions and mocks may live too, so the name alone
// does not say it). Such files are loaded, and the loader reports what is
// wrong, instead of being skipped silently.
func validateLooksLikeWorkflow(path, root string, head []byte) bool {
	return validateNamedLikeWorkflow(path) || (validateInArazzoDir(path, root) && validateWorkflowKeys.Match(head))
}

// validateNamedLikeWorkflow reports a *.arazzo.yaml, *.arazzo.yml or
// *.arazzo.json file (not the configuration file .arazzo.yaml).
func validateNamedLikeWorkflow(path string) bool {
	base := strings.ToLower(filepath.Base(path))
	for _, ext := range []string{".arazzo.yaml", ".arazzo.yml", ".arazzo.json"} {
		if strings.HasSuffix(base, ext) && base != ext {
			return true
		}
	}
	return false
}

// validateInArazzoDir reports a file below a folder named arazzo (the
// searched directory itself included).
func validateInArazzoDir(path, root string) bool {
	if isLintConfig(path) {
		return false
	}
	rel, err := filepath.Rel(root, filepath.Dir(path))
	if err != nil {
		rel = filepath.Dir(path)
	}
	inArazzoDir := filepath.Base(filepath.Clean(root)) == "arazzo"
	for _, dir := range strings.Split(filepath.ToSlash(rel), "/") {
		if strings.EqualFold(dir, "arazzo") {
			inArazzoDir = true
		}
	}
	return inArazzoDir
}

func readHead(path string, n int64) ([]byte, error) {
	return regfile.ReadHead(path, n)
}

func countStdin(files []string) int {
	n := 0
	for _, f := range files {
		if f == "-" {
			n++
		}
	}
	return n
}

// parseFlagsAnywhere parses flags that may come before, between or after the
// positional arguments ("arazzo validate a.yaml --format json"), which the
// flag package alone does not allow. "--" ends flag parsing; a lone "-" is a
// positional argument (standard input).
func parseFlagsAnywhere(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, runFlagError(fs, err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		// The flag package stops at the first non-flag and swallows a
		// "--" terminator; tell the two apart by looking at what it left.
		consumed := len(args) - len(rest)
		if consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}
