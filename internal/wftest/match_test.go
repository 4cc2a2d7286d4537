package wftest

import (
	"context"
	"errors"
	"flag"
	"net/http"
	"strings"
	"testing"

	"github.com/arazzo-go/arazzo/runtime"
)

var update = flag.Bool("update", false, "rewrite golden files")

func req(op string, headers map[string]string, body string) *Request {
	h := http.Header{}
	for k, v := range headers {
		h.Set(k, v)
	}
	return &Request{Source: "api", Operation: op, Method: "GET", URL: "https://h/" + op, Header: h, Body: []byte(body)}
}

func parseOne(t *testing.T, src string) *Case {
	t.Helper()
	withFakeMocks(t)
	f, err := ParseFile("case.arazzo-test.yaml", []byte("workflow: w.yml\ncases:\n"+src))
	if err != nil {
		t.Fatal(err)
	}
	return f.Cases[0]
}

func TestMatch(t *testing.T) {
	succeeded := &runtime.Result{Status: runtime.Succeeded, Outputs: map[string]any{"id": "x", "n": 3, "obj": map[string]any{"a": 1.0, "b": "extra"}, "none": nil}}
	calls := []*Request{
		req("getInstance", map[string]string{"Authorization": "tok-123"}, ""),
		req("createImage", map[string]string{"Authorization": "tok-123", "Content-Type": "application/json"}, `{"a":1,"b":"x"}`),
		req("getImage", map[string]string{"Authorization": "tok-123"}, ""),
		req("getImage", nil, ""),
	}
	tests := []struct {
		name string
		src  string
		x    *Execution
		want []string // substrings of the mismatch messages, in order; none = pass
	}{
		{"all hold", `- name: c
  expect:
    status: succeeded
    outputs: {id: x, n: 3, obj: {a: 1}, none: null, missing: null}
    calls: [getInstance, api.createImage, getImage, getImage]
    requests:
      - {operation: createImage, body: {a: 1, b: x}, headers: {authorization: tok-123, Content-Type: application/json}}
      - {operation: getImage, call: 2, headers: {Authorization: null}}
`, &Execution{Result: succeeded, Requests: calls}, nil},
		{"status and failedAt", `- name: c
  expect: {status: succeeded, failedAt: readInstance}
`, &Execution{Result: &runtime.Result{Status: runtime.Failed, Error: "step readInstance failed", FailedAt: "pollImage"}},
			[]string{"status: expected succeeded, got failed (step readInstance failed)", "failedAt: expected readInstance, got pollImage"}},
		{"outputs", `- name: c
  expect: {outputs: {id: y, n: "3", obj: {a: 2, c: 1}, gone: 1, none: {}}}
`, &Execution{Result: succeeded}, []string{
			`outputs.gone: expected 1, but it is absent`,
			`outputs.id: expected "y", got "x"`,
			`outputs.n: expected "3", got 3`,
			`outputs.none: expected an object {}, got null`,
			`outputs.obj.a: expected 2, got 1`,
			`outputs.obj.c: expected 1, but it is absent`}},
		{"calls shorter", `- name: c
  expect: {calls: [getInstance, createImage, getImage]}
`, &Execution{Result: succeeded, Requests: calls}, []string{"calls: first difference at call 4: expected nothing, got getImage\n  expected: [getInstance, createImage, getImage]\n  actual:   [getInstance, createImage, getImage, getImage]"}},
		{"calls differ", `- name: c
  expect: {calls: [getInstance, getImage]}
`, &Execution{Result: succeeded, Requests: calls}, []string{"calls: first difference at call 2: expected getImage, got createImage"}},
		{"no calls expected", `- name: c
  expect: {calls: []}
`, &Execution{Result: succeeded, Requests: calls[:1]}, []string{"call 1: expected nothing, got getInstance"}},
		{"request body exact", `- name: c
  expect:
    requests: [{operation: createImage, body: {a: 1, c: [1]}}]
`, &Execution{Result: succeeded, Requests: calls}, []string{
			`requests[0] createImage call 1: body.c: expected [1], but it is absent`,
			`requests[0] createImage call 1: body.b: not expected, got "x"`}},
		{"request url", `- name: c
  expect:
    requests:
      - {operation: getInstance, url: "/getInstance"}
      - {operation: createImage, url: "https://h/createImage?x=1"}
      - {operation: getImage, call: 1, url: "/getImage?a"}
`, &Execution{Result: succeeded, Requests: calls}, []string{
			`requests[1] createImage call 1: url: expected https://h/createImage?x=1, got https://h/createImage`,
			`requests[2] getImage call 1: url: expected /getImage?a, got /getImage`}},
		{"request headers", `- name: c
  expect:
    requests:
      - {operation: getImage, headers: {Authorization: null, X-Trace: "1"}}
`, &Execution{Result: succeeded, Requests: calls}, []string{
			"requests[0] getImage call 1: header Authorization must not be sent, but was sent as <redacted>",
			`requests[0] getImage call 1: header X-Trace: expected "1", but it was not sent`,
			`requests[0] getImage call 2: header X-Trace: expected "1", but it was not sent`}},
		{"secret header differs", `- name: c
  expect:
    requests: [{operation: getInstance, headers: {Authorization: other-token}}]
`, &Execution{Result: succeeded, Requests: calls}, []string{
			"header Authorization: expected <redacted>, got <redacted> (the hidden values differ)"}},
		{"secret output differs", `- name: c
  inputs: {password: hunter22}
  expect: {outputs: {id: hunter22}}
`, &Execution{Result: succeeded}, []string{`outputs.id: expected <redacted>, got "x"`}},
		{"hidden values differ", `- name: c
  inputs: {password: hunter22}
  expect: {outputs: {password: hunter22}}
`, &Execution{Result: &runtime.Result{Status: runtime.Succeeded, Outputs: map[string]any{"password": "<redacted>"}}},
			[]string{`outputs.password: expected <redacted>, got <redacted> (the hidden values differ)`}},
		{"request never made", `- name: c
  expect:
    requests: [{operation: deleteImage}, {operation: getImage, call: 3}]
`, &Execution{Result: succeeded, Requests: calls}, []string{
			"requests[0] deleteImage: the operation was never called",
			"requests[1] getImage: expected call 3, but it was called 2 time(s)"}},
		{"rejection expected and got", `- name: c
  expect: {error: "required input", calls: []}
`, &Execution{Err: errors.New(`missing required input "instanceId"`)}, nil},
		{"rejection with other text", `- name: c
  expect: {error: "unknown workflow"}
`, &Execution{Err: errors.New(`missing required input "instanceId"`)}, []string{`error: expected a rejection containing "unknown workflow", got: missing required input "instanceId"`}},
		{"rejection expected, ran", `- name: c
  expect: {error: "required input"}
`, &Execution{Result: succeeded}, []string{`error: expected a rejection containing "required input", but the workflow ran (succeeded)`}},
		{"unexpected rejection", `- name: c
  expect: {status: succeeded}
`, &Execution{Err: errors.New("w.yml:3:1: error: bad [rule]")}, []string{"the workflow was rejected before it ran: w.yml:3:1: error: bad [rule]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := parseOne(t, tt.src)
			ms := match(c, tt.x, collectSecrets(c, tt.x))
			var got []string
			for _, m := range ms {
				got = append(got, m.Message)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("mismatches:\n%s\nwant %d:\n%s", strings.Join(got, "\n"), len(tt.want), strings.Join(tt.want, "\n"))
			}
			for i := range got {
				if !strings.Contains(got[i], tt.want[i]) {
					t.Errorf("mismatch %d:\n%s\nwant it to contain:\n%s", i, got[i], tt.want[i])
				}
			}
		})
	}
}

