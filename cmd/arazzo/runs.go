package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/arazzo-go/arazzo/arazzo"
	"github.com/arazzo-go/arazzo/internal/report"
	"github.com/arazzo-go/arazzo/runtime"
	"github.com/arazzo-go/arazzo/runtime/store"
)

// Durable runs in the CLI: `run --state PATH` records a run, `resume ID`
// continues it, `runs` lists the runs of a state file and `runs show ID`
// prints one's history as the report (docs/durable.md).

// stateEnv names the state file when --state is not given.
const stateEnv = "ARAZZO_STATE"

// leaseTTLEnv sets how long a run's lease outlives its process
// (runtime.RunOptions.LeaseTTL): how long a run whose process was killed
// stays locked.
const leaseTTLEnv = "ARAZZO_LEASE_TTL"

// leaseTTL reads leaseTTLEnv; unset means the runtime's default.
func leaseTTL() (time.Duration, error) {
	v := os.Getenv(leaseTTLEnv)
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s=%q: want a positive duration such as 30s", leaseTTLEnv, v)
	}
	return d, nil
}

// leasedExit prints why a run cannot be resumed now and returns
// exitLeased, when err says another process holds the run.
func leasedExit(stderr io.Writer, err error) (int, bool) {
	var le *runtime.LeasedError
	if !errors.As(err, &le) || le.Lost {
		return 0, false
	}
	fmt.Fprintf(stderr, "arazzo resume: %v\n", le)
	return exitLeased, true
}

// runStatePath is --state, else $ARAZZO_STATE, else "".
func runStatePath(flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	return os.Getenv(stateEnv)
}

// runSettings are the flags of `run --state` that `resume` reuses: what
// the engine needs to take the same path (servers, mocks, limits). Inputs
// are stored by the runtime (secret ones by name only); --auth never is.
type runSettings struct {
	Servers        []string `json:"servers,omitempty"`
	ServerVars     []string `json:"serverVars,omitempty"`
	Mock           string   `json:"mock,omitempty"`
	LoopDelay      string   `json:"loopDelay,omitempty"`
	MaxSteps       int      `json:"maxSteps,omitempty"`
	RequestTimeout string   `json:"requestTimeout,omitempty"`
	Strict         bool     `json:"strict,omitempty"`
	AllowRemote    bool     `json:"allowRemote,omitempty"`
}

const settingsMeta = "cli"

func settingsOf(f *runFlags) (map[string]string, error) {
	s := runSettings{Servers: f.servers, ServerVars: f.serverVars, LoopDelay: f.loopDelay, MaxSteps: f.maxSteps, Strict: f.strict, AllowRemote: f.allowRemote}
	if f.requestTimeout != 0 {
		s.RequestTimeout = f.requestTimeout.String()
	}
	if f.mock != "" {
		abs, err := filepath.Abs(f.mock)
		if err != nil {
			return nil, err
		}
		s.Mock = abs
	}
	b, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	return map[string]string{settingsMeta: string(b)}, nil
}

// applySettings fills the flags `resume` was not given from the recorded run.
func applySettings(f *runFlags, meta map[string]string) error {
	var s runSettings
	if raw := meta[settingsMeta]; raw != "" {
		if err := json.Unmarshal([]byte(raw), &s); err != nil {
			return fmt.Errorf("the run's recorded settings: %v", err)
		}
	}
	if len(f.servers) == 0 {
		f.servers = s.Servers
	}
	if len(f.serverVars) == 0 {
		f.serverVars = s.ServerVars
	}
	if f.mock == "" {
		f.mock = s.Mock
	}
	if f.loopDelay == "" {
		f.loopDelay = s.LoopDelay
	}
	if f.maxSteps == 0 {
		f.maxSteps = s.MaxSteps
	}
	if f.requestTimeout == 0 && s.RequestTimeout != "" {
		f.requestTimeout, _ = time.ParseDuration(s.RequestTimeout)
	}
	f.strict = f.strict || s.Strict
	f.allowRemote = f.allowRemote || s.AllowRemote
	return nil
}

// documentHash is the content hash a resume compares: a changed document
// could take another path than the one recorded.
func documentHash(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:]), nil
}

// runExecute starts the run: plainly, recorded in a state file (--state),
// or resumed from one (arazzo resume).
func runExecute(ctx context.Context, eng *runtime.Engine, wf *arazzo.Workflow, inputs map[string]any, f *runFlags, stderr io.Writer) (*runtime.Result, error) {
	path := runStatePath(f.state)
	if path == "" {
		return eng.Run(ctx, wf.WorkflowID, inputs)
	}
	st, err := store.OpenSQLite(ctx, path, store.Options{})
	if err != nil {
		return nil, fmt.Errorf("--state %s: %w", path, err)
	}
	defer st.Close()
	hash, err := documentHash(f.file)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(f.file)
	if err != nil {
		return nil, err
	}
	ttl, err := leaseTTL()
	if err != nil {
		return nil, err
	}
	ro := runtime.RunOptions{ID: f.resumeID, Document: runtime.DocumentRef{Path: abs, Hash: hash}, LeaseTTL: ttl}
	if f.resumeID != "" {
		fmt.Fprintf(stderr, "resuming run %s (state %s)\n", f.resumeID, path)
		return eng.Resume(ctx, st, f.resumeID, inputs, ro)
	}
	if ro.Meta, err = settingsOf(f); err != nil {
		return nil, err
	}
	ro.ID, ro.Store = newCLIRunID(), st
	fmt.Fprintf(stderr, "run %s recorded in %s (after an interruption: arazzo resume %s --state %s)\n", ro.ID, path, ro.ID, path)
	return eng.RunWith(ctx, wf.WorkflowID, inputs, ro)
}

