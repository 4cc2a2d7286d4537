package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/arazzo-go/arazzo/arazzo"
	"github.com/arazzo-go/arazzo/asyncapi"
	"github.com/arazzo-go/arazzo/expr"
	"github.com/arazzo-go/arazzo/runtime/broker"
)

// AsyncAPI steps (Arazzo 1.1) send or receive a message on a channel. They
// run through MessageEffects, as operation steps run through Effects.Send:
// the engine's own publish and subscribe on the brokers of Options.Brokers,
// a driver may supply its own (docs/asyncapi.md).

// MessageEffects perform the AsyncAPI steps of a run. Effects that also
// implement it run them; the engine's own do, with Options.Brokers.
type MessageEffects interface {
	// Publish hands the message to the broker and returns once it has it.
	Publish(ctx context.Context, m *OutMessage) error
	// Listen makes sure messages for a later Receive on the same channel
	// are kept from now on: a send step calls it for the receive steps
	// after it before it sends, so a reply that comes back at once is not
	// lost. It may be a no-op.
	Listen(ctx context.Context, r *Reception) error
	// Receive waits until a message matching r arrives, or ctx ends (the
	// step's timeout): then it returns an error wrapping ctx.Err().
	Receive(ctx context.Context, r *Reception) (*InMessage, error)
}

// OutMessage is the message of a send step.
type OutMessage struct {
	Source      string // the source description's name
	Operation   string // the AsyncAPI operationId ("" for a channelPath step)
	Step        string // "workflowId/stepId", as Call.Step
	Send        int    // as Call.Send
	Address     string // the channel address, parameters filled in
	ContentType string
	Headers     map[string]string
	Payload     []byte
	// Options are what the AsyncAPI bindings ask of the transport (AMQP
	// exchange, MQTT QoS and retain, Kafka key), as broker.Route reads them.
	Options broker.Options
}

// Reception is what a receive step waits for.
type Reception struct {
	Source    string
	Operation string // the AsyncAPI operationId ("" for a channelPath step)
	Step      string
	Send      int
	Address   string
	// Correlation is where a message carries its correlation id
	// ("$message.header#/orderRequestId"), from the AsyncAPI message, and
	// CorrelationID the value the step wants there; both "" when the step
	// takes the next message on the channel.
	Correlation, CorrelationID string
	Options                    broker.Options // as OutMessage.Options
}

// InMessage is a received message.
type InMessage struct {
	Address string
	Headers map[string]string
	Payload []byte
}

// ReceiveTimeoutError says that no matching message arrived within a
// receive step's wait. Drivers that receive elsewhere (the Temporal worker)
// report it in the same words.
type ReceiveTimeoutError struct {
	Address       string
	CorrelationID string // "" when the step takes the next message
	Wait          time.Duration
}

func (e *ReceiveTimeoutError) Error() string {
	what := "a message"
	if e.CorrelationID != "" {
		what = "a message with correlation id " + e.CorrelationID
	}
	return fmt.Sprintf("%s did not arrive on %s within %s", what, e.Address, e.Wait)
}

// DefaultReceiveTimeout bounds a receive step that sets no timeout: the
// spec's "wait up to timeout" needs a bound, and a run that waits forever
// for a reply that never comes is a hang.
const DefaultReceiveTimeout = 30 * time.Second

// boundAsync is an AsyncAPI step's target.
type boundAsync struct {
	target      *arazzo.AsyncTarget
	send        bool
	correlation string      // the messages' correlationId location
	corrValue   *expr.Value // the step's correlationId, compiled
	contentType string      // of the first message, else JSON
	// route and msg are what broker.Route reads the address and the
	// bindings from: the operation, on the channel the step's messages
	// travel (the reply's for the reply side), and the step's message
	// when there is one.
	route *asyncapi.Operation
	msg   *asyncapi.Message
}

func (ba *boundAsync) operationID() string {
	if ba.target.Operation == nil {
		return ""
	}
	return ba.target.Operation.ID
}

