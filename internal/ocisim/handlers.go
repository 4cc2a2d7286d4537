package ocisim

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

func newErr(status int, code, message string) *apiError {
	return &apiError{status: status, code: code, message: message}
}

func (s *Server) handle(op, id string, r *http.Request, body []byte) *response {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch op {
	case "getInstance":
		return s.getInstance(id)
	case "instanceAction":
		return s.idempotent(r, body, func() *response { return s.instanceAction(id, r) })
	case "listInstances":
		return s.listInstances(r.URL.Query())
	case "createImage":
		return s.createImage(r, body)
	case "getImage":
		return s.getImage(id)
	case "updateImage":
		return s.idempotent(r, body, func() *response { return s.updateImage(id, r, body) })
	case "deleteImage":
		return s.deleteImage(id, r)
	case "listImages":
		return s.listImages(r.URL.Query())
	case "getWorkRequest":
		return s.getWorkRequest(id)
	}
	return errResponse(newErr(http.StatusNotFound, "NotFound", "The requested operation was not found."))
}

func (s *Server) instanceResponse(in *instanceRecord) *response {
	h := http.Header{}
	h.Set("etag", etagOf(in.ID, in.version))
	return jsonResponse(http.StatusOK, in.Instance, h)
}

func (s *Server) imageResponse(im *imageRecord, extra http.Header) *response {
	h := http.Header{}
	for k, v := range extra {
		h[k] = v
	}
	h.Set("etag", etagOf(im.ID, im.version))
	return jsonResponse(http.StatusOK, im.Image, h)
}

func (s *Server) getInstance(id string) *response {
	in, ok := s.instances[id]
	if !ok {
		return errResponse(errNotFound())
	}
	return s.instanceResponse(in)
}

// checkIfMatch compares an if-match header with the current etag; an absent header always matches.
func checkIfMatch(r *http.Request, etag string) *apiError {
	want := r.Header.Get("if-match")
	if want == "" || want == "*" || strings.Trim(want, `"`) == etag {
		return nil
	}
	return newErr(http.StatusPreconditionFailed, "NoEtagMatch", "The resource's etag does not match the if-match header.")
}

var powerActions = map[string]bool{
	"STOP": true, "START": true, "SOFTRESET": true, "RESET": true, "SOFTSTOP": true,
	"SENDDIAGNOSTICINTERRUPT": true, "DIAGNOSTICREBOOT": true, "REBOOTMIGRATE": true,
}

// instanceAction applies a power action. Transitions are immediate (STOP gives STOPPED, not STOPPING) so a
// test sees the end state on its next read; stopping a stopped instance or starting a running one is a no-op,
// as on the real service.
func (s *Server) instanceAction(id string, r *http.Request) *response {
	action := r.URL.Query().Get("action")
	if action == "" {
		// The /instances/{id}/actions/{action} form.
		if segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/"); len(segs) == 5 {
			action = strings.ToUpper(segs[4])
		}
	}
	in, ok := s.instances[id]
	if !ok {
		return errResponse(errNotFound())
	}
	if action == "" {
		return errResponse(newErr(http.StatusBadRequest, "MissingParameter", "action is required."))
	}
	if !powerActions[action] {
		return errResponse(newErr(http.StatusBadRequest, "InvalidParameter", fmt.Sprintf("action %q is not a valid instance action.", action)))
	}
	if e := checkIfMatch(r, etagOf(in.ID, in.version)); e != nil {
		return errResponse(e)
	}
	state := in.LifecycleState
	if state == StateTerminated || state == StateTerminating {
		return errResponse(newErr(http.StatusConflict, "Conflict", "The instance is terminated."))
	}
	next := ""
	switch action {
	case "STOP", "SOFTSTOP":
		if state == StateRunning || state == StateStopped {
			next = StateStopped
		}
	case "START":
		if state == StateRunning || state == StateStopped {
			next = StateRunning
		}
	default: // resets and diagnostics need a running instance
		if state == StateRunning {
			next = StateRunning
		}
	}
	if next == "" {
		return errResponse(newErr(http.StatusConflict, "IncorrectState",
			fmt.Sprintf("The instance is %s; action %s cannot run now.", state, action)))
	}
	if next != state || action != "STOP" && action != "START" && action != "SOFTSTOP" {
		in.LifecycleState = next
		in.version++
	}
	return s.instanceResponse(in)
}

