package runtime_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	arazzort "github.com/arazzo-go/arazzo/runtime"
)

// robustDoc gets an item and exposes what the engine made of the response.
const robustDoc = rulesHeader + `workflows:
  - workflowId: main
    inputs: {type: object, properties: {apiToken: {type: string}}}
    steps:
      - stepId: get
        operationId: getItem
        parameters:
          - {name: id, in: path, value: "1"}
          - {name: q, in: query, value: $inputs.apiToken}
        successCriteria: [{condition: $statusCode == 200}]
        outputs: {body: $response.body, state: $response.body#/state}
        onFailure: [{name: handled, type: end, criteria: [{condition: $statusCode == 599}]}]
    outputs: {body: $steps.get.outputs.body, state: $steps.get.outputs.state}
`

func runRobust(t *testing.T, handler http.HandlerFunc, opts func(*arazzort.Options), inputs map[string]any) *arazzort.Result {
	t.Helper()
	doc := loadDoc(t, "testdata/rules/robust.arazzo.yaml", robustDoc)
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	o := arazzort.Options{Servers: map[string]string{"api": srv.URL + "/v1"}, LoopDelay: arazzort.Off}
	if opts != nil {
		opts(&o)
	}
	eng, err := arazzort.New(doc, o)
	if err != nil {
		t.Fatal(err)
	}
	res, err := eng.Run(context.Background(), "main", inputs)
	if err != nil && res == nil {
		t.Fatal(err)
	}
	return res
}

func TestRobustResponses(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		opts    func(*arazzort.Options)
		status  arazzort.Status
		errHas  string
		outputs string // fmt %v of Outputs; "" = not checked
	}{
		{
			// A JSON Pointer cannot read it (issue 11 §6): the output
			// fails the step instead of reading as null.
			name: "declared json that is not json fails the output that points into it",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, "<html>oops</html>")
			},
			status: arazzort.Failed, errHas: "output state: $response.body#/state: the response body is declared application/json but does not parse as JSON",
		},
		{
			name: "body over the cap fails the step naming the cap",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, `{"state":"`+strings.Repeat("x", 2000)+`"}`)
			},
			opts:   func(o *arazzort.Options) { o.MaxBodyBytes = 1000 },
			status: arazzort.Failed, errHas: "larger than 1000 bytes",
		},
		{
			name: "a server that never answers times out the request",
			handler: func(w http.ResponseWriter, r *http.Request) {
				<-r.Context().Done()
			},
			opts:   func(o *arazzort.Options) { o.RequestTimeout = 50 * time.Millisecond },
			status: arazzort.Failed, errHas: "no response within 50ms",
		},
		{
			name: "a server that stalls mid-body times out the request",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, `{"state":`)
				w.(http.Flusher).Flush()
				<-r.Context().Done()
			},
			opts:   func(o *arazzort.Options) { o.RequestTimeout = 50 * time.Millisecond },
			status: arazzort.Failed, errHas: "did not arrive within 50ms",
		},
		{
			name: "a negative request timeout sets no deadline: the run's own bounds it",
			handler: func(w http.ResponseWriter, r *http.Request) {
				<-r.Context().Done()
			},
			opts: func(o *arazzort.Options) {
				o.RequestTimeout = -1
				o.Timeout = 80 * time.Millisecond
			},
			status: arazzort.Aborted, errHas: "run timed out after 80ms",
		},
		{
			name: "overall timeout aborts",
			handler: func(w http.ResponseWriter, r *http.Request) {
				<-r.Context().Done()
			},
			opts:   func(o *arazzort.Options) { o.Timeout = 50 * time.Millisecond },
			status: arazzort.Aborted, errHas: "50ms",
		},
		{
			name: "redirects are followed",
			handler: func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/moved" {
					http.Redirect(w, r, "/moved", http.StatusFound)
					return
				}
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, `{"state":"moved"}`)
			},
			status: arazzort.Succeeded, outputs: "map[body:map[state:moved] state:moved]",
		},
		{
			name: "204 with no body",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusNoContent)
			},
			status: arazzort.Failed, errHas: "204",
		},
		{
			name: "non-UTF-8 text body",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/plain; charset=latin1")
				w.Write([]byte{'c', 0xe9, 'l', 0xe8, 'b', 'r', 'e'})
			},
			status: arazzort.Failed, errHas: "the response body is text/plain, not JSON",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := runRobust(t, tc.handler, tc.opts, nil)
			if res.Status != tc.status {
				t.Fatalf("status %s, want %s (error %q)", res.Status, tc.status, res.Error)
			}
			if tc.errHas != "" && !strings.Contains(res.Error, tc.errHas) {
				t.Errorf("error %q does not contain %q", res.Error, tc.errHas)
			}
			if tc.status == arazzort.Aborted && len(res.Steps) > 0 && strings.Contains(res.Steps[0].Error, "deadline exceeded") {
				t.Errorf("step error %q: want the run's reason, not the transport's", res.Steps[0].Error)
			}
			if tc.outputs != "" {
				if got := fmt.Sprint(res.Outputs); got != tc.outputs {
					t.Errorf("outputs %s, want %s", got, tc.outputs)
				}
			}
		})
	}
}

