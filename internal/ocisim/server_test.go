package ocisim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

type result struct {
	status int
	header http.Header
	body   []byte
	json   map[string]any
}

func (r result) str(key string) string {
	s, _ := r.json[key].(string)
	return s
}

func newSim(t testing.TB, opts Options) *Server {
	t.Helper()
	s, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

// do sends a request straight to the handler. headers are name, value pairs; the Authorization header is
// set to "token" unless headers name it.
func do(t testing.TB, h http.Handler, method, path, body string, headers ...string) result {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, rd)
	req.Header.Set("Authorization", "token")
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "<absent>" {
			req.Header.Del(headers[i])
			continue
		}
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := result{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
	if len(res.body) > 0 && res.body[0] == '{' {
		if err := json.Unmarshal(res.body, &res.json); err != nil {
			t.Fatalf("%s %s: response is not JSON: %v\n%s", method, path, err, res.body)
		}
	}
	return res
}

func wantError(t testing.TB, r result, status int, code string) {
	t.Helper()
	if r.status != status || r.str("code") != code {
		t.Fatalf("got %d %s, want %d %s; body %s", r.status, r.str("code"), status, code, r.body)
	}
	if r.str("message") == "" {
		t.Errorf("error %s has no message", code)
	}
	if r.header.Get("opc-request-id") == "" {
		t.Errorf("error %s has no opc-request-id", code)
	}
	if r.header.Get("Content-Type") != "application/json" {
		t.Errorf("error %s Content-Type = %q", code, r.header.Get("Content-Type"))
	}
}

const seedBody = `{"compartmentId":"` + CompartmentID + `","displayName":"my-image","instanceId":"` + InstanceStopped + `"}`

func createFrom(instance string) string {
	return `{"compartmentId":"` + CompartmentID + `","displayName":"my-image","instanceId":"` + instance + `"}`
}

// §5.7 row 1: the seed's happy path, call by call.
func TestSeedHappyPath(t *testing.T) {
	s := newSim(t, Options{})
	r := do(t, s, "GET", "/20160918/instances/"+InstanceStopped, "")
	if r.status != 200 || r.str("lifecycleState") != StateStopped {
		t.Fatalf("getInstance: %d %s", r.status, r.body)
	}
	if r.header.Get("etag") == "" || r.header.Get("opc-request-id") == "" {
		t.Errorf("getInstance headers: %v", r.header)
	}
	r = do(t, s, "POST", "/20160918/images", seedBody, "Content-Type", "application/json")
	if r.status != 200 || r.str("lifecycleState") != ImageProvisioning {
		t.Fatalf("createImage: %d %s", r.status, r.body)
	}
	imageID := r.str("id")
	if imageID != "ocid1.image.oc1.phx.simimage000001" {
		t.Errorf("image id = %q", imageID)
	}
	for _, h := range []string{"etag", "opc-request-id", "opc-work-request-id"} {
		if r.header.Get(h) == "" {
			t.Errorf("createImage lacks header %s", h)
		}
	}
	if r.str("displayName") != "my-image" || r.str("compartmentId") != CompartmentID || r.str("operatingSystem") != "Oracle Linux" {
		t.Errorf("createImage body: %s", r.body)
	}
	if in, _ := s.Instance(InstanceStopped); in.LifecycleState != StateCreatingImage {
		t.Errorf("instance during capture = %s, want CREATING_IMAGE", in.LifecycleState)
	}
	var states []string
	var etags []string
	for i := 0; i < 3; i++ {
		r = do(t, s, "GET", "/20160918/images/"+imageID, "")
		if r.status != 200 {
			t.Fatalf("getImage: %d %s", r.status, r.body)
		}
		states = append(states, r.str("lifecycleState"))
		etags = append(etags, r.header.Get("etag"))
	}
	if got := strings.Join(states, ","); got != "PROVISIONING,PROVISIONING,AVAILABLE" {
		t.Errorf("poll states = %s", got)
	}
	if etags[1] == etags[2] {
		t.Error("etag did not change when the image settled")
	}
	if in, _ := s.Instance(InstanceStopped); in.LifecycleState != StateStopped {
		t.Errorf("instance after capture = %s, want STOPPED", in.LifecycleState)
	}
	want := map[string]int{"getInstance": 1, "createImage": 1, "getImage": 3}
	for op, n := range want {
		if got := s.Calls(op); got != n {
			t.Errorf("Calls(%s) = %d, want %d", op, got, n)
		}
	}
	log := s.Requests()
	if len(log) != 5 {
		t.Fatalf("request log has %d entries, want 5", len(log))
	}
	if string(log[1].Body) != seedBody || log[1].Operation != "createImage" {
		t.Errorf("logged POST = %s %s", log[1].Operation, log[1].Body)
	}
}

// §5.7 rows 2 and 8: a running instance, and an instance whose image is being captured, read fine; a second
// capture is refused.
func TestInstanceStatesSeenByTheSeed(t *testing.T) {
	s := newSim(t, Options{})
	if r := do(t, s, "GET", "/20160918/instances/"+InstanceRunning, ""); r.str("lifecycleState") != StateRunning {
		t.Errorf("running fixture: %s", r.body)
	}
	if r := do(t, s, "POST", "/20160918/images", seedBody); r.status != 200 {
		t.Fatalf("first capture: %d %s", r.status, r.body)
	}
	if r := do(t, s, "GET", "/20160918/instances/"+InstanceStopped, ""); r.str("lifecycleState") != StateCreatingImage {
		t.Errorf("instance during capture: %s", r.body)
	}
	wantError(t, do(t, s, "POST", "/20160918/images", seedBody), 409, "IncorrectState")
}

// §5.7 row 3.
func TestUnknownInstance(t *testing.T) {
	s := newSim(t, Options{})
	r := do(t, s, "GET", "/20160918/instances/ocid1.instance.oc1.phx.nosuchthing", "")
	wantError(t, r, 404, "NotAuthorizedOrNotFound")
	if r.str("message") != "Authorization failed or requested resource not found." {
		t.Errorf("message = %q", r.str("message"))
	}
	if !bytes.Contains(r.body, []byte(`"code" : "NotAuthorizedOrNotFound"`)) {
		t.Errorf("error body is not in OCI's layout: %s", r.body)
	}
	wantError(t, do(t, s, "GET", "/20160918/images/ocid1.image.oc1.phx.nosuchthing", ""), 404, "NotAuthorizedOrNotFound")
}

// §5.7 row 4, and the other auth modes that need no key.
func TestPresenceAndNoneAuth(t *testing.T) {
	tests := []struct {
		mode   AuthMode
		auth   string
		status int
	}{
		{"", "<absent>", 401},
		{AuthPresence, "<absent>", 401},
		{AuthPresence, "", 401},
		{AuthPresence, "   ", 401},
		{AuthPresence, "anything", 200},
		{AuthNone, "<absent>", 200},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%q", tt.mode, tt.auth), func(t *testing.T) {
			s := newSim(t, Options{Auth: tt.mode})
			r := do(t, s, "GET", "/20160918/instances/"+InstanceStopped, "", "Authorization", tt.auth)
			if r.status != tt.status {
				t.Fatalf("status = %d, want %d: %s", r.status, tt.status, r.body)
			}
			if tt.status == 401 {
				wantError(t, r, 401, "NotAuthenticated")
			}
		})
	}
	if _, err := New(Options{Auth: "bearer"}); err == nil {
		t.Error("unknown auth mode accepted")
	}
	if _, err := New(Options{Auth: AuthSignature}); err == nil {
		t.Error("signature mode without a key accepted")
	}
}