// page applies limit and page (an opaque offset token) to n items.
func page(q url.Values, n int) (from, to int, next string, e *apiError) {
	limit := n
	if v := q.Get("limit"); v != "" {
		l, err := strconv.Atoi(v)
		if err != nil || l < 1 || l > 1000 {
			return 0, 0, "", newErr(http.StatusBadRequest, "InvalidParameter", "limit must be between 1 and 1000.")
		}
		limit = l
	}
	if v := q.Get("page"); v != "" {
		off, err := strconv.Atoi(strings.TrimPrefix(v, "simpage-"))
		if !strings.HasPrefix(v, "simpage-") || err != nil || off < 0 || off > n {
			return 0, 0, "", newErr(http.StatusBadRequest, "InvalidParameter", "page is not a valid page token.")
		}
		from = off
	}
	to = min(from+limit, n)
	if to < n {
		next = "simpage-" + strconv.Itoa(to)
	}
	return from, to, next, nil
}

func checkSort(q url.Values) *apiError {
	switch q.Get("sortBy") {
	case "", "TIMECREATED", "DISPLAYNAME":
	default:
		return newErr(http.StatusBadRequest, "InvalidParameter", "sortBy must be TIMECREATED or DISPLAYNAME.")
	}
	switch q.Get("sortOrder") {
	case "", "ASC", "DESC":
	default:
		return newErr(http.StatusBadRequest, "InvalidParameter", "sortOrder must be ASC or DESC.")
	}
	return nil
}

func sortItems[T any](items []T, q url.Values, name, created func(T) string) {
	key := created
	if q.Get("sortBy") == "DISPLAYNAME" {
		key = name
	}
	desc := q.Get("sortOrder") == "DESC" || q.Get("sortOrder") == "" && q.Get("sortBy") != "DISPLAYNAME"
	sort.SliceStable(items, func(i, j int) bool {
		if desc {
			return key(items[i]) > key(items[j])
		}
		return key(items[i]) < key(items[j])
	})
}

// listCompartment reads the compartmentId every list operation requires,
// and checks the sort parameters.
func listCompartment(q url.Values) (string, *apiError) {
	compartment := q.Get("compartmentId")
	if compartment == "" {
		return "", newErr(http.StatusBadRequest, "MissingParameter", "compartmentId is required.")
	}
	return compartment, checkSort(q)
}

// listResponse sorts, pages and answers a list operation's items.
func listResponse[T any](q url.Values, items []T, name, created func(T) string) *response {
	sortItems(items, q, name, created)
	from, to, next, e := page(q, len(items))
	if e != nil {
		return errResponse(e)
	}
	h := http.Header{}
	if next != "" {
		h.Set("opc-next-page", next)
	}
	return jsonResponse(http.StatusOK, items[from:to], h)
}

func (s *Server) listInstances(q url.Values) *response {
	compartment, e := listCompartment(q)
	if e != nil {
		return errResponse(e)
	}
	items := []Instance{}
	for _, id := range s.instanceIDs {
		in := s.instances[id].Instance
		if in.CompartmentID != compartment ||
			q.Get("displayName") != "" && in.DisplayName != q.Get("displayName") ||
			q.Get("lifecycleState") != "" && in.LifecycleState != q.Get("lifecycleState") ||
			q.Get("availabilityDomain") != "" && in.AvailabilityDomain != q.Get("availabilityDomain") {
			continue
		}
		items = append(items, in)
	}
	return listResponse(q, items, func(i Instance) string { return i.DisplayName }, func(i Instance) string { return i.TimeCreated })
}

