package runtime_test

import (
	"reflect"
	"testing"

	"github.com/arazzo-go/arazzo/runtime"
)

func TestMocksUnmatchedNamesTypos(t *testing.T) {
	eng, err := runtime.New(loadSeed(t), runtime.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := runtime.ParseMocks("m.yaml", []byte(`mocks:
  getInstanse: [{status: 200}]
  ociComputeApi.getImage: [{status: 200}]
  createImage: [{status: 200}]
  "GET /instances/{instanceId}": [{status: 200}]
  "DELETE /images/{imageId}": [{status: 200}]
`))
	if err != nil {
		t.Fatal(err)
	}
	got := m.Unmatched(eng.Operations())
	want := []string{"DELETE /images/{imageId}", "getInstanse"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Unmatched = %q, want %q (operations %v)", got, want, eng.Operations())
	}
}