// §5.7 rows 5 and 6: a capture that fails, and one that never finishes.
func TestProvisioningOutcomes(t *testing.T) {
	tests := []struct {
		name   string
		opts   Options
		polls  int
		want   string
		source string // instance state after the last poll
	}{
		{"default", Options{}, 3, "PROVISIONING,PROVISIONING,AVAILABLE", StateStopped},
		{"zero polls", Options{ProvisioningPolls: ZeroPolls}, 2, "AVAILABLE,AVAILABLE", StateStopped},
		{"one poll then deleted", Options{ProvisioningPolls: 1, SettleState: ImageDeleted}, 3, "PROVISIONING,DELETED,DELETED", StateStopped},
		{"disabled", Options{ProvisioningPolls: 1, SettleState: ImageDisabled}, 2, "PROVISIONING,DISABLED", StateStopped},
		{"forever", Options{ProvisioningPolls: Forever}, 50, strings.TrimSuffix(strings.Repeat("PROVISIONING,", 50), ","), StateCreatingImage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSim(t, tt.opts)
			id := do(t, s, "POST", "/20160918/images", seedBody).str("id")
			var got []string
			for i := 0; i < tt.polls; i++ {
				got = append(got, do(t, s, "GET", "/20160918/images/"+id, "").str("lifecycleState"))
			}
			if strings.Join(got, ",") != tt.want {
				t.Errorf("states = %s, want %s", strings.Join(got, ","), tt.want)
			}
			if in, _ := s.Instance(InstanceStopped); in.LifecycleState != tt.source {
				t.Errorf("source instance = %s, want %s", in.LifecycleState, tt.source)
			}
		})
	}
	if _, err := New(Options{SettleState: "EXPORTING"}); err == nil {
		t.Error("settle state EXPORTING accepted")
	}
	if _, err := New(Options{ProvisioningPolls: -7}); err == nil {
		t.Error("polls -7 accepted")
	}
}

// A running source instance goes back to RUNNING, not STOPPED.
func TestRunningSourceReturnsToRunning(t *testing.T) {
	s := newSim(t, Options{ProvisioningPolls: ZeroPolls})
	id := do(t, s, "POST", "/20160918/images", createFrom(InstanceRunning)).str("id")
	do(t, s, "GET", "/20160918/images/"+id, "")
	if in, _ := s.Instance(InstanceRunning); in.LifecycleState != StateRunning {
		t.Errorf("source = %s, want RUNNING", in.LifecycleState)
	}
}

func TestTimeBasedProvisioning(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	s := newSim(t, Options{ProvisioningTime: 30 * time.Second, Clock: clock})
	r := do(t, s, "POST", "/20160918/images", seedBody)
	id := r.str("id")
	if r.str("timeCreated") != "2026-11-26T12:00:00.000Z" {
		t.Errorf("timeCreated = %s", r.str("timeCreated"))
	}
	for i := 0; i < 5; i++ {
		if st := do(t, s, "GET", "/20160918/images/"+id, "").str("lifecycleState"); st != ImageProvisioning {
			t.Fatalf("read %d before the time: %s", i, st)
		}
	}
	mu.Lock()
	now = now.Add(30 * time.Second)
	mu.Unlock()
	if st := do(t, s, "GET", "/20160918/images/"+id, "").str("lifecycleState"); st != ImageAvailable {
		t.Errorf("after 30s: %s", st)
	}
}

