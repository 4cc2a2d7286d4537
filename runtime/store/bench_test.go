package store

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// A checkpoint about the size of the seed's state with recorded outputs.
var benchState = json.RawMessage(`{"version":1,"cursor":{"workflow":"create-custom-image-from-instance","step":2},` +
	`"inputs":{"compartmentId":"ocid1.compartment.oc1..aaaaaaaasimcompartment","instanceId":"ocid1.instance.oc1.phx.simstopped0001","displayName":"my-image","authToken":{"secret":"authToken"}},` +
	`"steps":{"readInstance":{"attempts":1,"outputs":{"lifecycleState":"STOPPED"}},"createImage":{"attempts":1,"outputs":{"imageId":"ocid1.image.oc1.phx.simimage000001","lifecycleState":"PROVISIONING"}}},` +
	`"pacing":{"delayMs":1000,"waitUntil":"2026-12-04T03:00:05Z"},"pad":"` + strings.Repeat("x", 200) + `"}`)

// BenchmarkAppendCheckpoint is the cost of one durable checkpoint: one committed transaction.
func BenchmarkAppendCheckpoint(b *testing.B) {
	for _, bc := range []struct {
		name string
		open func(b *testing.B) Store
	}{
		{"memory", func(b *testing.B) Store { return NewMemory(Options{}) }},
		{"sqlite-full", func(b *testing.B) Store {
			s, err := OpenSQLite(context.Background(), filepath.Join(b.TempDir(), "runs.db"), Options{})
			if err != nil {
				b.Fatal(err)
			}
			return s
		}},
		{"sqlite-normal", func(b *testing.B) Store {
			s, err := OpenSQLite(context.Background(), filepath.Join(b.TempDir(), "runs.db"), Options{Sync: SyncNormal})
			if err != nil {
				b.Fatal(err)
			}
			return s
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			s := bc.open(b)
			defer s.Close()
			ctx := context.Background()
			if _, err := s.CreateRun(ctx, Run{ID: "r", WorkflowID: "wf"}); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(benchState)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Append(ctx, Record{RunID: "r", Kind: KindCheckpoint, Step: "pollImage", Attempt: 1, State: benchState}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
