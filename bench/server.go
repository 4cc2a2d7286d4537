package bench

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// SeedServer answers the three OCI Compute calls the seed makes:
// GET /20160918/instances/{id} (always STOPPED), POST /20160918/images (a
// new image in PROVISIONING) and GET /20160918/images/{id} (PROVISIONING
// for Polls reads, then AVAILABLE). A request without an Authorization
// header gets 401, as ocisim's presence mode does.
//
// Unlike internal/ocisim it keeps no request log and no instance state, so
// any number of concurrent runs can share one instance and its memory stays
// flat over millions of requests.
type SeedServer struct {
	// Polls is how many reads of a new image answer PROVISIONING before it
	// is AVAILABLE; a negative value keeps it PROVISIONING for good.
	Polls int

	seq    atomic.Int64
	reads  sync.Map // image id -> *atomic.Int32, removed once AVAILABLE
	served atomic.Int64
}

// BasePath is the API version prefix of every path the server answers.
const BasePath = "/20160918"

// Served returns how many API requests the server has answered.
func (s *SeedServer) Served() int64 { return s.served.Load() }

// Bodies are written from fixed parts around the ids so that the server's
// own cost stays small next to the client's; they are as large as real OCI
// answers (about half a kilobyte) so that decoding costs what it would.
const (
	instanceHead = `{"availabilityDomain":"Uocm:PHX-AD-1","compartmentId":"ocid1.compartment.oc1..aaaaaaaabench","displayName":"bench-instance","faultDomain":"FAULT-DOMAIN-1","id":"`
	instanceTail = `","imageId":"ocid1.image.oc1.phx.aaaaaaaaplatform","lifecycleState":"STOPPED","region":"phx","shape":"VM.Standard.E4.Flex","shapeConfig":{"ocpus":1,"memoryInGBs":16},"timeCreated":"2026-11-26T10:00:00.000Z","freeformTags":{},"definedTags":{}}`
	imageHead    = `{"baseImageId":"ocid1.image.oc1.phx.aaaaaaaaplatform","compartmentId":"ocid1.compartment.oc1..aaaaaaaabench","createImageAllowed":true,"displayName":"bench-image","id":"`
	imageMiddle  = `","launchMode":"PARAVIRTUALIZED","lifecycleState":"`
	imageTail    = `","operatingSystem":"Oracle Linux","operatingSystemVersion":"9","sizeInMBs":47694,"timeCreated":"2026-11-26T10:00:00.000Z","freeformTags":{},"definedTags":{}}`
)

func (s *SeedServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path, ok := strings.CutPrefix(r.URL.Path, BasePath+"/")
	if !ok {
		fail(w, http.StatusNotFound, "NotAuthorizedOrNotFound")
		return
	}
	if r.Header.Get("Authorization") == "" {
		fail(w, http.StatusUnauthorized, "NotAuthenticated")
		return
	}
	s.served.Add(1)
	switch {
	case r.Method == http.MethodGet && strings.HasPrefix(path, "instances/"):
		writeJSON(w, instanceHead+strings.TrimPrefix(path, "instances/")+instanceTail)
	case r.Method == http.MethodPost && path == "images":
		// The body is read as a real server would, not parsed: parsing
		// is server cost the measurement is not about.
		var buf [512]byte
		for {
			if _, err := r.Body.Read(buf[:]); err != nil {
				break
			}
		}
		id := "ocid1.image.oc1.phx.bench" + strconv.FormatInt(s.seq.Add(1), 10)
		n := new(atomic.Int32)
		s.reads.Store(id, n)
		writeJSON(w, imageHead+id+imageMiddle+"PROVISIONING"+imageTail)
	case r.Method == http.MethodGet && strings.HasPrefix(path, "images/"):
		id := strings.TrimPrefix(path, "images/")
		v, ok := s.reads.Load(id)
		if !ok {
			// Settled images are forgotten to keep memory flat.
			writeJSON(w, imageHead+id+imageMiddle+"AVAILABLE"+imageTail)
			return
		}
		state := "PROVISIONING"
		if s.Polls >= 0 && int(v.(*atomic.Int32).Add(1)) > s.Polls {
			state = "AVAILABLE"
			s.reads.Delete(id)
		}
		writeJSON(w, imageHead+id+imageMiddle+state+imageTail)
	default:
		fail(w, http.StatusNotFound, "NotAuthorizedOrNotFound")
	}
}

func writeJSON(w http.ResponseWriter, body string) {
	h := w.Header()
	h["Content-Type"] = []string{"application/json"}
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(body))
}

func fail(w http.ResponseWriter, status int, code string) {
	h := w.Header()
	h["Content-Type"] = []string{"application/json"}
	w.WriteHeader(status)
	_, _ = w.Write([]byte(`{"code":"` + code + `","message":"bench server"}`))
}