func TestConnectionRefusedNamesHostWithoutSecrets(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	doc := loadDoc(t, "testdata/rules/robust.arazzo.yaml", robustDoc)
	eng, err := arazzort.New(doc, arazzort.Options{Servers: map[string]string{"api": "http://" + addr + "/v1"}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := eng.Run(context.Background(), "main", map[string]any{"apiToken": "tok-very-secret"})
	if err != nil && res == nil {
		t.Fatal(err)
	}
	if res.Status != arazzort.Failed || !strings.Contains(res.Error, addr) || !strings.Contains(res.Error, "refused") {
		t.Errorf("status %s, error %q: want a failure naming %s and the refusal", res.Status, res.Error, addr)
	}
	if strings.Contains(res.Error, "tok-very-secret") {
		t.Errorf("error leaks the secret: %q", res.Error)
	}
}

func TestNoGoroutineLeakAfterCancelledRuns(t *testing.T) {
	doc := loadDoc(t, "testdata/rules/robust.arazzo.yaml", robustDoc)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Millisecond):
			io.WriteString(w, `{"state":"ok"}`)
		}
	}))
	defer srv.Close()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	defer tr.CloseIdleConnections()
	eng, err := arazzort.New(doc, arazzort.Options{Servers: map[string]string{"api": srv.URL + "/v1"}, Transport: tr})
	if err != nil {
		t.Fatal(err)
	}
	before := runtime.NumGoroutine()
	for i := range 200 {
		ctx, cancel := context.WithTimeout(context.Background(), time.Duration(i%10)*time.Millisecond)
		if res, err := eng.Run(ctx, "main", nil); err != nil && res == nil {
			t.Fatal(err)
		}
		cancel()
	}
	tr.CloseIdleConnections()
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before+2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before+2 {
		buf := make([]byte, 1<<16)
		t.Fatalf("%d goroutines after 200 cancelled runs, %d before\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
}

func TestTransportErrorShowsTheRedactedURL(t *testing.T) {
	doc := loadDoc(t, "testdata/rules/robust.arazzo.yaml", rulesHeader+mainSteps+`
      - stepId: get
        operationId: getItem
        parameters:
          - {name: id, in: path, value: "1"}
          - {name: api_key, in: query, value: literal-key-123}
`)
	eng, err := arazzort.New(doc, arazzort.Options{Servers: map[string]string{"api": "http://127.0.0.1:1/v1"}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := eng.Run(context.Background(), "main", nil)
	if err != nil && res == nil {
		t.Fatal(err)
	}
	if strings.Contains(res.Error, "literal-key-123") || !strings.Contains(res.Error, "127.0.0.1:1") {
		t.Errorf("error %q: want the host and no credential-like query value", res.Error)
	}
}

func TestRedirectToAnotherHostDropsCredentialHeaders(t *testing.T) {
	var got http.Header
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		io.WriteString(w, `{}`)
	}))
	defer other.Close()
	// 127.0.0.1 and localhost are different hosts to the client.
	otherURL := strings.Replace(other.URL, "127.0.0.1", "localhost", 1)
	first := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, otherURL+"/landed", http.StatusTemporaryRedirect)
	}))
	defer first.Close()
	doc := loadDoc(t, "testdata/rules/robust.arazzo.yaml", rulesHeader+mainSteps+`
      - stepId: get
        operationId: getItem
        parameters:
          - {name: id, in: path, value: "1"}
          - {name: X-Api-Key, in: header, value: key-123}
          - {name: api_key, in: query, value: q-key-456}
          - {name: X-Trace, in: header, value: keep-me}
`)
	eng, err := arazzort.New(doc, arazzort.Options{Servers: map[string]string{"api": first.URL + "/v1"}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := eng.Run(context.Background(), "main", nil)
	if err != nil || res.Status != arazzort.Succeeded {
		t.Fatalf("run: %v %s %s", err, res.Status, res.Error)
	}
	if got == nil || got.Get("X-Api-Key") != "" || got.Get("Referer") != "" || got.Get("X-Trace") != "keep-me" {
		t.Errorf("headers at the other host: %v", got)
	}
}

func TestTransportFailureSelectsActionsWithoutResponse(t *testing.T) {
	doc := loadDoc(t, "testdata/rules/robust.arazzo.yaml", rulesHeader+mainSteps+`
      - stepId: get
        operationId: getItem
        parameters: [{name: id, in: path, value: "1"}]
        outputs: {x: $statusCode}
        onFailure:
          - {name: unavailable, type: end, criteria: [{condition: $statusCode == 503}]}
          - {name: badBody, type: end, criteria: [{context: $response.body, condition: "$.error", type: jsonpath}]}
          - {name: noAnswer, type: goto, stepId: after}
      - stepId: skipped
        operationId: createItem
      - stepId: after
        operationId: getJob
        parameters: [{name: id, in: path, value: j}]
        outputs: {prev: $steps.get.outputs.x}
    outputs: {prev: $steps.after.outputs.prev}
`)
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if strings.Contains(r.URL.Path, "/items/") {
			return nil, errors.New("dial tcp 10.0.0.1:443: connect: connection refused")
		}
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(strings.NewReader(`{}`)), Request: r}, nil
	})
	eng, err := arazzort.New(doc, arazzort.Options{Transport: rt})
	if err != nil {
		t.Fatal(err)
	}
	res, err := eng.Run(context.Background(), "main", nil)
	if err != nil && res == nil {
		t.Fatal(err)
	}
	if res.Status != arazzort.Succeeded || trace(res) != "get:goto after after:next" || res.Steps[0].ActionName != "noAnswer" {
		t.Errorf("status %s trace %q action %q error %q", res.Status, trace(res), res.Steps[0].ActionName, res.Error)
	}
	if res.Outputs["prev"] != nil {
		t.Errorf("outputs %v: a step without a response has no outputs", res.Outputs)
	}
	if !strings.Contains(res.Steps[0].Error, "connection refused") {
		t.Errorf("attempt error %q does not name the cause", res.Steps[0].Error)
	}
}

