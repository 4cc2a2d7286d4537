package runtime_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/arazzo-go/arazzo/runtime"
)

// recordDoc reads the request and the response in every kind of criterion
// that is explained when read, plus ones that read inputs (explained at
// once), and echoes a secret input in a response the criteria quote.
const recordDoc = `workflows:
  - workflowId: main
    inputs:
      type: object
      properties:
        apiToken: {type: string}
        trace: {type: string}
    steps:
      - stepId: get
        operationId: getItem
        parameters:
          - {name: id, in: path, value: "1"}
          - {name: q, in: query, value: find me}
          - {name: X-Trace, in: header, value: $inputs.trace}
          - {name: Authorization, in: header, value: "Bearer {$inputs.apiToken}"}
        successCriteria:
          - condition: $statusCode == 200
          - condition: $response.header.X-Kind == 'widget'
          - condition: $response.body#/name == 'widget' && $response.body#/count > 2
          - condition: $request.header.X-Trace == 't-1'
          - condition: $request.query.q != ''
          - condition: $request.path.id == '1'
          - condition: $method == 'GET'
          - condition: $url != ''
          - condition: $response.body#/echo != ''
          - {context: $response.body, condition: $.name == "widget", type: jsonpath}
          - {context: $response.body, condition: "$[?@ == 3]", type: jsonpath}
          - condition: $inputs.trace == 't-1'
          - {context: $response.body, condition: "^\\{", type: regex}
        outputs:
          echo: $response.body#/echo
          name: $response.body#/name
      - stepId: create
        operationId: createItem
        requestBody:
          contentType: application/json
          payload: {name: $steps.get.outputs.name, token: $inputs.apiToken}
        successCriteria:
          - condition: $statusCode == 201
          - condition: $request.body#/name == 'widget'
          - condition: $response.body#/id == 7
        onSuccess:
          - {name: notSeven, type: end, criteria: [{condition: $response.body#/id == 8}]}
          - {name: notIssued, type: end, criteria: [{context: $response.body, condition: $.access_token == "other", type: jsonpath}]}
          - {name: done, type: end, criteria: [{condition: $response.body#/id == 7}]}
`

const recordSecret = "tok-secret-8c1d5e"

func recordScript() map[string][]answer {
	return map[string][]answer{
		"getItem":    {{headers: map[string]string{"X-Kind": "widget"}, body: `{"name":"widget","count":3,"echo":"you sent Bearer ` + recordSecret + `"}`}},
		"createItem": {{status: 201, body: `{"id":7,"access_token":"issued-1"}`}},
	}
}

// runRecordDoc runs recordDoc against a server of recordScript, srvURL or
// a new one.
func runRecordDoc(t *testing.T, srvURL string, atOnce bool, opts func(*runtime.Options)) *runtime.Result {
	t.Helper()
	doc := loadDoc(t, "testdata/rules/record.arazzo.yaml", rulesHeader+recordDoc)
	if srvURL == "" {
		_, srv := newScriptedAPI(t, recordScript())
		srvURL = srv.URL
	}
	o := runtime.Options{Servers: map[string]string{"api": srvURL + "/v1"}, Clock: &sleepRecorder{}, LoopDelay: runtime.Off}
	if opts != nil {
		opts(&o)
	}
	eng, err := runtime.New(doc, o)
	if err != nil {
		t.Fatal(err)
	}
	if atOnce {
		runtime.ExplainAtOnce(eng)
	}
	res, err := eng.Run(context.Background(), "main", map[string]any{"apiToken": recordSecret, "trace": "t-1"})
	if err != nil {
		t.Fatalf("run: %v (%s)", err, res.Error)
	}
	return res
}

// reportWithoutTimes is the JSON report with what differs between two runs
// (ids, times) taken out.
func reportWithoutTimes(t *testing.T, res *runtime.Result) any {
	t.Helper()
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	var strip func(any)
	strip = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for _, k := range []string{"runId", "started", "durationMs", "waitedMs", "Date"} {
				delete(x, k)
			}
			for _, e := range x {
				strip(e)
			}
		case []any:
			for _, e := range x {
				strip(e)
			}
		}
	}
	strip(v)
	return v
}

