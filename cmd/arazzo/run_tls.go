package main

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/arazzo-go/arazzo/arazzo"
	"github.com/arazzo-go/arazzo/internal/regfile"
	"github.com/arazzo-go/arazzo/runtime"
)

// maxPEMBytes bounds a certificate, key or CA bundle file.
const maxPEMBytes = 4 << 20

// runTLSSpec is one --tls flag: a client certificate and/or a CA bundle,
// for one source description or ("" source) for every source.
type runTLSSpec struct {
	source         string
	cert, key, ca  string
	flag           string // as given, for messages (holds file names only)
	clientCertPair *tls.Certificate
	roots          *x509.CertPool
}

// runParseTLS reads one --tls value:
//
//	[SOURCE=]cert=FILE,key=FILE,ca=FILE   (any subset, any order)
//	[SOURCE=]CERT,KEY[,CA]                (positional, as the issue spells it)
func runParseTLS(doc *arazzo.Document, s string) (*runTLSSpec, error) {
	spec := &runTLSSpec{flag: "--tls " + s}
	rest := s
	if name, after, ok := strings.Cut(s, "="); ok && !runTLSKey(name) && !strings.Contains(name, ",") {
		if doc.Source(name) == nil {
			return nil, fmt.Errorf("--tls %s: no source description %q (have %s)", s, name, runSourceNames(doc))
		}
		spec.source, rest = name, after
	}
	var keyed, positional []string
	for _, item := range strings.Split(rest, ",") {
		if item == "" {
			return nil, fmt.Errorf("--tls %s: empty item; want [SOURCE=]cert=FILE,key=FILE,ca=FILE", s)
		}
		if k, v, ok := strings.Cut(item, "="); ok && runTLSKey(k) {
			if v == "" {
				return nil, fmt.Errorf("--tls %s: %s= needs a file", s, k)
			}
			keyed = append(keyed, item)
			switch k {
			case "cert":
				spec.cert = v
			case "key":
				spec.key = v
			case "ca":
				spec.ca = v
			}
			continue
		}
		positional = append(positional, item)
	}
	switch {
	case len(keyed) > 0 && len(positional) > 0:
		return nil, fmt.Errorf("--tls %s: mix of cert=/key=/ca= items and bare files; use one form", s)
	case len(positional) == 1 || len(positional) > 3:
		return nil, fmt.Errorf("--tls %s: want CERT,KEY[,CA] or cert=FILE,key=FILE,ca=FILE", s)
	case len(positional) >= 2:
		spec.cert, spec.key = positional[0], positional[1]
		if len(positional) == 3 {
			spec.ca = positional[2]
		}
	}
	if err := spec.load("--tls " + s); err != nil {
		return nil, err
	}
	return spec, nil
}

// load checks the combination and reads the files; where names the flag or
// config entry in messages.
func (spec *runTLSSpec) load(where string) error {
	if (spec.cert == "") != (spec.key == "") {
		return fmt.Errorf("%s: a client certificate needs both cert= and key=", where)
	}
	if spec.cert == "" && spec.ca == "" {
		return fmt.Errorf("%s: give a client certificate (cert=,key=), a CA bundle (ca=), or both", where)
	}
	if spec.cert != "" {
		certPEM, err := regfile.ReadFile(spec.cert, maxPEMBytes)
		if err != nil {
			return fmt.Errorf("%s: %v", where, err)
		}
		keyPEM, err := regfile.ReadFile(spec.key, maxPEMBytes)
		if err != nil {
			return fmt.Errorf("%s: %v", where, err)
		}
		pair, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			// crypto/tls's messages name what is wrong, never key bytes.
			return fmt.Errorf("%s: client certificate %s with key %s: %v", where, spec.cert, spec.key, err)
		}
		spec.clientCertPair = &pair
	}
	if spec.ca != "" {
		pem, err := regfile.ReadFile(spec.ca, maxPEMBytes)
		if err != nil {
			return fmt.Errorf("%s: %v", where, err)
		}
		spec.roots = x509.NewCertPool()
		if !spec.roots.AppendCertsFromPEM(pem) {
			return fmt.Errorf("%s: ca %s holds no PEM certificate", where, spec.ca)
		}
	}
	return nil
}

// maxTLSConfigBytes bounds a --tls-config file.
const maxTLSConfigBytes = 1 << 20

