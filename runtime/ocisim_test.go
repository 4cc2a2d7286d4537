package runtime_test

import (
	"context"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/arazzo-go/arazzo/arazzo"
	"github.com/arazzo-go/arazzo/internal/ocisim"
	"github.com/arazzo-go/arazzo/runtime"
)

// TestSeedAgainstSimulator runs the bundled seed (with the project's own
// OCI OpenAPI description) against the OCI Compute simulator, row by row of
// seed-and-oci.md §5.7.
func TestSeedAgainstSimulator(t *testing.T) {
	requireEngineDeps(t)
	doc, ds, err := arazzo.Load(context.Background(), "../workflows/oracle/oracle-create-custom-image-from-instance-workflow.yml", arazzo.LoadOptions{})
	if err != nil || ds.HasErrors() {
		t.Fatalf("%v %v", err, ds)
	}
	tests := []struct {
		name     string
		sim      ocisim.Options
		instance string
		noToken  bool
		status   runtime.Status
		trace    string
		outputs  map[string]any
		calls    int
		errHas   string
		setup    func(*ocisim.Server) error
	}{
		{name: "1 stopped instance", instance: ocisim.InstanceStopped, status: runtime.Succeeded,
			trace:   "readInstance:goto createImage createImage:next pollImage:goto pollImage pollImage:goto pollImage pollImage:end",
			outputs: map[string]any{"imageId": "ocid1.image.oc1.phx.simimage000001", "lifecycleState": "AVAILABLE"}, calls: 5},
		{name: "2 running instance", instance: ocisim.InstanceRunning, status: runtime.Succeeded, trace: "readInstance:end",
			outputs: map[string]any{"imageId": nil, "lifecycleState": nil}, calls: 1},
		{name: "3 unknown instance", instance: "ocid1.instance.oc1.phx.nosuch", status: runtime.Failed, trace: "readInstance:fail", calls: 1, errHas: "readInstance"},
		{name: "4 no authToken", instance: ocisim.InstanceStopped, noToken: true, status: runtime.Failed, trace: "readInstance:fail", calls: 1},
		{name: "5 image deleted", sim: ocisim.Options{ProvisioningPolls: 1, SettleState: "DELETED"}, instance: ocisim.InstanceStopped, status: runtime.Succeeded,
			trace:   "readInstance:goto createImage createImage:next pollImage:goto pollImage pollImage:next",
			outputs: map[string]any{"imageId": "ocid1.image.oc1.phx.simimage000001", "lifecycleState": "DELETED"}, calls: 4},
		{name: "6 never available", sim: ocisim.Options{ProvisioningPolls: ocisim.Forever}, instance: ocisim.InstanceStopped, status: runtime.Aborted,
			calls: 30, errHas: "step pollImage re-entered"},
		{name: "7 429 on createImage", sim: ocisim.Options{Faults: []ocisim.Fault{{Operation: "createImage", FromCall: 1, Status: 429, RetryAfter: 1}}},
			instance: ocisim.InstanceStopped, status: runtime.Failed, trace: "readInstance:goto createImage createImage:fail", calls: 2},
		{name: "8 instance busy creating an image", instance: ocisim.InstanceStopped, status: runtime.Succeeded, trace: "readInstance:end", calls: 1,
			setup: func(s *ocisim.Server) error { return s.SetInstanceState(ocisim.InstanceStopped, "CREATING_IMAGE") }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sim, err := ocisim.New(tc.sim)
			if err != nil {
				t.Fatal(err)
			}
			if tc.setup != nil {
				if err := tc.setup(sim); err != nil {
					t.Fatal(err)
				}
			}
			srv := httptest.NewServer(sim)
			defer srv.Close()
			eng, err := runtime.New(doc, runtime.Options{
				Servers:   map[string]string{"ociComputeApi": srv.URL + ocisim.BasePath},
				LoopDelay: runtime.Off,
				MaxSteps:  30,
			})
			if err != nil {
				t.Fatal(err)
			}
			in := map[string]any{"compartmentId": ocisim.CompartmentID, "instanceId": tc.instance, "displayName": "golden", "authToken": "placeholder-token"}
			if tc.noToken {
				delete(in, "authToken")
			}
			res, err := eng.Run(context.Background(), seedWorkflow, in)
			if err != nil && res == nil {
				t.Fatal(err)
			}
			if res.Status != tc.status {
				t.Errorf("status %s, want %s: %s", res.Status, tc.status, res.Error)
			}
			if tc.trace != "" && trace(res) != tc.trace {
				t.Errorf("trace %s\nwant  %s", trace(res), tc.trace)
			}
			if tc.outputs != nil && !reflect.DeepEqual(res.Outputs, tc.outputs) {
				t.Errorf("outputs %v, want %v", res.Outputs, tc.outputs)
			}
			if n := len(sim.Requests()); n != tc.calls {
				t.Errorf("%d calls, want %d", n, tc.calls)
			}
			if tc.errHas != "" && !strings.Contains(res.Error, tc.errHas) {
				t.Errorf("error %q does not contain %q", res.Error, tc.errHas)
			}
			if tc.noToken {
				for _, r := range sim.Requests() {
					if _, ok := r.Header["Authorization"]; ok {
						t.Errorf("Authorization sent without authToken")
					}
				}
			}
		})
	}
}
