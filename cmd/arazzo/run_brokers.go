package main

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/arazzo-go/arazzo/arazzo"
	"github.com/arazzo-go/arazzo/asyncapi"
	"github.com/arazzo-go/arazzo/runtime/auth"
	"github.com/arazzo-go/arazzo/runtime/broker"
)

// runBrokers gives each AsyncAPI source of the document a transport that
// dials its broker when a step first needs it: the server given with
// --server SOURCE=URL, else the description's only server (or, with several,
// the first by name). Dialling lazily keeps the rule that a step fails only
// when it is reached: a workflow whose AsyncAPI steps are never reached runs
// without a broker.
func runBrokers(doc *arazzo.Document, servers map[string]string, vars map[string]map[string]string, creds func(source string) broker.Credentials) (map[string]broker.Transport, func()) {
	out := map[string]broker.Transport{}
	var all []*lazyBroker
	for _, src := range doc.SourceDescriptions {
		if src.AsyncAPI == nil {
			continue
		}
		lb := &lazyBroker{source: src.Name, doc: src.AsyncAPI, url: servers[src.Name], vars: vars[src.Name], creds: creds}
		out[src.Name] = lb
		all = append(all, lb)
	}
	return out, func() {
		for _, lb := range all {
			lb.Close()
		}
	}
}

// lazyBroker dials on first use and then stands for the transport.
type lazyBroker struct {
	source string
	doc    *asyncapi.Document
	url    string
	vars   map[string]string
	creds  func(source string) broker.Credentials

	mu  sync.Mutex
	t   broker.Transport
	err error
}

func (l *lazyBroker) transport(ctx context.Context) (broker.Transport, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.t != nil || l.err != nil {
		return l.t, l.err
	}
	var names []string
	for name := range l.doc.Servers {
		names = append(names, name)
	}
	sort.Strings(names)
	if len(names) == 0 {
		if l.url == "" {
			l.err = fmt.Errorf("AsyncAPI source %s declares no server: give one with --server %s=nats://host:4222 (or mqtt://, amqp://, kafka://, ws://)", l.source, l.source)
			return nil, l.err
		}
		c := l.creds(l.source)
		l.t, l.err = broker.Dial(ctx, schemeOf(l.url), broker.Config{URL: l.url, Username: c.Username, Password: c.Password, Token: c.Token})
		return l.t, l.err
	}
	s := l.doc.Servers[names[0]]
	cfg := broker.Config{URL: l.url}
	if l.url != "" {
		// The URL's scheme names the protocol, so --server can point a
		// source at another broker kind than the description's.
		s2 := *s
		s2.Protocol = schemeOf(l.url)
		s = &s2
	}
	if cfg, l.err = broker.WithCredentials(cfg, s, l.creds(l.source)); l.err != nil {
		return nil, l.err
	}
	l.t, l.err = broker.DialServer(ctx, s, l.vars, cfg)
	return l.t, l.err
}

// runBrokerCredentials takes the --auth credentials of AsyncAPI sources out
// of creds, reading their secrets now (errors name the flag, never a
// value): basic gives a broker user and password, bearer a token. The rest
// is returned for the HTTP transport.
func runBrokerCredentials(doc *arazzo.Document, creds []auth.Credential, f *runFlags) ([]auth.Credential, error) {
	var rest []auth.Credential
	for _, c := range creds {
		src := doc.Source(c.Source)
		if src == nil || src.AsyncAPI == nil {
			rest = append(rest, c)
			continue
		}
		var bc broker.Credentials
		var err error
		switch c.Kind {
		case auth.KindBasic:
			if bc.Username, err = c.User.Read(); err == nil {
				bc.Password, err = c.Password.Read()
			}
		case auth.KindBearer:
			bc.Token, err = c.Token.Read()
		default:
			return nil, fmt.Errorf("--auth %s: %s credentials do not apply to AsyncAPI source %s (use basic for a broker user and password, bearer for a token)", c.Source, c.Kind, c.Source)
		}
		if err != nil {
			return nil, fmt.Errorf("--auth %s: %v", c.Source, err)
		}
		if f.brokerCreds == nil {
			f.brokerCreds = map[string]broker.Credentials{}
		}
		f.brokerCreds[c.Source] = bc
	}
	return rest, nil
}

// schemeOf is the URL's scheme, which names the broker protocol.
func schemeOf(u string) string {
	scheme, _, ok := strings.Cut(u, ":")
	if !ok {
		return ""
	}
	return scheme
}

func (l *lazyBroker) Publish(ctx context.Context, m broker.Message) error {
	t, err := l.transport(ctx)
	if err != nil {
		return err
	}
	return t.Publish(ctx, m)
}

func (l *lazyBroker) Subscribe(ctx context.Context, s broker.Subscription) (broker.Inbox, error) {
	t, err := l.transport(ctx)
	if err != nil {
		return nil, err
	}
	return t.Subscribe(ctx, s)
}

func (l *lazyBroker) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.t == nil {
		return nil
	}
	return l.t.Close()
}
