package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"github.com/arazzo-go/arazzo/internal/regfile"
	"io"
	"math"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/arazzo-go/arazzo/arazzo"
	"github.com/arazzo-go/arazzo/internal/jsonlimit"
	"github.com/arazzo-go/arazzo/internal/report"
	"github.com/arazzo-go/arazzo/runtime"
	"github.com/arazzo-go/arazzo/runtime/broker"
)

const runUsage = `usage: arazzo run FILE [flags]

Runs one workflow of an Arazzo document. Flags may come before or after FILE.

  --workflow ID, -w ID      the workflow to run (optional when the document has one)
  --input NAME=VALUE        an input, coerced by the inputs schema type (repeatable)
  --inputs FILE|-           inputs as a JSON or YAML object (lowest precedence)
  --input-env NAME=VAR      an input read from environment variable VAR (repeatable)
  --input-file NAME=PATH    an input read from a file, trailing newline dropped (repeatable)
  --env-file FILE           dotenv file for ARAZZO_INPUT_<name> and --input-env variables
                            (the environment wins over it)
                            Precedence: --inputs < ARAZZO_INPUT_<name> < --input-env,
                            --input-file < --input
  --server SOURCE=URL       base URL for a source description (repeatable)
  --server-var SOURCE.VAR=VALUE  server variable for a source (repeatable)
  --mock FILE               answer operations from a mock file, offline
  --allow-remote            fetch http(s) source descriptions
  --auth SOURCE[.SCHEME]=KIND:SPEC  credentials from env/files (repeatable; see docs/auth.md)
  --json                    print the run report instead of the outputs (as --report)
  -v                        explain criteria and show warnings
  --no-progress             a line per attempt even on a terminal (no live status line)
  --max-steps N             step executions per run (default 1000)
  --timeout D               whole run (default none)
  --request-timeout D       per request (default 30s; negative: no per-request deadline)
  --loop-delay D            first wait before a step re-entered by goto (default 1s)
  --strict                  refuse a document with any error; unmatched onSuccess actions and
                            non-2xx without criteria fail
  --report FILE, --har FILE, --junit FILE   write reports (paths checked before the first request)
  --check                   check each response against its OpenAPI description; differences
                            are warnings in the progress and reports (README, "Contracts")
  --dry-run                 build and print the requests without sending any (exit 0;
                            1 when a step's request cannot be built)
  --tls [SOURCE=]cert=FILE,key=FILE,ca=FILE  client certificate and CA bundle, for one
                            source or all (repeatable); HTTPS_PROXY/NO_PROXY are honoured
  --tls-config FILE         the same from a YAML file (tls: {SOURCE|"*": {cert, key, ca}})
  --state PATH              record the run in a state file (default $ARAZZO_STATE; none
                            when unset) so that arazzo resume can continue it after a
                            crash; arazzo runs lists what it holds (docs/durable.md)
  --temporal HOST:PORT       run on Temporal instead: the arguments go to arazzo-temporal run
                            (on PATH; --task-queue, --input, --detach; docs/temporal.md)

Tracing: OpenTelemetry spans when OTEL_EXPORTER_OTLP_ENDPOINT is set (OTLP/HTTP), or
OTEL_TRACES_EXPORTER=console (stderr).

Stdout: the workflow outputs as JSON. Exit: 0 succeeded, 1 failed, 2 usage/load/input or a report not written, 3 aborted.
`

