package runtime_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/arazzo-go/arazzo/runtime"
)

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// FuzzSeedResponses feeds arbitrary answers to the seed: whatever the API
// says, a run ends with a status and never panics or loops without bound.
func FuzzSeedResponses(f *testing.F) {
	f.Add(200, "application/json", `{"lifecycleState":"STOPPED","id":"x"}`, "3")
	f.Add(200, "application/json", `{"lifecycleState":"PROVISIONING","id":"x"}`, "")
	f.Add(404, "application/json", `{ "code" : "NotAuthorizedOrNotFound" }`, "")
	f.Add(200, "text/plain", `not json`, "Thu, 01 Jan 1970 00:00:00 GMT")
	f.Add(200, "application/xml", `<a><lifecycleState>STOPPED</lifecycleState></a>`, "")
	f.Add(200, "", `[1,2,`, "-1")
	doc := loadSeed(f)
	f.Fuzz(func(t *testing.T, status int, contentType, body, retryAfter string) {
		if status < 100 || status > 599 {
			return
		}
		eng, err := runtime.New(doc, runtime.Options{
			MaxSteps:  20,
			LoopDelay: runtime.Off,
			Clock:     runtime.NewVirtualClock(time.Now()),
			Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
				h := http.Header{}
				if contentType != "" {
					h.Set("Content-Type", contentType)
				}
				if retryAfter != "" {
					h.Set("Retry-After", retryAfter)
				}
				return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
			}),
		})
		if err != nil {
			t.Fatal(err)
		}
		res, err := eng.Run(context.Background(), seedWorkflow, seedInputs("ocid1.instance.oc1.phx.stopped"))
		if err != nil && res == nil {
			t.Fatal(err)
		}
		switch res.Status {
		case runtime.Succeeded, runtime.Failed, runtime.Aborted:
		default:
			t.Fatalf("status %q", res.Status)
		}
		if len(res.Steps) > 20 {
			t.Fatalf("%d attempts despite MaxSteps 20", len(res.Steps))
		}
	})
}