func (s *Server) listImages(q url.Values) *response {
	compartment, e := listCompartment(q)
	if e != nil {
		return errResponse(e)
	}
	items := []Image{}
	for _, id := range s.imageIDs {
		im := s.images[id]
		s.settleByTime(im)
		if im.CompartmentID != compartment ||
			q.Get("displayName") != "" && im.DisplayName != q.Get("displayName") ||
			q.Get("lifecycleState") != "" && im.LifecycleState != q.Get("lifecycleState") ||
			q.Get("operatingSystem") != "" && im.OperatingSystem != q.Get("operatingSystem") ||
			q.Get("operatingSystemVersion") != "" && im.OperatingSystemVersion != q.Get("operatingSystemVersion") {
			continue
		}
		items = append(items, im.Image)
	}
	return listResponse(q, items, func(i Image) string { return i.DisplayName }, func(i Image) string { return i.TimeCreated })
}

// decodeStrict decodes one JSON object and rejects trailing data, as OCI's parser does.
func decodeStrict(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("trailing data after the JSON object")
	}
	return nil
}

// RetryTokenTTL is how long the simulator remembers an opc-retry-token, as OCI does: a retry within it gets
// the first result, a token reused after it starts a new request.
const RetryTokenTTL = 24 * time.Hour

// maxRetryToken is OCI's limit on opc-retry-token (1–64 characters).
const maxRetryToken = 64

var errTokenTooLong = newErr(http.StatusBadRequest, "InvalidParameter", "opc-retry-token must be at most 64 characters.")

// requestHash identifies a request for retry-token matching: method, path, query and body, the body
// canonicalised so that retries differing only in whitespace or key order count as the same request.
func requestHash(r *http.Request, body []byte) [32]byte {
	h := sha256.New()
	h.Write([]byte(r.Method + " " + r.URL.Path + "?" + r.URL.Query().Encode() + "\n"))
	h.Write(canonicalJSON(body))
	var sum [32]byte
	h.Sum(sum[:0])
	return sum
}

// retryRecordFor returns the live record of a token, dropping an expired one; conflict is set when the token
// was first used with a different request (409 InvalidatedRetryToken, which OCI does not retry).
func (s *Server) retryRecordFor(token string, hash [32]byte) (rec retryRecord, ok bool, conflict *apiError) {
	rec, ok = s.retryTokens[token]
	if !ok {
		return retryRecord{}, false, nil
	}
	if s.clock().Sub(rec.at) >= RetryTokenTTL {
		delete(s.retryTokens, token)
		return retryRecord{}, false, nil
	}
	if rec.requestHash != hash {
		return retryRecord{}, false, newErr(http.StatusConflict, "InvalidatedRetryToken",
			"The opc-retry-token was already used with a different request.")
	}
	return rec, true, nil
}

// idempotent serves an operation that takes opc-retry-token (instance actions, image updates): a retry of a
// successful request within RetryTokenTTL gets the first response again without acting twice. Failed
// requests leave no record, so a retry after a 409 or 429 acts.
func (s *Server) idempotent(r *http.Request, body []byte, serve func() *response) *response {
	token := r.Header.Get("opc-retry-token")
	if token == "" {
		return serve()
	}
	if len(token) > maxRetryToken {
		return errResponse(errTokenTooLong)
	}
	hash := requestHash(r, body)
	rec, ok, conflict := s.retryRecordFor(token, hash)
	if conflict != nil {
		return errResponse(conflict)
	}
	if ok && rec.resp != nil {
		return rec.resp.clone()
	}
	resp := serve()
	if resp.err == nil {
		s.retryTokens[token] = retryRecord{requestHash: hash, at: s.clock(), resp: resp.clone()}
	}
	return resp
}

func (r *response) clone() *response {
	c := *r
	c.header = r.header.Clone()
	c.body = bytes.Clone(r.body)
	return &c
}

