package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"strings"

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
	spec := &runTLSSpec{flag: s}
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
	if (spec.cert == "") != (spec.key == "") {
		return nil, fmt.Errorf("--tls %s: a client certificate needs both cert= and key=", s)
	}
	if spec.cert == "" && spec.ca == "" {
		return nil, fmt.Errorf("--tls %s: give a client certificate (cert=,key=), a CA bundle (ca=), or both", s)
	}
	if spec.cert != "" {
		certPEM, err := regfile.ReadFile(spec.cert, maxPEMBytes)
		if err != nil {
			return nil, fmt.Errorf("--tls %s: %v", s, err)
		}
		keyPEM, err := regfile.ReadFile(spec.key, maxPEMBytes)
		if err != nil {
			return nil, fmt.Errorf("--tls %s: %v", s, err)
		}
		pair, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			// crypto/tls's messages name what is wrong, never key bytes.
			return nil, fmt.Errorf("--tls %s: client certificate %s with key %s: %v", s, spec.cert, spec.key, err)
		}
		spec.clientCertPair = &pair
	}
	if spec.ca != "" {
		pem, err := regfile.ReadFile(spec.ca, maxPEMBytes)
		if err != nil {
			return nil, fmt.Errorf("--tls %s: %v", s, err)
		}
		spec.roots = x509.NewCertPool()
		if !spec.roots.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--tls %s: ca %s holds no PEM certificate", s, spec.ca)
		}
	}
	return spec, nil
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
	if len(f.tls) == 0 || opts.Transport != nil {
		return nil
	}
	t := &runTLSTransport{bySource: map[string]*http.Transport{}, fallback: runtime.SharedTransport()}
	var all *http.Transport
	for _, s := range f.tls {
		spec, err := runParseTLS(doc, s)
		if err != nil {
			return err
		}
		if _, dup := t.bySource[spec.source]; dup || (spec.source == "" && all != nil) {
			return fmt.Errorf("--tls %s: settings for %s given twice", s, runTLSWhat(spec.source))
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