func TestCreateImageErrors(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		header []string
		status int
		code   string
	}{
		{"malformed JSON", `{"compartmentId":`, nil, 400, "CannotParseRequest"},
		{"not an object", `[1,2]`, nil, 400, "CannotParseRequest"},
		{"trailing data", seedBody + `{}`, nil, 400, "CannotParseRequest"},
		{"empty body", ``, nil, 400, "MissingParameter"},
		{"no compartment", `{"instanceId":"` + InstanceStopped + `"}`, nil, 400, "MissingParameter"},
		{"neither source", `{"compartmentId":"` + CompartmentID + `"}`, nil, 400, "InvalidParameter"},
		{"both sources", `{"compartmentId":"c","instanceId":"` + InstanceStopped + `","imageSourceDetails":{"sourceType":"objectStorageUri"}}`, nil, 400, "InvalidParameter"},
		{"bad source type", `{"compartmentId":"c","imageSourceDetails":{"sourceType":"ftp"}}`, nil, 400, "InvalidParameter"},
		{"bad launch mode", `{"compartmentId":"c","instanceId":"` + InstanceStopped + `","launchMode":"FAST"}`, nil, 400, "InvalidParameter"},
		{"unknown instance", createFrom("ocid1.instance.oc1.phx.nosuchthing"), nil, 400, "RelatedResourceNotAuthorizedOrNotFound"},
		{"terminated instance", createFrom(InstanceTerminated), nil, 409, "Conflict"},
		{"provisioning instance", createFrom(InstanceProvisioning), nil, 409, "IncorrectState"},
		{"retry token too long", seedBody, []string{"opc-retry-token", strings.Repeat("x", 65)}, 400, "InvalidParameter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSim(t, Options{})
			wantError(t, do(t, s, "POST", "/20160918/images", tt.body, tt.header...), tt.status, tt.code)
			if n := len(s.Snapshot().Images); n != 1 {
				t.Errorf("a failed create left %d images, want only the platform image", n)
			}
		})
	}
}

func TestImportCreatesImportingImage(t *testing.T) {
	s := newSim(t, Options{ProvisioningPolls: ZeroPolls})
	r := do(t, s, "POST", "/20160918/images", `{"compartmentId":"c","displayName":"imp","imageSourceDetails":{"sourceType":"objectStorageUri","sourceUri":"https://example.invalid/x"}}`)
	if r.status != 200 || r.str("lifecycleState") != ImageImporting {
		t.Fatalf("import: %d %s", r.status, r.body)
	}
	if st := do(t, s, "GET", "/20160918/images/"+r.str("id"), "").str("lifecycleState"); st != ImageAvailable {
		t.Errorf("after import: %s", st)
	}
}

func TestRetryTokenIdempotency(t *testing.T) {
	s := newSim(t, Options{})
	first := do(t, s, "POST", "/20160918/images", seedBody, "opc-retry-token", "tok-1")
	// Same request, whitespace and key order changed: still the same request.
	again := do(t, s, "POST", "/20160918/images",
		`{ "instanceId": "`+InstanceStopped+`", "displayName": "my-image", "compartmentId": "`+CompartmentID+`" }`,
		"opc-retry-token", "tok-1")
	if again.status != 200 || again.str("id") != first.str("id") {
		t.Fatalf("retry gave %d %s, want the first image %s", again.status, again.body, first.str("id"))
	}
	if again.header.Get("opc-work-request-id") != first.header.Get("opc-work-request-id") {
		t.Error("retry gave a different work request")
	}
	if s.Calls("createImage") != 2 || len(s.Snapshot().Images) != 2 {
		t.Errorf("calls %d, images %d; want 2 calls and 1 new image", s.Calls("createImage"), len(s.Snapshot().Images))
	}
	wantError(t, do(t, s, "POST", "/20160918/images", createFrom(InstanceRunning), "opc-retry-token", "tok-1"), 409, "InvalidatedRetryToken")
	// Without a token the same body is a new request, refused because the capture is running.
	wantError(t, do(t, s, "POST", "/20160918/images", seedBody), 409, "IncorrectState")
}

