package runtime_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/arazzo-go/arazzo/runtime"
)

// TestPerRunServers: concurrent runs on one engine each send to the server
// their RunOptions name; a run without one uses the engine's; an unknown
// source name is refused before anything is sent, with a "did you mean".
func TestPerRunServers(t *testing.T) {
	doc := loadDoc(t, "testdata/rules/per-run-servers.arazzo.yaml", rulesHeader+mainSteps+getOK)
	apiA, srvA := newScriptedAPI(t, nil)
	apiB, srvB := newScriptedAPI(t, nil)
	eng, err := runtime.New(doc, runtime.Options{Servers: map[string]string{"api": srvA.URL + "/v1"}})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ro := runtime.RunOptions{}
			if i%2 == 1 {
				ro.Servers = map[string]string{"api": srvB.URL + "/v1"}
			}
			if res, err := eng.RunWith(context.Background(), "main", nil, ro); err != nil {
				t.Errorf("run %d: %v %+v", i, err, res)
			}
		}()
	}
	wg.Wait()
	if a, b := len(apiA.requests), len(apiB.requests); a != 10 || b != 10 {
		t.Errorf("engine's server got %d requests, the per-run one %d; want 10 and 10", a, b)
	}
	_, err = eng.RunWith(context.Background(), "main", nil, runtime.RunOptions{Servers: map[string]string{"apii": srvB.URL}})
	if err == nil || !strings.Contains(err.Error(), `did you mean "api"`) {
		t.Errorf("unknown source: %v", err)
	}
	if len(apiB.requests) != 10 {
		t.Errorf("a refused run sent a request")
	}
}
