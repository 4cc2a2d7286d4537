package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/arazzo-go/arazzo/runtime/store"
)

// A durable run is recorded as a journal of what its effects returned: the
// interpreter is deterministic given its inputs and those results, so a
// resumed run replays the journal (no request is sent again, a wait
// already spent is not waited again) and goes on live where it ends. This
// is how Temporal replays a workflow's history, and it keeps one
// interpreter for every driver (docs/decisions.md, "Durable runs: replay").
//
// Records, in the order one step attempt writes them:
//
//	about-to-send      before a request leaves: it may have been sent
//	response-recorded  its response (or transport error): never sent again
//	checkpoint         after the attempt: step, attempt, success, action
//	wait               before a pacing or retry wait: its deadline
//	finished           once, with the run's status and outputs
//
// The first record is a checkpoint with the run's inputs (secret ones by
// name only).

// DocumentRef names the Arazzo document of a durable run: the path the user
// gave and a hash of its content, which Resume compares so that a run is
// never continued by a changed document.
type DocumentRef struct {
	Path string
	Hash string
}

// journalVersion is the version of the records' State layout.
const journalVersion = 1

type startState struct {
	V            int               `json:"v"`
	WorkflowID   string            `json:"workflowId"`
	Inputs       map[string]any    `json:"inputs"`
	SecretInputs []string          `json:"secretInputs,omitempty"`
	Meta         map[string]string `json:"meta,omitempty"`
}

type sendState struct {
	Method         string `json:"method"`
	URL            string `json:"url"`
	IdempotencyKey string `json:"idempotencyKey,omitempty"`
}

type responseState struct {
	Status int               `json:"status,omitempty"`
	Header map[string]string `json:"header,omitempty"`
	Body   []byte            `json:"body,omitempty"`
	Error  string            `json:"error,omitempty"`
}

type checkpointState struct {
	Success bool   `json:"success"`
	Action  string `json:"action,omitempty"`
}

type waitState struct {
	Until  time.Time `json:"until"`
	Reason string    `json:"reason"`
}

type finishedState struct {
	Status  Status         `json:"status"`
	Outputs map[string]any `json:"outputs,omitempty"`
	Error   string         `json:"error,omitempty"`
}

// StoreError is the cause of a durable run that stopped because its store
// failed (a full disk, a closed database): the run cannot go on without
// recording what it does. It is reachable from the run's *AbortError.
type StoreError struct{ Err error }

func (e *StoreError) Error() string { return "durable run store: " + e.Err.Error() }
func (e *StoreError) Unwrap() error { return e.Err }

// ReplayError says that a resumed run did not take the path its journal
// recorded: the interpreter asked for another exchange or wait than the one
// recorded at that position. It means the document or the engine changed
// in a way the document hash did not catch.
type ReplayError struct {
	Seq       int64  // the record that did not match
	Want, Got string // what the record holds, what the run asked for
}

func (e *ReplayError) Error() string {
	return fmt.Sprintf("the resumed run left its recorded path at record %d: recorded %s, now %s", e.Seq, e.Want, e.Got)
}

// errHistoryEnd stops a history replay (Engine.History) where the journal
// ends.
var errHistoryEnd = errors.New("the recorded history ends here")

// journal is the Effects of a durable run: it records every effect before
// the run moves on, and replays recorded ones first when resuming.
type journal struct {
	inner  Effects
	st     store.Store
	runID  string
	r      *runState
	cancel context.CancelCauseFunc // stops the run when the store fails
	// lease is the owner of the run's lease this process holds, written in
	// every record so that the store refuses them once another process
	// took the run over; "" for a history replay, which writes nothing.
	lease string
	// pending are the records still to replay, in order.
	pending []store.Record
	// historyOnly: no live effect after the journal ends (Engine.History).
	historyOnly bool
	// maxBody bounds a recorded body, as the engine bounds what it reads.
	maxBody int64
}

func (j *journal) replaying() bool { return len(j.pending) > 0 }