func TestInstanceActions(t *testing.T) {
	tests := []struct {
		name     string
		instance string
		path     string // after /20160918/instances/{id}
		ifMatch  string // "current" for the current etag
		status   int
		code     string
		state    string
	}{
		{"stop running", InstanceRunning, "?action=STOP", "", 200, "", StateStopped},
		{"softstop running", InstanceRunning, "?action=SOFTSTOP", "", 200, "", StateStopped},
		{"start stopped", InstanceStopped, "?action=START", "", 200, "", StateRunning},
		{"stop stopped is a no-op", InstanceStopped, "?action=STOP", "", 200, "", StateStopped},
		{"softreset running", InstanceRunning, "?action=SOFTRESET", "", 200, "", StateRunning},
		{"softreset stopped", InstanceStopped, "?action=SOFTRESET", "", 409, "IncorrectState", StateStopped},
		{"start terminated", InstanceTerminated, "?action=START", "", 409, "Conflict", StateTerminated},
		{"start provisioning", InstanceProvisioning, "?action=START", "", 409, "IncorrectState", StateProvisioning},
		{"unknown action", InstanceRunning, "?action=EXPLODE", "", 400, "InvalidParameter", StateRunning},
		{"missing action", InstanceRunning, "", "", 400, "MissingParameter", StateRunning},
		{"unknown instance", "ocid1.instance.oc1.phx.nosuchthing", "?action=STOP", "", 404, "NotAuthorizedOrNotFound", ""},
		{"if-match stale", InstanceRunning, "?action=STOP", "stale", 412, "NoEtagMatch", StateRunning},
		{"if-match current", InstanceRunning, "?action=STOP", "current", 200, "", StateStopped},
		{"scaffold path form", InstanceRunning, "/actions/stop", "", 200, "", StateStopped},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSim(t, Options{})
			var hdr []string
			if tt.ifMatch == "current" {
				hdr = []string{"if-match", do(t, s, "GET", "/20160918/instances/"+tt.instance, "").header.Get("etag")}
			} else if tt.ifMatch != "" {
				hdr = []string{"if-match", tt.ifMatch}
			}
			r := do(t, s, "POST", "/20160918/instances/"+tt.instance+tt.path, "", hdr...)
			if tt.code != "" {
				wantError(t, r, tt.status, tt.code)
			} else if r.status != tt.status || r.str("lifecycleState") != tt.state {
				t.Fatalf("got %d %s, want %d %s", r.status, r.body, tt.status, tt.state)
			}
			if tt.state != "" {
				if in, _ := s.Instance(tt.instance); in.LifecycleState != tt.state {
					t.Errorf("state = %s, want %s", in.LifecycleState, tt.state)
				}
			}
			if s.Calls("instanceAction") != 1 {
				t.Errorf("instanceAction calls = %d", s.Calls("instanceAction"))
			}
		})
	}
}

func TestUpdateAndDeleteImageWithIfMatch(t *testing.T) {
	s := newSim(t, Options{})
	path := "/20160918/images/" + PlatformImageID
	etag := do(t, s, "GET", path, "").header.Get("etag")

	wantError(t, do(t, s, "PUT", path, `{"displayName":"x"}`, "if-match", "stale"), 412, "NoEtagMatch")
	wantError(t, do(t, s, "PUT", path, `{"displayName":`, "if-match", etag), 400, "CannotParseRequest")
	r := do(t, s, "PUT", path, `{"displayName":"renamed","freeformTags":{"team":"infra"}}`, "if-match", etag)
	if r.status != 200 || r.str("displayName") != "renamed" {
		t.Fatalf("update: %d %s", r.status, r.body)
	}
	newEtag := r.header.Get("etag")
	if newEtag == etag || newEtag == "" {
		t.Errorf("etag after update = %q (was %q)", newEtag, etag)
	}
	wantError(t, do(t, s, "DELETE", path, "", "if-match", etag), 412, "NoEtagMatch")
	r = do(t, s, "DELETE", path, "", "if-match", newEtag)
	if r.status != 204 || len(r.body) != 0 || r.header.Get("opc-request-id") == "" {
		t.Fatalf("delete: %d %q", r.status, r.body)
	}
	if st := do(t, s, "GET", path, "").str("lifecycleState"); st != ImageDeleted {
		t.Errorf("after delete: %s", st)
	}
	if r := do(t, s, "DELETE", path, ""); r.status != 204 {
		t.Errorf("second delete: %d", r.status)
	}
	wantError(t, do(t, s, "PUT", path, `{"displayName":"y"}`), 409, "Conflict")
	wantError(t, do(t, s, "DELETE", "/20160918/images/ocid1.image.oc1.phx.nosuchthing", ""), 404, "NotAuthorizedOrNotFound")
}

// Deleting an image that is still being captured gives its instance back.
func TestDeleteProvisioningImageReleasesInstance(t *testing.T) {
	s := newSim(t, Options{})
	id := do(t, s, "POST", "/20160918/images", seedBody).str("id")
	do(t, s, "DELETE", "/20160918/images/"+id, "")
	if in, _ := s.Instance(InstanceStopped); in.LifecycleState != StateStopped {
		t.Errorf("instance = %s, want STOPPED", in.LifecycleState)
	}
}

func TestRoutingErrors(t *testing.T) {
	s := newSim(t, Options{})
	wantError(t, do(t, s, "GET", "/20160918/volumes", ""), 404, "NotFound")
	wantError(t, do(t, s, "GET", "/20170101/instances/x", ""), 404, "NotFound")
	wantError(t, do(t, s, "GET", "/20160918instances?compartmentId=c", ""), 404, "NotFound")
	wantError(t, do(t, s, "GET", "/20160918", ""), 404, "NotFound")
	wantError(t, do(t, s, "GET", "/", ""), 404, "NotFound")
	wantError(t, do(t, s, "DELETE", "/20160918/instances/"+InstanceStopped, ""), 405, "MethodNotAllowed")
	wantError(t, do(t, s, "PATCH", "/20160918/images", ""), 405, "MethodNotAllowed")
	wantError(t, do(t, s, "POST", "/20160918/images", strings.Repeat(" ", maxBodyBytes+1)), 400, "InvalidParameter")
}