func (s *Server) createImage(r *http.Request, body []byte) *response {
	token := r.Header.Get("opc-retry-token")
	if len(token) > maxRetryToken {
		return errResponse(errTokenTooLong)
	}
	var d createImageDetails
	if len(bytes.TrimSpace(body)) == 0 {
		return errResponse(newErr(http.StatusBadRequest, "MissingParameter", "The request body is required."))
	}
	if err := decodeStrict(body, &d); err != nil {
		return errResponse(newErr(http.StatusBadRequest, "CannotParseRequest", "The request body is not valid CreateImageDetails JSON."))
	}
	if d.CompartmentID == nil || *d.CompartmentID == "" {
		return errResponse(newErr(http.StatusBadRequest, "MissingParameter", "compartmentId is required."))
	}
	hasInstance := d.InstanceID != nil && *d.InstanceID != ""
	if hasInstance == (d.ImageSourceDetails != nil) {
		return errResponse(newErr(http.StatusBadRequest, "InvalidParameter", "Exactly one of instanceId and imageSourceDetails is required."))
	}
	if d.LaunchMode != nil {
		switch *d.LaunchMode {
		case "NATIVE", "EMULATED", "PARAVIRTUALIZED", "CUSTOM", "ACCELERATEDPV":
		default:
			return errResponse(newErr(http.StatusBadRequest, "InvalidParameter", "launchMode is not a valid launch mode."))
		}
	}

	hash := requestHash(r, body)
	if token != "" {
		prev, ok, conflict := s.retryRecordFor(token, hash)
		if conflict != nil {
			return errResponse(conflict)
		}
		if ok {
			if im, ok := s.images[prev.imageID]; ok {
				s.settleByTime(im)
				return s.imageResponse(im, http.Header{"Opc-Work-Request-Id": {im.workRequestID}})
			}
		}
	}

	s.imageSeq++
	im := &imageRecord{
		Image: Image{
			ID:                 fmt.Sprintf("ocid1.image.oc1.phx.simimage%06d", s.imageSeq),
			CompartmentID:      *d.CompartmentID,
			CreateImageAllowed: true,
			LaunchMode:         "PARAVIRTUALIZED",
			LifecycleState:     ImageProvisioning,
			SizeInMBs:          47694,
			BillableSizeInGBs:  2,
			DefinedTags:        orEmptyDefined(d.DefinedTags),
			FreeformTags:       orEmptyFree(d.FreeformTags),
			TimeCreated:        formatTime(s.clock().UTC()),
		},
		version:         1,
		pollsUntilReady: s.polls,
		settleState:     s.settleState,
		created:         s.clock().UnixNano(),
		timeCreated:     s.clock().UTC(),
		operationType:   "CreateImage",
		workRequestID:   fmt.Sprintf("ocid1.coreservicesworkrequest.oc1.phx.simworkrequest%06d", s.imageSeq),
	}
	if im.pollsUntilReady == 0 {
		im.pollsUntilReady = DefaultProvisioningPolls
	}
	if hasInstance {
		in, ok := s.instances[*d.InstanceID]
		if !ok {
			s.imageSeq--
			return errResponse(newErr(http.StatusBadRequest, "RelatedResourceNotAuthorizedOrNotFound",
				fmt.Sprintf("The instance %s was not found or you are not authorized to use it.", *d.InstanceID)))
		}
		switch in.LifecycleState {
		case StateStopped, StateRunning:
		case StateTerminated, StateTerminating:
			s.imageSeq--
			return errResponse(newErr(http.StatusConflict, "Conflict", "Cannot create an image of a terminated instance."))
		case StateCreatingImage:
			s.imageSeq--
			return errResponse(newErr(http.StatusConflict, "IncorrectState", "An image of this instance is already being created."))
		default:
			s.imageSeq--
			return errResponse(newErr(http.StatusConflict, "IncorrectState",
				fmt.Sprintf("The instance is %s; an image can be created only from a running or stopped instance.", in.LifecycleState)))
		}
		im.BaseImageID = in.ImageID
		im.LaunchMode = in.LaunchMode
		im.OperatingSystem = in.operatingSystem
		im.OperatingSystemVersion = in.osVersion
		im.DisplayName = in.DisplayName + "-image"
		im.sourceInstanceID = in.ID
		in.stateBeforeImage = in.LifecycleState
		in.LifecycleState = StateCreatingImage
		in.version++
	} else {
		if t := d.ImageSourceDetails.SourceType; t != "objectStorageTuple" && t != "objectStorageUri" {
			s.imageSeq--
			return errResponse(newErr(http.StatusBadRequest, "InvalidParameter",
				"imageSourceDetails.sourceType must be objectStorageTuple or objectStorageUri."))
		}
		im.LifecycleState = ImageImporting
		im.operationType = "ImportImage"
		im.OperatingSystem = orDefault(d.ImageSourceDetails.OperatingSystem, "Custom")
		im.OperatingSystemVersion = orDefault(d.ImageSourceDetails.OperatingSystemVersion, "Custom")
		im.DisplayName = "imported-image"
	}
	if d.DisplayName != nil && *d.DisplayName != "" {
		im.DisplayName = *d.DisplayName
	}
	if d.LaunchMode != nil {
		im.LaunchMode = *d.LaunchMode
	}
	s.images[im.ID] = im
	s.imageIDs = append(s.imageIDs, im.ID)
	s.workImage[im.workRequestID] = im.ID
	if token != "" {
		s.retryTokens[token] = retryRecord{requestHash: hash, at: s.clock(), imageID: im.ID}
	}
	return s.imageResponse(im, http.Header{"Opc-Work-Request-Id": {im.workRequestID}})
}