// runFlags holds the parsed flags of arazzo run.
type runFlags struct {
	file           string
	workflow       string
	inputs         []string
	inputsFile     string
	servers        []string
	serverVars     []string
	mock           string
	json, verbose  bool
	strict         bool
	maxSteps       int
	timeout        time.Duration
	requestTimeout time.Duration
	loopDelay      string
	reportFile     string
	harFile        string
	junitFile      string
	auth           []string // --auth, applied by run_auth.go
	allowRemote    bool
	inputEnv       []string // --input-env NAME=VAR, applied by run_inputs.go
	inputFile      []string // --input-file NAME=PATH
	envFile        string   // --env-file .env
	check          bool     // --check, applied by run_check.go
	dryRun         bool     // --dry-run, run_dryrun.go
	tls            []string // --tls, run_tls.go
	tlsConfig      string   // --tls-config FILE, run_tls.go
	noProgress     bool     // --no-progress, run_live.go
	state          string   // --state PATH: record the run (runs.go)
	// brokerCreds are the --auth credentials of AsyncAPI sources, read
	// when their broker is dialled (run_brokers.go).
	brokerCreds map[string]broker.Credentials
	resumeID    string // set by arazzo resume
}

// runListFlag collects a repeatable flag.
type runListFlag []string

func (l *runListFlag) String() string     { return strings.Join(*l, ",") }
func (l *runListFlag) Set(s string) error { *l = append(*l, s); return nil }

func parseRunFlags(args []string, stderr io.Writer) (*runFlags, error) {
	f := &runFlags{}
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&f.workflow, "workflow", "", "")
	fs.StringVar(&f.workflow, "w", "", "")
	fs.Var((*runListFlag)(&f.inputs), "input", "")
	fs.StringVar(&f.inputsFile, "inputs", "", "")
	fs.Var((*runListFlag)(&f.inputEnv), "input-env", "")
	fs.Var((*runListFlag)(&f.inputFile), "input-file", "")
	fs.StringVar(&f.envFile, "env-file", "", "")
	fs.Var((*runListFlag)(&f.servers), "server", "")
	fs.Var((*runListFlag)(&f.serverVars), "server-var", "")
	fs.StringVar(&f.mock, "mock", "", "")
	fs.BoolVar(&f.json, "json", false, "")
	fs.BoolVar(&f.verbose, "v", false, "")
	fs.BoolVar(&f.verbose, "verbose", false, "")
	fs.BoolVar(&f.strict, "strict", false, "")
	fs.IntVar(&f.maxSteps, "max-steps", 0, "")
	fs.DurationVar(&f.timeout, "timeout", 0, "")
	fs.DurationVar(&f.requestTimeout, "request-timeout", 0, "")
	fs.StringVar(&f.loopDelay, "loop-delay", "", "")
	fs.StringVar(&f.reportFile, "report", "", "")
	fs.StringVar(&f.harFile, "har", "", "")
	fs.StringVar(&f.junitFile, "junit", "", "")
	fs.Var((*runListFlag)(&f.auth), "auth", "")
	fs.BoolVar(&f.allowRemote, "allow-remote", false, "")
	fs.BoolVar(&f.check, "check", false, "")
	fs.BoolVar(&f.dryRun, "dry-run", false, "")
	fs.Var((*runListFlag)(&f.tls), "tls", "")
	fs.StringVar(&f.tlsConfig, "tls-config", "", "")
	fs.BoolVar(&f.noProgress, "no-progress", false, "")
	fs.StringVar(&f.state, "state", "", "")
	help := false
	fs.BoolVar(&help, "h", false, "")
	fs.BoolVar(&help, "help", false, "")

	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, runFlagError(fs, err)
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
	if help {
		return nil, flag.ErrHelp
	}
	switch len(positional) {
	case 0:
		return nil, errors.New("missing FILE")
	case 1:
		f.file = positional[0]
	default:
		return nil, fmt.Errorf("one FILE expected, got %d: %s", len(positional), strings.Join(positional, " "))
	}
	if f.maxSteps < 0 {
		return nil, errors.New("--max-steps must be positive")
	}
	return f, nil
}