func TestHeadAnd204HaveNoBody(t *testing.T) {
	var methods []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		methods = append(methods, r.Method)
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Content-Type", "application/json")
		if r.Method == http.MethodDelete {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.Header().Set("Content-Length", "42")
	}))
	defer srv.Close()
	doc := loadDoc(t, "testdata/robust/empty.arazzo.yaml", `arazzo: 1.0.1
info: {title: empty bodies, version: "1"}
sourceDescriptions: [{name: api, url: ./openapi.yaml, type: openapi}]
workflows:
  - workflowId: main
    steps:
      - stepId: head
        operationId: headThing
        parameters: [{name: id, in: path, value: t1}]
        successCriteria: [{condition: $statusCode == 200}]
        outputs: {etag: $response.header.ETag, body: $response.body}
      - stepId: delete
        operationId: deleteThing
        parameters: [{name: id, in: path, value: t1}]
        successCriteria: [{condition: $statusCode == 204}]
        outputs: {body: $response.body}
    outputs: {etag: $steps.head.outputs.etag, headBody: $steps.head.outputs.body, deleteBody: $steps.delete.outputs.body}
`)
	eng, err := arazzort.New(doc, arazzort.Options{Servers: map[string]string{"api": srv.URL}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := eng.Run(context.Background(), "main", nil)
	if err != nil && res == nil {
		t.Fatal(err)
	}
	if res.Status != arazzort.Succeeded {
		t.Fatalf("status %s: %s", res.Status, res.Error)
	}
	if got := fmt.Sprint(res.Outputs); got != `map[deleteBody:<nil> etag:"v1" headBody:<nil>]` {
		t.Errorf("outputs %s", got)
	}
	if fmt.Sprint(methods) != "[HEAD DELETE]" {
		t.Errorf("methods %v", methods)
	}
}
