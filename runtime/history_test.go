package runtime_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/arazzo-go/arazzo/runtime"
)

// attemptCollector keeps every attempt an observer is shown, as shown.
type attemptCollector struct {
	mu       sync.Mutex
	finished []runtime.StepAttempt
}

func (c *attemptCollector) Observe(ev runtime.Event) {
	if ev.Kind == runtime.EventStepFinished {
		c.mu.Lock()
		c.finished = append(c.finished, *ev.Attempt)
		c.mu.Unlock()
	}
}

func detailPattern(res *runtime.Result) string {
	var parts []string
	for _, a := range res.Steps {
		mark := "full"
		if a.Summarized {
			mark = "summary"
		}
		parts = append(parts, fmt.Sprintf("%s#%d:%s", a.StepID, a.Attempt, mark))
	}
	return strings.Join(parts, " ")
}

func TestKeepDetailsSummarisesOldPolls(t *testing.T) {
	for _, tc := range []struct {
		keep     int
		detailed int // poll attempts that keep their details
	}{
		{0, runtime.DefaultKeepDetails},
		{2, 2},
		{1, 1},
		{-1, 10},
	} {
		t.Run(fmt.Sprint("keep ", tc.keep), func(t *testing.T) {
			oci, srv := newFakeOCI(t)
			oci.polls = 9 // 10 polls in all
			obs := &attemptCollector{}
			eng, _ := seedEngine(t, srv.URL, func(o *runtime.Options) {
				o.KeepDetails = tc.keep
				o.Observer = obs
			})
			res, err := eng.Run(context.Background(), seedWorkflow, seedInputs("ocid1.instance.oc1.phx.stopped"))
			if err != nil || res.Status != runtime.Succeeded {
				t.Fatalf("run: %v %v %s", err, res.Status, res.Error)
			}
			if len(res.Steps) != 12 {
				t.Fatalf("%d attempts recorded, want 12 (every attempt stays in the history)", len(res.Steps))
			}
			var want []string
			want = append(want, "readInstance#1:full", "createImage#1:full")
			for i := range 10 {
				mark := "full"
				if i < 10-tc.detailed {
					mark = "summary"
				}
				want = append(want, fmt.Sprintf("pollImage#%d:%s", i+1, mark)) // each poll is the next attempt
			}
			if got := detailPattern(res); got != strings.Join(want, " ") {
				t.Errorf("details:\n got %s\nwant %s", got, strings.Join(want, " "))
			}
			for i, a := range res.Steps {
				seen := obs.finished[i]
				if seen.Summarized || seen.Response == nil || len(seen.Response.Headers()) == 0 || seen.Response.BodyPreview() == "" {
					t.Errorf("observer was shown attempt %d without its details", i)
				}
				if a.Summarized {
					checkSummary(t, a, &seen)
				} else if !reflect.DeepEqual(*a, seen) {
					t.Errorf("attempt %d kept its details but differs from what the observer saw", i)
				}
			}
		})
	}
}

// checkSummary: a summary keeps what says what happened and drops the rest.
func checkSummary(t *testing.T, sum *runtime.StepAttempt, full *runtime.StepAttempt) {
	t.Helper()
	if sum.StepID != full.StepID || sum.Attempt != full.Attempt || sum.Action != full.Action || sum.Success != full.Success ||
		sum.Started != full.Started || sum.Duration != full.Duration || sum.Waited != full.Waited || sum.Error != full.Error {
		t.Errorf("summary of %s changed its outcome: %+v vs %+v", full.StepID, sum, full)
	}
	if sum.Request.Method != full.Request.Method || sum.Request.URL != full.Request.URL || sum.Response.Status != full.Response.Status || sum.Response.BodySize != full.Response.BodySize {
		t.Errorf("summary of %s lost the exchange's method/URL/status/size", full.StepID)
	}
	if sum.Request.Headers() != nil || sum.Response.Headers() != nil || sum.Response.BodyPreview() != "" || sum.Outputs() != nil {
		t.Errorf("summary of %s kept details: %+v %+v", full.StepID, sum.Request, sum.Response)
	}
	if sum.Criteria != nil || len(full.Criteria) == 0 {
		t.Errorf("summary of %s kept %d criteria (the attempt had %d)", full.StepID, len(sum.Criteria), len(full.Criteria))
	}
}

