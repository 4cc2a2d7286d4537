package broker

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"
)

// wsTransport talks to a WebSocket server, one connection per address.
//
// The address is a path joined to the server URL's (AsyncAPI channel
// addresses for ws servers are paths); the connection to it is opened by
// the first Publish or Subscribe there and kept until Close. WebSocket
// frames have no headers: a message with Headers is refused with
// ErrHeadersUnsupported. Publish returns once the frame is written (the
// protocol has no acknowledgement); a valid UTF-8 payload goes as a text
// frame, anything else as binary. Subscribe returns once the connection is
// open; every inbox on an address gets every message read there.
//
// A message over the size cap makes the library close the connection
// (status 1009, message too big); so does any read error. The next Publish
// or Subscribe on that address opens a new connection, and inboxes already
// open there receive from it.
type wsTransport struct {
	base  *url.URL
	url   string
	opts  *websocket.DialOptions
	limit int
	ctx   context.Context // ends every connection's reader
	stop  context.CancelFunc

	mu     sync.Mutex
	conns  map[string]*wsConn
	subs   map[string][]*queue
	closed bool
	wg     sync.WaitGroup
}

type wsConn struct {
	c     *websocket.Conn
	done  chan struct{} // closed when its reader ends
	ready chan struct{} // closed once the server answered a ping (or wsReadyWait passed)
}

// wsReadyWait bounds the wait for the server's first pong. A server that
// never answers pings (RFC 6455 says it must) still gets the connection,
// after this delay.
const wsReadyWait = 5 * time.Second

// DialWebSocket prepares a transport for a ws:// or wss:// server URL. It
// dials nothing yet: connections are per address.
func DialWebSocket(ctx context.Context, c Config) (Transport, error) {
	user, pass, u, err := c.credentials()
	if err != nil {
		return nil, err
	}
	if u.Scheme != "ws" && u.Scheme != "wss" {
		return nil, &Error{Op: "connect", URL: u.String(), Err: errors.New("not a ws:// or wss:// URL")}
	}
	h := http.Header{}
	switch {
	case c.Token != "":
		h.Set("Authorization", "Bearer "+c.Token)
	case user != "":
		r := http.Request{Header: http.Header{}}
		r.SetBasicAuth(user, pass)
		h.Set("Authorization", r.Header.Get("Authorization"))
	}
	opts := &websocket.DialOptions{HTTPHeader: h}
	if u.Scheme == "wss" && c.TLS != nil {
		opts.HTTPClient = &http.Client{Transport: &http.Transport{TLSClientConfig: c.TLS}}
	}
	bctx, stop := context.WithCancel(context.Background())
	return &wsTransport{base: u, url: u.String(), opts: opts, limit: c.maxSize(), ctx: bctx, stop: stop,
		conns: map[string]*wsConn{}, subs: map[string][]*queue{}}, nil
}

// target is the URL of an address: the base path joined with it.
func (t *wsTransport) target(address string) string {
	u := *t.base
	u.Path = strings.TrimSuffix(u.Path, "/") + "/" + strings.TrimPrefix(address, "/")
	u.RawPath = ""
	return u.String()
}

// conn returns the open connection for address, dialing it when there is
// none. Dialing happens under the lock: one connection per address.
func (t *wsTransport) conn(ctx context.Context, op, address string) (*wsConn, error) {
	wc, fresh, err := t.dial(ctx, op, address)
	if err != nil {
		return nil, err
	}
	if fresh {
		// The handshake's end does not mean the server reads the
		// connection yet: a server (a hub, a gateway) typically registers
		// it as a subscriber after its upgrade returns, and a message
		// published on the address in between never reaches it. The pong
		// comes from the server's read loop, so once it is here the
		// subscription is live. Without the wait a run that listens before
		// it sends lost replies that came back at once.
		pctx, cancel := context.WithTimeout(ctx, wsReadyWait)
		_ = wc.c.Ping(pctx) // a failure shows on the next read or write
		cancel()
		close(wc.ready)
	}
	select {
	case <-wc.ready:
		return wc, nil
	case <-ctx.Done():
		return nil, wrapErr(op, Redact(t.target(address)), ctx, address, ctx.Err(), false)
	}
}

// dial returns the address's connection, dialling it (fresh) when there is
// none or its reader ended.
func (t *wsTransport) dial(ctx context.Context, op, address string) (wc *wsConn, fresh bool, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil, false, ErrClosed
	}
	if wc := t.conns[address]; wc != nil {
		select {
		case <-wc.done:
		default:
			return wc, false, nil
		}
	}
	c, resp, err := websocket.Dial(ctx, t.target(address), t.opts)
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	if err != nil {
		return nil, false, wrapErr(op, Redact(t.target(address)), ctx, address, err, false)
	}
	c.SetReadLimit(int64(t.limit))
	wc = &wsConn{c: c, done: make(chan struct{}), ready: make(chan struct{})}
	t.conns[address] = wc
	t.wg.Add(1)
	go t.read(address, wc) // Ping needs the reader: it reads the pong
	return wc, true, nil
}

// read hands every message of a connection to the address's inboxes until
// the connection fails or the transport closes.
func (t *wsTransport) read(address string, wc *wsConn) {
	defer t.wg.Done()
	defer close(wc.done)
	for {
		_, data, err := wc.c.Read(t.ctx)
		if err != nil {
			wc.c.CloseNow()
			return
		}
		t.mu.Lock()
		qs := append([]*queue(nil), t.subs[address]...)
		t.mu.Unlock()
		for _, q := range qs {
			q.pushCapped(Message{Address: address, Payload: data}, t.limit)
		}
	}
}

func (t *wsTransport) Publish(ctx context.Context, m Message) error {
	if err := checkPublish(m, t.limit); err != nil {
		return err
	}
	if len(m.Headers) > 0 {
		return ErrHeadersUnsupported
	}
	wc, err := t.conn(ctx, "publish", m.Address)
	if err != nil {
		return err
	}
	typ := websocket.MessageBinary
	if utf8.Valid(m.Payload) {
		typ = websocket.MessageText
	}
	return wrapErr("publish", t.url, ctx, m.Address, wc.c.Write(ctx, typ, m.Payload), false)
}

func (t *wsTransport) Subscribe(ctx context.Context, s Subscription) (Inbox, error) {
	if s.Address == "" {
		return nil, ErrNoAddress
	}
	q := newQueue(s.Address, 0)
	// Register first so a message read right after the dial is not missed.
	t.mu.Lock()
	t.subs[s.Address] = append(t.subs[s.Address], q)
	t.mu.Unlock()
	q.onClose = func() error {
		t.mu.Lock()
		defer t.mu.Unlock()
		qs := t.subs[s.Address]
		for i, x := range qs {
			if x == q {
				t.subs[s.Address] = append(qs[:i], qs[i+1:]...)
				break
			}
		}
		return nil
	}
	if _, err := t.conn(ctx, "subscribe", s.Address); err != nil {
		q.Close()
		return nil, err
	}
	return q, nil
}

func (t *wsTransport) Close() error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil
	}
	t.closed = true
	conns := t.conns
	var qs []*queue
	for _, s := range t.subs {
		qs = append(qs, s...)
	}
	t.mu.Unlock()
	for _, q := range qs {
		q.Close()
	}
	var wg sync.WaitGroup
	for _, wc := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// The close handshake; the reader sees the peer's close frame
			// and ends. Bounded by the library (5 s per side).
			wc.c.Close(websocket.StatusNormalClosure, "")
		}()
	}
	wg.Wait()
	t.stop()
	t.wg.Wait()
	return nil
}
