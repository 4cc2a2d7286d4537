package runtime_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	arazzort "github.com/arazzo-go/arazzo/runtime"
)

// TestEnginesShareOneTransportAndCloseLeavesNoGoroutine creates 100 engines on
// the default transport, runs each against a real HTTP server, closes them,
// and checks the goroutine count returns to where it started.
func TestEnginesShareOneTransportAndCloseLeavesNoGoroutine(t *testing.T) {
	doc := loadDoc(t, "testdata/rules/close-engines.arazzo.yaml", rulesHeader+`
workflows:
  - workflowId: main
    steps:
      - stepId: get
        operationId: getItem
        parameters: [{name: id, in: path, value: "1"}]
`)
	_, srv := newScriptedAPI(t, nil)
	arazzort.SharedTransport().CloseIdleConnections()
	before := runtime.NumGoroutine()
	for range 100 {
		eng, err := arazzort.New(doc, arazzort.Options{Servers: map[string]string{"api": srv.URL + "/v1"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := eng.Run(context.Background(), "main", nil); err != nil {
			t.Fatal(err)
		}
		if err := eng.Close(); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	// The test server's own connection goroutines end as its side closes.
	if after := runtime.NumGoroutine(); after > before {
		t.Errorf("%d goroutines before, %d after closing 100 engines", before, after)
	}
}