// fail stops the run with the store's error: a *LeasedError when the store
// refused a record because another process holds the run now, else a
// *StoreError.
func (j *journal) fail(err error) error {
	if lerr := leasedError(j.runID, err, true); lerr != err {
		err = lerr
	} else {
		err = &StoreError{err}
	}
	j.cancel(err)
	return err
}

func (j *journal) append(ctx context.Context, rec store.Record, state any) error {
	b, err := json.Marshal(state)
	if err != nil {
		return j.fail(err)
	}
	rec.RunID, rec.State, rec.Lease = j.runID, b, j.lease
	// The append must land even when the run is being cancelled: the
	// record says what happened before it was.
	if _, err := j.st.Append(context.WithoutCancel(ctx), rec); err != nil {
		return j.fail(err)
	}
	return nil
}

// next returns the next record to replay, which must be of kind k for the
// step; ok is false when the journal has ended.
func (j *journal) next(k store.Kind, step string, attempt int) (rec store.Record, ok bool, err error) {
	if len(j.pending) == 0 {
		return rec, false, nil
	}
	rec = j.pending[0]
	if rec.Kind != k || rec.Step != step || rec.Attempt != attempt {
		err := &ReplayError{Seq: rec.Seq, Want: describeRecord(rec), Got: fmt.Sprintf("%s %s #%d", k, step, attempt)}
		j.cancel(err)
		return rec, false, err
	}
	j.pending = j.pending[1:]
	return rec, true, nil
}

func describeRecord(r store.Record) string {
	return fmt.Sprintf("%s %s #%d", r.Kind, r.Step, r.Attempt)
}

func (j *journal) Now() time.Time { return j.inner.Now() }

func (j *journal) Send(ctx context.Context, c *Call) (*http.Response, error) {
	sent, ok, err := j.next(store.KindAboutToSend, c.Step, c.Send)
	if err != nil {
		return nil, err
	}
	if ok {
		got, ok, err := j.next(store.KindResponseRecorded, c.Step, c.Send)
		if err != nil {
			return nil, err
		}
		if ok {
			return replayResponse(c.Request, got)
		}
		// Sent, no response recorded: the process died with the request
		// in flight. Send it again (at least once), with the idempotency
		// key recorded before the first send.
		var s sendState
		if json.Unmarshal(sent.State, &s) == nil && s.IdempotencyKey != "" {
			c.useIdempotencyKey(s.IdempotencyKey)
		}
	} else if !j.historyOnly {
		if c.IdempotencyKey != "" {
			k, err := j.st.PutIdempotencyKey(context.WithoutCancel(ctx), j.runID, c.Step, c.Send, c.IdempotencyKey)
			if err != nil {
				return nil, j.fail(err)
			}
			c.useIdempotencyKey(k) // the first write wins
		}
		st := sendState{Method: c.Request.Method, URL: j.r.redact.urlText(c.Request.URL, c.Request.URL.String()), IdempotencyKey: c.IdempotencyKey}
		if err := j.append(ctx, store.Record{Kind: store.KindAboutToSend, Step: c.Step, Attempt: c.Send}, st); err != nil {
			return nil, err
		}
	}
	if j.historyOnly {
		j.cancel(errHistoryEnd)
		return nil, errHistoryEnd
	}
	resp, err := j.inner.Send(ctx, c)
	rec := store.Record{Kind: store.KindResponseRecorded, Step: c.Step, Attempt: c.Send}
	if err != nil {
		if ctx.Err() != nil {
			// Cancelled or timed out mid-flight: the outcome is unknown,
			// so it is not recorded and a resume sends again.
			return nil, err
		}
		if werr := j.append(ctx, rec, responseState{Error: j.r.redact.Message(err.Error())}); werr != nil {
			return nil, werr
		}
		return nil, err
	}
	body, rerr := io.ReadAll(io.LimitReader(resp.Body, j.maxBody+1))
	resp.Body.Close()
	if rerr != nil {
		if ctx.Err() != nil {
			return nil, rerr
		}
		if werr := j.append(ctx, rec, responseState{Error: "reading the response: " + j.r.redact.Message(rerr.Error())}); werr != nil {
			return nil, werr
		}
		return nil, rerr
	}
	// What is stored is what the run shows: secrets the run knows of are
	// redacted in headers and body (docs/durable.md).
	st := responseState{Status: resp.StatusCode, Header: j.r.redact.Header(resp.Header), Body: redactBytes(body, j.r.redact)}
	if err := j.append(ctx, rec, st); err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	return resp, nil
}