// canonicalJSON re-encodes a JSON document so that retries differing only in whitespace or key order count as
// the same request.
func canonicalJSON(body []byte) []byte {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return body
	}
	b, err := json.Marshal(v)
	if err != nil {
		return body
	}
	return b
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func orEmptyDefined(m map[string]map[string]any) map[string]map[string]any {
	if m == nil {
		return map[string]map[string]any{}
	}
	return m
}

func orEmptyFree(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func provisioning(state string) bool { return state == ImageProvisioning || state == ImageImporting }

// settle moves a provisioning image to its final state and gives its source instance back its state.
func (s *Server) settle(im *imageRecord) {
	im.LifecycleState = im.settleState
	im.timeSettled = s.clock().UTC()
	im.version++
	s.releaseSource(im)
}

func (s *Server) releaseSource(im *imageRecord) {
	if im.sourceInstanceID == "" {
		return
	}
	if in, ok := s.instances[im.sourceInstanceID]; ok && in.LifecycleState == StateCreatingImage {
		in.LifecycleState = in.stateBeforeImage
		if in.LifecycleState == "" {
			in.LifecycleState = StateStopped
		}
		in.stateBeforeImage = ""
		in.version++
	}
	im.sourceInstanceID = ""
}

// settleByTime applies the time-based provisioning mode; reads do not count in that mode.
func (s *Server) settleByTime(im *imageRecord) {
	if s.opts.ProvisioningTime <= 0 || !provisioning(im.LifecycleState) || im.pollsUntilReady == Forever {
		return
	}
	if s.clock().Sub(time.Unix(0, im.created)) >= s.opts.ProvisioningTime {
		s.settle(im)
	}
}

func (s *Server) getImage(id string) *response {
	im, ok := s.images[id]
	if !ok {
		return errResponse(errNotFound())
	}
	if s.opts.ProvisioningTime > 0 {
		s.settleByTime(im)
	} else if provisioning(im.LifecycleState) && im.pollsUntilReady != Forever {
		im.polls++
		limit := im.pollsUntilReady
		if limit == ZeroPolls {
			limit = 0
		}
		if im.polls > limit {
			s.settle(im)
		}
	}
	return s.imageResponse(im, nil)
}

func (s *Server) updateImage(id string, r *http.Request, body []byte) *response {
	im, ok := s.images[id]
	if !ok {
		return errResponse(errNotFound())
	}
	if e := checkIfMatch(r, etagOf(im.ID, im.version)); e != nil {
		return errResponse(e)
	}
	var d updateImageDetails
	if len(bytes.TrimSpace(body)) == 0 {
		return errResponse(newErr(http.StatusBadRequest, "MissingParameter", "The request body is required."))
	}
	if err := decodeStrict(body, &d); err != nil {
		return errResponse(newErr(http.StatusBadRequest, "CannotParseRequest", "The request body is not valid UpdateImageDetails JSON."))
	}
	if im.LifecycleState == ImageDeleted {
		return errResponse(newErr(http.StatusConflict, "Conflict", "The image is deleted."))
	}
	if d.DisplayName != nil {
		im.DisplayName = *d.DisplayName
	}
	if d.OperatingSystem != nil {
		im.OperatingSystem = *d.OperatingSystem
	}
	if d.OperatingSystemVersion != nil {
		im.OperatingSystemVersion = *d.OperatingSystemVersion
	}
	if d.DefinedTags != nil {
		im.DefinedTags = d.DefinedTags
	}
	if d.FreeformTags != nil {
		im.FreeformTags = d.FreeformTags
	}
	im.version++
	return s.imageResponse(im, nil)
}

// deleteImage marks the image DELETED; it stays readable, as deleted OCI resources do for a while, and a
// second delete succeeds again.
func (s *Server) deleteImage(id string, r *http.Request) *response {
	im, ok := s.images[id]
	if !ok {
		return errResponse(errNotFound())
	}
	if e := checkIfMatch(r, etagOf(im.ID, im.version)); e != nil {
		return errResponse(e)
	}
	if im.LifecycleState != ImageDeleted {
		im.LifecycleState = ImageDeleted
		im.timeSettled = s.clock().UTC()
		im.version++
		s.releaseSource(im)
	}
	return &response{status: http.StatusNoContent, header: http.Header{}}
}

// getWorkRequest reports the work request of an image capture or import. Reading it does not count as a poll
// of the image: a client may watch either.
func (s *Server) getWorkRequest(id string) *response {
	imageID, ok := s.workImage[id]
	im := s.images[imageID]
	if !ok || im == nil {
		return errResponse(errNotFound())
	}
	s.settleByTime(im)
	finished := im.timeSettled
	if finished.IsZero() {
		finished = s.clock().UTC()
	}
	wr := WorkRequest{
		ID:            id,
		OperationType: im.operationType,
		CompartmentID: im.CompartmentID,
		Resources: []WorkRequestResource{{
			EntityType: "image", ActionType: "IN_PROGRESS", Identifier: im.ID,
			EntityURI: BasePath + "/images/" + im.ID,
		}},
		TimeAccepted: formatTime(im.timeCreated),
		TimeStarted:  formatTime(im.timeCreated),
	}
	switch im.LifecycleState {
	case ImageProvisioning, ImageImporting:
		wr.Status = "IN_PROGRESS"
		if n := im.pollsUntilReady; n > 0 {
			wr.PercentComplete = float64(100*min(im.polls, n)) / float64(n+1)
		}
	case ImageAvailable, ImageExporting:
		wr.Status, wr.PercentComplete = "SUCCEEDED", 100
		wr.Resources[0].ActionType = "CREATED"
		wr.TimeFinished = formatTime(finished)
	default:
		wr.Status, wr.PercentComplete = "FAILED", 100
		wr.TimeFinished = formatTime(finished)
	}
	return jsonResponse(http.StatusOK, wr, nil)
}

func formatTime(t time.Time) string { return t.Format("2006-01-02T15:04:05.000Z") }
