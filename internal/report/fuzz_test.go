package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"testing"

	"github.com/arazzo-go/arazzo/runtime"
)

// FuzzWriters: whatever strings a run carries (URLs, headers, bodies,
// explanations), every writer produces well-formed JSON or XML.
func FuzzWriters(f *testing.F) {
	f.Add("https://h/x?a=1&b=%zz", "Authorization", "Bearer x", `{"a":1}`, "explained", 200)
	f.Add("::bad url", "X-Api-Key", "k", "\x00\xff<>&\"", "\u2028", 0)
	f.Add("", "", "", "", "", -1)
	f.Fuzz(func(t *testing.T, url, hname, hval, body, expl string, status int) {
		a := &runtime.StepAttempt{
			WorkflowID: "w", StepID: "s", Attempt: 1,
			Request:  runtime.RequestSummary{Method: "GET", URL: url, BodySize: len(body)}.WithDetails(map[string]string{hname: hval}, body),
			Criteria: []runtime.CriterionResult{runtime.CriterionResult{Condition: expl}.WithExplanation(expl)},
			Error:    expl,
		}
		if status != 0 {
			a.Response = runtime.ResponseSummary{Status: status}.WithDetails(map[string]string{hname: hval}, body)
		}
		r := &runtime.Result{WorkflowID: expl, Status: runtime.Failed, Error: expl, Steps: []*runtime.StepAttempt{a}, Outputs: map[string]any{expl: body}}
		var b bytes.Buffer
		if err := WriteJSON(&b, r); err != nil || !json.Valid(b.Bytes()) {
			t.Fatalf("WriteJSON: %v\n%q", err, b.String())
		}
		b.Reset()
		if err := WriteHAR(&b, r); err != nil || !json.Valid(b.Bytes()) {
			t.Fatalf("WriteHAR: %v\n%q", err, b.String())
		}
		b.Reset()
		if err := WriteJUnit(&b, r); err != nil {
			t.Fatalf("WriteJUnit: %v", err)
		}
		var doc junitDoc
		if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
			t.Fatalf("JUnit does not parse: %v\n%q", err, b.String())
		}
		if IsSensitiveName(hname) && hval != "" && len(hval) > 3 && bytes.Contains(b.Bytes(), []byte(hval)) && !bytes.Contains([]byte(expl+body+url+hname), []byte(hval)) {
			t.Fatalf("JUnit shows the value of sensitive header %q", hname)
		}
	})
}