// asyncStep binds an AsyncAPI step.
func (b *binder) asyncStep(bs *boundStep, where string) {
	s := bs.step
	t := s.Async
	ba := &boundAsync{target: t, send: s.Action == "send", contentType: "application/json"}
	switch s.Action {
	case "send", "receive":
	default:
		b.fail("%s: an AsyncAPI step needs action send or receive, not %q", where, s.Action)
		return
	}
	if t.Channel == nil {
		b.fail("%s: the AsyncAPI operation has no channel to %s on", where, s.Action)
		return
	}
	for _, m := range t.Messages {
		if m.CorrelationID != "" && ba.correlation == "" {
			ba.correlation = m.CorrelationID
		}
		if m.ContentType != "" && len(t.Messages) == 1 {
			ba.contentType = m.ContentType
		}
	}
	ba.route = &asyncapi.Operation{Channel: t.Channel}
	if t.Operation != nil {
		ba.route.ID, ba.route.Bindings = t.Operation.ID, t.Operation.Bindings
	}
	if t.Channel.Address == "" {
		// A 3.0 channel with a null address: its key stands for it.
		ch := *t.Channel
		ch.Address = ch.Key
		ba.route.Channel = &ch
	}
	if len(t.Messages) == 1 {
		ba.msg = t.Messages[0]
	}
	if s.CorrelationID != "" {
		v, err := expr.ParseValue(s.CorrelationID)
		if err != nil {
			b.fail("%s: correlationId %q: %v", where, s.CorrelationID, err)
			return
		}
		ba.corrValue = v
	}
	bs.async, bs.source = ba, t.Source
	bs.label = s.Action + " " + t.Channel.Address
	if t.Operation != nil {
		bs.label = s.Action + " " + t.Operation.ID
	}
}

// executeMessage runs one attempt of an AsyncAPI step. It returns whether
// the message was sent, or one was received.
func (st *wfState) executeMessage(ctx context.Context, bs *boundStep, x *stepRun) bool {
	r := st.run
	mfx, ok := r.fx.(MessageEffects)
	if !ok {
		x.att.Error = "this run's effects cannot send or receive messages (AsyncAPI steps need MessageEffects)"
		return false
	}
	ba := bs.async
	address, opts, headers, err := st.messageAddress(bs, x.scope)
	if err != nil {
		x.att.Error = r.redact.Message(err.Error())
		return false
	}
	send := r.nextSend(bs)
	if ba.send {
		payload, err := st.messagePayload(bs, x.scope)
		if err != nil {
			x.att.Error = r.redact.Message(err.Error())
			return false
		}
		m := &OutMessage{Source: bs.source.Name, Operation: ba.operationID(), Step: bs.path, Send: send, Address: address, ContentType: ba.contentType, Headers: headers, Payload: payload, Options: opts}
		x.att.Message = &MessageSummary{Action: "send", Address: address, Headers: r.redact.flat(headers), PayloadPreview: r.redact.Body(payload, ba.contentType), PayloadSize: len(payload)}
		if err := mfx.Publish(ctx, m); err != nil {
			x.att.Error = r.redact.Message(fmt.Sprintf("sending to %s: %v", address, err))
			return false
		}
		return true
	}

	rec := &Reception{Source: bs.source.Name, Operation: ba.operationID(), Step: bs.path, Send: send, Address: address, Correlation: ba.correlation, Options: opts}
	if ba.corrValue != nil {
		v, err := ba.corrValue.Eval(x.scope)
		if err != nil {
			x.att.Error = r.redact.Message(fmt.Sprintf("correlationId: %v", err))
			return false
		}
		rec.CorrelationID = expr.Stringify(v)
	}
	wait := DefaultReceiveTimeout
	if t := bs.step.Timeout; t != nil && *t > 0 {
		wait = time.Duration(*t) * time.Millisecond
	}
	x.att.Message = &MessageSummary{Action: "receive", Address: address, CorrelationID: r.redact.String(rec.CorrelationID)}
	// ctx already ends at the step's timeout (execute); without one the
	// wait still needs a bound.
	rctx, cancel := ctx, context.CancelFunc(func() {})
	if bs.step.Timeout == nil || *bs.step.Timeout <= 0 {
		rctx, cancel = context.WithTimeout(ctx, wait)
	}
	defer cancel()
	in, err := mfx.Receive(rctx, rec)
	if err != nil {
		if errors.Is(rctx.Err(), context.DeadlineExceeded) && st.run.root.Err() == nil {
			x.att.Error = (&ReceiveTimeoutError{Address: address, CorrelationID: r.redact.String(rec.CorrelationID), Wait: wait}).Error()
		} else {
			x.att.Error = r.redact.Message(fmt.Sprintf("receiving on %s: %v", address, err))
		}
		return false
	}
	ex := x.scope.ex
	ex.hasMessage, ex.msgHeaders, ex.msgRaw = true, in.Headers, in.Payload
	ex.msgType = mediaType(in.Headers["content-type"])
	if ex.msgType == "" {
		ex.msgType = ba.contentType
	}
	x.att.Message.Headers = r.redact.flat(in.Headers)
	x.att.Message.PayloadPreview = r.redact.Body(in.Payload, ex.msgType)
	x.att.Message.PayloadSize = len(in.Payload)
	return true
}

