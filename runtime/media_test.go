package runtime_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	arazzort "github.com/arazzo-go/arazzo/runtime"
)

// mediaDoc reads one item with the expression or criterion under test.
func mediaDoc(version, output, criterion string) string {
	doc := rulesHeader + `workflows:
  - workflowId: main
    steps:
      - stepId: get
        operationId: getItem
        parameters: [{name: id, in: path, value: "1"}]
        successCriteria:
          - condition: $statusCode == 200
` + criterion + `
        outputs: {out: ` + output + `}
    outputs: {out: $steps.get.outputs.out}
`
	return strings.Replace(doc, "arazzo: 1.1.0", "arazzo: "+version, 1)
}

func runMedia(t *testing.T, doc, contentType, body string) *arazzort.Result {
	t.Helper()
	d := loadDoc(t, "testdata/rules/media.arazzo.yaml", doc)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		} else {
			w.Header()["Content-Type"] = nil // no sniffing either
		}
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	eng, err := arazzort.New(d, arazzort.Options{Servers: map[string]string{"api": srv.URL + "/v1"}, LoopDelay: arazzort.Off})
	if err != nil {
		t.Fatal(err)
	}
	res, err := eng.Run(context.Background(), "main", nil)
	if err != nil && res == nil {
		t.Fatal(err)
	}
	return res
}

const feedXML = `<?xml version="1.0"?><rss><channel><title>News</title><item><title>a</title></item></channel></rss>`

// TestJSONPointerIntoNonJSONBody: a JSON Pointer into an XML, HTML or text
// body is an evaluation error (issue 11 §6), not a missing value: the
// output fails the step, the criterion fails, each naming the media type
// and the way the document can read such a body.
func TestJSONPointerIntoNonJSONBody(t *testing.T) {
	tests := []struct {
		name              string
		version           string
		output, criterion string
		contentType, body string
		status            arazzort.Status
		errHas            []string
		errNot            string
		out               any // workflow output "out" when the run succeeds
	}{
		{name: "output pointer into XML (1.1)", version: "1.1.0", output: "$response.body#/rss/channel/title",
			contentType: "application/xml", body: feedXML, status: arazzort.Failed,
			errHas: []string{"output out", "$response.body#/rss/channel/title", "application/xml", "a selector with type: xpath"}},
		{name: "output pointer into XML (1.0)", version: "1.0.1", output: "$response.body#/rss/channel/title",
			contentType: "text/xml; charset=utf-8", body: feedXML, status: arazzort.Failed,
			errHas: []string{"output out", "text/xml", "Arazzo 1.0 reads XML only with xpath criteria"}, errNot: "selector"},
		{name: "output navigation into HTML", version: "1.1.0", output: "$response.body.title",
			contentType: "text/html", body: "<html><title>x</title></html>", status: arazzort.Failed,
			errHas: []string{"output out", "text/html", "regex criterion"}},
		{name: "xpath selector reads the XML", version: "1.1.0", output: "{context: $response.body, selector: /rss/channel/title, type: xpath}",
			contentType: "application/xml", body: feedXML, status: arazzort.Succeeded, out: "News"},
		{name: "JSON is read as before", version: "1.1.0", output: "$response.body#/title",
			contentType: "application/json", body: `{"title":"News"}`, status: arazzort.Succeeded, out: "News"},
		{name: "JSON served as text/plain is still read", version: "1.1.0", output: "$response.body#/title",
			contentType: "text/plain", body: `{"title":"News"}`, status: arazzort.Succeeded, out: "News"},
		{name: "a missing member of JSON is null, not an error", version: "1.1.0", output: "$response.body#/nope",
			contentType: "application/json", body: `{"title":"News"}`, status: arazzort.Succeeded, out: nil},
		{name: "an empty body is absent, not an error", version: "1.1.0", output: "$response.body#/title",
			contentType: "text/plain", body: "", status: arazzort.Succeeded, out: nil},
		{name: "the length of a text body is not a pointer", version: "1.1.0", output: "$response.body.length",
			contentType: "text/plain", body: "hello", status: arazzort.Succeeded, out: 5},
		{name: "simple criterion pointer into text", version: "1.1.0", output: "$response.body",
			criterion:   "          - condition: $response.body#/status == 'ok'",
			contentType: "text/plain", body: "status=ok", status: arazzort.Failed,
			errHas: []string{"successCriteria not met", "text/plain, not JSON"}},
		{name: "jsonpath criterion on XML", version: "1.1.0", output: "$response.body",
			criterion:   "          - {context: $response.body, condition: $.rss, type: jsonpath}",
			contentType: "application/xml", body: feedXML, status: arazzort.Failed,
			errHas: []string{"successCriteria not met", "(application/xml) is not JSON", "type: xpath"}},
		{name: "comparison-dialect criterion on XML", version: "1.1.0", output: "$response.body",
			criterion:   `          - {context: $response.body, condition: "$.status == 'ok'", type: jsonpath}`,
			contentType: "application/xml", body: feedXML, status: arazzort.Failed,
			errHas: []string{"(application/xml) is not JSON"}},
		{name: "xpath criterion on XML passes", version: "1.0.1", output: "$response.body",
			criterion:   "          - {context: $response.body, condition: /rss/channel/item, type: xpath}",
			contentType: "application/xml", body: feedXML, status: arazzort.Succeeded, out: feedXML},
		{name: "xpath criterion on JSON names the media type", version: "1.1.0", output: "$response.body",
			criterion:   "          - {context: $response.body, condition: /rss, type: xpath}",
			contentType: "application/json", body: `{"rss":1}`, status: arazzort.Failed,
			errHas: []string{"(application/json)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := runMedia(t, mediaDoc(tc.version, tc.output, tc.criterion), tc.contentType, tc.body)
			if res.Status != tc.status {
				t.Fatalf("status %s, want %s (error %q)", res.Status, tc.status, res.Error)
			}
			for _, want := range tc.errHas {
				if !strings.Contains(res.Error, want) {
					t.Errorf("error %q does not contain %q", res.Error, want)
				}
			}
			if tc.errNot != "" && strings.Contains(res.Error, tc.errNot) {
				t.Errorf("error %q contains %q", res.Error, tc.errNot)
			}
			if tc.status == arazzort.Succeeded {
				got := res.Outputs["out"]
				if f, ok := got.(float64); ok {
					got = int(f)
				}
				if got != tc.out {
					t.Errorf("output out = %#v, want %#v", res.Outputs["out"], tc.out)
				}
			}
			if tc.status == arazzort.Failed && len(res.Steps) > 0 && res.Steps[0].Outputs() != nil {
				t.Errorf("the failed step kept outputs %v", res.Steps[0].Outputs())
			}
		})
	}
}