// replayResponse rebuilds the recorded response of req.
func replayResponse(req *http.Request, rec store.Record) (*http.Response, error) {
	var st responseState
	if err := json.Unmarshal(rec.State, &st); err != nil {
		return nil, fmt.Errorf("record %d: %w", rec.Seq, err)
	}
	if st.Error != "" {
		return nil, errors.New(st.Error)
	}
	h := make(http.Header, len(st.Header))
	for k, v := range st.Header {
		h[k] = []string{v}
	}
	return NewResponse(req, st.Status, h, st.Body), nil
}

func (j *journal) Wait(ctx context.Context, w Wait) error {
	rec, ok, err := j.next(store.KindWait, w.Step, 0)
	if err != nil {
		return err
	}
	if ok {
		// A wait recorded before the crash: only the time left, and none
		// when it expired while the process was down. A wait already
		// followed by later records was spent in full.
		if len(j.pending) > 0 {
			return ctx.Err()
		}
		var st waitState
		if err := json.Unmarshal(rec.State, &st); err != nil {
			return j.fail(fmt.Errorf("record %d: %w", rec.Seq, err))
		}
		w.Duration = st.Until.Sub(j.inner.Now())
		if w.Duration <= 0 {
			return ctx.Err()
		}
		return j.inner.Wait(ctx, w)
	}
	if j.historyOnly {
		j.cancel(errHistoryEnd)
		return errHistoryEnd
	}
	st := waitState{Until: j.inner.Now().Add(w.Duration).UTC(), Reason: w.Reason}
	if err := j.append(ctx, store.Record{Kind: store.KindWait, Step: w.Step}, st); err != nil {
		return err
	}
	return j.inner.Wait(ctx, w)
}

// checkpoint records a finished step attempt (after its action was chosen).
func (j *journal) checkpoint(ctx context.Context, step string, att *StepAttempt) {
	if ctx.Err() != nil {
		return // an attempt the crash or cancellation interrupted: resumed, not finished
	}
	if _, ok, err := j.next(store.KindCheckpoint, step, att.Attempt); ok || err != nil {
		return
	}
	j.append(ctx, store.Record{Kind: store.KindCheckpoint, Step: step, Attempt: att.Attempt}, checkpointState{Success: att.Success, Action: att.Action})
}

// finish records the run's end, unless it is a replay of a run that ended.
func (j *journal) finish(ctx context.Context, res *Result) {
	if j.historyOnly || errors.Is(context.Cause(ctx), errHistoryEnd) {
		return
	}
	var rerr *ReplayError
	if errors.As(context.Cause(ctx), &rerr) {
		return // the journal stays as it was, for a fixed engine to resume
	}
	if len(j.pending) > 0 && j.pending[0].Kind == store.KindFinished {
		return
	}
	status := store.StatusSucceeded
	switch res.Status {
	case Failed:
		status = store.StatusFailed
	case Aborted:
		if ctx.Err() != nil {
			// Interrupted (Ctrl-C, a deadline, the store): resumable, so
			// the run stays running in the store.
			return
		}
		status = store.StatusFailed
	}
	j.append(ctx, store.Record{Kind: store.KindFinished, Status: status}, finishedState{Status: res.Status, Outputs: res.Outputs, Error: res.Error})
}

// MissingSecretsError is returned by Resume when the run's secret inputs
// (which the store never holds) were not all given again.
type MissingSecretsError struct {
	RunID string
	Names []string
}

func (e *MissingSecretsError) Error() string {
	return fmt.Sprintf("run %s needs its secret inputs again (they are never stored): %s", e.RunID, strings.Join(e.Names, ", "))
}

// DocumentChangedError is returned by Resume when the document's hash is
// not the one the run was started with.
type DocumentChangedError struct {
	RunID      string
	Path       string
	Want, Have string
}

