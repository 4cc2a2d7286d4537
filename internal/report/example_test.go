package report_test

import (
	"os"
	"time"

	"github.com/arazzo-go/arazzo/internal/report"
	"github.com/arazzo-go/arazzo/runtime"
)

func ExampleWriteJUnit() {
	r := &runtime.Result{
		WorkflowID: "ping",
		Status:     runtime.Failed,
		Error:      `step "check" failed`,
		FailedAt:   "check",
		Duration:   20 * time.Millisecond,
		Steps: []*runtime.StepAttempt{{
			WorkflowID: "ping", StepID: "check", Attempt: 1, Operation: "getHealth",
			Request:  &runtime.RequestSummary{Method: "GET", URL: "https://api.example.com/health"},
			Response: &runtime.ResponseSummary{Status: 503},
			Criteria: []runtime.CriterionResult{runtime.CriterionResult{Condition: "$statusCode == 200"}.WithExplanation("$statusCode is 503")},
			Action:   "fail",
			Duration: 20 * time.Millisecond,
		}},
	}
	_ = report.WriteJUnit(os.Stdout, r)
	// Output:
	// <?xml version="1.0" encoding="UTF-8"?>
	// <testsuites name="arazzo" tests="1" failures="1" errors="0" time="0.020">
	//   <testsuite name="ping" tests="1" failures="1" errors="0" skipped="0" time="0.020">
	//     <properties>
	//       <property name="status" value="failed"></property>
	//       <property name="failedAt" value="check"></property>
	//     </properties>
	//     <testcase name="check attempt 1" classname="ping" time="0.020">
	//       <failure message="success criteria not met" type="criteria">FAIL $statusCode == 200: $statusCode is 503&#xA;</failure>
	//       <system-out>GET https://api.example.com/health&#xA;-&gt; 503&#xA;action: fail&#xA;</system-out>
	//     </testcase>
	//     <system-err>step &#34;check&#34; failed</system-err>
	//   </testsuite>
	// </testsuites>
}