// runFlagError rewords the flag package's errors in the --double-dash form
// the usage shows, names what a value should look like, and suggests the
// flag a typo was probably meant to be.
func runFlagError(fs *flag.FlagSet, err error) error {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		name = strings.TrimPrefix(name, "-")
		var near []string
		fs.VisitAll(func(f *flag.Flag) {
			if len(f.Name) >= 3 && len(name) >= 3 && (strings.HasPrefix(f.Name, name) || strings.HasPrefix(name, f.Name)) {
				near = append(near, "--"+f.Name)
			}
		})
		if len(near) > 0 {
			return fmt.Errorf("unknown flag --%s; did you mean %s?", name, strings.Join(near, " or "))
		}
		return fmt.Errorf("unknown flag --%s", name)
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: -"); ok {
		return fmt.Errorf("--%s needs a value", strings.TrimPrefix(name, "-"))
	}
	// invalid boolean value "maybe" for -json: parse error
	if rest, ok := strings.CutPrefix(msg, "invalid boolean value "); ok {
		if q, name, ok := strings.Cut(rest, " for -"); ok {
			name, _, _ = strings.Cut(name, ":")
			return fmt.Errorf("--%s=%s: want true or false", name, q)
		}
	}
	// invalid value "5" for flag -timeout: parse error
	if rest, ok := strings.CutPrefix(msg, "invalid value "); ok {
		if q, name, ok := strings.Cut(rest, " for flag -"); ok {
			name, _, _ = strings.Cut(name, ":")
			want := "a valid value"
			if g, ok := fs.Lookup(name).Value.(flag.Getter); ok {
				switch g.Get().(type) {
				case time.Duration:
					want = "a duration such as 500ms, 30s or 2m"
				case int:
					want = "a whole number"
				}
			}
			return fmt.Errorf("--%s %s: want %s", name, q, want)
		}
	}
	return err
}

func cmdRun(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if code, ok := runTemporalPlugin(args, stdin, stdout, stderr); ok {
		return code
	}
	f, err := parseRunFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, runUsage)
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "arazzo run: %v\n\n%s", err, runUsage)
		return exitUsage
	}
	// SIGHUP (the terminal closed) ends the run like Ctrl-C: partial reports
	// are written rather than lost.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	return runWorkflowCommand(ctx, f, stdin, stdout, stderr)
}

