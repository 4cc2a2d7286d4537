package bench

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/arazzo-go/arazzo/runtime"
	"github.com/arazzo-go/arazzo/runtime/store"
)

// Checkpoint cost of durable runs: the seed (5 requests, 5 step attempts,
// 2 pacing waits of zero) recorded in a SQLite store, against
// BenchmarkSeedEngine. Each run writes about 20 records, each one committed
// transaction. SyncFull fsyncs the WAL on every commit (a record survives a
// power loss); SyncNormal survives a process crash only.
func BenchmarkSeedEngineDurableSQLite(b *testing.B) { benchSeedDurable(b, store.SyncFull) }
func BenchmarkSeedEngineDurableSQLiteNormal(b *testing.B) {
	benchSeedDurable(b, store.SyncNormal)
}
func BenchmarkSeedEngineDurableMemory(b *testing.B) { benchSeedDurable(b, -1) }

func benchSeedDurable(b *testing.B, sync store.Sync) {
	_, srv := newServer(b, 2)
	eng := newEngine(b, loadSeed(b), srv.URL, nil)
	ctx := context.Background()
	var st store.Store
	if sync < 0 {
		st = store.NewMemory(store.Options{})
	} else {
		s, err := store.OpenSQLite(ctx, filepath.Join(b.TempDir(), "state.db"), store.Options{Sync: sync})
		if err != nil {
			b.Fatal(err)
		}
		st = s
	}
	defer st.Close()
	in := seedInputs()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		res, err := eng.RunWith(ctx, seedWorkflow, in, runtime.RunOptions{ID: fmt.Sprint("run-", i), Store: st})
		if err != nil || res.Status != runtime.Succeeded {
			b.Fatalf("%v %+v", err, res)
		}
	}
}
