package main

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/arazzo-go/arazzo/arazzo"
	"github.com/arazzo-go/arazzo/asyncapi"
	"github.com/arazzo-go/arazzo/internal/broker"
)

// runBrokers gives each AsyncAPI source of the document a transport that
// dials its broker when a step first needs it: the server given with
// --server SOURCE=URL, else the description's only server (or, with several,
// the first by name). Dialling lazily keeps the rule that a step fails only
// when it is reached: a workflow whose AsyncAPI steps are never reached runs
// without a broker.
func runBrokers(doc *arazzo.Document, servers map[string]string, vars map[string]map[string]string) (map[string]broker.Transport, func()) {
	out := map[string]broker.Transport{}
	var all []*lazyBroker
	for _, src := range doc.SourceDescriptions {
		if src.AsyncAPI == nil {
			continue
		}
		lb := &lazyBroker{source: src.Name, doc: src.AsyncAPI, url: servers[src.Name], vars: vars[src.Name]}
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
		l.t, l.err = broker.Dial(ctx, schemeOf(l.url), broker.Config{URL: l.url})
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
	l.t, l.err = broker.DialServer(ctx, s, l.vars, cfg)
	return l.t, l.err
}

func schemeOf(u string) string {
	for i := 0; i < len(u); i++ {
		if u[i] == ':' {
			return u[:i]
		}
	}
	return ""
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
