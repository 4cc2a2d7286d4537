package temporal

import (
	"context"
	"errors"
	"fmt"
	"time"

	sdktemporal "go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/arazzo-go/arazzo/runtime"
)

// AsyncAPI steps run as activities on the worker's brokers (Options.Brokers):
// a send step is a Publish activity, a receive step a Receive activity that
// waits up to the step's timeout. A reply that comes back before the
// Receive activity starts must not be lost, so when the interpreter listens
// ahead of a send (runtime.MessageEffects.Listen), the run opens a Temporal
// session: the Listen activity subscribes on one worker process, which keeps
// what arrives, and the Receive activities run on that same process until
// every listened reception has been received. A session whose worker dies
// fails its activities: the step fails as on a timeout, and Arazzo's retry
// decides (at least once, as a durable run). Messages (headers and payload)
// are activity inputs and results: with the codec they are encrypted in the
// history like requests and responses.

// asyncStepsChange versions AsyncAPI steps on Temporal: a history recorded
// before (no marker) failed those steps without an activity, and replays so.
const (
	asyncStepsChange  = "arazzo.async-steps-as-activities"
	asyncStepsVersion = 1
)

// sessionTimeouts bound a session's creation (a worker with sessions
// enabled must take it) and its life (the longest a run may keep listening).
const (
	sessionCreationTimeout  = time.Minute
	sessionExecutionTimeout = 24 * time.Hour
)

// Publication is the input of the Publish activity.
type Publication struct {
	Document string
	Message  runtime.OutMessage
}

// Subscription is the input of the Listen and Receive activities; Wait
// bounds the Receive activity's wait.
type Subscription struct {
	Document  string
	Reception runtime.Reception
	Wait      time.Duration
}

// messages is the per-run state of AsyncAPI steps in the workflow: the
// session while receptions listened for are outstanding.
type messages struct {
	checked, enabled bool
	session          workflow.Context
	listening        map[string]bool // the steps listened for, by Reception.Step
}

// asyncEnabled reports whether this run's history takes AsyncAPI steps as
// activities (always, for a run started after the change).
func (x *effects) asyncEnabled() error {
	if !x.msg.checked {
		x.msg.checked = true
		x.msg.enabled = workflow.GetVersion(x.wctx, asyncStepsChange, workflow.DefaultVersion, asyncStepsVersion) != workflow.DefaultVersion
	}
	if !x.msg.enabled {
		return errors.New("this run's effects cannot send or receive messages (the run was started before the worker ran AsyncAPI steps)")
	}
	return nil
}

// messageContext is where a message activity runs: in the session when
// one is open, else on the run's task queue.
func (x *effects) messageContext(timeout time.Duration) workflow.Context {
	ctx := x.wctx
	if x.msg.session != nil {
		ctx = x.msg.session
	}
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: timeout + ActivityGrace,
		// Only a worker that died is retried here (a broker's errors are
		// not retryable): the step's own retry decides the rest.
		RetryPolicy: activityRetry(),
	})
}

// messageFailure is the run's view of a message activity's error.
func (x *effects) messageFailure(err error) error {
	if e := x.failure(err); e != nil {
		return e
	}
	var te *sdktemporal.TimeoutError
	if errors.As(err, &te) {
		return fmt.Errorf("the worker handling the message did not answer (%v)", te.TimeoutType())
	}
	return err
}

func (x *effects) Publish(ctx context.Context, m *runtime.OutMessage) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := x.asyncEnabled(); err != nil {
		return err
	}
	in := Publication{Document: x.d.Name, Message: *m}
	if err := workflow.ExecuteActivity(x.messageContext(x.w.opts.RequestTimeout), PublishActivityName, in).Get(x.wctx, nil); err != nil {
		return x.messageFailure(err)
	}
	return nil
}