func TestListsAndPaging(t *testing.T) {
	s := newSim(t, Options{})
	wantError(t, do(t, s, "GET", "/20160918/instances", ""), 400, "MissingParameter")
	wantError(t, do(t, s, "GET", "/20160918/instances?compartmentId="+CompartmentID+"&limit=0", ""), 400, "InvalidParameter")
	wantError(t, do(t, s, "GET", "/20160918/instances?compartmentId="+CompartmentID+"&page=bogus", ""), 400, "InvalidParameter")
	wantError(t, do(t, s, "GET", "/20160918/images?compartmentId="+CompartmentID+"&sortBy=SIZE", ""), 400, "InvalidParameter")

	var ids []string
	next := ""
	for pages := 0; pages < 10; pages++ {
		url := "/20160918/instances/?compartmentId=" + CompartmentID + "&limit=3&sortBy=DISPLAYNAME"
		if next != "" {
			url += "&page=" + next
		}
		r := do(t, s, "GET", url, "")
		var items []Instance
		if err := json.Unmarshal(r.body, &items); err != nil || r.status != 200 {
			t.Fatalf("list: %d %s", r.status, r.body)
		}
		for _, in := range items {
			ids = append(ids, in.DisplayName)
		}
		next = r.header.Get("opc-next-page")
		if next == "" {
			break
		}
	}
	if got := strings.Join(ids, ","); got != "sim-provisioning,sim-running,sim-stopped,sim-terminated" {
		t.Errorf("paged list = %s", got)
	}
	r := do(t, s, "GET", "/20160918/instances?compartmentId="+CompartmentID+"&lifecycleState=RUNNING", "")
	var items []Instance
	_ = json.Unmarshal(r.body, &items)
	if len(items) != 1 || items[0].ID != InstanceRunning {
		t.Errorf("filtered list = %s", r.body)
	}
	r = do(t, s, "GET", "/20160918/images?compartmentId=elsewhere", "")
	if string(r.body) != "[]" {
		t.Errorf("empty list = %s", r.body)
	}
}

// §5.7 row 7 and the other injected faults.
func TestFaults(t *testing.T) {
	var slept []time.Duration
	var mu sync.Mutex
	sleep := func(_ context.Context, d time.Duration) { mu.Lock(); slept = append(slept, d); mu.Unlock() }
	faults, err := ParseFaults("createImage#1=429;retry-after=2, getImage#2-3=503, getInstance=latency=250ms")
	if err != nil {
		t.Fatal(err)
	}
	s := newSim(t, Options{Faults: faults, Sleep: sleep, ProvisioningPolls: ZeroPolls})

	r := do(t, s, "POST", "/20160918/images", seedBody)
	wantError(t, r, 429, "TooManyRequests")
	if r.header.Get("Retry-After") != "2" {
		t.Errorf("Retry-After = %q", r.header.Get("Retry-After"))
	}
	if len(s.Snapshot().Images) != 1 {
		t.Error("a throttled create made an image")
	}
	id := do(t, s, "POST", "/20160918/images", seedBody).str("id")
	if id == "" {
		t.Fatal("second create failed")
	}
	var statuses []int
	for i := 0; i < 4; i++ {
		statuses = append(statuses, do(t, s, "GET", "/20160918/images/"+id, "").status)
	}
	if fmt.Sprint(statuses) != "[200 503 503 200]" {
		t.Errorf("getImage statuses = %v", statuses)
	}
	if r := do(t, s, "GET", "/20160918/instances/"+InstanceStopped, ""); r.status != 200 {
		t.Errorf("latency-only fault changed the status: %d", r.status)
	}
	if fmt.Sprint(slept) != "[250ms]" {
		t.Errorf("slept %v", slept)
	}
	if err := s.SetFaults([]Fault{{Operation: "*", Status: 500}}); err != nil {
		t.Fatal(err)
	}
	wantError(t, do(t, s, "GET", "/20160918/instances/"+InstanceStopped, ""), 500, "InternalServerError")
	for _, bad := range []Fault{
		{Operation: "nope"}, {Status: 200}, {Status: 700}, {FromCall: -1}, {FromCall: 3, ToCall: 2},
		{Status: 429, RetryAfter: -1}, {RetryAfter: 2}, {Latency: -time.Second}, {Latency: 2 * time.Hour},
	} {
		if err := s.SetFaults([]Fault{bad}); err == nil {
			t.Errorf("fault %+v accepted", bad)
		}
		if _, err := New(Options{Faults: []Fault{bad}}); err == nil {
			t.Errorf("New accepted fault %+v", bad)
		}
	}
}

