package temporal

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/arazzo-go/arazzo/arazzo"
	"github.com/arazzo-go/arazzo/runtime"
	"github.com/arazzo-go/arazzo/runtime/auth"
	"github.com/arazzo-go/arazzo/runtime/broker"
)

// Defaults of Options.
const (
	// DefaultRequestTimeout bounds one HTTP exchange (the activity's own
	// deadline; its StartToCloseTimeout adds ActivityGrace).
	DefaultRequestTimeout = 30 * time.Second
	// DefaultMaxBodyBytes is lower than the library's 32 MiB: a response
	// body is an activity result in the history, and Temporal refuses
	// payloads over 2 MiB by default.
	DefaultMaxBodyBytes = 1 << 20
	// ActivityGrace is added to the request timeout for the activity's
	// StartToCloseTimeout: the activity reports its own timeout first, so
	// Temporal's timeout (and its retry) only fires when the worker died.
	ActivityGrace = 10 * time.Second
)

// Options configure a Worker. The zero value means defaults.
type Options struct {
	// Auth are the worker's credentials (the CLI's --auth), added to
	// requests inside the activity: they never enter the history.
	Auth []auth.Credential
	// Servers and ServerVars are as in runtime.Options, for every
	// document the worker serves.
	Servers    map[string]string
	ServerVars map[string]map[string]string
	// Brokers carry the messages of AsyncAPI steps, one transport per
	// source, as runtime.Options.Brokers; the activities use them. A
	// worker that serves such steps needs sessions enabled
	// (worker.Options.EnableSessionWorker).
	Brokers map[string]broker.Transport
	// RequestTimeout bounds each exchange (a message publish too); 0 means DefaultRequestTimeout.
	RequestTimeout time.Duration
	// MaxBodyBytes caps a response body; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// LoopDelay and MaxLoopDelay are the engine's poll pacing settings
	// (runtime.Options: 0 means the default, runtime.Off no pacing).
	LoopDelay    time.Duration
	MaxLoopDelay time.Duration
	// Transport is the activities' base transport; nil means a clone of
	// http.DefaultTransport.
	Transport http.RoundTripper
	// Log receives one line per notable thing (documents served, refused
	// step timeouts); nil means none.
	Log func(string)
}

// Document is one Arazzo document a Worker serves.
type Document struct {
	Name string // the file's base name: what RunInput.Document names
	Hash string // DocumentHash of the file
	Path string
	doc  *arazzo.Document
	eng  *runtime.Engine
	// stepTimeouts are the steps' `timeout`s, enforced on the activity
	// rather than by the engine's wall-clock timer (docs/temporal.md).
	stepTimeouts map[string]time.Duration
	client       *http.Client
}

// Worker serves Arazzo documents to Temporal: register it on a
// worker.Worker with Register.
type Worker struct {
	opts Options
	docs map[string]*Document
}

// NewWorker returns a Worker serving no document yet.
func NewWorker(opts Options) *Worker {
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = DefaultRequestTimeout
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	return &Worker{opts: opts, docs: map[string]*Document{}}
}

// DocumentHash is the hash RunInput.Hash carries: SHA-256 of the document
// file's bytes, in hex. (The OpenAPI sources are not part of it.)
func DocumentHash(src []byte) string {
	h := sha256.Sum256(src)
	return hex.EncodeToString(h[:])
}

