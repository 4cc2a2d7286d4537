package runtime_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/arazzo-go/arazzo/runtime"
)

// BenchmarkSeedRun measures one run of the seed (5 requests: read, create,
// three polls) against the fake OCI server. Compare with
// BenchmarkRawHTTPSeedRequests, the same 5 requests with net/http alone:
// the engine's overhead per run should stay well under the cost of the
// requests themselves (target: < 2x the raw time on loopback).
func BenchmarkSeedRun(b *testing.B) {
	_, srv := newFakeOCI(b)
	eng, _ := seedEngine(b, srv.URL, func(o *runtime.Options) { o.LoopDelay = runtime.Off })
	in := seedInputs("ocid1.instance.oc1.phx.stopped")
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		res, err := eng.Run(ctx, seedWorkflow, in)
		if err != nil || res.Status != runtime.Succeeded {
			b.Fatalf("%v %v", err, res)
		}
	}
}

func BenchmarkRawHTTPSeedRequests(b *testing.B) {
	_, srv := newFakeOCI(b)
	client := srv.Client()
	base := srv.URL + "/20160918"
	do := func(req *http.Request) map[string]any {
		req.Header.Set("Authorization", "Bearer s3cr3t-example-token")
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		var v map[string]any
		data, _ := io.ReadAll(resp.Body)
		json.Unmarshal(data, &v)
		return v
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		req, _ := http.NewRequest("GET", base+"/instances/ocid1.instance.oc1.phx.stopped", nil)
		do(req)
		body, _ := json.Marshal(map[string]any{"compartmentId": "c", "displayName": "d", "instanceId": "ocid1.instance.oc1.phx.stopped"})
		req, _ = http.NewRequest("POST", base+"/images", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		img := do(req)
		for range 3 {
			req, _ = http.NewRequest("GET", base+"/images/"+img["id"].(string), nil)
			do(req)
		}
	}
}
