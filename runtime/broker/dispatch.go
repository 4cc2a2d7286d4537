package broker

import (
	"context"
	"sync"
	"time"
)

// Dispatcher shares one subscription per address among many waiters and
// routes each message to the waiter whose correlation id it carries.
//
// A message no waiter claims yet is kept for a later waiter on the same
// address (the reply may beat the run that registers for it), up to
// PendingLimit messages per address and for PendingTTL; beyond either bound
// the oldest are dropped. A message is delivered to exactly one waiter.
type Dispatcher struct {
	t            Transport
	correlate    func(Message) string
	PendingLimit int           // zero: 1024
	PendingTTL   time.Duration // zero: one minute

	mu    sync.Mutex
	addrs map[string]*route
}

type pending struct {
	m  Message
	at time.Time
}

type route struct {
	inbox   Inbox
	cancel  context.CancelFunc
	waiters map[string][]*Waiter
	pending []pending
	refs    int
}

// NewDispatcher routes messages of t by correlate, a function of the message
// chosen by the caller (a header, a payload field).
func NewDispatcher(t Transport, correlate func(Message) string) *Dispatcher {
	return &Dispatcher{t: t, correlate: correlate, addrs: map[string]*route{}}
}

// Waiter receives the messages for one correlation id.
type Waiter struct {
	d       *Dispatcher
	address string
	id      string
	q       *queue
}

// Wait registers a waiter for id on s.Address, subscribing at the broker if
// it is the first waiter there. Call it before sending the request whose
// reply it awaits.
func (d *Dispatcher) Wait(ctx context.Context, s Subscription, id string) (*Waiter, error) {
	d.mu.Lock()
	r, err := d.routeLocked(ctx, s)
	if err != nil {
		d.mu.Unlock()
		return nil, err
	}
	r.refs++
	w := &Waiter{d: d, address: s.Address, id: id, q: newQueue(s.Address, 0)}
	r.waiters[id] = append(r.waiters[id], w)
	// Hand over what arrived before the waiter did.
	kept := r.pending[:0]
	now := time.Now()
	for _, p := range r.pending {
		switch {
		case now.Sub(p.at) > d.ttl():
		case d.correlate(p.m) == id:
			w.q.push(p.m)
		default:
			kept = append(kept, p)
		}
	}
	r.pending = kept
	d.mu.Unlock()
	return w, nil
}

// routeLocked returns the route of s.Address, subscribing at the broker if
// there is none. Subscribing under the lock keeps a second waiter from
// opening a second subscription; it costs one broker round trip per new
// address.
func (d *Dispatcher) routeLocked(ctx context.Context, s Subscription) (*route, error) {
	if r := d.addrs[s.Address]; r != nil {
		return r, nil
	}
	in, err := d.t.Subscribe(ctx, s)
	if err != nil {
		return nil, err
	}
	rctx, cancel := context.WithCancel(context.Background())
	r := &route{inbox: in, cancel: cancel, waiters: map[string][]*Waiter{}}
	d.addrs[s.Address] = r
	go d.pump(rctx, s.Address, r)
	return r, nil
}

// Listen opens the subscription to s.Address if no waiter has it open, and
// holds it for PendingTTL: a message that arrives meanwhile is kept for the
// waiter that registers for its correlation id later. A run calls it before
// it sends a request whose reply it will wait for, so the reply cannot come
// back before anyone listens, even when the run registers its waiter only
// after sending.
func (d *Dispatcher) Listen(ctx context.Context, s Subscription) error {
	d.mu.Lock()
	r, err := d.routeLocked(ctx, s)
	if err == nil {
		r.refs++
	}
	d.mu.Unlock()
	if err != nil {
		return err
	}
	time.AfterFunc(d.ttl(), func() {
		d.mu.Lock()
		defer d.mu.Unlock()
		d.releaseLocked(s.Address, r)
	})
	return nil
}

// releaseLocked drops one reference to the route; the last one ends the
// subscription.
func (d *Dispatcher) releaseLocked(address string, r *route) error {
	r.refs--
	if r.refs == 0 {
		if d.addrs[address] == r {
			delete(d.addrs, address)
		}
		r.cancel()
		return r.inbox.Close()
	}
	return nil
}

func (d *Dispatcher) ttl() time.Duration {
	if d.PendingTTL > 0 {
		return d.PendingTTL
	}
	return time.Minute
}

func (d *Dispatcher) limit() int {
	if d.PendingLimit > 0 {
		return d.PendingLimit
	}
	return 1024
}

func (d *Dispatcher) pump(ctx context.Context, address string, r *route) {
	for {
		m, err := r.inbox.Receive(ctx)
		if err != nil {
			return
		}
		id := d.correlate(m)
		d.mu.Lock()
		if ws := r.waiters[id]; len(ws) > 0 {
			ws[0].q.push(m)
		} else {
			now := time.Now()
			kept := r.pending[:0]
			for _, p := range r.pending {
				if now.Sub(p.at) <= d.ttl() {
					kept = append(kept, p)
				}
			}
			r.pending = append(kept, pending{m: m, at: now})
			if over := len(r.pending) - d.limit(); over > 0 {
				r.pending = append(r.pending[:0], r.pending[over:]...)
			}
		}
		d.mu.Unlock()
	}
}

// Receive waits for the next message carrying the waiter's id; when ctx
// ends first it returns a *TimeoutError.
func (w *Waiter) Receive(ctx context.Context) (Message, error) { return w.q.Receive(ctx) }

// Close unregisters the waiter; the last waiter on an address ends the
// shared subscription.
func (w *Waiter) Close() error {
	d := w.d
	d.mu.Lock()
	defer d.mu.Unlock()
	if w.q.closed() {
		return nil
	}
	w.q.Close()
	r := d.addrs[w.address]
	if r == nil {
		return nil
	}
	ws := r.waiters[w.id]
	for i, x := range ws {
		if x == w {
			ws = append(ws[:i], ws[i+1:]...)
			break
		}
	}
	if len(ws) == 0 {
		delete(r.waiters, w.id)
	} else {
		r.waiters[w.id] = ws
	}
	return d.releaseLocked(w.address, r)
}
