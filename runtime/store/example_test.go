package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/arazzo-go/arazzo/runtime/store"
)

// A run records a checkpoint after each step attempt; a resume reads the latest one and the records after it.
func Example() {
	dir, _ := os.MkdirTemp("", "store-example")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	s, err := store.OpenSQLite(ctx, filepath.Join(dir, "runs.db"), store.Options{Redact: store.ScrubSecrets("s3cr3t")})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()

	run, _ := s.CreateRun(ctx, store.Run{ID: "run-1", WorkflowID: "create-custom-image-from-instance",
		DocumentPath: "seed.arazzo.yaml", DocumentHash: "sha256:f8d1"})
	key, _ := s.PutIdempotencyKey(ctx, run.ID, "createImage", 1, store.IdempotencyKey(run.ID, "createImage", 1))
	state := json.RawMessage(`{"cursor":"createImage","token":"s3cr3t"}`)
	s.Append(ctx, store.Record{RunID: run.ID, Kind: store.KindAboutToSend, Step: "createImage", Attempt: 1})
	s.Append(ctx, store.Record{RunID: run.ID, Kind: store.KindResponseRecorded, Step: "createImage", Attempt: 1})
	s.Append(ctx, store.Record{RunID: run.ID, Kind: store.KindCheckpoint, Step: "createImage", Attempt: 1, State: state})

	cp, _ := s.LatestCheckpoint(ctx, run.ID)
	got, _ := s.Run(ctx, run.ID)
	fmt.Println("key:", key)
	fmt.Println("checkpoint", cp.Seq, string(cp.State))
	fmt.Println(got.Status, got.CurrentStep)
	// Output:
	// key: 43a0bc72-2d79-552b-a6ac-7ac89ca32988
	// checkpoint 3 {"cursor":"createImage","token":"[redacted]"}
	// running createImage
}
