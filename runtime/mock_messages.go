package runtime

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Message mocks answer AsyncAPI receive steps offline. In a mock file,
// beside "mocks":
//
//	messages:
//	  placeOrder:                  # operationId, sourceName.operationId, or the channel address
//	    - headers: {requestId: r1}
//	      payload: {orderId: o-1, status: confirmed}
//
// A receive step takes the next answer of its key (the last repeats); the
// correlation id it waits for is put where its message carries one (a
// header or a payload member) unless the answer sets it. A send step needs
// no mock: what it sends is recorded (Mocks.Sent).

// MockMessage is one canned message.
type MockMessage struct {
	Headers map[string]string
	Payload any
}

type mockMessage struct {
	Headers map[string]string `yaml:"headers"`
	Payload any               `yaml:"payload"`
}

func (m *Mocks) parseMessages(file string, in map[string][]mockMessage) error {
	if len(in) == 0 {
		return nil
	}
	m.Messages = map[string][]MockMessage{}
	for _, key := range slices.Sorted(maps.Keys(in)) {
		if strings.TrimSpace(key) == "" {
			return fmt.Errorf("%s: messages: empty key", file)
		}
		if len(in[key]) == 0 {
			return fmt.Errorf("%s: messages.%s: no messages", file, key)
		}
		for i, e := range in[key] {
			p, err := jsonable(e.Payload)
			if err != nil {
				return fmt.Errorf("%s: messages.%s[%d].payload: %v", file, key, i, err)
			}
			m.Messages[key] = append(m.Messages[key], MockMessage{Headers: e.Headers, Payload: p})
		}
	}
	return nil
}

// messageKeys are the keys a step's answers may be under, most specific
// first.
func messageKeys(source, operation, address string) []string {
	var keys []string
	if operation != "" {
		keys = append(keys, source+"."+operation, operation)
	}
	return append(keys, address)
}

// WithRecorder returns a copy of m whose AsyncAPI send steps hand each
// message they publish to record, in order, unredacted: arazzo test
// asserts them like requests. record must be safe for concurrent use when
// runs are concurrent.
func (m *Mocks) WithRecorder(record func(*OutMessage)) *Mocks {
	c := *m
	c.record = record
	return &c
}

func (m *Mocks) publish(ctx context.Context, msg *OutMessage) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if m.record != nil {
		m.record(msg)
	}
	return nil // the engine records it on the attempt (StepAttempt.Message), redacted
}

func (m *Mocks) receive(ctx context.Context, rec *Reception) (*InMessage, error) {
	var key string
	var answers []MockMessage
	for _, k := range messageKeys(rec.Source, rec.Operation, rec.Address) {
		if as, ok := m.Messages[k]; ok {
			key, answers = k, as
			break
		}
	}
	if answers == nil {
		// No answer: the step waits out its timeout, as against a broker
		// where nobody replies, so onFailure paths can be tested.
		<-ctx.Done()
		return nil, fmt.Errorf("no mock message for %s (add messages.%s to the mock file): %w", rec.Step, messageKeys(rec.Source, rec.Operation, rec.Address)[0], ctx.Err())
	}
	n := 0
	if r, ok := ctx.Value(runKey{}).(*runState); ok {
		r.mockCalls.mu.Lock()
		if r.mockCalls.messages == nil {
			r.mockCalls.messages = map[string]int{}
		}
		n = r.mockCalls.messages[key]
		r.mockCalls.messages[key]++
		r.mockCalls.mu.Unlock()
	}
	a := answers[min(n, len(answers)-1)]
	out := &InMessage{Address: rec.Address, Headers: maps.Clone(a.Headers)}
	payload := a.Payload
	if rec.CorrelationID != "" {
		field, pointer, _ := strings.Cut(strings.TrimPrefix(rec.Correlation, "$message."), "#/")
		switch {
		case field == "header" && pointer != "":
			if out.Headers == nil {
				out.Headers = map[string]string{}
			}
			if _, set := out.Headers[pointer]; !set {
				out.Headers[pointer] = rec.CorrelationID
			}
		case field == "payload" && pointer != "" && !strings.Contains(pointer, "/"):
			if obj, ok := payload.(map[string]any); ok {
				if _, set := obj[pointer]; !set {
					obj = maps.Clone(obj)
					obj[pointer] = rec.CorrelationID
					payload = obj
				}
			}
		}
	}
	if payload != nil {
		if s, ok := payload.(string); ok {
			out.Payload = []byte(s)
		} else {
			b, err := json.Marshal(payload)
			if err != nil {
				return nil, err
			}
			out.Payload = b
		}
	}
	return out, nil
}