func TestParseFaults(t *testing.T) {
	tests := []struct {
		spec string
		want string // String() of each fault, joined by " | "; or "error"
	}{
		{"", ""},
		{"createImage#1=429;retry-after=2", "createImage#1=429;retry-after=2"},
		{" getImage#2-4=500 , *=latency=50ms ", "getImage#2-4=500 | *=latency=50ms"},
		{"getInstance=503;latency=1s", "getInstance=503;latency=1s"},
		{"getImage", "error"},
		{"getImage=", "error"},
		{"=500", "error"},
		{"launchInstance=500", "error"},
		{"getImage#0=500", "error"},
		{"getImage#3-2=500", "error"},
		{"getImage#x=500", "error"},
		{"getImage=200", "error"},
		{"getImage=600", "error"},
		{"getImage=retry-after=2", "error"},
		{"getImage=500;retry-after=-1", "error"},
		{"getImage=latency=fast", "error"},
		{"getImage=latency=2h", "error"},
		{"getImage=color=red", "error"},
	}
	for _, tt := range tests {
		faults, err := ParseFaults(tt.spec)
		if tt.want == "error" {
			if err == nil {
				t.Errorf("ParseFaults(%q) = %v, want an error", tt.spec, faults)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseFaults(%q): %v", tt.spec, err)
			continue
		}
		var got []string
		for _, f := range faults {
			got = append(got, f.String())
		}
		if strings.Join(got, " | ") != tt.want {
			t.Errorf("ParseFaults(%q) = %q, want %q", tt.spec, strings.Join(got, " | "), tt.want)
		}
	}
}

func FuzzParseFaults(f *testing.F) {
	for _, s := range []string{"", "createImage#1=429;retry-after=2", "getImage#2-4=500,*=latency=50ms", "=;#-,", "a#1-=", "*=latency=-1s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		faults, err := ParseFaults(spec)
		if err != nil {
			return
		}
		// What parses must print back to something that parses to the same faults.
		var parts []string
		for _, fl := range faults {
			parts = append(parts, fl.String())
		}
		again, err := ParseFaults(strings.Join(parts, ","))
		if err != nil {
			t.Fatalf("re-parse of %q: %v", strings.Join(parts, ","), err)
		}
		if fmt.Sprint(again) != fmt.Sprint(faults) {
			t.Fatalf("round trip %v != %v", again, faults)
		}
	})
}

func TestControlAPI(t *testing.T) {
	s := newSim(t, Options{})
	r := do(t, s, "PUT", "/_sim/instances/"+InstanceStopped, `{"lifecycleState":"RUNNING"}`, "Authorization", "<absent>")
	if r.status != 200 || r.str("lifecycleState") != StateRunning {
		t.Fatalf("set state: %d %s", r.status, r.body)
	}
	newID := "ocid1.instance.oc1.phx.simcustom0001"
	if r := do(t, s, "PUT", "/_sim/instances/"+newID, `{"lifecycleState":"STOPPED"}`); r.status != 200 {
		t.Fatalf("create instance: %d %s", r.status, r.body)
	}
	if r := do(t, s, "GET", "/20160918/instances/"+newID, ""); r.str("lifecycleState") != StateStopped {
		t.Errorf("new instance: %s", r.body)
	}
	wantError(t, do(t, s, "PUT", "/_sim/instances/x", `{"lifecycleState":"ASLEEP"}`), 400, "InvalidParameter")
	wantError(t, do(t, s, "PUT", "/_sim/instances/x", `{`), 400, "CannotParseRequest")
	wantError(t, do(t, s, "PUT", "/_sim/images/nope", `{"lifecycleState":"AVAILABLE"}`), 404, "InvalidParameter")
	if r := do(t, s, "PUT", "/_sim/images/"+PlatformImageID, `{"lifecycleState":"DISABLED"}`); r.str("lifecycleState") != ImageDisabled {
		t.Errorf("set image state: %s", r.body)
	}

	if r := do(t, s, "PUT", "/_sim/faults", "getInstance#2=500"); r.status != 200 {
		t.Fatalf("set faults: %d %s", r.status, r.body)
	}
	wantError(t, do(t, s, "GET", "/20160918/instances/"+InstanceRunning, ""), 500, "InternalServerError")
	if r := do(t, s, "PUT", "/_sim/faults", `[{"operation":"getImage","status":429}]`); r.status != 200 {
		t.Fatalf("set JSON faults: %d %s", r.status, r.body)
	}
	wantError(t, do(t, s, "PUT", "/_sim/faults", "getImage=teapot"), 400, "InvalidParameter")
	if r := do(t, s, "DELETE", "/_sim/faults", ""); r.status != 204 {
		t.Errorf("delete faults: %d", r.status)
	}
	if r := do(t, s, "PUT", "/_sim/provisioning", `{"polls":1,"settleState":"DELETED"}`); r.status != 204 {
		t.Fatalf("provisioning: %d %s", r.status, r.body)
	}
	wantError(t, do(t, s, "PUT", "/_sim/provisioning", `{"polls":1,"settleState":"GONE"}`), 400, "InvalidParameter")

	r = do(t, s, "GET", "/_sim/calls", "")
	if r.status != 200 || r.json["getInstance"] != float64(2) {
		t.Errorf("calls: %s", r.body)
	}
	r = do(t, s, "GET", "/_sim/state", "")
	var st State
	if err := json.Unmarshal(r.body, &st); err != nil || len(st.Instances) != 5 {
		t.Errorf("state: %v %s", err, r.body)
	}
	r = do(t, s, "GET", "/_sim/requests", "")
	var log []Request
	if err := json.Unmarshal(r.body, &log); err != nil || len(log) != 2 {
		t.Errorf("requests: %v %s", err, r.body)
	}
	if r := do(t, s, "POST", "/_sim/reset", ""); r.status != 204 {
		t.Errorf("reset: %d", r.status)
	}
	if in, _ := s.Instance(InstanceStopped); in.LifecycleState != StateStopped || s.Calls("getInstance") != 0 {
		t.Errorf("after reset: %s, %d calls", in.LifecycleState, s.Calls("getInstance"))
	}
	if _, ok := s.Instance(newID); ok {
		t.Error("reset kept a created instance")
	}
	wantError(t, do(t, s, "GET", "/_sim/nothing", ""), 404, "NotFound")
}

