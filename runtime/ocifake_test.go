package runtime_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// fakeOCI behaves like the three OCI Compute operations the seed calls,
// under /20160918: instances by OCID, image creation, image polling.
type fakeOCI struct {
	mu sync.Mutex
	// instances maps an instance OCID to its lifecycleState.
	instances map[string]string
	// polls is how many GET /images/{id} answer PROVISIONING before the
	// image reaches final; polls < 0 means it never leaves PROVISIONING.
	polls int
	final string
	// requireAuth answers 401 NotAuthenticated without an Authorization header.
	requireAuth bool
	retryAfter  string // sent with PROVISIONING answers
	images      map[string]int
	requests    []recorded
}

type recorded struct {
	Method, Path string
	Header       http.Header
	Body         string
}

func newFakeOCI(t testing.TB) (*fakeOCI, *httptest.Server) {
	f := &fakeOCI{
		instances: map[string]string{
			"ocid1.instance.oc1.phx.stopped": "STOPPED",
			"ocid1.instance.oc1.phx.running": "RUNNING",
		},
		polls:  2,
		final:  "AVAILABLE",
		images: map[string]int{},
	}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeOCI) Requests() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.requests...)
}

func ociError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("opc-request-id", "req-err")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{ "code" : %q, "message" : %q }`, code, msg)
}

func (f *fakeOCI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, recorded{r.Method, r.URL.Path, r.Header.Clone(), string(body)})
	if f.requireAuth && r.Header.Get("Authorization") == "" {
		ociError(w, 401, "NotAuthenticated", "The required information to complete authentication was not provided or was incorrect.")
		return
	}
	path, ok := strings.CutPrefix(r.URL.Path, "/20160918")
	if !ok {
		ociError(w, 404, "NotFound", "no such operation")
		return
	}
	w.Header().Set("opc-request-id", fmt.Sprintf("req-%d", len(f.requests)))
	switch {
	case r.Method == "GET" && strings.HasPrefix(path, "/instances/"):
		id := strings.TrimPrefix(path, "/instances/")
		state, ok := f.instances[id]
		if !ok {
			ociError(w, 404, "NotAuthorizedOrNotFound", "Authorization failed or requested resource not found.")
			return
		}
		writeJSON(w, map[string]any{"id": id, "lifecycleState": state, "shape": "VM.Standard.E4.Flex"})
	case r.Method == "POST" && path == "/images":
		var d map[string]any
		if err := json.Unmarshal(body, &d); err != nil {
			ociError(w, 400, "CannotParseRequest", err.Error())
			return
		}
		if _, ok := f.instances[fmt.Sprint(d["instanceId"])]; !ok {
			ociError(w, 400, "RelatedResourceNotAuthorizedOrNotFound", "instance not found")
			return
		}
		id := fmt.Sprintf("ocid1.image.oc1.phx.img%04d", len(f.images)+1)
		f.images[id] = 0
		w.Header().Set("opc-work-request-id", "ocid1.workrequest.oc1.phx.1")
		writeJSON(w, map[string]any{"id": id, "compartmentId": d["compartmentId"], "displayName": d["displayName"], "lifecycleState": "PROVISIONING"})
	case r.Method == "GET" && strings.HasPrefix(path, "/images/"):
		id := strings.TrimPrefix(path, "/images/")
		n, ok := f.images[id]
		if !ok {
			ociError(w, 404, "NotAuthorizedOrNotFound", "Authorization failed or requested resource not found.")
			return
		}
		f.images[id] = n + 1
		state := f.final
		if f.polls < 0 || n < f.polls {
			state = "PROVISIONING"
			if f.retryAfter != "" {
				w.Header().Set("Retry-After", f.retryAfter)
			}
		}
		writeJSON(w, map[string]any{"id": id, "lifecycleState": state})
	default:
		ociError(w, 405, "MethodNotAllowed", "method not allowed")
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}