// listenAhead makes the receive steps after bs listen before bs sends
// anything (a request or a message): the reply or event a send causes may
// come back before the receive step runs. An address that cannot be
// computed yet (a parameter from a later step) is left to the step itself.
func (st *wfState) listenAhead(ctx context.Context, bs *boundStep, sc *scope) error {
	mfx, ok := st.run.fx.(MessageEffects)
	if !ok {
		return nil
	}
	for _, later := range bs.listenFor {
		addr, opts, _, err := st.messageAddress(later, sc)
		if err != nil {
			continue
		}
		rec := &Reception{Source: later.source.Name, Operation: later.async.operationID(), Step: later.path, Address: addr, Correlation: later.async.correlation, Options: opts}
		if err := mfx.Listen(ctx, rec); err != nil {
			return fmt.Errorf("listening on %s for step %s before sending: %w", addr, later.step.StepID, err)
		}
	}
	return nil
}

// messageAddress evaluates the step's parameters: "in: header" ones
// become message headers, the others fill the channel address's
// {parameters}; broker.Route then applies the bindings (and refuses a
// parameter value holding a wildcard).
func (st *wfState) messageAddress(bs *boundStep, sc *scope) (string, broker.Options, map[string]string, error) {
	var headers, params map[string]string
	for _, p := range bs.params {
		v, omit, err := evalParam(p, sc)
		if err != nil {
			return "", broker.Options{}, nil, fmt.Errorf("parameter %s: %w", p.Name, err)
		}
		if omit {
			continue
		}
		dst := &params
		if p.In == "header" {
			dst = &headers
		}
		if *dst == nil {
			*dst = map[string]string{}
		}
		(*dst)[p.Name] = expr.Stringify(v)
	}
	address, opts, err := broker.Route(bs.async.route, bs.async.msg, params)
	return address, opts, headers, err
}

// messagePayload encodes a send step's requestBody payload: JSON, or the
// text itself for a string payload of another content type.
func (st *wfState) messagePayload(bs *boundStep, sc *scope) ([]byte, error) {
	rb := bs.body
	if rb == nil || !rb.HasPayload {
		return nil, nil
	}
	var body any = rb.Payload
	if rb.Compiled != nil {
		v, err := rb.Compiled.EvalLeavingOut(sc, isInputAbsent)
		if err != nil {
			return nil, fmt.Errorf("requestBody: %w", err)
		}
		body = v
	}
	if s, ok := body.(string); ok && !isJSONType(mediaType(bs.async.contentType)) {
		return []byte(s), nil
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("requestBody: %w", err)
	}
	return b, nil
}

// MessageSummary is the record of an AsyncAPI step's message in a
// StepAttempt: what was sent, or what was awaited and received.
type MessageSummary struct {
	Action         string            // "send" or "receive"
	Address        string            // the channel address
	CorrelationID  string            `json:",omitempty"` // receive: the id awaited
	Headers        map[string]string `json:",omitempty"` // redacted
	PayloadPreview string            `json:",omitempty"` // redacted, cut like a body preview
	PayloadSize    int
}

// flat redacts message headers (credential-like names, secret values).
func (r *redactor) flat(h map[string]string) map[string]string {
	if len(h) == 0 {
		return nil
	}
	out := make(map[string]string, len(h))
	for k, v := range h {
		if IsSecretName(k) {
			out[k] = Redacted
		} else {
			out[k] = r.String(v)
		}
	}
	return out
}