// TestExplanationsReadLaterMatchThoseMadeAtOnce: a passing criterion that
// reads only its attempt's request and response is explained when read;
// the report is the one the engine made when it explained every criterion
// as it evaluated it, secrets hidden alike.
func TestExplanationsReadLaterMatchThoseMadeAtOnce(t *testing.T) {
	_, srv := newScriptedAPI(t, recordScript()) // one server: $url is explained
	lazy := runRecordDoc(t, srv.URL, false, nil)
	atOnce := runRecordDoc(t, srv.URL, true, nil)
	if got, want := reportWithoutTimes(t, lazy), reportWithoutTimes(t, atOnce); !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", " ")
		w, _ := json.MarshalIndent(want, "", " ")
		t.Errorf("report with explanations built when read:\n%s\nexplained at once:\n%s", g, w)
	}
	out, _ := json.Marshal(lazy)
	if strings.Contains(string(out), recordSecret) || strings.Contains(string(out), "issued-1") {
		t.Errorf("the report shows a secret: %s", out)
	}
	crit := lazy.Steps[0].Criteria
	if len(crit) != 13 {
		t.Fatalf("%d criteria, want 13", len(crit))
	}
	for i, c := range crit {
		if !c.Pass || c.Explanation() == "" {
			t.Errorf("criterion %d %q: pass %v, explanation %q", i, c.Condition, c.Pass, c.Explanation())
		}
	}
	// The actions that do not apply are explained when read too.
	acts := lazy.Steps[1].Criteria
	var failed []string
	for _, c := range acts {
		if c.Action != "" && !c.Pass {
			failed = append(failed, c.Action+": "+c.Explanation())
		}
	}
	if len(failed) != 2 || !strings.Contains(failed[0], "8") || !strings.Contains(failed[1], "jsonpath") {
		t.Errorf("failed action criteria explained as %q", failed)
	}
	if e := crit[8].Explanation(); !strings.Contains(e, "you sent Bearer "+runtime.Redacted) {
		t.Errorf("the echo criterion explained %q, want the echoed token hidden", e)
	}
}

// TestResultDetailsReadConcurrently: details built when read share nothing
// mutable, so goroutines may read one Result at once (run with -race).
func TestResultDetailsReadConcurrently(t *testing.T) {
	res := runRecordDoc(t, "", false, nil)
	want, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for range 8 {
		wg.Go(func() {
			for _, a := range res.Steps {
				a.Request.Headers()
				a.Request.BodyPreview()
				a.Response.Headers()
				a.Response.BodyPreview()
				a.Outputs()
				for _, c := range a.Criteria {
					c.Explanation()
				}
			}
			if got, _ := json.Marshal(res); string(got) != string(want) {
				errs <- string(got)
			}
		})
	}
	wg.Wait()
	close(errs)
	for got := range errs {
		t.Errorf("a concurrent read gave\n%s\nwant\n%s", got, want)
	}
}

// TestRecordedRequestHeadersAreTheEngines: a cookie jar adds its cookies to
// the request the engine built, on the way out; the record shows the
// headers as the engine built them, as before it kept the map.
func TestRecordedRequestHeadersAreTheEngines(t *testing.T) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	var base *url.URL
	res := runRecordDoc(t, "", false, func(o *runtime.Options) {
		u, _ := url.Parse(o.Servers["api"])
		base = u
		jar.SetCookies(u, []*http.Cookie{{Name: "jarred", Value: "c-1"}})
		o.Client = &http.Client{Jar: jar}
	})
	if base == nil {
		t.Fatal("no server URL")
	}
	h := res.Steps[0].Request.Headers()
	if _, ok := h["Cookie"]; ok {
		t.Errorf("recorded request headers %v show the jar's cookie", h)
	}
	if h["X-Trace"] != "t-1" || h["Authorization"] != runtime.Redacted {
		t.Errorf("recorded request headers %v", h)
	}
}
