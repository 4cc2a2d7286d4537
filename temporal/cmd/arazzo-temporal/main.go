// Command arazzo-temporal runs Arazzo workflows on Temporal: `worker`
// serves documents to a task queue, `run` starts a run there and follows
// it. See docs/temporal.md.
//
// Exit codes, as arazzo's: 0 success; 1 the workflow failed; 2 usage,
// load, input or connection errors; 3 the run was aborted (cancelled).
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"

	"github.com/arazzo-go/arazzo/arazzo"
	"github.com/arazzo-go/arazzo/runtime"
	"github.com/arazzo-go/arazzo/runtime/auth"
	"github.com/arazzo-go/arazzo/runtime/broker"
	"github.com/arazzo-go/arazzo/temporal"
)

const (
	exitOK      = 0
	exitFailed  = 1
	exitUsage   = 2
	exitAborted = 3
)

const usage = `usage:
  arazzo-temporal worker [--temporal HOST:PORT] [--namespace NS] --task-queue Q [--auth SPEC]... [--server NAME=URL]... FILE|DIR...
  arazzo-temporal run [--temporal HOST:PORT] [--namespace NS] --task-queue Q [--workflow ID] [--input NAME=VALUE]... [--detach] FILE

The payload key (AES-256, 64 hex digits) is read from ARAZZO_TEMPORAL_KEY; client and workers must share it.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "worker":
		return workerCommand(ctx, args[1:], stderr)
	case "run":
		return runCommand(ctx, args[1:], stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "arazzo-temporal: unknown command %q\n%s", args[0], usage)
	return exitUsage
}

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

type common struct {
	address, namespace, queue string
}

func (c *common) register(fs *flag.FlagSet) {
	addr := os.Getenv("TEMPORAL_ADDRESS")
	if addr == "" {
		addr = "127.0.0.1:7233"
	}
	fs.StringVar(&c.address, "temporal", addr, "Temporal frontend HOST:PORT (default $TEMPORAL_ADDRESS or 127.0.0.1:7233)")
	fs.StringVar(&c.namespace, "namespace", "default", "Temporal namespace")
	fs.StringVar(&c.queue, "task-queue", "", "task queue (required)")
}

// dial connects with the payload codec when ARAZZO_TEMPORAL_KEY is set.
func (c *common) dial(key []byte) (client.Client, error) {
	dc, err := temporal.DataConverter(key)
	if err != nil {
		return nil, err
	}
	return client.Dial(client.Options{
		HostPort:         c.address,
		Namespace:        c.namespace,
		DataConverter:    dc,
		FailureConverter: temporal.FailureConverter(dc, key),
		Logger:           sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))),
	})
}

func parseFlags(fs *flag.FlagSet, args []string, stderr io.Writer) ([]string, bool) {
	fs.SetOutput(stderr)
	// Flags and operands in any order, as arazzo's commands take them.
	var operands []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, false
		}
		if fs.NArg() == 0 {
			return operands, true
		}
		operands = append(operands, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func workerCommand(ctx context.Context, args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("arazzo-temporal worker", flag.ContinueOnError)
	var c common
	c.register(fs)
	var authFlags, servers listFlag
	fs.Var(&authFlags, "auth", "credential SOURCE[.SCHEME]=KIND:SPEC (repeatable; see docs/auth.md), added inside the activities")
	fs.Var(&servers, "server", "base URL override NAME=URL, or the broker of an AsyncAPI source (nats://, mqtt://, amqp://, kafka://, ws://) (repeatable)")
	reqTimeout := fs.Duration("request-timeout", temporal.DefaultRequestTimeout, "bound on one HTTP exchange")
	maxBody := fs.Int64("max-body", temporal.DefaultMaxBodyBytes, "response body cap in bytes (a body is an activity result in the history)")
	loopDelay := fs.Duration("loop-delay", runtime.DefaultLoopDelay, "first wait before a step re-entered by goto (doubles up to --max-loop-delay); 0: no pacing")
	maxLoopDelay := fs.Duration("max-loop-delay", runtime.DefaultMaxLoopDelay, "longest wait between two executions of a goto loop")
	cache := fs.Int("workflow-cache", 0, "workflows kept in memory between their tasks (the SDK's sticky cache; 0: its default, 10000)")
	paths, ok := parseFlags(fs, args, stderr)
	if !ok {
		return exitUsage
	}
	if c.queue == "" || len(paths) == 0 {
		fmt.Fprintf(stderr, "arazzo-temporal worker: --task-queue and at least one FILE or DIR are required\n%s", usage)
		return exitUsage
	}
	key, err := temporal.ReadKey()
	if err != nil {
		fmt.Fprintf(stderr, "arazzo-temporal worker: %v\n", err)
		return exitUsage
	}
	if key == nil {
		fmt.Fprintf(stderr, "arazzo-temporal worker: warning: %s is not set: inputs, requests and responses are stored in Temporal's history in clear\n", temporal.KeyEnv)
	}
	if *loopDelay == 0 {
		*loopDelay = runtime.Off
	}
	opts := temporal.Options{RequestTimeout: *reqTimeout, MaxBodyBytes: *maxBody, LoopDelay: *loopDelay, MaxLoopDelay: *maxLoopDelay, Servers: map[string]string{},
		Log: func(msg string) { fmt.Fprintf(stderr, "arazzo-temporal worker: %s\n", msg) }}
	for _, s := range servers {
		name, url, ok := strings.Cut(s, "=")
		if !ok || name == "" || url == "" {
			fmt.Fprintf(stderr, "arazzo-temporal worker: --server %q: want NAME=URL\n", s)
			return exitUsage
		}
		if t, isBroker, err := dialBroker(ctx, url); isBroker {
			if err != nil {
				fmt.Fprintf(stderr, "arazzo-temporal worker: --server %s: %v\n", name, err)
				return exitUsage
			}
			defer t.Close()
			if opts.Brokers == nil {
				opts.Brokers = map[string]broker.Transport{}
			}
			opts.Brokers[name] = t
			continue
		}
		opts.Servers[name] = url
	}
	if len(authFlags) > 0 {
		if opts.Auth, err = auth.ParseCredentials(authFlags); err != nil {
			fmt.Fprintf(stderr, "arazzo-temporal worker: %v\n", err)
			return exitUsage
		}
	}
	w := temporal.NewWorker(opts)
	if err := w.Load(ctx, paths...); err != nil {
		fmt.Fprintf(stderr, "arazzo-temporal worker: %v\n", err)
		return exitUsage
	}
	cl, err := c.dial(key)
	if err != nil {
		fmt.Fprintf(stderr, "arazzo-temporal worker: connecting to Temporal at %s: %v\n", c.address, err)
		return exitUsage
	}
	defer cl.Close()
	if *cache > 0 {
		worker.SetStickyWorkflowCacheSize(*cache)
	}
	// Sessions keep a run's AsyncAPI receive on the worker that listened
	// for it (docs/temporal.md).
	wk := worker.New(cl, c.queue, worker.Options{EnableSessionWorker: true})
	w.Register(wk)
	if err := wk.Start(); err != nil {
		fmt.Fprintf(stderr, "arazzo-temporal worker: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(stderr, "arazzo-temporal worker: polling task queue %s on %s (namespace %s)\n", c.queue, c.address, c.namespace)
	<-ctx.Done()
	wk.Stop()
	return exitOK
}

// dialBroker connects to url when its scheme names a broker protocol
// (isBroker false otherwise: an HTTP base URL). The worker dials at start,
// so a broker it cannot reach is reported before it takes any run.
func dialBroker(ctx context.Context, url string) (t broker.Transport, isBroker bool, err error) {
	scheme, _, ok := strings.Cut(url, "://")
	if !ok || !slices.Contains(broker.Protocols(), strings.ToLower(scheme)) {
		return nil, false, nil
	}
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	t, err = broker.Dial(dctx, scheme, broker.Config{URL: url})
	return t, true, err
}

func runCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("arazzo-temporal run", flag.ContinueOnError)
	var c common
	c.register(fs)
	var inputs listFlag
	fs.Var(&inputs, "input", "workflow input NAME=VALUE (repeatable; the value is a string)")
	workflowID := fs.String("workflow", "", "workflow id (default: the document's only or first workflow)")
	detach := fs.Bool("detach", false, "print the Temporal workflow id and return without following the run")
	id := fs.String("id", "", "Temporal workflow id (default arazzo-WORKFLOW-RANDOM)")
	timeout := fs.Duration("timeout", 0, "whole-run bound: the Temporal workflow execution timeout (0: none)")
	quiet := fs.Bool("quiet", false, "no progress lines")
	paths, ok := parseFlags(fs, args, stderr)
	if !ok {
		return exitUsage
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "arazzo-temporal run: "+format+"\n", a...)
		return exitUsage
	}
	if c.queue == "" || len(paths) != 1 {
		return fail("--task-queue and exactly one FILE are required\n%s", usage)
	}
	src, err := os.ReadFile(paths[0])
	if err != nil {
		return fail("%v", err)
	}
	doc, diags := arazzo.LoadBytes(ctx, paths[0], src, arazzo.LoadOptions{})
	if doc == nil || len(doc.Workflows) == 0 {
		return fail("%s: not an Arazzo document with workflows: %v", paths[0], diags.Err())
	}
	in := temporal.RunInput{Document: filepath.Base(paths[0]), Hash: temporal.DocumentHash(src), WorkflowID: *workflowID, Inputs: map[string]any{}}
	if in.WorkflowID == "" {
		in.WorkflowID = doc.Workflows[0].WorkflowID
	}
	key, err := temporal.ReadKey()
	if err != nil {
		return fail("%v", err)
	}
	for _, kv := range inputs {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || name == "" {
			return fail("--input %q: want NAME=VALUE", kv)
		}
		if key == nil && runtime.IsSecretName(name) {
			return fail("input %s is a secret and %s is not set: it would be stored in Temporal's history in clear (set the key the workers use)", name, temporal.KeyEnv)
		}
		in.Inputs[name] = value
	}
	cl, err := c.dial(key)
	if err != nil {
		return fail("connecting to Temporal at %s: %v", c.address, err)
	}
	defer cl.Close()
	if *id == "" {
		var b [6]byte
		rand.Read(b[:])
		*id = "arazzo-" + in.WorkflowID + "-" + hex.EncodeToString(b[:])
	}
	we, err := cl.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: *id, TaskQueue: c.queue, WorkflowExecutionTimeout: *timeout}, temporal.WorkflowName, in)
	if err != nil {
		return fail("starting the run: %v", err)
	}
	if *detach {
		fmt.Fprintln(stdout, we.GetID())
		return exitOK
	}
	fmt.Fprintf(stderr, "run %s (Temporal workflow %s, run %s) on task queue %s\n", in.WorkflowID, we.GetID(), we.GetRunID(), c.queue)
	done := make(chan error, 1)
	var res temporal.RunResult
	go func() { done <- we.Get(context.WithoutCancel(ctx), &res) }()
	printed := 0
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			if err != nil {
				return fail("%v", err)
			}
			if !*quiet {
				for _, s := range res.Steps[min(printed, len(res.Steps)):] {
					printStep(stderr, s)
				}
			}
			fmt.Fprintf(stderr, "workflow %s %s: %d step attempts in %s\n", res.WorkflowID, res.Status, len(res.Steps), res.Duration)
			if res.Error != "" {
				fmt.Fprintf(stderr, "error: %s\n", res.Error)
			}
			out, _ := json.MarshalIndent(res.Outputs, "", "  ")
			fmt.Fprintln(stdout, string(out))
			switch res.Status {
			case runtime.Succeeded:
				return exitOK
			case runtime.Aborted:
				return exitAborted
			}
			return exitFailed
		case <-ctx.Done():
			fmt.Fprintf(stderr, "arazzo-temporal run: interrupted: the run goes on in Temporal as workflow %s (temporal workflow cancel --workflow-id %s ends it)\n", we.GetID(), we.GetID())
			return exitAborted
		case <-tick.C:
			if *quiet {
				continue
			}
			v, err := cl.QueryWorkflow(ctx, we.GetID(), we.GetRunID(), temporal.ProgressQuery, printed)
			if err != nil {
				continue // no worker has picked the run up yet
			}
			var p temporal.Progress
			if v.Get(&p) != nil {
				continue
			}
			for _, s := range p.Steps {
				printStep(stderr, s)
			}
			printed += len(p.Steps)
		}
	}
}

// printStep prints one finished attempt as arazzo run's progress lines do.
func printStep(w io.Writer, s temporal.StepSummary) {
	name := s.StepID
	if s.Attempt > 1 {
		name = fmt.Sprintf("%s (attempt %d)", s.StepID, s.Attempt)
	}
	line := name
	if s.Method != "" {
		line += "  " + s.Method + " " + s.URL
	}
	if s.Status != 0 {
		line += fmt.Sprintf("  %d", s.Status)
	}
	if s.Action != "" {
		line += "  -> " + s.Action
	}
	if s.Error != "" && !s.Success {
		line += "  (" + s.Error + ")"
	}
	fmt.Fprintln(w, line)
}
