package runtime_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/arazzo-go/arazzo/runtime"
)

func TestEventsOfARun(t *testing.T) {
	doc := loadDoc(t, "testdata/rules/events.arazzo.yaml", rulesHeader+mainSteps+getOK+`        onFailure: [{name: again, type: retry, retryAfter: 2}]
`)
	_, srv := newScriptedAPI(t, map[string][]answer{"getItem": {{status: 503}, {status: 200}}})
	var kinds []string
	sl := &sleepRecorder{}
	eng, err := runtime.New(doc, runtime.Options{
		Servers: map[string]string{"api": srv.URL + "/v1"},
		Clock:   sl,
		Observer: runtime.ObserverFunc(func(ev runtime.Event) {
			k := string(ev.Kind)
			switch ev.Kind {
			case runtime.EventActionTaken:
				k += ":" + ev.Action
			case runtime.EventWaiting:
				k += ":" + ev.Reason + ":" + ev.Wait.String()
			case runtime.EventResponseReceived:
				k += ":" + strconv.Itoa(ev.Response.Status)
			case runtime.EventWorkflowFinished:
				k += ":" + string(ev.Result.Status)
			}
			kinds = append(kinds, k)
		}),
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := eng.Run(context.Background(), "main", nil)
	if err != nil || res.Status != runtime.Succeeded {
		t.Fatalf("%v %+v", err, res)
	}
	want := "workflow-started step-started request-sent response-received:503 criterion-evaluated action-taken:retry step-finished " +
		"waiting:retry:2s step-started request-sent response-received:200 criterion-evaluated action-taken:next step-finished workflow-finished:succeeded"
	if got := strings.Join(kinds, " "); got != want {
		t.Errorf("events:\n got %s\nwant %s", got, want)
	}
}