// fakeExec answers each case by name.
func fakeExec(byName map[string]*Execution) Executor {
	return func(ctx context.Context, c *Case) *Execution {
		if x, ok := byName[c.Name]; ok {
			return x
		}
		return &Execution{Err: errors.New("no fake for " + c.Name)}
	}
}

func TestCollectSecrets(t *testing.T) {
	c := parseOne(t, `- name: c
  inputs: {region: eu, auth: {apiKey: key-one-secret, nested: [x]}, credentials: {user: u, pass: pass-two-secret}, vault: {token: tok-three-secret}}
  expect:
    requests: [{operation: a, headers: {Authorization: Bearer hdr-four-secret}}]
`)
	x := &Execution{SecretInputs: []string{"region"}, Requests: []*Request{{Header: http.Header{"X-Api-Key": {"sent-five-secret"}}}}}
	s := collectSecrets(c, x)
	for _, v := range []string{"eu", "key-one-secret", "pass-two-secret", "tok-three-secret", "Bearer hdr-four-secret", "hdr-four-secret", "sent-five-secret"} {
		if !s.isSecretValue(v) {
			t.Errorf("%q is not known as a secret", v)
		}
	}
	if got := s.scrub("echo tok-three-secret and sent-five-secret"); got != "echo <redacted> and <redacted>" {
		t.Errorf("scrub = %q", got)
	}
	if got := s.scrub("seu"); got != "seu" {
		t.Errorf("a 2-character secret was scrubbed from free text: %q", got)
	}
}
