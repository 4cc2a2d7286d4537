package openapi

import (
	"bytes"
	"context"
	"io"
	"net/http/httputil"
	goruntime "runtime"
	"testing"
	"weak"
)

// A detached source builds the very requests its source builds and finds
// the same operations, and keeps the decoded description unreachable: once
// the source itself is gone, the collector takes the description back while
// the detached copy is still in use.
func TestDetachedSourceBuildsTheSameRequestsWithoutTheDescription(t *testing.T) {
	src := mustLoad(t, "compute31.yaml")
	desc := weak.Make(src.doc)
	d := src.Detached()
	if d.doc != nil {
		t.Fatal("the detached source keeps the description")
	}
	inputs := map[string]RequestInput{
		"getInstance": {Params: []ParamValue{
			{Name: "instanceId", In: "path", Value: "ocid1.instance.oc1.phx.a b"},
			{Name: "Authorization", In: "header", Value: "Signature x"},
			{Name: "opc-request-id", In: "header", Value: "r-1"},
		}},
		"createImage": {Params: []ParamValue{{Name: "Authorization", In: "header", Value: "Signature x"}},
			ContentType: "application/json", Body: map[string]any{"compartmentId": "c", "instanceId": "i"}, HasBody: true},
		"getImage": {Params: []ParamValue{{Name: "imageId", In: "path", Value: "img/1"}}},
	}
	ctx := context.Background()
	for id, in := range inputs {
		want := dumpRequest(t, src, id, in)
		if got := dumpRequest(t, d, id, in); got != want {
			t.Errorf("%s: detached request\n%s\nwant\n%s", id, got, want)
		}
		o, _ := d.Operation(id)
		if byPtr, err := d.OperationByPointer(o.Pointer); err != nil || byPtr != o {
			t.Errorf("%s: OperationByPointer(%s) = %v, %v; want the detached operation", id, o.Pointer, byPtr, err)
		}
		if o.Source != d {
			t.Errorf("%s: the detached operation's Source is not the detached source", id)
		}
		if vs := o.CheckResponse(ctx, 599, nil, nil); vs != nil {
			t.Errorf("%s: a detached operation checked a response: %v", id, vs)
		}
	}
	src = nil
	for i := 0; i < 10 && desc.Value() != nil; i++ {
		goruntime.GC()
	}
	if desc.Value() != nil {
		t.Error("the decoded description is still reachable from the detached source")
	}
	if _, ok := d.Operation("getImage"); !ok {
		t.Error("the detached source lost its operations")
	}
	goruntime.KeepAlive(d)
}

func dumpRequest(t *testing.T, s *Source, id string, in RequestInput) string {
	t.Helper()
	o, ok := s.Operation(id)
	if !ok {
		t.Fatalf("no operation %s", id)
	}
	req, err := o.NewRequest(context.Background(), in)
	if err != nil {
		t.Fatalf("%s: %v", id, err)
	}
	if req.Body != nil {
		b, _ := io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(b))
	}
	out, err := httputil.DumpRequestOut(req, true)
	if err != nil {
		t.Fatalf("%s: %v", id, err)
	}
	return string(out)
}
