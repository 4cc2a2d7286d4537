package main

import (
	"os"
	"strings"
)

func Example_graph() {
	doc := `arazzo: 1.0.1
info: {title: Poll a job, version: 1.0.0}
sourceDescriptions: [{name: jobs, url: jobs.yaml, type: openapi}]
workflows:
- workflowId: wait-for-job
  steps:
  - stepId: check
    operationId: getJob
    onSuccess:
    - {name: done, type: end, criteria: [{condition: $response.body#/state == 'done'}]}
    - {name: again, type: goto, stepId: check}
    onFailure:
    - {name: busy, type: retry, retryAfter: 2, retryLimit: 5, criteria: [{condition: $statusCode == 503}]}
`
	run([]string{"graph", "-"}, strings.NewReader(doc), os.Stdout, os.Stderr)
	// Output:
	// flowchart TD
	//   w0_start(["wait-for-job"])
	//   w0_s0["check<br/>getJob"]
	//   w0_done(("end"))
	//   w0_start --> w0_s0
	//   w0_s0 -->|"done<br/>$response.body#35;/state == 'done'"| w0_done
	//   w0_s0 -->|"again"| w0_s0
	//   w0_s0 -.->|"busy (retry ≤5, after 2s)<br/>$statusCode == 503"| w0_s0
	//   linkStyle 3 stroke:#d80,color:#d80
}
