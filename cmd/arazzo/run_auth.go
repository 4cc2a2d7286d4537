package main

import (
	"fmt"
	"io"
	"net/http"

	"github.com/arazzo-go/arazzo/arazzo"
	"github.com/arazzo-go/arazzo/runtime"
	"github.com/arazzo-go/arazzo/runtime/auth"
)

// runApplyAuth turns the --auth flags into a transport that adds credentials to each request, and lets an
// OCI profile's region fill the region server variable of its source when the user set none. Problems are
// reported before the run starts, naming the flag and never a secret.
func runApplyAuth(doc *arazzo.Document, f *runFlags, opts *runtime.Options, stderr io.Writer) error {
	if len(f.auth) == 0 {
		return nil
	}
	creds, err := auth.ParseCredentials(f.auth)
	if err != nil {
		return err
	}
	if creds, err = runBrokerCredentials(doc, creds, f); err != nil {
		return err
	}
	if len(creds) == 0 {
		return nil
	}
	if err := auth.Check(doc, creds); err != nil {
		return err
	}
	for source, vars := range auth.ServerVars(creds) {
		if opts.Servers[source] != "" {
			continue // a base URL was given; server variables do not apply
		}
		for name, value := range vars {
			if _, set := opts.ServerVars[source][name]; set {
				continue
			}
			if opts.ServerVars == nil {
				opts.ServerVars = map[string]map[string]string{}
			}
			if opts.ServerVars[source] == nil {
				opts.ServerVars[source] = map[string]string{}
			}
			opts.ServerVars[source][name] = value
			if f.verbose {
				fmt.Fprintf(stderr, "auth: %s server variable %s=%s from the OCI profile\n", source, name, value)
			}
		}
	}
	base := opts.Transport
	if base == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 16
		base = t
	}
	var log func(string)
	if f.verbose {
		log = func(msg string) { fmt.Fprintf(stderr, "auth: %s\n", msg) }
	}
	opts.Transport = auth.NewTransport(base, doc, creds, auth.Options{Log: log})
	return nil
}
