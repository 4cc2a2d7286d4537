package runtime_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/arazzo-go/arazzo/runtime"
)

// TestEngineUsesTheGivenClient checks that Options.Client is used (and not
// modified) and that Transport replaces only the transport.
func TestEngineUsesTheGivenClient(t *testing.T) {
	doc := loadDoc(t, "testdata/rules/client.arazzo.yaml", rulesHeader+mainSteps+getOK)
	_, srv := newScriptedAPI(t, nil)
	client := srv.Client()
	before := client.Transport
	calls := 0
	eng, err := runtime.New(doc, runtime.Options{
		Client:  client,
		Servers: map[string]string{"api": srv.URL + "/v1"},
		Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			calls++
			return before.RoundTrip(r)
		}),
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := eng.Run(context.Background(), "main", nil)
	if err != nil || res.Status != runtime.Succeeded || calls != 1 {
		t.Fatalf("%v %v calls=%d", err, res, calls)
	}
	if client.Transport != before {
		t.Error("New modified the caller's client")
	}
}
