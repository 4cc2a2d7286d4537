package main

import (
	"bytes"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/arazzo-go/arazzo/internal/testutil"
)

// runTimings matches the durations in progress lines, which vary per run.
var runTimings = regexp.MustCompile(`\b\d+(\.\d+)?(ns|µs|ms|s|m)\b`)

// TestRunProgressGolden pins the stderr progress of the seed's mocked runs
// (durations replaced by T). Criteria explanations (-v) and diagnostics come
// from other packages and are checked by substring elsewhere. Regenerate with: go test ./cmd/arazzo -run
// TestRunProgressGolden -update
func TestRunProgressGolden(t *testing.T) {
	requireRunDeps(t)
	cases := []struct {
		name string
		args []string
	}{
		{"stopped", []string{"--mock", "../../workflows/oracle/mocks/stopped-instance.yaml", "--loop-delay", "1ms"}},
		{"guard", []string{"--mock", "../../workflows/oracle/mocks/stopped-instance.yaml", "--loop-delay", "0", "--max-steps", "4"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"run", "../../workflows/oracle/oracle-create-custom-image-from-instance-workflow.yml",
				"--input", "compartmentId=ocid1.compartment.oc1..example", "--input", "instanceId=ocid1.instance.oc1.phx.example",
				"--input", "displayName=my-image", "--input", "authToken=example-token"}, tc.args...)
			var stdout, stderr bytes.Buffer
			run(args, nil, &stdout, &stderr)
			got := runTimings.ReplaceAll(stderr.Bytes(), []byte("T"))
			golden := filepath.Join("testdata", "run", tc.name+".stderr.golden")
			testutil.Golden(t, golden, got, *update)
		})
	}
}
