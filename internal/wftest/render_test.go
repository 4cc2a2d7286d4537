package wftest

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arazzo-go/arazzo/internal/testutil"
	"github.com/arazzo-go/arazzo/runtime"
)

const fakeCanary = "CANARY-0b6c1d2e-token"

// fakeRun is the seed's "deleted" outcome, where the runtime (in this fake)
// leaked the token into an error text: output must still hide it.
func fakeExecutions() map[string]*Execution {
	auth := http.Header{"Authorization": {fakeCanary}}
	attempt := func(step, op, url string, status int, body string, action, name string, crit ...runtime.CriterionResult) *runtime.StepAttempt {
		return &runtime.StepAttempt{
			WorkflowID: "create-custom-image-from-instance", StepID: step, Attempt: 1, Operation: op,
			Request:  runtime.RequestSummary{Method: "GET", URL: url}.WithDetails(map[string]string{"Authorization": "<redacted>"}, ""),
			Response: runtime.ResponseSummary{Status: status}.WithDetails(nil, body),
			Criteria: append([]runtime.CriterionResult{runtime.CriterionResult{Condition: "$statusCode == 200", Pass: status == 200}.WithExplanation("$statusCode is 200")}, crit...),
			Success:  true, Action: action, ActionName: name,
		}
	}
	steps := []*runtime.StepAttempt{
		attempt("readInstance", "getInstance", "https://iaas.example/instances/i", 200, "", "goto createImage", "isStopped",
			runtime.CriterionResult{Condition: `$.lifecycleState == "STOPPED"`, Type: "jsonpath", Pass: true}.WithExplanation(`$.lifecycleState is "STOPPED"`)),
		attempt("createImage", "createImage", "https://iaas.example/images", 200, "", "next", ""),
		attempt("pollImage", "getImage", "https://iaas.example/images/img", 200, "", "next", "",
			runtime.CriterionResult{Condition: `$.lifecycleState == "AVAILABLE"`, Type: "jsonpath", Pass: false}.WithExplanation(`$.lifecycleState is "DELETED", not "AVAILABLE"`),
			runtime.CriterionResult{Condition: `$.lifecycleState == "PROVISIONING"`, Type: "jsonpath", Pass: false}.WithExplanation(`$.lifecycleState is "DELETED", not "PROVISIONING"`)),
	}
	steps[1].Request.Method = "POST"
	return map[string]*Execution{
		"passes": {
			Result:   &runtime.Result{Status: runtime.Succeeded, Steps: steps[:1]},
			Requests: []*Request{{Operation: "getInstance", Header: http.Header{}}},
		},
		"wrong expectations": {
			Result: &runtime.Result{
				Status:  runtime.Succeeded,
				Outputs: map[string]any{"imageId": "img", "lifecycleState": "DELETED"},
				Steps:   steps,
				Error:   "", // succeeded
			},
			Requests: []*Request{
				{Operation: "getInstance", Header: auth},
				{Operation: "createImage", Header: http.Header{"Authorization": {"Bearer " + fakeCanary}}, Body: []byte(`{"compartmentId":"c","displayName":"other","instanceId":"i"}`)},
				{Operation: "getImage", Header: auth},
			},
		},
		"must be rejected": {Err: errorString(`input "instanceId": required input is missing; token ` + fakeCanary + ` ignored`)},
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }

func runFake(t *testing.T) []*FileResult {
	t.Helper()
	withFakeMocks(t)
	r := &Runner{Exec: fakeExec(fakeExecutions())}
	res, err := r.RunPaths(context.Background(), []string{filepath.Join("testdata", "fake", "render.arazzo-test.yaml")})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestWriteTextGolden(t *testing.T) {
	res := runFake(t)
	var buf bytes.Buffer
	if err := WriteText(&buf, res, false); err != nil {
		t.Fatal(err)
	}
	testutil.Golden(t, filepath.Join("testdata", "fake", "render.golden.txt"), buf.Bytes(), *update)
	if s := Summarize(res); s.Passed != 2 || s.Failed != 1 || s.ExitCode() != 1 {
		t.Errorf("summary = %+v, exit %d", s, s.ExitCode())
	}
}

func TestOutputsNeverShowTheCanary(t *testing.T) {
	res := runFake(t)
	outputs := map[string]func(*bytes.Buffer) error{
		"text":    func(b *bytes.Buffer) error { return WriteText(b, res, true) },
		"json":    func(b *bytes.Buffer) error { return WriteJSON(b, res) },
		"junit":   func(b *bytes.Buffer) error { return WriteJUnit(b, res) },
		"verbose": func(b *bytes.Buffer) error { return WriteText(b, res, true) },
	}
	for name, write := range outputs {
		var buf bytes.Buffer
		if err := write(&buf); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(buf.String(), fakeCanary) || strings.Contains(buf.String(), "0b6c1d2e") {
			t.Errorf("%s output shows the secret:\n%s", name, buf.String())
		}
	}
}

func TestWriteJSON(t *testing.T) {
	res := runFake(t)
	var buf bytes.Buffer
	if err := WriteJSON(&buf, res); err != nil {
		t.Fatal(err)
	}
	var out struct {
		FormatVersion  int `json:"formatVersion"`
		Passed, Failed int
		InvalidFiles   int `json:"invalidFiles"`
		Files          []struct {
			File  string
			Cases []struct {
				Name       string
				Pass       bool
				Calls      []string
				Rejected   string
				Mismatches []Mismatch
				Run        *struct{ Status string }
			}
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &out); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, buf.String())
	}
	if out.FormatVersion != 1 || out.Passed != 2 || out.Failed != 1 || len(out.Files) != 1 || len(out.Files[0].Cases) != 3 {
		t.Fatalf("json = %+v", out)
	}
	wrong := out.Files[0].Cases[1]
	if wrong.Pass || wrong.Run == nil || wrong.Run.Status != "succeeded" || len(wrong.Calls) != 3 || len(wrong.Mismatches) == 0 {
		t.Errorf("failing case = %+v", wrong)
	}
	if m := wrong.Mismatches[0]; m.Check != "outputs" || m.Path != "outputs.lifecycleState" || m.Expected != `"AVAILABLE"` || m.Actual != `"DELETED"` {
		t.Errorf("first mismatch = %+v", m)
	}
	if rej := out.Files[0].Cases[2]; !rej.Pass || !strings.Contains(rej.Rejected, "required input") {
		t.Errorf("rejection case = %+v", rej)
	}
}

func TestWriteJUnit(t *testing.T) {
	res := runFake(t)
	res = append(res, &FileResult{File: "bad.arazzo-test.yaml", Err: &ParseError{File: "bad.arazzo-test.yaml", Line: 3, Msg: "cases: a list"}})
	var buf bytes.Buffer
	if err := WriteJUnit(&buf, res); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Errors   int `xml:"errors,attr"`
		Suites   []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
					Text    string `xml:",chardata"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("not XML: %v\n%s", err, buf.String())
	}
	if len(doc.Suites) != 2 || len(doc.Suites[0].Cases) != 3 || doc.Tests != 4 || doc.Failures != 1 || doc.Errors != 1 {
		t.Fatalf("junit = %+v", doc)
	}
	f := doc.Suites[0].Cases[1].Failure
	if f == nil || !strings.Contains(f.Message, "outputs.lifecycleState") || !strings.Contains(f.Text, "pollImage") {
		t.Errorf("failure = %+v", f)
	}
}

func TestRunCaseSurvivesPanicsAndTimeouts(t *testing.T) {
	c := parseOne(t, "- name: c\n  options: {timeout: 10ms}\n  expect: {}\n")
	cr := runCase(context.Background(), func(context.Context, *Case) *Execution { panic("boom") }, c)
	if cr.Pass || len(cr.Mismatches) != 1 || !strings.Contains(cr.Mismatches[0].Message, "panicked: boom") {
		t.Errorf("panic case = %+v", cr.Mismatches)
	}
	var deadline bool
	runCase(context.Background(), func(ctx context.Context, _ *Case) *Execution {
		_, deadline = ctx.Deadline()
		<-ctx.Done()
		return &Execution{Err: ctx.Err()}
	}, c)
	if !deadline {
		t.Error("case ran without a deadline")
	}
}

func TestTraceKeepsTheEndsOfLongRuns(t *testing.T) {
	c := parseOne(t, "- name: c\n  expect: {status: succeeded}\n")
	var steps []*runtime.StepAttempt
	for i := 1; i <= 30; i++ {
		steps = append(steps, &runtime.StepAttempt{StepID: "poll", Attempt: i, Operation: "getImage", Action: "goto poll"})
	}
	x := &Execution{Result: &runtime.Result{Status: runtime.Aborted, Error: "stopped after 30 step executions", Steps: steps}}
	cr := runCase(context.Background(), func(context.Context, *Case) *Execution { return x }, c)
	var buf bytes.Buffer
	if err := WriteText(&buf, []*FileResult{{File: "f", Cases: []*CaseResult{cr}}}, false); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"1. poll: getImage", "6. poll (attempt 6)", "... 18 more attempts ...", "25. poll (attempt 25)", "30. poll (attempt 30)"} {
		if !strings.Contains(out, want) {
			t.Errorf("trace lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "7. poll (attempt 7)") || strings.Contains(out, "24. poll") {
		t.Errorf("trace was not shortened:\n%s", out)
	}
}