// newCLIRunID is a run id people can type: the time and a random suffix.
func newCLIRunID() string {
	var b [3]byte
	if _, err := rand.Read(b[:]); err != nil {
		return time.Now().UTC().Format("20060102-150405.000000")
	}
	return time.Now().UTC().Format("20060102-150405") + "-" + hex.EncodeToString(b[:])
}

const resumeUsage = `usage: arazzo resume ID [--state PATH] [flags]

Continues a run recorded with arazzo run --state: it replays what the run
recorded (no request is sent again, a wait goes on with the time left) and
runs on from where it stopped. Secret inputs and --auth are never stored:
give them again (--input NAME=VALUE, --input-env, --auth; a terminal prompts
for missing secret inputs). Servers, mocks and limits are those of the
recorded run unless given again. The run flags (--json, -v, --report...) apply.

A run is executed by one process at a time: while another process runs or
resumes it, resume exits 4 naming that process. A killed process keeps its
run locked for its lease time: 30 s, or $ARAZZO_LEASE_TTL (e.g. 10s) as set
for that process.

  --state PATH      the state file (default $ARAZZO_STATE)

Exit: as arazzo run; 2 also when the run is unknown, its document changed, or
secret inputs are missing; 4 when another process is executing the run.
`

func cmdResume(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	f, err := parseRunFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, resumeUsage)
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "arazzo resume: %v\n\n%s", err, resumeUsage)
		return exitUsage
	}
	f.resumeID, f.file = f.file, ""
	path := runStatePath(f.state)
	if path == "" {
		fmt.Fprintf(stderr, "arazzo resume: no state file: give --state PATH or set %s\n", stateEnv)
		return exitUsage
	}
	f.state = path
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	dr, err := readRecordedRun(ctx, path, f.resumeID)
	if err != nil {
		fmt.Fprintf(stderr, "arazzo resume: %v\n", err)
		return exitUsage
	}
	if dr.Status != store.StatusRunning {
		fmt.Fprintf(stderr, "arazzo resume: run %s already %s; arazzo runs show %s prints its history\n", f.resumeID, dr.Status, f.resumeID)
		return exitUsage
	}
	// Before loading the document and asking for secrets: Engine.Resume
	// checks again, atomically, when it takes the lease.
	if dr.Lease.Live(time.Now()) {
		code, _ := leasedExit(stderr, &runtime.LeasedError{RunID: f.resumeID, Holder: dr.Lease})
		return code
	}
	f.file, f.workflow = dr.DocumentPath, dr.WorkflowID
	if err := applySettings(f, dr.Meta); err != nil {
		fmt.Fprintf(stderr, "arazzo resume: %v\n", err)
		return exitUsage
	}
	// The stored (non-secret) inputs are the run's; those given here are
	// its secrets (Engine.Resume takes only the names it recorded).
	return runWorkflowCommand(ctx, f, stdin, stdout, stderr)
}

// openExistingState opens a state file that must exist already: opening
// would otherwise create an empty one where the user mistyped a path.
func openExistingState(ctx context.Context, path string) (*store.SQLite, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("state file %s: %w", path, err)
	}
	st, err := store.OpenSQLite(ctx, path, store.Options{})
	if err != nil {
		return nil, fmt.Errorf("state file %s: %w", path, err)
	}
	return st, nil
}

func readRecordedRun(ctx context.Context, path, id string) (*runtime.DurableRun, error) {
	st, err := openExistingState(ctx, path)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	dr, err := runtime.ReadDurableRun(ctx, st, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("no run %s in %s (arazzo runs --state %s lists them)", id, path, path)
	}
	return dr, err
}

const runsUsage = `usage: arazzo runs [--state PATH] [--json]
       arazzo runs show ID [--state PATH]

Lists the runs recorded in a state file (arazzo run --state): id, workflow,
status (with the process executing it, when one is), current step, started,
updated; most recent first (--json:
docs/schemas/runs.schema.json). "runs show ID"
prints one run's history as the report of arazzo run --report (JSON),
replayed from the state file without sending anything.

  --state PATH      the state file (default $ARAZZO_STATE)
  --json            the list as JSON

Exit: 0, or 2 when the state file or the run does not exist.
`

