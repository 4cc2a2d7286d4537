package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"flag"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arazzo-go/arazzo/internal/testutil"
	"github.com/arazzo-go/arazzo/runtime"
)

var update = flag.Bool("update", false, "rewrite golden files")

func allRuns() map[string]*runtime.Result {
	return map[string]*runtime.Result{
		"stopped":   stoppedRun(),
		"notfound":  notFoundRun(),
		"transport": transportRun(),
		"guard":     guardRun(),
		"contract":  contractRun(),
		"empty":     {WorkflowID: "w", Status: runtime.Succeeded},
	}
}

func TestWriteJSONValidatesAgainstSchema(t *testing.T) {
	schema := testutil.OutputSchema(t, "run-report.schema.json")
	for name, r := range allRuns() {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteJSON(&buf, r); err != nil {
				t.Fatal(err)
			}
			var doc any
			if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
				t.Fatalf("report is not JSON: %v", err)
			}
			if err := schema.Validate(doc); err != nil {
				t.Fatalf("report does not match its schema: %#v\n%s", err, buf.String())
			}
		})
	}
	// The schema must reject what is not a report, or the test above proves nothing.
	if err := schema.Validate(map[string]any{"formatVersion": 1.0}); err == nil {
		t.Fatal("schema accepted an object without workflowId/status/steps")
	}
}

func TestWriteJSONGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, stoppedRun()); err != nil {
		t.Fatal(err)
	}
	testutil.Golden(t, filepath.Join("testdata", "stopped.report.json"), buf.Bytes(), *update)
}

// TestWriteJSONFields reads the written report with the documented names:
// a renamed field or a unit change (nanoseconds for milliseconds) fails it.
func TestWriteJSONFields(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, stoppedRun()); err != nil {
		t.Fatal(err)
	}
	var run struct {
		FormatVersion int    `json:"formatVersion"`
		WorkflowID    string `json:"workflowId"`
		Status        string `json:"status"`
		Steps         []struct {
			StepID     string  `json:"stepId"`
			Action     string  `json:"action"`
			ActionName string  `json:"actionName"`
			WaitedMs   float64 `json:"waitedMs"`
			Request    *struct {
				BodySize int `json:"bodySize"`
			} `json:"request"`
			Criteria []struct {
				Type string `json:"type"`
			} `json:"criteria"`
		} `json:"steps"`
	}
	if err := json.Unmarshal(buf.Bytes(), &run); err != nil {
		t.Fatal(err)
	}
	if run.FormatVersion != runtime.ResultFormatVersion || run.Status != "succeeded" || len(run.Steps) != 4 {
		t.Fatalf("formatVersion %d, status %q, %d steps; want %d, succeeded, 4", run.FormatVersion, run.Status, len(run.Steps), runtime.ResultFormatVersion)
	}
	last := run.Steps[3]
	if last.Action != "end" || last.ActionName != "imageReady" || last.WaitedMs != 1000 {
		t.Errorf("last attempt = %+v", last)
	}
	if run.Steps[1].Request.BodySize == 0 || run.Steps[0].Criteria[1].Type != "jsonpath" || run.Steps[0].Criteria[0].Type != "simple" {
		t.Errorf("attempts lost request body size or criterion type: %+v", run.Steps[:2])
	}
	if err := WriteJSON(&buf, nil); err == nil {
		t.Error("WriteJSON(nil) returned no error")
	}
}