// Documents lists the documents served, by name.
func (w *Worker) Documents() []*Document {
	out := make([]*Document, 0, len(w.docs))
	for _, d := range w.docs {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Load serves the documents at each path: a file, or a directory whose
// Arazzo documents (YAML or JSON files with a top-level "arazzo" field) are
// served. A file named with errors, or with the base name of another
// served file, is refused (a run names its document by its base name); in
// a directory such a file is skipped with a line to Options.Log (a run
// that names a skipped duplicate is refused by the content hash).
func (w *Worker) Load(ctx context.Context, paths ...string) error {
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return err
		}
		if !fi.IsDir() {
			if err := w.loadFile(ctx, p, true); err != nil {
				return err
			}
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			switch strings.ToLower(filepath.Ext(path)) {
			case ".yaml", ".yml", ".json":
			default:
				return nil
			}
			if !isArazzo(path) {
				return nil
			}
			return w.loadFile(ctx, path, false)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// isArazzo reports whether the file starts an Arazzo document: a line
// "arazzo:" or a JSON key "arazzo" within its first 4 KiB.
func isArazzo(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	buf := make([]byte, 4096)
	n, _ := f.Read(buf)
	s := string(buf[:n])
	return strings.HasPrefix(s, "arazzo:") || strings.Contains(s, "\narazzo:") || strings.Contains(s, `"arazzo"`)
}

func (w *Worker) loadFile(ctx context.Context, path string, named bool) error {
	src, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	refuse := func(err error) error {
		if named {
			return err
		}
		w.log("skipping " + err.Error())
		return nil
	}
	name := filepath.Base(path)
	if prev, ok := w.docs[name]; ok {
		return refuse(fmt.Errorf("%s: %s has the same name %q: a run names its document by it; serve one of them", path, prev.Path, name))
	}
	doc, diags := arazzo.LoadBytes(ctx, path, src, arazzo.LoadOptions{})
	if doc == nil || diags.HasErrors() {
		n, _ := diags.Counts()
		return refuse(fmt.Errorf("%s: the document has %d errors (arazzo validate %s shows them)", path, n, path))
	}
	if len(w.opts.Auth) > 0 {
		if err := auth.Check(doc, w.opts.Auth); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	d := &Document{Name: name, Hash: DocumentHash(src), Path: path, doc: doc, stepTimeouts: map[string]time.Duration{}}
	// The engine's step timeout is a wall-clock timer on the step's
	// context: inside workflow code it would fire at a different point on
	// replay. It is taken off the step and enforced on the activity.
	for _, wf := range doc.Workflows {
		for _, st := range wf.Steps {
			if st.Timeout == nil {
				continue
			}
			if *st.Timeout > 0 {
				if st.WorkflowID != "" {
					w.log(fmt.Sprintf("%s: step %s/%s: timeout on a workflow step is not enforced on Temporal (docs/temporal.md)", path, wf.WorkflowID, st.StepID))
				} else {
					d.stepTimeouts[wf.WorkflowID+"/"+st.StepID] = time.Duration(*st.Timeout) * time.Millisecond
				}
			}
			st.Timeout = nil
		}
	}
	servers := w.opts.ServerVars
	if len(w.opts.Auth) > 0 {
		servers = mergeServerVars(servers, auth.ServerVars(w.opts.Auth))
	}
	d.eng, err = runtime.New(doc, runtime.Options{
		// No per-request context deadline: it would be a wall-clock
		// timer in workflow code. The activity enforces the timeout.
		RequestTimeout: runtime.Off,
		MaxBodyBytes:   w.opts.MaxBodyBytes,
		Servers:        onlySources(doc, w.opts.Servers),
		ServerVars:     onlySources(doc, servers),
		Brokers:        onlySources(doc, w.opts.Brokers),
		LoopDelay:      w.opts.LoopDelay,
		MaxLoopDelay:   w.opts.MaxLoopDelay,
		Lean:           true,
	})
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	d.client = w.httpClient(doc)
	w.docs[name] = d
	w.log(fmt.Sprintf("serving %s (hash %s, workflows %s)", name, d.Hash[:12], strings.Join(d.eng.WorkflowIDs(), ", ")))
	return nil
}

// sourceNames lists the source descriptions of doc and of the Arazzo
// documents it uses, as the engine accepts them in Servers and ServerVars.
func sourceNames(doc *arazzo.Document) map[string]bool {
	names := map[string]bool{}
	for _, d := range doc.Documents() {
		for _, s := range d.SourceDescriptions {
			if s != nil {
				names[s.Name] = true
			}
		}
	}
	return names
}

// onlySources keeps the server overrides that name a source of doc: one
// worker serves several documents, and the engine refuses a name it does
// not know.
func onlySources[V any](doc *arazzo.Document, m map[string]V) map[string]V {
	names := sourceNames(doc)
	out := map[string]V{}
	for k, v := range m {
		if names[k] {
			out[k] = v
		}
	}
	return out
}

func mergeServerVars(a, b map[string]map[string]string) map[string]map[string]string {
	out := map[string]map[string]string{}
	for src, vars := range b {
		out[src] = map[string]string{}
		for k, v := range vars {
			out[src][k] = v
		}
	}
	for src, vars := range a { // explicit ones win over the profile's
		if out[src] == nil {
			out[src] = map[string]string{}
		}
		for k, v := range vars {
			out[src][k] = v
		}
	}
	return out
}

func (w *Worker) httpClient(doc *arazzo.Document) *http.Client {
	base := w.opts.Transport
	if base == nil {
		base = http.DefaultTransport.(*http.Transport).Clone()
	}
	if len(w.opts.Auth) > 0 {
		var log func(string)
		if w.opts.Log != nil {
			log = func(msg string) { w.opts.Log("auth: " + msg) }
		}
		base = auth.NewTransport(base, doc, w.opts.Auth, auth.Options{Log: log})
	}
	return &http.Client{
		Transport: base,
		// As the engine's client: a redirect to another origin loses the
		// credentials.
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 10 {
				return fmt.Errorf("stopped after 10 redirects")
			}
			if runtime.Origin(req.URL) != runtime.Origin(via[0].URL) {
				req.Header.Del("Authorization")
				req.Header.Del("Cookie")
			}
			return nil
		},
	}
}

func (w *Worker) log(msg string) {
	if w.opts.Log != nil {
		w.opts.Log(msg)
	}
}

// Register registers the workflow and the activities on r (a worker.Worker,
// or a testsuite environment).
func (w *Worker) Register(r worker.Registry) {
	r.RegisterWorkflowWithOptions(w.Workflow, workflow.RegisterOptions{Name: WorkflowName})
	r.RegisterActivityWithOptions(w.Send, activity.RegisterOptions{Name: SendActivityName})
	r.RegisterActivityWithOptions(w.Publish, activity.RegisterOptions{Name: PublishActivityName})
	r.RegisterActivityWithOptions(w.Listen, activity.RegisterOptions{Name: ListenActivityName})
	r.RegisterActivityWithOptions(w.Receive, activity.RegisterOptions{Name: ReceiveActivityName})
}
