package report

import (
	"time"

	"github.com/arazzo-go/arazzo/openapi"
	"github.com/arazzo-go/arazzo/runtime"
)

const canary = "CANARY-7f3a9c2e-secret-token"

var t0 = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func attempt(step string, n int, op, method, url string, status int, respBody string, success bool, action, actionName string) *runtime.StepAttempt {
	a := &runtime.StepAttempt{
		WorkflowID: "create-custom-image-from-instance",
		StepID:     step,
		Attempt:    n,
		Operation:  op,
		Request: runtime.RequestSummary{Method: method, URL: url}.WithDetails(
			map[string]string{"Authorization": Redacted, "Accept": "application/json"}, ""),
		Criteria: []runtime.CriterionResult{runtime.CriterionResult{
			Condition: "$statusCode == 200",
			Pass:      status == 200,
		}.WithExplanation("$statusCode is " + itoa(status))},
		Success:    success,
		Action:     action,
		ActionName: actionName,
		Started:    t0,
		Duration:   1500 * time.Microsecond,
	}
	if status != 0 {
		a.Response = runtime.ResponseSummary{Status: status, BodySize: len(respBody)}.WithDetails(
			map[string]string{"Content-Type": "application/json", "opc-request-id": "r1"}, respBody)
	}
	return a
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	s := ""
	for ; n > 0; n /= 10 {
		s = string(rune('0'+n%10)) + s
	}
	return s
}

// stoppedRun is the seed's main path: stopped instance, image captured,
// polled twice.
func stoppedRun() *runtime.Result {
	base := "https://iaas.us-phoenix-1.oraclecloud.com/20160918"
	read := attempt("readInstance", 1, "getInstance", "GET", base+"/instances/ocid1.instance.oc1..a", 200, `{"lifecycleState":"STOPPED"}`, true, "goto createImage", "isStopped")
	read.Criteria = append(read.Criteria, runtime.CriterionResult{Condition: `$.lifecycleState == "STOPPED"`, Type: "jsonpath", Pass: true}.WithExplanation(`$.lifecycleState is "STOPPED"`))
	create := attempt("createImage", 1, "createImage", "POST", base+"/images", 200, `{"id":"ocid1.image.oc1..new","lifecycleState":"PROVISIONING"}`, true, "next", "")
	const createBody = `{"compartmentId":"c","displayName":"img","instanceId":"a"}`
	headers := create.Request.Headers()
	headers["Content-Type"] = "application/json"
	create.Request = create.Request.WithDetails(headers, createBody)
	create.Request.BodySize = len(createBody)
	create = create.WithOutputs(map[string]any{"imageId": "ocid1.image.oc1..new", "lifecycleState": "PROVISIONING"})
	poll1 := attempt("pollImage", 1, "getImage", "GET", base+"/images/ocid1.image.oc1..new?fields=a%20b&x=1", 200, `{"lifecycleState":"PROVISIONING"}`, true, "goto pollImage", "keepPolling")
	poll2 := attempt("pollImage", 1, "getImage", "GET", base+"/images/ocid1.image.oc1..new", 200, `{"lifecycleState":"AVAILABLE"}`, true, "end", "imageReady")
	poll2.Waited = time.Second
	return &runtime.Result{
		WorkflowID: "create-custom-image-from-instance",
		Status:     runtime.Succeeded,
		Inputs:     map[string]any{"compartmentId": "c", "instanceId": "a", "displayName": "img", "authToken": Redacted},
		Outputs:    map[string]any{"imageId": "ocid1.image.oc1..new", "lifecycleState": "AVAILABLE"},
		Steps:      []*runtime.StepAttempt{read, create, poll1, poll2},
		Started:    t0,
		Duration:   12 * time.Millisecond,
	}
}

// notFoundRun fails at the first step; its Authorization header leaked
// through unredacted, which the writers must still mask.
func notFoundRun() *runtime.Result {
	read := attempt("readInstance", 1, "getInstance", "GET", "https://h/instances/x", 404, `{"code":"NotAuthorizedOrNotFound"}`, false, "fail", "")
	read.Request.Headers()["Authorization"] = "Bearer " + canary
	read.Response.Headers()["Set-Cookie"] = "session=" + canary
	read.Error = "success criteria not met"
	return &runtime.Result{
		WorkflowID: "create-custom-image-from-instance",
		Status:     runtime.Failed,
		Inputs:     map[string]any{"instanceId": "x", "authToken": Redacted},
		Outputs:    map[string]any{"imageId": nil, "lifecycleState": nil},
		Steps:      []*runtime.StepAttempt{read},
		Error:      `step "readInstance" failed: success criteria not met`,
		FailedAt:   "readInstance",
		Started:    t0,
		Duration:   3 * time.Millisecond,
	}
}

// transportRun has an attempt without a response and a run aborted by the
// step guard (no failing attempt to blame).
func transportRun() *runtime.Result {
	read := attempt("readInstance", 1, "getInstance", "GET", "https://h/instances/x", 0, "", false, "fail", "")
	read.Error = "dial tcp: connection refused"
	read.Criteria = nil
	return &runtime.Result{
		WorkflowID: "w",
		Status:     runtime.Aborted,
		Steps:      []*runtime.StepAttempt{read},
		Error:      "connection refused",
		Started:    t0,
	}
}

func guardRun() *runtime.Result {
	poll := attempt("pollImage", 1, "getImage", "GET", "https://h/images/x", 200, `{"lifecycleState":"PROVISIONING"}`, true, "goto pollImage", "keepPolling")
	return &runtime.Result{
		WorkflowID: "create-custom-image-from-instance",
		Status:     runtime.Aborted,
		Steps:      []*runtime.StepAttempt{poll, poll, poll},
		Error:      "step limit of 3 reached",
		Started:    t0,
	}
}

// contractRun has an attempt whose response breaks its description.
func contractRun() *runtime.Result {
	get := attempt("getInstance", 1, "getInstance", "GET", "https://h/instances/x", 200, `{"id":7}`, true, "next", "")
	get.Contract = []openapi.Violation{
		{Kind: openapi.ViolationBody, Pointer: "/id", Keyword: "type", Schema: "/paths/~1instances~1{id}/get/responses/200/content/application~1json/schema", Msg: "value must be a string"},
		{Kind: openapi.ViolationHeader, Schema: "/paths/~1instances~1{id}/get/responses/200", Msg: `response header "X-Rate-Limit" missing`},
	}
	return &runtime.Result{WorkflowID: "w", Status: runtime.Succeeded, Steps: []*runtime.StepAttempt{get}, Started: t0}
}