func (e *DocumentChangedError) Error() string {
	return fmt.Sprintf("run %s was started with another version of %s (hash %s, now %s): a changed document could take another path than the one recorded", e.RunID, e.Path, e.Want, e.Have)
}

// startDurable creates the run in the store, takes its lease and records
// its inputs; the caller closes the lease when the run ends.
func (e *Engine) startDurable(ctx context.Context, r *runState, bw *boundWorkflow, inputs map[string]any, ro RunOptions) (*leaseKeeper, error) {
	if err := checkLeaseTTL(ro.LeaseTTL); err != nil {
		return nil, err
	}
	run := store.Run{ID: r.id, WorkflowID: bw.wf.WorkflowID, DocumentPath: ro.Document.Path, DocumentHash: ro.Document.Hash, Labels: ro.Labels, Started: r.res.Started}
	if _, err := ro.Store.CreateRun(ctx, run); err != nil {
		return nil, &StoreError{err}
	}
	lease, err := acquireLease(ctx, ro.Store, r.id, ro.LeaseTTL)
	if err != nil {
		if !errors.As(err, new(*LeasedError)) {
			err = &StoreError{err}
		}
		return nil, err
	}
	if err := e.recordStart(ctx, r, bw, inputs, ro, lease.owner.Owner); err != nil {
		lease.close()
		return nil, err
	}
	return lease, nil
}

// recordStart writes the run's first record: its inputs (secret ones by
// name only) and the caller's settings.
func (e *Engine) recordStart(ctx context.Context, r *runState, bw *boundWorkflow, inputs map[string]any, ro RunOptions, lease string) error {
	st := startState{V: journalVersion, WorkflowID: bw.wf.WorkflowID, Inputs: map[string]any{}, Meta: ro.Meta}
	for k, v := range inputs {
		if bw.secretInputs[k] || IsSecretName(k) {
			st.SecretInputs = append(st.SecretInputs, k)
			continue
		}
		st.Inputs[k] = redactValue(v, r.redact)
	}
	sort.Strings(st.SecretInputs)
	b, err := json.Marshal(st)
	if err != nil {
		return &StoreError{err}
	}
	if _, err := ro.Store.Append(ctx, store.Record{RunID: r.id, Kind: store.KindCheckpoint, State: b, Lease: lease}); err != nil {
		return &StoreError{err}
	}
	return nil
}

// DurableRun is what a store holds about a run, as Engine.Resume reads it.
type DurableRun struct {
	store.Run
	Inputs       map[string]any // the inputs, secret ones left out
	SecretInputs []string       // names of the inputs to give again
	Meta         map[string]string
	records      []store.Record // the journal after the start record
}

// ReadDurableRun reads a run's start from the store, for a caller that must
// know its document and settings before building the engine that resumes it.
func ReadDurableRun(ctx context.Context, st store.Store, runID string) (*DurableRun, error) {
	run, err := st.Run(ctx, runID)
	if err != nil {
		return nil, err
	}
	recs, err := st.RecordsSince(ctx, runID, 0)
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 || recs[0].Kind != store.KindCheckpoint || recs[0].Step != "" {
		return nil, fmt.Errorf("run %s: the store holds no start record for it", runID)
	}
	var s startState
	if err := json.Unmarshal(recs[0].State, &s); err != nil {
		return nil, fmt.Errorf("run %s: start record: %w", runID, err)
	}
	if s.V != journalVersion {
		return nil, fmt.Errorf("run %s was recorded by a version of arazzo with journal layout %d (this one reads %d)", runID, s.V, journalVersion)
	}
	return &DurableRun{Run: run, Inputs: s.Inputs, SecretInputs: s.SecretInputs, Meta: s.Meta, records: recs[1:]}, nil
}

