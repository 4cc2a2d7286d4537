package runtime_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/arazzo-go/arazzo/runtime"
)

// deadlineRecorder sends requests on and notes whether each had a deadline.
type deadlineRecorder struct{ deadlines []bool }

func (d *deadlineRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	_, has := req.Context().Deadline()
	d.deadlines = append(d.deadlines, has)
	return http.DefaultTransport.RoundTrip(req)
}

func TestRequestTimeoutSetsADeadlinePerRequestUnlessNegative(t *testing.T) {
	_, srv := newFakeOCI(t)
	for _, tc := range []struct {
		timeout time.Duration
		want    bool
	}{{0, true}, {time.Minute, true}, {-1, false}} {
		rec := &deadlineRecorder{}
		eng, _ := seedEngine(t, srv.URL, func(o *runtime.Options) {
			o.RequestTimeout = tc.timeout
			o.Transport = rec
		})
		res, err := eng.Run(context.Background(), seedWorkflow, seedInputs("ocid1.instance.oc1.phx.stopped"))
		if err != nil || res.Status != runtime.Succeeded {
			t.Fatalf("RequestTimeout %v: %v %v %s", tc.timeout, err, res.Status, res.Error)
		}
		for i, has := range rec.deadlines {
			if has != tc.want {
				t.Errorf("RequestTimeout %v: request %d has a deadline: %v, want %v", tc.timeout, i+1, has, tc.want)
			}
		}
		if len(rec.deadlines) != 5 {
			t.Errorf("RequestTimeout %v: %d requests, want 5", tc.timeout, len(rec.deadlines))
		}
	}
}
