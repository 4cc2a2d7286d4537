package broker

import (
	"context"
	"sync"
)

// Mock is an in-memory Transport for offline runs and tests. Published
// messages reach every open inbox on the same address; Answers lets a test
// script the replies a run should get: each publish to an address pops the
// next answer sequence entry and delivers it as if a service had replied.
// The zero value is not usable; call NewMock.
type Mock struct {
	mu        sync.Mutex
	subs      map[string][]*queue
	answers   map[string][]func(Message) Message
	published []Message
	closed    bool
}

// NewMock returns an empty mock transport.
func NewMock() *Mock {
	return &Mock{subs: map[string][]*queue{}, answers: map[string][]func(Message) Message{}}
}

// Answer queues replies for publishes to address: the i-th publish there
// gets reply(i-th request), delivered to subscribers of the reply's address.
// Keeping the sequence per address lets concurrent runs each script their own
// conversation on their own reply address.
func (m *Mock) Answer(address string, replies ...func(req Message) Message) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.answers[address] = append(m.answers[address], replies...)
}

// Published returns a copy of the messages published so far.
func (m *Mock) Published() []Message {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Message(nil), m.published...)
}

// Publish implements Transport.
func (m *Mock) Publish(ctx context.Context, msg Message) error {
	if msg.Address == "" {
		return ErrNoAddress
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return ErrClosed
	}
	m.published = append(m.published, msg)
	out := []Message{msg}
	if as := m.answers[msg.Address]; len(as) > 0 {
		m.answers[msg.Address] = as[1:]
		out = append(out, as[0](msg))
	}
	var targets [][]*queue
	for _, o := range out {
		targets = append(targets, append([]*queue(nil), m.subs[o.Address]...))
	}
	m.mu.Unlock()
	for i, o := range out {
		for _, q := range targets[i] {
			q.push(o)
		}
	}
	return nil
}

// Subscribe implements Transport.
func (m *Mock) Subscribe(ctx context.Context, s Subscription) (Inbox, error) {
	if s.Address == "" {
		return nil, ErrNoAddress
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, ErrClosed
	}
	q := newQueue(s.Address, 0)
	q.onClose = func() error {
		m.mu.Lock()
		defer m.mu.Unlock()
		qs := m.subs[s.Address]
		for i, x := range qs {
			if x == q {
				m.subs[s.Address] = append(qs[:i], qs[i+1:]...)
				break
			}
		}
		return nil
	}
	m.subs[s.Address] = append(m.subs[s.Address], q)
	return q, nil
}

// Close implements Transport.
func (m *Mock) Close() error {
	m.mu.Lock()
	m.closed = true
	var all []*queue
	for _, qs := range m.subs {
		all = append(all, qs...)
	}
	m.mu.Unlock()
	for _, q := range all {
		q.Close()
	}
	return nil
}