func runWorkflowCommand(ctx context.Context, f *runFlags, stdin io.Reader, stdout, stderr io.Writer) int {
	fail := func(format string, args ...any) int {
		fmt.Fprintf(stderr, "arazzo run: "+format+"\n", args...)
		return exitUsage
	}

	doc, diags, err := arazzo.Load(ctx, f.file, arazzo.LoadOptions{AllowRemote: f.allowRemote})
	if err != nil {
		return fail("%v", err)
	}
	if doc == nil || (f.strict && diags.HasErrors()) {
		// --strict keeps the refuse-everything behaviour: any error in
		// the document stops the run before any request.
		runPrintDiagnostics(stderr, doc, diags, f.verbose)
		return exitUsage
	}

	wf, err := runPickWorkflow(doc, f.workflow)
	if err != nil {
		return fail("%v", err)
	}
	inputs, err := runCollectInputs(ctx, doc, wf, f, stdin)
	if err != nil {
		return fail("%v", err)
	}
	if err := runPromptSecrets(doc, wf, inputs, stdin, stderr); err != nil {
		return fail("%v", err)
	}
	runWarnUnknownInputs(stderr, doc, wf, inputs)

	opts := runtime.Options{
		MaxSteps:       f.maxSteps,
		Timeout:        f.timeout,
		RequestTimeout: f.requestTimeout,
		Strict:         f.strict,
		StrictDocument: f.strict,
		// One run, read by people and written to reports (--har shows
		// every exchange): keep every attempt's details.
		KeepDetails: -1,
	}
	if f.loopDelay != "" {
		d, err := time.ParseDuration(f.loopDelay)
		if err != nil || d < 0 {
			return fail("--loop-delay %q: want a duration such as 0, 500ms or 2s", f.loopDelay)
		}
		opts.LoopDelay = d
		if d == 0 {
			opts.LoopDelay = runtime.Off // --loop-delay 0: no pacing
		}
	}
	if opts.Servers, err = runParseServers(doc, f.servers); err != nil {
		return fail("%v", err)
	}
	if opts.ServerVars, err = runParseServerVars(doc, f.serverVars); err != nil {
		return fail("%v", err)
	}
	var mocks *runtime.Mocks
	if f.mock != "" {
		mocks, err = runtime.LoadMocks(f.mock)
		if err != nil {
			return fail("--mock: %v", err)
		}
		opts.Transport = mocks.Transport()
		opts.MessageMocks = mocks // AsyncAPI steps answer from its messages
	} else {
		var closeBrokers func()
		opts.Brokers, closeBrokers = runBrokers(doc, opts.Servers, opts.ServerVars, func(source string) broker.Credentials { return f.brokerCreds[source] })
		defer closeBrokers()
	}
	if err := runApplyTLS(doc, f, &opts); err != nil {
		return fail("%v", err)
	}
	if err := runApplyAuth(doc, f, &opts, stderr); err != nil {
		return fail("%v", err)
	}
	opts.Observer = runProgressObserver(stderr, f)
	runApplyCheck(doc, f, &opts)
	flushTrace, err := runApplyTracing(&opts, stderr)
	if err != nil {
		return fail("%v", err)
	}
	defer flushTrace()

	eng, err := runtime.New(doc, opts)
	if err != nil {
		for _, d := range diags {
			if d.Rule == arazzo.RuleSourceNotFetched {
				return fail("%v\n(source descriptions at http(s) URLs are not fetched unless you add --allow-remote)", err)
			}
		}
		return fail("%v", err)
	}
	defer eng.Close()
	problems, err := eng.Problems(wf.WorkflowID)
	if err != nil {
		return fail("%v", err)
	}
	if len(problems.Refused) > 0 {
		fmt.Fprintf(stderr, "arazzo run: workflow %s cannot run: the document has errors in what it needs\n", wf.WorkflowID)
		runPrintDiagnostics(stderr, doc, problems.Refused, f.verbose)
		return exitUsage
	}
	runPrintWarnings(stderr, doc, diags, problems, f.verbose)
	if len(problems.Steps) > 0 && !f.allowRemote {
		for _, d := range diags {
			if d.Rule == arazzo.RuleSourceNotFetched {
				fmt.Fprintln(stderr, "(source descriptions at http(s) URLs are not fetched unless you add --allow-remote)")
				break
			}
		}
	}
	if mocks != nil {
		runWarnUnmatchedMocks(stderr, f.mock, mocks, eng.Operations())
	}
	if f.dryRun {
		return runDryRun(ctx, doc, wf, inputs, opts, f.json, stdout, stderr)
	}
	if err := runCheckReports(f); err != nil {
		return fail("%v", err)
	}
	res, err := runExecute(ctx, eng, wf, inputs, f, stderr)
	// A run that started returns its Result, with a *StepError or an
	// *AbortError when it failed: the Result says all of it.
	if err != nil && res == nil {
		if code, ok := leasedExit(stderr, err); ok {
			return code
		}
		var ie *runtime.InputError
		if errors.As(err, &ie) {
			fmt.Fprintf(stderr, "arazzo run: invalid inputs for workflow %s:\n", ie.WorkflowID)
			missing := false
			for _, p := range ie.Problems {
				if p.Field != "" {
					fmt.Fprintf(stderr, "  %s: %s\n", p.Field, p.Msg)
				} else {
					fmt.Fprintf(stderr, "  %s\n", p.Msg)
				}
				missing = missing || strings.Contains(p.Msg, "missing required")
			}
			if missing {
				fmt.Fprintf(stderr, "Give inputs with --input NAME=VALUE (repeatable) or --inputs FILE.\n")
			}
			return exitUsage
		}
		return fail("%v", err)
	}

	reportsWritten := runWriteReports(stderr, f, res)

	if f.json {
		// The run report shape, the same bytes as --report FILE.
		if err := report.WriteJSON(stdout, res); err != nil {
			return fail("writing the result: %v", err)
		}
		return runExit(res.Status, reportsWritten)
	}
	var out any = res.Outputs
	if out == nil {
		out = map[string]any{}
	}
	// Indentation stops at jsonlimit.MaxIndent levels: a deep body used as
	// an output would otherwise grow with the square of its depth.
	if err := jsonlimit.Encode(stdout, out); err != nil {
		return fail("writing the result: %v", err)
	}
	return runExit(res.Status, reportsWritten)
}