func (x *effects) Listen(ctx context.Context, r *runtime.Reception) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if x.asyncEnabled() != nil {
		return nil // as before the change: the run did not listen
	}
	if x.msg.session == nil {
		sctx, err := workflow.CreateSession(x.wctx, &workflow.SessionOptions{CreationTimeout: sessionCreationTimeout, ExecutionTimeout: sessionExecutionTimeout})
		if err != nil {
			if e := x.stop(err); e != nil {
				return e
			}
			return fmt.Errorf("opening a Temporal session to listen in (the worker needs sessions enabled): %w", err)
		}
		x.msg.session, x.msg.listening = sctx, map[string]bool{}
	}
	in := Subscription{Document: x.d.Name, Reception: *r}
	if err := workflow.ExecuteActivity(x.messageContext(x.w.opts.RequestTimeout), ListenActivityName, in).Get(x.wctx, nil); err != nil {
		return x.messageFailure(err)
	}
	x.msg.listening[r.Step] = true
	return nil
}

func (x *effects) Receive(ctx context.Context, r *runtime.Reception) (*runtime.InMessage, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := x.asyncEnabled(); err != nil {
		return nil, err
	}
	// The step's timeout, taken off the step at load, bounds the wait.
	wait := runtime.DefaultReceiveTimeout
	if t, ok := x.d.stepTimeouts[r.Step]; ok {
		wait = t
	}
	in := Subscription{Document: x.d.Name, Reception: *r, Wait: wait}
	var got runtime.InMessage
	err := workflow.ExecuteActivity(x.messageContext(wait), ReceiveActivityName, in).Get(x.wctx, &got)
	if x.msg.session != nil {
		delete(x.msg.listening, r.Step)
		if len(x.msg.listening) == 0 {
			// Nothing more is listened for: the worker's slot is freed.
			workflow.CompleteSession(x.msg.session)
			x.msg.session = nil
		}
	}
	if err != nil {
		return nil, x.messageFailure(err)
	}
	return &got, nil
}

// closeSession ends a session the run leaves open (a receive step never
// reached).
func (x *effects) closeSession() {
	if x.msg.session != nil {
		workflow.CompleteSession(x.msg.session)
		x.msg.session = nil
	}
}

// messageEffects are the engine's own, on the worker's brokers.
func (w *Worker) messageEffects(name string) (runtime.MessageEffects, error) {
	d := w.docs[name]
	if d == nil {
		return nil, sdktemporal.NewNonRetryableApplicationError(fmt.Sprintf("this worker does not serve a document named %q", name), ErrUnknownDocument, nil)
	}
	return d.eng.EngineEffects().(runtime.MessageEffects), nil
}

// Publish is the activity of a send step: it returns once the broker has
// the message.
func (w *Worker) Publish(ctx context.Context, in Publication) error {
	mfx, err := w.messageEffects(in.Document)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, w.opts.RequestTimeout)
	defer cancel()
	return brokerFailure(mfx.Publish(ctx, &in.Message))
}

// Listen is the activity that subscribes, ahead of a send, for a later
// Receive in the same session: the engine keeps what arrives meanwhile.
func (w *Worker) Listen(ctx context.Context, in Subscription) error {
	mfx, err := w.messageEffects(in.Document)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, w.opts.RequestTimeout)
	defer cancel()
	return brokerFailure(mfx.Listen(ctx, &in.Reception))
}

// Receive is the activity of a receive step: it waits up to in.Wait for a
// matching message.
func (w *Worker) Receive(ctx context.Context, in Subscription) (*runtime.InMessage, error) {
	mfx, err := w.messageEffects(in.Document)
	if err != nil {
		return nil, err
	}
	wait := in.Wait
	if wait <= 0 {
		wait = runtime.DefaultReceiveTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	m, err := mfx.Receive(ctx, &in.Reception)
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			te := &runtime.ReceiveTimeoutError{Address: in.Reception.Address, CorrelationID: in.Reception.CorrelationID, Wait: wait}
			return nil, sdktemporal.NewNonRetryableApplicationError(te.Error(), errTransport, nil)
		}
		return nil, brokerFailure(err)
	}
	return m, nil
}

// brokerFailure makes a broker's error the step's (not retried by Temporal).
func brokerFailure(err error) error {
	if err == nil {
		return nil
	}
	return sdktemporal.NewNonRetryableApplicationError(err.Error(), errTransport, nil)
}