func TestWriteHAR(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteHAR(&buf, stoppedRun()); err != nil {
		t.Fatal(err)
	}
	var h struct {
		Log struct {
			Version string
			Creator struct{ Name, Version string }
			Entries []struct {
				StartedDateTime string
				Time            float64
				Request         struct {
					Method, URL, HTTPVersion string
					Headers                  []HARPair
					QueryString              []HARPair
					Cookies                  []HARPair
					HeadersSize, BodySize    int
					PostData                 *struct{ MimeType, Text string }
				}
				Response struct {
					Status           int
					StatusText       string
					HTTPVersion      string
					Headers, Cookies []HARPair
					Content          struct {
						Size           int
						MimeType, Text string
					}
					RedirectURL           *string
					HeadersSize, BodySize int
				}
				Cache   *struct{}
				Timings struct{ Blocked, DNS, Connect, Send, Wait, Receive, SSL float64 }
			}
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &h); err != nil {
		t.Fatalf("HAR is not JSON: %v", err)
	}
	if h.Log.Version != "1.2" || h.Log.Creator.Name != "arazzo" {
		t.Fatalf("log version %q creator %q", h.Log.Version, h.Log.Creator.Name)
	}
	wantLines := []string{
		"GET https://iaas.us-phoenix-1.oraclecloud.com/20160918/instances/ocid1.instance.oc1..a",
		"POST https://iaas.us-phoenix-1.oraclecloud.com/20160918/images",
		"GET https://iaas.us-phoenix-1.oraclecloud.com/20160918/images/ocid1.image.oc1..new?fields=a%20b&x=1",
		"GET https://iaas.us-phoenix-1.oraclecloud.com/20160918/images/ocid1.image.oc1..new",
	}
	if len(h.Log.Entries) != len(wantLines) {
		t.Fatalf("%d entries, want %d", len(h.Log.Entries), len(wantLines))
	}
	for i, e := range h.Log.Entries {
		if got := e.Request.Method + " " + e.Request.URL; got != wantLines[i] {
			t.Errorf("entry %d: %s, want %s", i, got, wantLines[i])
		}
		if e.Response.Status != 200 || e.Response.StatusText != "OK" || e.Request.HTTPVersion == "" || e.Cache == nil || e.Response.RedirectURL == nil {
			t.Errorf("entry %d misses required HAR fields: %+v", i, e)
		}
		if sum := e.Timings.Send + e.Timings.Wait + e.Timings.Receive; sum != e.Time {
			t.Errorf("entry %d: time %v != send+wait+receive %v", i, e.Time, sum)
		}
		if !strings.HasPrefix(e.StartedDateTime, "2026-11-26T12:00:00.000") {
			t.Errorf("entry %d startedDateTime %q", i, e.StartedDateTime)
		}
	}
	post := h.Log.Entries[1].Request
	if post.PostData == nil || post.PostData.MimeType != "application/json" || !strings.Contains(post.PostData.Text, `"displayName":"img"`) {
		t.Errorf("POST postData = %+v", post.PostData)
	}
	if h.Log.Entries[0].Request.PostData != nil {
		t.Error("GET has postData")
	}
	q := h.Log.Entries[2].Request.QueryString
	if len(q) != 2 || q[0] != (HARPair{"fields", "a b"}) || q[1] != (HARPair{"x", "1"}) {
		t.Errorf("queryString = %+v", q)
	}
	if c := h.Log.Entries[1].Response.Content; c.MimeType != "application/json" || !strings.Contains(c.Text, "PROVISIONING") {
		t.Errorf("content = %+v", c)
	}
}

func TestWriteHARWithoutResponse(t *testing.T) {
	h := NewHAR(transportRun())
	if len(h.Log.Entries) != 1 {
		t.Fatalf("%d entries", len(h.Log.Entries))
	}
	e := h.Log.Entries[0]
	if e.Response.Status != 0 || e.Error == "" || e.Response.Headers == nil {
		t.Errorf("entry without response = %+v", e)
	}
}

type junitDoc struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	Suites   []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Cases    []struct {
			Name    string `xml:"name,attr"`
			Class   string `xml:"classname,attr"`
			Failure *struct {
				Message string `xml:"message,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
			Error *struct {
				Message string `xml:"message,attr"`
			} `xml:"error"`
			SystemOut string `xml:"system-out"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func TestWriteJUnit(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJUnit(&buf, stoppedRun(), notFoundRun(), transportRun(), guardRun()); err != nil {
		t.Fatal(err)
	}
	var doc junitDoc
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("JUnit is not XML: %v\n%s", err, buf.String())
	}
	if len(doc.Suites) != 4 {
		t.Fatalf("%d suites, want one per run (4)", len(doc.Suites))
	}
	// One case per attempt; the guard run adds one for the workflow.
	wantCases := []int{4, 1, 1, 4}
	for i, su := range doc.Suites {
		if len(su.Cases) != wantCases[i] || su.Tests != wantCases[i] {
			t.Errorf("suite %d (%s): %d cases, tests=%d; want %d", i, su.Name, len(su.Cases), su.Tests, wantCases[i])
		}
	}
	if c := doc.Suites[0].Cases[3]; c.Name != "pollImage attempt 1" || c.Failure != nil {
		t.Errorf("stopped run last case = %+v", c)
	}
	f := doc.Suites[1].Cases[0].Failure
	if f == nil || !strings.Contains(f.Text, "FAIL $statusCode == 200: $statusCode is 404") {
		t.Errorf("404 case failure = %+v", f)
	}
	if doc.Suites[2].Cases[0].Error == nil {
		t.Error("transport failure is not an <error>")
	}
	if g := doc.Suites[3].Cases[3]; g.Failure == nil || !strings.Contains(g.Failure.Message, "step limit") {
		t.Errorf("guard run has no failing workflow case: %+v", g)
	}
	if doc.Tests != 10 || doc.Failures != 2 || doc.Errors != 1 {
		t.Errorf("totals tests=%d failures=%d errors=%d; want 10, 2, 1", doc.Tests, doc.Failures, doc.Errors)
	}
}

// TestSecretCanary: even when a credential slipped past the runtime's
// redaction in a header, no writer prints it.
func TestSecretCanary(t *testing.T) {
	r := notFoundRun()
	for name, write := range map[string]func(*bytes.Buffer) error{
		"json":  func(b *bytes.Buffer) error { return WriteJSON(b, r) },
		"har":   func(b *bytes.Buffer) error { return WriteHAR(b, r) },
		"junit": func(b *bytes.Buffer) error { return WriteJUnit(b, r) },
	} {
		var buf bytes.Buffer
		if err := write(&buf); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(buf.String(), canary) {
			t.Errorf("%s output contains the secret canary:\n%s", name, buf.String())
		}
		if !strings.Contains(buf.String(), Redacted) && name != "junit" {
			t.Errorf("%s output does not show %s where the secret was", name, Redacted)
		}
	}
}

// Contract violations reach all three reports: the JSON report's contract
// entries (checked against the schema above), HAR's _contract and the
// JUnit case's output.
func TestReportsCarryContract(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, contractRun()); err != nil {
		t.Fatal(err)
	}
	var run struct {
		Steps []struct {
			Contract []struct{ Kind, Path, Schema, Keyword, Message string }
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &run); err != nil {
		t.Fatal(err)
	}
	c := run.Steps[0].Contract
	if len(c) != 2 || c[0].Kind != "body" || c[0].Path != "/id" || c[0].Keyword != "type" || !strings.HasSuffix(c[0].Schema, "/schema") || c[0].Message != "value must be a string" || c[1].Kind != "header" {
		t.Fatalf("JSON report contract = %+v\n%s", c, buf.String())
	}
	buf.Reset()
	if err := WriteHAR(&buf, contractRun()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"_contract"`) || !strings.Contains(buf.String(), `"path": "/id"`) {
		t.Errorf("HAR has no _contract entries:\n%s", buf.String())
	}
	buf.Reset()
	if err := WriteJUnit(&buf, contractRun()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "contract warning: body /id: value must be a string") {
		t.Errorf("JUnit output has no contract warning:\n%s", buf.String())
	}
}

// TestWriteJUnitShowsMessages: an AsyncAPI step's case says what was sent
// or received, on which address, with which correlation id and payload.
func TestWriteJUnitShowsMessages(t *testing.T) {
	res := &runtime.Result{WorkflowID: "orders", Status: runtime.Succeeded, Steps: []*runtime.StepAttempt{
		{WorkflowID: "orders", StepID: "sendOrder", Attempt: 1, Success: true, Action: "next",
			Message: &runtime.MessageSummary{Action: "send", Address: "orders.requests", PayloadPreview: `{"item":"tea"}`, PayloadSize: 14}},
		{WorkflowID: "orders", StepID: "awaitConfirmation", Attempt: 1, Success: true, Action: "end",
			Message: &runtime.MessageSummary{Action: "receive", Address: "orders.confirmed", CorrelationID: "r1", PayloadPreview: `{"status":"confirmed"}`, PayloadSize: 22}},
	}}
	var buf bytes.Buffer
	if err := WriteJUnit(&buf, res); err != nil {
		t.Fatal(err)
	}
	var doc junitDoc
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	cases := doc.Suites[0].Cases
	if got, want := cases[0].SystemOut, "send orders.requests\npayload: {\"item\":\"tea\"}\naction: next\n"; got != want {
		t.Errorf("send case:\n got %q\nwant %q", got, want)
	}
	if got, want := cases[1].SystemOut, "receive orders.confirmed (correlation id r1)\npayload: {\"status\":\"confirmed\"}\naction: end\n"; got != want {
		t.Errorf("receive case:\n got %q\nwant %q", got, want)
	}
}