// runReadTLSConfig reads --tls-config FILE: the same settings as --tls,
// kept in a file beside the workflow rather than on every command line.
// Relative paths are resolved against the file's directory; "*" names
// every source.
//
//	tls:
//	  payments: {cert: client.pem, key: client-key.pem, ca: corp-ca.pem}
//	  "*": {ca: corp-ca.pem}
func runReadTLSConfig(doc *arazzo.Document, path string) ([]*runTLSSpec, error) {
	data, err := regfile.ReadFile(path, maxTLSConfigBytes)
	if err != nil {
		return nil, fmt.Errorf("--tls-config: %v", err)
	}
	var cfg struct {
		TLS map[string]struct {
			Cert string `yaml:"cert"`
			Key  string `yaml:"key"`
			CA   string `yaml:"ca"`
		} `yaml:"tls"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("--tls-config %s: %v", path, err)
	}
	if len(cfg.TLS) == 0 {
		return nil, fmt.Errorf("--tls-config %s: no tls: entries (want tls: {SOURCE: {cert: FILE, key: FILE, ca: FILE}})", path)
	}
	names := make([]string, 0, len(cfg.TLS))
	for name := range cfg.TLS {
		names = append(names, name)
	}
	sort.Strings(names)
	abs := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(filepath.Dir(path), p)
	}
	var out []*runTLSSpec
	for _, name := range names {
		e := cfg.TLS[name]
		where := fmt.Sprintf("--tls-config %s: tls.%s", path, name)
		spec := &runTLSSpec{flag: where, cert: abs(e.Cert), key: abs(e.Key), ca: abs(e.CA)}
		if name != "*" {
			if doc.Source(name) == nil {
				return nil, fmt.Errorf("%s: no source description %q (have %s; \"*\" means every source)", where, name, runSourceNames(doc))
			}
			spec.source = name
		}
		if err := spec.load(where); err != nil {
			return nil, err
		}
		out = append(out, spec)
	}
	return out, nil
}

func runTLSKey(k string) bool { return k == "cert" || k == "key" || k == "ca" }

// runApplyTLS turns the --tls flags into a transport that picks, for each
// request, the TLS settings of the source description its operation
// belongs to (runtime.OperationFromContext), else those given for every
// source, else the engine's shared transport. Each one is a clone of the
// shared transport, so HTTPS_PROXY, HTTP_PROXY and NO_PROXY are honoured as
// everywhere else (http.ProxyFromEnvironment). A CA bundle replaces the
// system roots for what it applies to, as curl's --cacert does. A mocked
// run sends nothing, so --tls does not apply to it.
func runApplyTLS(doc *arazzo.Document, f *runFlags, opts *runtime.Options) error {
	if (len(f.tls) == 0 && f.tlsConfig == "") || opts.Transport != nil {
		return nil
	}
	var specs []*runTLSSpec
	if f.tlsConfig != "" {
		var err error
		if specs, err = runReadTLSConfig(doc, f.tlsConfig); err != nil {
			return err
		}
	}
	for _, s := range f.tls {
		spec, err := runParseTLS(doc, s)
		if err != nil {
			return err
		}
		specs = append(specs, spec)
	}
	t := &runTLSTransport{bySource: map[string]*http.Transport{}, fallback: runtime.SharedTransport()}
	var all *http.Transport
	for _, spec := range specs {
		s := spec.flag
		if _, dup := t.bySource[spec.source]; dup || (spec.source == "" && all != nil) {
			return fmt.Errorf("%s: settings for %s given twice", s, runTLSWhat(spec.source))
		}
		tr := runtime.SharedTransport().Clone()
		tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: spec.roots}
		if spec.clientCertPair != nil {
			tr.TLSClientConfig.Certificates = []tls.Certificate{*spec.clientCertPair}
		}
		if spec.source == "" {
			all = tr
		} else {
			t.bySource[spec.source] = tr
		}
	}
	if all != nil {
		t.fallback = all
	}
	opts.Transport = t
	return nil
}

func runTLSWhat(source string) string {
	if source == "" {
		return "every source"
	}
	return "source " + source
}

// runTLSTransport routes a request to its source's transport.
type runTLSTransport struct {
	bySource map[string]*http.Transport
	fallback http.RoundTripper
}

func (t *runTLSTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if key, ok := runtime.OperationFromContext(req); ok {
		if tr := t.bySource[key.Source]; tr != nil {
			return tr.RoundTrip(req)
		}
	}
	if t.fallback == nil {
		return nil, errors.New("no transport")
	}
	return t.fallback.RoundTrip(req)
}