func cmdRuns(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("runs", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	state := fs.String("state", "", "")
	asJSON := fs.Bool("json", false, "")
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprint(stdout, runsUsage)
				return exitOK
			}
			fmt.Fprintf(stderr, "arazzo runs: %v\n\n%s", runFlagError(fs, err), runsUsage)
			return exitUsage
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
	path := runStatePath(*state)
	if path == "" {
		fmt.Fprintf(stderr, "arazzo runs: no state file: give --state PATH or set %s\n", stateEnv)
		return exitUsage
	}
	ctx := context.Background()
	st, err := openExistingState(ctx, path)
	if err != nil {
		fmt.Fprintf(stderr, "arazzo runs: %v\n", err)
		return exitUsage
	}
	defer st.Close()
	switch {
	case len(positional) == 0:
		return runsList(ctx, st, *asJSON, stdout, stderr)
	case len(positional) == 2 && positional[0] == "show":
		return runsShow(ctx, st, path, positional[1], stdout, stderr)
	}
	fmt.Fprintf(stderr, "arazzo runs: unexpected %q\n\n%s", positional, runsUsage)
	return exitUsage
}

// leaseRow is the process executing a run, in runs --json.
type leaseRow struct {
	Host  string    `json:"host"`
	PID   int       `json:"pid"`
	Until time.Time `json:"until"`
}

func runsList(ctx context.Context, st store.Store, asJSON bool, stdout, stderr io.Writer) int {
	runs, err := st.Runs(ctx, store.Filter{})
	if err != nil {
		fmt.Fprintf(stderr, "arazzo runs: %v\n", err)
		return exitUsage
	}
	now := time.Now()
	if asJSON {
		type row struct {
			ID          string    `json:"id"`
			WorkflowID  string    `json:"workflowId"`
			Status      string    `json:"status"`
			CurrentStep string    `json:"currentStep,omitempty"`
			Document    string    `json:"document,omitempty"`
			Started     time.Time `json:"started"`
			Updated     time.Time `json:"updated"`
			LeasedBy    *leaseRow `json:"leasedBy,omitempty"`
		}
		rows := make([]row, 0, len(runs))
		for _, r := range runs {
			var lease *leaseRow
			if r.Lease.Live(now) {
				lease = &leaseRow{r.Lease.Host, r.Lease.PID, r.Lease.Until}
			}
			rows = append(rows, row{r.ID, r.WorkflowID, string(r.Status), r.CurrentStep, r.DocumentPath, r.Started, r.Updated, lease})
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(struct {
			FormatVersion int   `json:"formatVersion"`
			Runs          []row `json:"runs"`
		}{1, rows})
		return exitOK
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tWORKFLOW\tSTATUS\tSTEP\tSTARTED\tUPDATED")
	for _, r := range runs {
		step := r.CurrentStep
		if step == "" {
			step = "-"
		}
		status := string(r.Status)
		if r.Lease.Live(now) {
			status += fmt.Sprintf(" (live: pid %d on %s)", r.Lease.PID, r.Lease.Host)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.WorkflowID, status, step, r.Started.Local().Format(time.DateTime), r.Updated.Local().Format(time.DateTime))
	}
	tw.Flush()
	return exitOK
}

func runsShow(ctx context.Context, st store.Store, path, id string, stdout, stderr io.Writer) int {
	dr, err := runtime.ReadDurableRun(ctx, st, id)
	if errors.Is(err, store.ErrNotFound) {
		fmt.Fprintf(stderr, "arazzo runs: no run %s in %s\n", id, path)
		return exitUsage
	}
	if err != nil {
		fmt.Fprintf(stderr, "arazzo runs: %v\n", err)
		return exitUsage
	}
	f := &runFlags{file: dr.DocumentPath}
	if err := applySettings(f, dr.Meta); err != nil {
		fmt.Fprintf(stderr, "arazzo runs: %v\n", err)
		return exitUsage
	}
	doc, _, err := arazzo.Load(ctx, dr.DocumentPath, arazzo.LoadOptions{AllowRemote: f.allowRemote})
	if err != nil || doc == nil {
		fmt.Fprintf(stderr, "arazzo runs: run %s: its document %s: %v\n", id, dr.DocumentPath, err)
		return exitUsage
	}
	if hash, err := documentHash(dr.DocumentPath); err == nil && dr.DocumentHash != "" && hash != dr.DocumentHash {
		fmt.Fprintf(stderr, "arazzo runs: run %s: %s changed since the run started; its history cannot be replayed with it\n", id, dr.DocumentPath)
		return exitUsage
	}
	eng, err := runtime.New(doc, runtime.Options{KeepDetails: -1})
	if err != nil {
		fmt.Fprintf(stderr, "arazzo runs: %v\n", err)
		return exitUsage
	}
	defer eng.Close()
	res, _ := eng.History(ctx, st, id)
	if res == nil {
		fmt.Fprintf(stderr, "arazzo runs: run %s could not be replayed\n", id)
		return exitUsage
	}
	if err := report.WriteJSON(stdout, res); err != nil {
		fmt.Fprintf(stderr, "arazzo runs: %v\n", err)
		return exitUsage
	}
	return exitOK
}
