package runtime_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/arazzo-go/arazzo/expr"
	"github.com/arazzo-go/arazzo/runtime"
)

// credentialTransport plays an auth transport: it reports a credential to the run, and a server that echoes
// it back in the body, a header and (with a fresh signature each time) a per-request value.
type credentialTransport struct {
	mu   sync.Mutex
	sigs []string
}

func (c *credentialTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	runtime.AddSecret(req.Context(), "cred-static-31ab")
	c.mu.Lock()
	sig := "sig-" + strings.Repeat("x", len(c.sigs)) + "-end"
	c.sigs = append(c.sigs, sig)
	c.mu.Unlock()
	runtime.AddRequestSecret(req.Context(), sig)
	body := `{"n":` + strconv.Itoa(len(c.sigs)) + `,"echo":"cred-static-31ab","sig":"` + sig + `"}`
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}, "X-Echo": {"cred-static-31ab"}},
		Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)), Request: req}, nil
}

// TestTransportCredentialsRedacted: values a transport reports with AddSecret are hidden in every part of the
// Result, outputs included, from the response that echoes them on; per-request values too.
func TestTransportCredentialsRedacted(t *testing.T) {
	doc := loadDoc(t, "testdata/rules/transport-secrets.arazzo.yaml", rulesHeader+`workflows:
  - workflowId: main
    steps:
      - stepId: get
        operationId: getItem
        parameters: [{name: id, in: path, value: "1"}]
        successCriteria:
          - condition: $response.body#/n == 3
        onFailure:
          - {name: again, type: retry, retryAfter: 0, retryLimit: 2}
        outputs:
          echoed: $response.body#/echo
          sig: $response.body#/sig
    outputs:
      echoed: $steps.get.outputs.echoed
      sig: $steps.get.outputs.sig
`)
	tr := &credentialTransport{}
	eng, err := runtime.New(doc, runtime.Options{Transport: tr, Servers: map[string]string{"api": "http://127.0.0.1:1"}, KeepDetails: -1})
	if err != nil {
		t.Fatal(err)
	}
	res, err := eng.Run(context.Background(), "main", nil)
	if err != nil && res == nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(res)
	if res.Status != runtime.Succeeded || res.Outputs["echoed"] != runtime.Redacted || res.Outputs["sig"] != runtime.Redacted {
		t.Errorf("status %s, outputs %v: want succeeded with both outputs redacted", res.Status, res.Outputs)
	}
	if len(tr.sigs) != 3 {
		t.Fatalf("%d requests, want 3", len(tr.sigs))
	}
	for _, s := range append([]string{"cred-static-31ab"}, tr.sigs...) {
		if strings.Contains(string(out), s) {
			t.Errorf("the result shows %q:\n%s", s, out)
		}
	}
	if !strings.Contains(string(out), `\u003credacted\u003e`) {
		t.Errorf("nothing redacted:\n%s", out)
	}
}

// TestAddSecretOutsideARun does nothing and does not panic.
func TestAddSecretOutsideARun(t *testing.T) {
	runtime.AddSecret(context.Background(), "x")
	runtime.AddRequestSecret(context.Background(), "y")
}

// TestOneSecretNameRule: the runtime's fast IsSecretName and expr's (used in explanations) agree, so an
// explanation hides exactly what a body preview hides.
func TestOneSecretNameRule(t *testing.T) {
	for _, name := range []string{"access_token", "client_secret", "X-API-Key", "api-key", "Password", "passwd", "Set-Cookie",
		"sessionId", "X-Signature", "private_key", "PrivateKey", "credentials", "Authorization", "lifecycleState", "id",
		"privateNetwork", "tokenize", "KEY", "apikeys", "x-ToKeN-y", "a", ""} {
		if r, e := runtime.IsSecretName(name), expr.IsSecretName(name); r != e {
			t.Errorf("%q: runtime says %v, expr %v", name, r, e)
		}
	}
}