// messageValue is $message.header / $message.payload of a receive step.
func (s *scope) messageValue(ref *expr.Ref) (any, error) {
	x := s.ex
	if x == nil || !x.hasMessage {
		return nil, absent("no message was received by this step")
	}
	switch ref.Field {
	case "header":
		for k, v := range x.msgHeaders {
			if strings.EqualFold(k, ref.Name) {
				return v, nil
			}
		}
		if ref.Name == "" {
			return x.msgHeaders, nil
		}
		return nil, absent("the message has no header %q", ref.Name)
	case "payload":
		v, _ := decodeBody(x.msgType, x.msgRaw)
		return v, nil
	}
	return nil, absent("unsupported field %q", ref.Field)
}

// brokerEffects are the engine's MessageEffects: one transport per source
// (Options.Brokers) and, per transport and correlation location, one
// dispatcher, so concurrent runs share a subscription per channel and each
// gets the messages that carry its correlation id.
type brokerEffects struct {
	mu          sync.Mutex
	dispatchers map[dispatchKey]*broker.Dispatcher
}

type dispatchKey struct {
	source, correlation string
}

func (e *Engine) dispatcher(r *Reception) (*broker.Dispatcher, error) {
	t := e.opts.Brokers[r.Source]
	if t == nil {
		return nil, fmt.Errorf("no broker for source %s (Options.Brokers; arazzo run --server %s=URL)", r.Source, r.Source)
	}
	e.brokers.mu.Lock()
	defer e.brokers.mu.Unlock()
	k := dispatchKey{r.Source, r.Correlation}
	d := e.brokers.dispatchers[k]
	if d == nil {
		d = broker.NewDispatcher(t, correlator(r.Correlation))
		if e.brokers.dispatchers == nil {
			e.brokers.dispatchers = map[dispatchKey]*broker.Dispatcher{}
		}
		e.brokers.dispatchers[k] = d
	}
	return d, nil
}

// correlator routes by the messages' correlationId location; a location
// it cannot read routes every message to the waiter without an id.
func correlator(location string) func(broker.Message) string {
	if location != "" {
		if f, err := broker.Correlator(location); err == nil {
			return f
		}
	}
	return func(broker.Message) string { return "" }
}

func subscription(r *Reception) broker.Subscription {
	return broker.Subscription{Address: r.Address, Options: r.Options}
}

func (x engineEffects) Publish(ctx context.Context, m *OutMessage) error {
	if mm := x.e.opts.MessageMocks; mm != nil {
		return mm.publish(ctx, m)
	}
	t := x.e.opts.Brokers[m.Source]
	if t == nil {
		return fmt.Errorf("no broker for source %s (Options.Brokers; arazzo run --server %s=URL)", m.Source, m.Source)
	}
	bm := broker.Message{Address: m.Address, Headers: m.Headers, Payload: m.Payload}
	if m.ContentType != "" && len(m.Headers) > 0 {
		// Carried along where the protocol has headers.
		if _, ok := bm.Headers["content-type"]; !ok {
			bm.Headers = cloneHeaders(m.Headers)
			bm.Headers["content-type"] = m.ContentType
		}
	}
	bm.Options = m.Options
	return t.Publish(ctx, bm)
}

func cloneHeaders(h map[string]string) map[string]string {
	out := make(map[string]string, len(h)+1)
	for k, v := range h {
		out[k] = v
	}
	return out
}

func (x engineEffects) Listen(ctx context.Context, r *Reception) error {
	if x.e.opts.MessageMocks != nil {
		return nil
	}
	d, err := x.e.dispatcher(r)
	if err != nil {
		return err
	}
	return d.Listen(ctx, subscription(r))
}

func (x engineEffects) Receive(ctx context.Context, r *Reception) (*InMessage, error) {
	if mm := x.e.opts.MessageMocks; mm != nil {
		return mm.receive(ctx, r)
	}
	d, err := x.e.dispatcher(r)
	if err != nil {
		return nil, err
	}
	w, err := d.Wait(ctx, subscription(r), r.CorrelationID)
	if err != nil {
		return nil, err
	}
	defer w.Close()
	m, err := w.Receive(ctx)
	if err != nil {
		return nil, err
	}
	return &InMessage{Address: m.Address, Headers: m.Headers, Payload: m.Payload}, nil
}
