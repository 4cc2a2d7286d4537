package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/arazzo-go/arazzo/runtime/store"
)

// A durable run records its AsyncAPI steps as it records its requests: a
// send step writes about-to-send before the message is handed to the broker
// and response-recorded once the broker has it; a receive step writes
// about-to-send when it starts to wait and response-recorded with the message
// it got. A resumed run then never publishes a recorded message again and
// gets a recorded message back without the broker; a message handed to the
// broker while the process died is published again (at least once), and a
// wait that had not ended waits again.

// messageState is the recorded outcome of a send or receive step.
type messageState struct {
	Address string            `json:"address,omitempty"`
	Headers map[string]string `json:"headers,omitempty"`
	Payload []byte            `json:"payload,omitempty"`
	Error   string            `json:"error,omitempty"`
}

// messageEffects is what the journal wraps for AsyncAPI steps.
func (j *journal) messageEffects() (MessageEffects, error) {
	if mfx, ok := j.inner.(MessageEffects); ok {
		return mfx, nil
	}
	return nil, errors.New("the durable run's effects cannot send or receive messages")
}

// replayMessage reads the records of a send or receive in a replay:
// started when it was begun before, recorded when its outcome was recorded
// too (started but not recorded: the process died during it).
func (j *journal) replayMessage(step string, n int) (st messageState, started, recorded bool, err error) {
	if _, started, err = j.next(store.KindAboutToSend, step, n); err != nil || !started {
		return st, started, false, err
	}
	rec, ok, err := j.next(store.KindResponseRecorded, step, n)
	if err != nil || !ok {
		return st, true, false, err
	}
	if err := json.Unmarshal(rec.State, &st); err != nil {
		return st, true, false, j.fail(fmt.Errorf("record %d: %w", rec.Seq, err))
	}
	return st, true, true, nil
}

// startMessage records that a send or receive step starts, unless a replay
// already holds that record; it stops a history replay, which has no
// broker.
func (j *journal) startMessage(ctx context.Context, step string, n int, address string, started bool) error {
	if j.historyOnly {
		j.cancel(errHistoryEnd)
		return errHistoryEnd
	}
	if started {
		return nil
	}
	return j.append(ctx, store.Record{Kind: store.KindAboutToSend, Step: step, Attempt: n}, messageState{Address: address})
}

// endMessage records the outcome of a send or receive step. An error of a
// cancelled or timed-out context is not recorded: the outcome is unknown
// (or the step's timeout ran out while the process was being stopped), so a
// resumed run does it again.
func (j *journal) endMessage(ctx context.Context, step string, n int, st messageState, err error) error {
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		st = messageState{Error: j.r.redact.Message(err.Error())}
	}
	if werr := j.append(ctx, store.Record{Kind: store.KindResponseRecorded, Step: step, Attempt: n}, st); werr != nil {
		return werr
	}
	return err
}

func (j *journal) Publish(ctx context.Context, m *OutMessage) error {
	st, started, recorded, err := j.replayMessage(m.Step, m.Send)
	if err != nil {
		return err
	}
	if recorded {
		if st.Error != "" {
			return errors.New(st.Error)
		}
		return nil // the broker has it: never published twice
	}
	if err := j.startMessage(ctx, m.Step, m.Send, m.Address, started); err != nil {
		return err
	}
	mfx, err := j.messageEffects()
	if err != nil {
		return err
	}
	return j.endMessage(ctx, m.Step, m.Send, messageState{Address: m.Address}, mfx.Publish(ctx, m))
}

func (j *journal) Listen(ctx context.Context, r *Reception) error {
	if j.historyOnly {
		return nil // a history replay receives nothing
	}
	mfx, err := j.messageEffects()
	if err != nil {
		return err
	}
	return mfx.Listen(ctx, r)
}

func (j *journal) Receive(ctx context.Context, r *Reception) (*InMessage, error) {
	st, started, recorded, err := j.replayMessage(r.Step, r.Send)
	if err != nil {
		return nil, err
	}
	if recorded {
		if st.Error != "" {
			return nil, errors.New(st.Error)
		}
		return &InMessage{Address: st.Address, Headers: st.Headers, Payload: st.Payload}, nil
	}
	if err := j.startMessage(ctx, r.Step, r.Send, r.Address, started); err != nil {
		return nil, err
	}
	mfx, err := j.messageEffects()
	if err != nil {
		return nil, err
	}
	in, err := mfx.Receive(ctx, r)
	var st2 messageState
	if err == nil {
		// What is stored is what the run shows: secrets the run knows of
		// are redacted in headers and payload.
		st2 = messageState{Address: in.Address, Headers: j.r.redact.flat(in.Headers), Payload: redactBytes(in.Payload, j.r.redact)}
	}
	if err := j.endMessage(ctx, r.Step, r.Send, st2, err); err != nil {
		return nil, err
	}
	return in, nil
}