// Secrets never reach the log writer or the request log, but whether a header was sent (and empty) is kept.
func TestLogsRedactCredentials(t *testing.T) {
	var buf bytes.Buffer
	s := newSim(t, Options{Log: &buf})
	const secret = "Bearer sekrit-canary-value"
	do(t, s, "GET", "/20160918/instances/"+InstanceStopped, "", "Authorization", secret)
	do(t, s, "GET", "/20160918/instances/"+InstanceStopped, "", "Authorization", "")
	if strings.Contains(buf.String(), "sekrit") {
		t.Errorf("log writer saw the secret: %s", buf.String())
	}
	if !strings.Contains(buf.String(), "op=getInstance status=200") || !strings.Contains(buf.String(), "status=401 code=NotAuthenticated") {
		t.Errorf("log lines: %s", buf.String())
	}
	log := s.Requests()
	raw, _ := json.Marshal(log)
	if strings.Contains(string(raw), "sekrit") {
		t.Errorf("request log holds the secret: %s", raw)
	}
	if got := log[0].Header.Values("Authorization"); len(got) != 1 || got[0] != "[redacted]" {
		t.Errorf("first request Authorization = %q", got)
	}
	if got := log[1].Header.Values("Authorization"); len(got) != 1 || got[0] != "" {
		t.Errorf("second request Authorization = %q, want one empty value", got)
	}
}

func TestOpcRequestIDEchoesClientValue(t *testing.T) {
	s := newSim(t, Options{})
	r := do(t, s, "GET", "/20160918/instances/"+InstanceStopped, "", "opc-request-id", "client-123")
	if !strings.HasPrefix(r.header.Get("opc-request-id"), "client-123/") {
		t.Errorf("opc-request-id = %q", r.header.Get("opc-request-id"))
	}
	a := do(t, s, "GET", "/20160918/instances/"+InstanceStopped, "").header.Get("opc-request-id")
	b := do(t, s, "GET", "/20160918/instances/"+InstanceStopped, "").header.Get("opc-request-id")
	if a == b {
		t.Error("opc-request-id repeats")
	}
}

// Run with -race: concurrent captures, polls and control calls against one simulator.
func TestConcurrentUse(t *testing.T) {
	s := newSim(t, Options{ProvisioningPolls: 3})
	srv := httptest.NewServer(s)
	defer srv.Close()
	const workers = 8
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			id := fmt.Sprintf("ocid1.instance.oc1.phx.simworker%04d", w)
			if err := s.SetInstanceState(id, StateStopped); err != nil {
				errs <- err
				return
			}
			body := createFrom(id)
			req, _ := http.NewRequest("POST", srv.URL+"/20160918/images", strings.NewReader(body))
			req.Header.Set("Authorization", "x")
			resp, err := srv.Client().Do(req)
			if err != nil {
				errs <- err
				return
			}
			var im Image
			_ = json.NewDecoder(resp.Body).Decode(&im)
			resp.Body.Close()
			for i := 0; i < 4; i++ {
				req, _ := http.NewRequest("GET", srv.URL+"/20160918/images/"+im.ID, nil)
				req.Header.Set("Authorization", "x")
				resp, err := srv.Client().Do(req)
				if err != nil {
					errs <- err
					return
				}
				_ = json.NewDecoder(resp.Body).Decode(&im)
				resp.Body.Close()
				_ = s.Snapshot()
			}
			if im.LifecycleState != ImageAvailable {
				errs <- fmt.Errorf("worker %d: image %s is %s", w, im.ID, im.LifecycleState)
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := s.Calls("createImage"); got != workers {
		t.Errorf("createImage calls = %d", got)
	}
	if got := s.Calls("getImage"); got != workers*4 {
		t.Errorf("getImage calls = %d", got)
	}
}

func TestRequestLogIsBounded(t *testing.T) {
	s := newSim(t, Options{})
	req := httptest.NewRequest("GET", "/20160918/nothing", nil)
	for i := 0; i < 2*MaxRequestLog+5; i++ {
		s.ServeHTTP(httptest.NewRecorder(), req)
	}
	log := s.Requests()
	if len(log) != MaxRequestLog || log[0].Seq != MaxRequestLog+6 || log[len(log)-1].Seq != 2*MaxRequestLog+5 {
		t.Errorf("log has %d entries, seq %d..%d", len(log), log[0].Seq, log[len(log)-1].Seq)
	}
}

// Target: a getImage poll through the handler in well under 50µs, so a simulator never slows a workflow test.
func BenchmarkGetImage(b *testing.B) {
	s := newSim(b, Options{ProvisioningPolls: Forever})
	id := do(b, s, "POST", "/20160918/images", seedBody).str("id")
	req := httptest.NewRequest("GET", "/20160918/images/"+id, nil)
	req.Header.Set("Authorization", "x")
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatal(rec.Code)
		}
	}
}