// runExit is the exit code of a run: a report not written wins, since
// the file CI uploads is missing (run_reports.go).
func runExit(s runtime.Status, reportsWritten bool) int {
	switch {
	case !reportsWritten:
		return exitUsage
	case s == runtime.Succeeded:
		return exitOK
	case s == runtime.Aborted:
		return exitAborted
	default:
		return exitFailed
	}
}

// runPrintDiagnostics prints load diagnostics, with the pretty renderer
// when it is available.
func runPrintDiagnostics(w io.Writer, doc *arazzo.Document, ds arazzo.Diagnostics, verbose bool) {
	if !verbose {
		var errs arazzo.Diagnostics
		for _, d := range ds {
			if d.Severity == arazzo.SeverityError {
				errs = append(errs, d)
			}
		}
		ds = errs
	}
	src := arazzo.Sources{}
	if doc != nil {
		src[doc.File] = doc.Src
	}
	if err := arazzo.WriteText(w, ds, src, false); err == nil {
		return
	}
	for _, d := range ds {
		fmt.Fprintln(w, d.String())
	}
}

// runMaxWarnings bounds the warnings a run prints before its progress;
// arazzo validate lists them all.
const runMaxWarnings = 20

// runPrintWarnings prints, once before the first request, what the run
// does differently from what the document says: the errors it works
// around (Problems.Steps and Elsewhere, as warnings) and the document's
// warnings (repairs of damaged sources, dialects evaluated leniently). One
// line each, or with snippets under -v; at most runMaxWarnings lines.
func runPrintWarnings(w io.Writer, doc *arazzo.Document, diags arazzo.Diagnostics, p *runtime.Problems, verbose bool) {
	var ds arazzo.Diagnostics
	ds = append(ds, p.Steps...)
	ds = append(ds, p.Elsewhere...)
	for _, d := range diags {
		if d.Severity == arazzo.SeverityWarning {
			ds = append(ds, d)
		}
	}
	if len(ds) == 0 {
		return
	}
	ds = ds.Sort()
	if verbose {
		runPrintDiagnostics(w, doc, ds, true)
		return
	}
	for i, d := range ds {
		if i == runMaxWarnings {
			fmt.Fprintf(w, "… and %d more warnings (arazzo validate %s lists them all)\n", len(ds)-i, doc.File)
			break
		}
		fmt.Fprintln(w, d.String())
	}
}

func runPickWorkflow(doc *arazzo.Document, id string) (*arazzo.Workflow, error) {
	var ids []string
	for _, w := range doc.Workflows {
		ids = append(ids, w.WorkflowID)
	}
	if id == "" {
		if len(doc.Workflows) == 1 {
			return doc.Workflows[0], nil
		}
		return nil, fmt.Errorf("the document has %d workflows; choose one with --workflow (%s)", len(ids), strings.Join(ids, ", "))
	}
	if wf := doc.Workflow(id); wf != nil {
		return wf, nil
	}
	return nil, fmt.Errorf("no workflow %q in %s (have %s)", id, doc.File, strings.Join(ids, ", "))
}

// readAllContext reads r to its end, or returns ctx's error as soon as ctx
// ends: Ctrl-C and SIGTERM are caught by the run (to write partial reports),
// so a read of a terminal or pipe that never ends must not outlive them. The
// reading goroutine is left blocked; the process exits right after.
func readAllContext(ctx context.Context, r io.Reader) ([]byte, error) {
	type result struct {
		data []byte
		err  error
	}
	done := make(chan result, 1)
	go func() {
		data, err := io.ReadAll(r)
		done <- result{data, err}
	}()
	select {
	case res := <-done:
		return res.data, res.err
	case <-ctx.Done():
		return nil, fmt.Errorf("reading standard input: %w", context.Cause(ctx))
	}
}