// Resume continues a durable run recorded in st: it replays the journal
// (no recorded request is sent again, a wait resumes with the time left)
// and runs on from where the run was interrupted, recording as it goes.
// secrets gives the secret inputs again (MissingSecretsError lists those
// missing); ro.ID, ro.Store and ro.Document are taken from the store, and
// ro.Document.Hash, when set, must match the recorded one
// (DocumentChangedError). A run that already finished is replayed without
// a request, giving its result again.
//
// Resume first takes the run's lease (ro.LeaseTTL) and holds it until it
// returns: while another process or goroutine executes the run, Resume
// fails at once with a *LeasedError naming the holder, and sends nothing.
func (e *Engine) Resume(ctx context.Context, st store.Store, runID string, secrets map[string]any, ro RunOptions) (*Result, error) {
	// The lease comes before the journal is read: a journal read first
	// could miss the records a holder appended just before it let go.
	lease, err := acquireLease(ctx, st, runID, ro.LeaseTTL)
	if err != nil {
		return nil, err
	}
	defer lease.close()
	dr, err := ReadDurableRun(ctx, st, runID)
	if err != nil {
		return nil, err
	}
	if ro.Document.Hash != "" && dr.DocumentHash != "" && ro.Document.Hash != dr.DocumentHash {
		return nil, &DocumentChangedError{RunID: runID, Path: dr.DocumentPath, Want: dr.DocumentHash, Have: ro.Document.Hash}
	}
	inputs := make(map[string]any, len(dr.Inputs)+len(secrets))
	for k, v := range dr.Inputs {
		inputs[k] = v
	}
	var missing []string
	for _, name := range dr.SecretInputs {
		v, ok := secrets[name]
		if !ok {
			missing = append(missing, name)
			continue
		}
		inputs[name] = v
	}
	if len(missing) > 0 {
		return nil, &MissingSecretsError{RunID: runID, Names: missing}
	}
	ro.ID, ro.Store, ro.Labels = runID, st, dr.Labels
	ro.Document = DocumentRef{Path: dr.DocumentPath, Hash: dr.DocumentHash}
	return e.runDurable(ctx, dr, inputs, ro, false, lease)
}

// History replays a durable run's journal without sending anything or
// waiting, and returns the Result it records so far: a finished run's
// result, or an interrupted run's up to where it stopped (status aborted,
// error "the recorded history ends here"). Secret inputs are not needed.
func (e *Engine) History(ctx context.Context, st store.Store, runID string) (*Result, error) {
	dr, err := ReadDurableRun(ctx, st, runID)
	if err != nil {
		return nil, err
	}
	inputs := make(map[string]any, len(dr.Inputs)+len(dr.SecretInputs))
	for k, v := range dr.Inputs {
		inputs[k] = v
	}
	for _, name := range dr.SecretInputs {
		// Never sent (every response comes from the journal); a value the
		// inputs schema accepts is needed only to pass validation.
		inputs[name] = "secret-not-stored"
	}
	ro := RunOptions{ID: runID, Store: st, Labels: dr.Labels, Effects: historyEffects{}}
	return e.runDurable(ctx, dr, inputs, ro, true, nil)
}

// historyEffects are a history replay's: nothing is sent (the journal
// answers every recorded request first) and no wait is spent.
type historyEffects struct{}

func (historyEffects) Send(context.Context, *Call) (*http.Response, error) { return nil, errHistoryEnd }
func (historyEffects) Wait(ctx context.Context, _ Wait) error              { return ctx.Err() }
func (historyEffects) Now() time.Time                                      { return time.Now() }

func (e *Engine) runDurable(ctx context.Context, dr *DurableRun, inputs map[string]any, ro RunOptions, historyOnly bool, lease *leaseKeeper) (*Result, error) {
	ro.resume = &resumeState{records: slices.Clone(dr.records), historyOnly: historyOnly, lease: lease}
	return e.RunWith(ctx, dr.WorkflowID, inputs, ro)
}

// resumeState carries a journal to replay into RunWith.
type resumeState struct {
	records     []store.Record
	historyOnly bool
	lease       *leaseKeeper // held by Resume, which closes it; nil for History
}

// redactBytes hides the secret values the run knows of inside a body that
// is stored; a body without any is returned as it is.
func redactBytes(b []byte, r *redactor) []byte {
	for _, v := range r.values {
		if bytes.Contains(b, []byte(v)) {
			b = bytes.ReplaceAll(b, []byte(v), []byte(Redacted))
		}
	}
	return b
}