func TestLeanRunRecordsNoDetailsButTheSameOutcome(t *testing.T) {
	run := func(lean bool, instance string) *runtime.Result {
		t.Helper()
		oci, srv := newFakeOCI(t)
		oci.requireAuth = true
		eng, _ := seedEngine(t, srv.URL, func(o *runtime.Options) { o.Lean = lean })
		in := seedInputs(instance)
		if instance == "" {
			in = seedInputs("ocid1.instance.oc1.phx.stopped")
			delete(in, "authToken") // 401 on the first step
		}
		res, err := eng.Run(context.Background(), seedWorkflow, in)
		if err != nil && res == nil {
			t.Fatal(err)
		}
		return res
	}
	for _, instance := range []string{"ocid1.instance.oc1.phx.stopped", "ocid1.instance.oc1.phx.running", ""} {
		full, lean := run(false, instance), run(true, instance)
		if lean.Status != full.Status || lean.Error != full.Error || lean.FailedAt != full.FailedAt || !reflect.DeepEqual(lean.Outputs, full.Outputs) {
			t.Errorf("%q: lean run ended %s %q %v, full run %s %q %v", instance, lean.Status, lean.Error, lean.Outputs, full.Status, full.Error, full.Outputs)
		}
		if trace(lean) != trace(full) {
			t.Errorf("%q: lean trace %s, full %s", instance, trace(lean), trace(full))
		}
		for i, a := range lean.Steps {
			f := full.Steps[i]
			if !a.Summarized || a.Outputs() != nil || a.Request.Headers() != nil || a.Request.Body != nil || a.Response.Headers() != nil || a.Response.BodyPreview() != "" {
				t.Errorf("%q: lean attempt %d has details", instance, i)
			}
			if a.Error != f.Error || a.Response.Status != f.Response.Status || pathOf(a.Request.URL) != pathOf(f.Request.URL) {
				t.Errorf("%q: lean attempt %d = %q/%d, full %q/%d", instance, i, a.Error, a.Response.Status, f.Error, f.Response.Status)
			}
			for j, c := range a.Criteria {
				fc := f.Criteria[j]
				switch {
				case c.Pass != fc.Pass:
					t.Errorf("%q: attempt %d criterion %s passes %v lean, %v full", instance, i, c.Condition, c.Pass, fc.Pass)
				case c.Pass && c.Explanation() != "":
					t.Errorf("%q: lean explained a passing criterion: %q", instance, c.Explanation())
				case !c.Pass && c.Explanation() != fc.Explanation():
					t.Errorf("%q: failing criterion explained %q lean, %q full", instance, c.Explanation(), fc.Explanation())
				}
			}
		}
		b, _ := json.Marshal(lean)
		if strings.Contains(string(b), "s3cr3t") {
			t.Errorf("%q: the lean result leaks the token", instance)
		}
	}
}

// pathOf drops scheme and host: each run has its own test server.
func pathOf(u string) string {
	_, rest, _ := strings.Cut(strings.TrimPrefix(u, "http://"), "/")
	return rest
}

func TestLeanPollLoopKeepsCriteriaOfTheLatestAttemptsOnly(t *testing.T) {
	oci, srv := newFakeOCI(t)
	oci.polls = 9
	eng, _ := seedEngine(t, srv.URL, func(o *runtime.Options) { o.Lean = true })
	res, err := eng.Run(context.Background(), seedWorkflow, seedInputs("ocid1.instance.oc1.phx.stopped"))
	if err != nil || res.Status != runtime.Succeeded {
		t.Fatalf("run: %v %v %s", err, res.Status, res.Error)
	}
	var polls []*runtime.StepAttempt
	for _, a := range res.Steps {
		if !a.Summarized {
			t.Errorf("lean attempt %s not marked Summarized", a.StepID)
		}
		if a.StepID == "pollImage" {
			polls = append(polls, a)
		}
	}
	if len(polls) != 10 {
		t.Fatalf("%d polls, want 10", len(polls))
	}
	for i, a := range polls {
		kept := i >= 10-runtime.DefaultKeepDetails
		if got := len(a.Criteria) > 0; got != kept {
			t.Errorf("poll %d: has criteria %v, want %v", i+1, got, kept)
		}
		if a.Action == "" || a.Response == nil || a.Response.Status != 200 {
			t.Errorf("poll %d lost its outcome: %+v", i+1, a)
		}
	}
}