// maxInputsBytes bounds --inputs, from a file or standard input.
const maxInputsBytes = 16 << 20

// runCollectInputs merges --inputs FILE and --input NAME=VALUE.
func runCollectInputs(ctx context.Context, doc *arazzo.Document, wf *arazzo.Workflow, f *runFlags, stdin io.Reader) (map[string]any, error) {
	inputs := map[string]any{}
	if f.inputsFile != "" {
		var data []byte
		var err error
		if f.inputsFile == "-" {
			data, err = readAllContext(ctx, io.LimitReader(stdin, maxInputsBytes+1))
			if err == nil && len(data) > maxInputsBytes {
				err = fmt.Errorf("standard input is larger than the limit of %d bytes", maxInputsBytes)
			}
		} else {
			// The same limit as standard input; a FIFO or directory is
			// refused at once rather than blocking the run.
			data, err = regfile.ReadFile(f.inputsFile, maxInputsBytes)
		}
		if err != nil {
			return nil, fmt.Errorf("--inputs: %v", err)
		}
		var v any
		if err := yaml.Unmarshal(data, &v); err != nil {
			return nil, fmt.Errorf("--inputs %s: %v", f.inputsFile, err)
		}
		m, ok := runtime.JSONValue(v).(map[string]any)
		if !ok && v != nil {
			return nil, fmt.Errorf("--inputs %s: want a JSON or YAML object", f.inputsFile)
		}
		for k, x := range m {
			inputs[k] = x
		}
	}
	if err := runOutsideInputs(doc, wf, f, inputs); err != nil {
		return nil, err
	}
	for _, kv := range f.inputs {
		name, value, ok := strings.Cut(kv, "=")
		if !ok {
			// Without "=" the whole argument may be a secret value whose
			// name was forgotten, so it is not echoed.
			return nil, fmt.Errorf("--input: want NAME=VALUE, got an argument without \"=\" (inputs: %s)", runInputNames(doc, wf))
		}
		if name == "" {
			return nil, fmt.Errorf("--input: want NAME=VALUE, got no NAME before \"=\" (inputs: %s)", runInputNames(doc, wf))
		}
		typ := runtime.InputType(doc, wf, name)
		v, err := runCoerceInput(typ, value)
		if err != nil {
			return nil, fmt.Errorf("--input %s: %v", name, runHideSecretInput(err, typ, runtime.IsSecretInput(doc, wf, name)))
		}
		inputs[name] = v
	}
	return inputs, nil
}

// runWarnUnknownInputs flags inputs the workflow does not declare: the
// schema usually allows them, so a typo would otherwise pass silently.
func runWarnUnknownInputs(w io.Writer, doc *arazzo.Document, wf *arazzo.Workflow, inputs map[string]any) {
	declared := runtime.InputNames(doc, wf)
	if len(declared) == 0 {
		return
	}
	var unknown []string
	for name := range inputs {
		if !slices.Contains(declared, name) {
			unknown = append(unknown, name)
		}
	}
	sort.Strings(unknown)
	for _, name := range unknown {
		fmt.Fprintf(w, "arazzo run: warning: workflow %s declares no input %q (inputs: %s)\n", wf.WorkflowID, name, strings.Join(declared, ", "))
	}
}

// runWarnUnmatchedMocks names mock keys that answer no operation of the
// document, with the operations it does call.
func runWarnUnmatchedMocks(w io.Writer, file string, m *runtime.Mocks, ops []runtime.OperationKey) {
	unmatched := m.Unmatched(ops)
	if len(unmatched) == 0 {
		return
	}
	var names []string
	for _, k := range ops {
		names = append(names, k.String())
	}
	names = slices.Compact(names)
	list := strings.Join(names, ", ")
	if len(names) > 12 {
		list = strings.Join(names[:12], ", ") + fmt.Sprintf(", and %d more", len(names)-12)
	}
	for _, key := range unmatched {
		fmt.Fprintf(w, "arazzo run: warning: --mock %s: mocks.%s answers no operation of the document (it calls %s)\n", file, key, list)
	}
}

