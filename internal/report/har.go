package report

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/arazzo-go/arazzo/internal/jsonlimit"
	"github.com/arazzo-go/arazzo/openapi"
	"github.com/arazzo-go/arazzo/runtime"
)

// Creator names this program in HAR files; cmd/arazzo may set Version.
var Creator = HARCreator{Name: "arazzo", Version: "dev"}

// HAR is a HAR 1.2 archive (http://www.softwareishard.com/blog/har-12-spec/).
type HAR struct {
	Log HARLog `json:"log"`
}

// HARLog is the root object of a HAR file.
type HARLog struct {
	Version string     `json:"version"`
	Creator HARCreator `json:"creator"`
	Pages   []any      `json:"pages"`
	Entries []HAREntry `json:"entries"`
	Comment string     `json:"comment,omitempty"`
}

// HARCreator names the tool that wrote the archive.
type HARCreator struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// HAREntry is one HTTP exchange.
type HAREntry struct {
	StartedDateTime string      `json:"startedDateTime"`
	Time            float64     `json:"time"`
	Request         HARRequest  `json:"request"`
	Response        HARResponse `json:"response"`
	Cache           struct{}    `json:"cache"`
	Timings         HARTimings  `json:"timings"`
	Comment         string      `json:"comment,omitempty"`
	// Error is set when no response arrived (underscore: a HAR custom field).
	Error string `json:"_error,omitempty"`
	// Contract: how the response departs from its OpenAPI description
	// (arazzo run --check), as in the JSON report.
	Contract []openapi.Violation `json:"_contract,omitempty"`
}

// HARRequest is the request of an entry.
type HARRequest struct {
	Method      string       `json:"method"`
	URL         string       `json:"url"`
	HTTPVersion string       `json:"httpVersion"`
	Headers     []HARPair    `json:"headers"`
	QueryString []HARPair    `json:"queryString"`
	Cookies     []HARPair    `json:"cookies"`
	HeadersSize int          `json:"headersSize"`
	BodySize    int          `json:"bodySize"`
	PostData    *HARPostData `json:"postData,omitempty"`
}

// HARResponse is the response of an entry.
type HARResponse struct {
	Status      int        `json:"status"`
	StatusText  string     `json:"statusText"`
	HTTPVersion string     `json:"httpVersion"`
	Headers     []HARPair  `json:"headers"`
	Cookies     []HARPair  `json:"cookies"`
	Content     HARContent `json:"content"`
	RedirectURL string     `json:"redirectURL"`
	HeadersSize int        `json:"headersSize"`
	BodySize    int        `json:"bodySize"`
}

// HARPair is a header, query parameter or cookie.
type HARPair struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// HARPostData is a request body.
type HARPostData struct {
	MimeType string    `json:"mimeType"`
	Params   []HARPair `json:"params"`
	Text     string    `json:"text"`
}

// HARContent is a response body. Text holds the runtime's body preview,
// which may be shorter than Size.
type HARContent struct {
	Size     int    `json:"size"`
	MimeType string `json:"mimeType"`
	Text     string `json:"text,omitempty"`
	Comment  string `json:"comment,omitempty"`
}

// HARTimings splits Time; we only measure the whole exchange, so it is all
// "wait" and the phases we cannot see are -1 as the format allows.
type HARTimings struct {
	Blocked float64 `json:"blocked"`
	DNS     float64 `json:"dns"`
	Connect float64 `json:"connect"`
	Send    float64 `json:"send"`
	Wait    float64 `json:"wait"`
	Receive float64 `json:"receive"`
	SSL     float64 `json:"ssl"`
}

// NewHAR collects every HTTP exchange of the runs, in order.
func NewHAR(results ...*runtime.Result) *HAR {
	h := &HAR{Log: HARLog{Version: "1.2", Creator: Creator, Pages: []any{}, Entries: []HAREntry{}}}
	for _, r := range results {
		if r == nil {
			continue
		}
		for _, a := range r.Steps {
			if a == nil || a.Request == nil {
				continue
			}
			h.Log.Entries = append(h.Log.Entries, harEntry(a))
		}
	}
	return h
}

func harEntry(a *runtime.StepAttempt) HAREntry {
	q := a.Request
	// Built on each call (runtime.RequestSummary): once here.
	qHeaders, qPreview := q.Headers(), q.BodyPreview()
	started := a.Started
	if started.IsZero() {
		started = time.Unix(0, 0)
	}
	ms := millis(a.Duration)
	e := HAREntry{
		StartedDateTime: started.UTC().Format("2006-01-02T15:04:05.000Z07:00"),
		Time:            ms,
		Timings:         HARTimings{Blocked: -1, DNS: -1, Connect: -1, SSL: -1, Wait: ms},
		Comment:         a.WorkflowID + "/" + a.StepID + " attempt " + strconv.Itoa(a.Attempt),
		Contract:        a.Contract,
		Request: HARRequest{
			Method:      q.Method,
			URL:         q.URL,
			HTTPVersion: "HTTP/1.1",
			Headers:     harHeaders(qHeaders),
			QueryString: harQuery(q.URL),
			Cookies:     []HARPair{},
			HeadersSize: -1,
			BodySize:    q.BodySize,
		},
	}
	if q.BodySize > 0 || qPreview != "" {
		e.Request.PostData = &HARPostData{MimeType: headerValue(qHeaders, "Content-Type"), Params: []HARPair{}, Text: qPreview}
	}
	if p := a.Response; p != nil {
		// Built on each call (runtime.ResponseSummary): once here.
		pHeaders, pPreview := p.Headers(), p.BodyPreview()
		e.Response = HARResponse{
			Status:      p.Status,
			StatusText:  http.StatusText(p.Status),
			HTTPVersion: "HTTP/1.1",
			Headers:     harHeaders(pHeaders),
			Cookies:     []HARPair{},
			Content:     HARContent{Size: p.BodySize, MimeType: headerValue(pHeaders, "Content-Type"), Text: pPreview},
			RedirectURL: headerValue(pHeaders, "Location"),
			HeadersSize: -1,
			BodySize:    p.BodySize,
		}
		if len(pPreview) < p.BodySize {
			e.Response.Content.Comment = "text is a preview of the body"
		}
	} else {
		// No response: HAR still requires the object; status 0 is what
		// browsers record for a failed request.
		e.Response = HARResponse{HTTPVersion: "HTTP/1.1", Headers: []HARPair{}, Cookies: []HARPair{}, HeadersSize: -1, BodySize: -1}
		e.Error = a.Error
	}
	return e
}

func harHeaders(h map[string]string) []HARPair {
	h = redactHeaders(h)
	out := make([]HARPair, 0, len(h))
	for _, k := range sortedKeys(h) {
		out = append(out, HARPair{Name: k, Value: h[k]})
	}
	return out
}

func harQuery(raw string) []HARPair {
	out := []HARPair{}
	u, err := url.Parse(raw)
	if err != nil {
		return out
	}
	for _, part := range strings.Split(u.RawQuery, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		if uk, err := url.QueryUnescape(k); err == nil {
			k = uk
		}
		if uv, err := url.QueryUnescape(v); err == nil {
			v = uv
		}
		out = append(out, HARPair{Name: k, Value: v})
	}
	return out
}

func headerValue(h map[string]string, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// WriteHAR writes every HTTP exchange of the run as HAR 1.2.
func WriteHAR(w io.Writer, r *runtime.Result) error {
	if r == nil {
		return errNilResult
	}
	return jsonlimit.Encode(w, NewHAR(r))
}