func TestWorkRequests(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	s := newSim(t, Options{ProvisioningPolls: 1, Clock: func() time.Time { return now }})
	r := do(t, s, "POST", "/20160918/images", seedBody)
	wrID := r.header.Get("opc-work-request-id")
	imageID := r.str("id")
	wr := func() result { return do(t, s, "GET", "/20160918/workRequests/"+wrID, "") }

	w := wr()
	if w.status != 200 || w.str("status") != "IN_PROGRESS" || w.str("operationType") != "CreateImage" ||
		w.str("compartmentId") != CompartmentID || w.json["percentComplete"] != float64(0) || w.str("timeAccepted") != "2026-11-26T12:00:00.000Z" {
		t.Fatalf("work request: %d %s", w.status, w.body)
	}
	res := w.json["resources"].([]any)[0].(map[string]any)
	if res["identifier"] != imageID || res["entityType"] != "image" || res["actionType"] != "IN_PROGRESS" {
		t.Errorf("resource = %v", res)
	}
	wr() // reading the work request is not an image poll
	if st := do(t, s, "GET", "/20160918/images/"+imageID, "").str("lifecycleState"); st != ImageProvisioning {
		t.Errorf("first image read = %s", st)
	}
	if w := wr(); w.str("status") != "IN_PROGRESS" || w.json["percentComplete"] != float64(50) {
		t.Errorf("after one poll: %s", w.body)
	}
	do(t, s, "GET", "/20160918/images/"+imageID, "")
	w = wr()
	res = w.json["resources"].([]any)[0].(map[string]any)
	if w.str("status") != "SUCCEEDED" || w.json["percentComplete"] != float64(100) || res["actionType"] != "CREATED" || w.str("timeFinished") == "" {
		t.Errorf("after settling: %s", w.body)
	}

	failing := newSim(t, Options{ProvisioningPolls: ZeroPolls, SettleState: ImageDeleted})
	r = do(t, failing, "POST", "/20160918/images", `{"compartmentId":"c","imageSourceDetails":{"sourceType":"objectStorageUri"}}`)
	do(t, failing, "GET", "/20160918/images/"+r.str("id"), "")
	w = do(t, failing, "GET", "/20160918/workRequests/"+r.header.Get("opc-work-request-id"), "")
	if w.str("status") != "FAILED" || w.str("operationType") != "ImportImage" {
		t.Errorf("failed import: %s", w.body)
	}
	wantError(t, do(t, s, "GET", "/20160918/workRequests/ocid1.coreservicesworkrequest.oc1.phx.nope", ""), 404, "NotAuthorizedOrNotFound")
	if s.Calls("getWorkRequest") != 5 {
		t.Errorf("getWorkRequest calls = %d", s.Calls("getWorkRequest"))
	}
}

// Whatever arrives, the simulator answers with JSON (or an empty 204) and an opc-request-id, and never panics.
func FuzzServeHTTP(f *testing.F) {
	f.Add("GET", "/20160918/instances/"+InstanceStopped, "", "")
	f.Add("POST", "/20160918/images", seedBody, "tok")
	f.Add("POST", "/20160918/instances/"+InstanceRunning+"?action=STOP", "", "")
	f.Add("PUT", "/20160918/images/"+PlatformImageID, `{"displayName":"x"}`, "")
	f.Add("DELETE", "/20160918/images/"+PlatformImageID, "", "")
	f.Add("GET", "/20160918/images?compartmentId="+CompartmentID+"&limit=1&page=simpage-1", "", "")
	f.Add("GET", "/20160918/workRequests/ocid1.coreservicesworkrequest.oc1.phx.simworkrequest000001", "", "")
	f.Add("PUT", "/_sim/faults", "getImage#1=500", "")
	f.Add("HEAD", "/20160918/images", "", "")
	f.Fuzz(func(t *testing.T, method, target, body, token string) {
		if !validMethod(method) || !strings.HasPrefix(target, "/") || strings.ContainsAny(target, " \r\n\t#") {
			return
		}
		s := newSim(t, Options{})
		req, err := http.NewRequest(method, "http://sim"+target, strings.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("Authorization", "x")
		if token != "" {
			req.Header.Set("opc-retry-token", token)
		}
		for i := 0; i < 2; i++ { // twice: retries and state changes
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			if rec.Code != http.StatusNoContent && method != "HEAD" && !json.Valid(rec.Body.Bytes()) {
				t.Fatalf("%s %s → %d, body is not JSON: %q", method, target, rec.Code, rec.Body.Bytes())
			}
			if !strings.HasPrefix(target, ControlPath) && rec.Header().Get("opc-request-id") == "" {
				t.Fatalf("%s %s → %d without opc-request-id", method, target, rec.Code)
			}
			req.Body = io.NopCloser(strings.NewReader(body))
		}
	})
}

func validMethod(m string) bool {
	switch m {
	case "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS":
		return true
	}
	return false
}

func TestExtraInstancesSurviveReset(t *testing.T) {
	mine := "ocid1.instance.oc1.iad.mine0001"
	s := newSim(t, Options{Instances: map[string]string{mine: StateStopped, InstanceRunning: StateStopped}})
	check := func() {
		t.Helper()
		if r := do(t, s, "GET", "/20160918/instances/"+mine, ""); r.str("lifecycleState") != StateStopped || r.str("compartmentId") != CompartmentID {
			t.Errorf("extra instance: %s", r.body)
		}
		if in, _ := s.Instance(InstanceRunning); in.LifecycleState != StateStopped {
			t.Errorf("overridden fixture = %s", in.LifecycleState)
		}
	}
	check()
	do(t, s, "POST", "/20160918/images", createFrom(mine))
	s.Reset()
	check()
	if _, err := New(Options{Instances: map[string]string{mine: "ASLEEP"}}); err == nil {
		t.Error("bad instance state accepted")
	}
}