// runInputNames lists the workflow's declared inputs for error messages.
func runInputNames(doc *arazzo.Document, wf *arazzo.Workflow) string {
	names := runtime.InputNames(doc, wf)
	if len(names) == 0 {
		return "none declared"
	}
	return strings.Join(names, ", ")
}

// runCoerceInput converts a --input value by the declared schema type.
func runCoerceInput(typ, value string) (any, error) {
	switch typ {
	case "string":
		return value, nil
	case "integer":
		n, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not an integer", value)
		}
		return n, nil
	case "number":
		n, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
			return nil, fmt.Errorf("%q is not a number", value)
		}
		return n, nil
	case "boolean":
		b, err := strconv.ParseBool(strings.TrimSpace(value))
		if err != nil {
			return nil, fmt.Errorf("%q is not a boolean (true or false)", value)
		}
		return b, nil
	case "object", "array", "null":
		var v any
		if err := jsonlimit.Unmarshal([]byte(value), &v); err != nil {
			return nil, fmt.Errorf("want JSON for a%s %s: %v", map[bool]string{true: "n", false: ""}[typ == "object" || typ == "array"], typ, err)
		}
		return v, nil
	}
	// No declared type: JSON objects, arrays and literals when they parse,
	// else the text.
	t := strings.TrimSpace(value)
	if t != "" && strings.ContainsAny(t[:1], "{[") {
		var v any
		if err := jsonlimit.Unmarshal([]byte(t), &v); err == nil {
			return v, nil
		}
	}
	return value, nil
}

func runParseServers(doc *arazzo.Document, list []string) (map[string]string, error) {
	if len(list) == 0 {
		return nil, nil
	}
	out := map[string]string{}
	for _, s := range list {
		name, u, ok := strings.Cut(s, "=")
		if !ok || name == "" || u == "" {
			return nil, fmt.Errorf("--server %q: want SOURCE=URL", s)
		}
		src := doc.Source(name)
		if src == nil {
			return nil, fmt.Errorf("--server %s: no source description %q (have %s)", s, name, runSourceNames(doc))
		}
		if src.AsyncAPI != nil {
			// A broker URL (nats://, mqtt://, amqp://, kafka://, ws://),
			// checked when the broker is dialled (run_brokers.go).
			out[name] = u
			continue
		}
		// A template ({region}) is left to the request builder and
		// --server-var; a plain URL is checked now rather than failing
		// every step later.
		if !strings.Contains(u, "{") {
			if pu, err := url.Parse(u); err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
				hint := ""
				if !strings.Contains(u, "://") {
					hint = fmt.Sprintf(" such as http://%s", u)
				}
				return nil, fmt.Errorf("--server %s: want an absolute http(s) URL%s", s, hint)
			}
		}
		out[name] = u
	}
	return out, nil
}

func runParseServerVars(doc *arazzo.Document, list []string) (map[string]map[string]string, error) {
	if len(list) == 0 {
		return nil, nil
	}
	out := map[string]map[string]string{}
	for _, s := range list {
		key, value, ok := strings.Cut(s, "=")
		name, variable, ok2 := strings.Cut(key, ".")
		if !ok || !ok2 || name == "" || variable == "" {
			return nil, fmt.Errorf("--server-var %q: want SOURCE.VAR=VALUE", s)
		}
		if doc.Source(name) == nil {
			return nil, fmt.Errorf("--server-var %s: no source description %q (have %s)", s, name, runSourceNames(doc))
		}
		if out[name] == nil {
			out[name] = map[string]string{}
		}
		out[name][variable] = value
	}
	return out, nil
}

func runSourceNames(doc *arazzo.Document) string {
	var names []string
	for _, s := range doc.SourceDescriptions {
		names = append(names, s.Name)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
