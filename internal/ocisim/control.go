package ocisim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
)

// State is the simulator's whole state, as GET /_sim/state returns it.
type State struct {
	Instances []Instance     `json:"instances"`
	Images    []Image        `json:"images"`
	Calls     map[string]int `json:"calls"`
	Faults    []Fault        `json:"faults"`
}

// Snapshot returns the current state without counting any read.
func (s *Server) Snapshot() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := State{Instances: []Instance{}, Images: []Image{}, Calls: map[string]int{}, Faults: append([]Fault{}, s.faults...)}
	for _, id := range s.instanceIDs {
		st.Instances = append(st.Instances, s.instances[id].Instance)
	}
	for _, id := range s.imageIDs {
		im := s.images[id]
		s.settleByTime(im)
		st.Images = append(st.Images, im.Image)
	}
	for k, v := range s.calls {
		st.Calls[k] = v
	}
	return st
}

// serveControl serves the control API:
//
//	GET    /_sim/state              whole state (instances, images, call counters, faults)
//	POST   /_sim/reset              back to the fixtures; clears counters, log and runtime faults
//	GET    /_sim/calls              call counters by operationId
//	GET    /_sim/requests           request log
//	PUT    /_sim/instances/{id}     {"lifecycleState": "..."}: set (or create) an instance's state
//	PUT    /_sim/images/{id}        {"lifecycleState": "..."}: set an image's state
//	GET    /_sim/faults             active faults
//	PUT    /_sim/faults             replace faults: a JSON array of Fault, or a text spec (see ParseFaults)
//	DELETE /_sim/faults             remove all faults
//	PUT    /_sim/provisioning       {"polls": N, "settleState": "AVAILABLE|DELETED|DISABLED"} for new images
func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, ControlPath), "/")
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil || len(body) > maxBodyBytes {
		controlError(w, http.StatusBadRequest, "InvalidParameter", "The request body could not be read or is too large.")
		return
	}
	method := r.Method
	switch {
	case path == "/state" && method == http.MethodGet:
		controlJSON(w, s.Snapshot())
	case path == "/reset" && method == http.MethodPost:
		s.Reset()
		w.WriteHeader(http.StatusNoContent)
	case path == "/calls" && method == http.MethodGet:
		controlJSON(w, s.CallCounts())
	case path == "/requests" && method == http.MethodGet:
		controlJSON(w, s.Requests())
	case strings.HasPrefix(path, "/instances/") && method == http.MethodPut:
		var in struct {
			LifecycleState string `json:"lifecycleState"`
		}
		if err := json.Unmarshal(body, &in); err != nil {
			controlError(w, http.StatusBadRequest, "CannotParseRequest", "Want {\"lifecycleState\": \"...\"}.")
			return
		}
		id := strings.TrimPrefix(path, "/instances/")
		if err := s.SetInstanceState(id, in.LifecycleState); err != nil {
			controlError(w, http.StatusBadRequest, "InvalidParameter", err.Error())
			return
		}
		got, _ := s.Instance(id)
		controlJSON(w, got)
	case strings.HasPrefix(path, "/images/") && method == http.MethodPut:
		var in struct {
			LifecycleState string `json:"lifecycleState"`
		}
		if err := json.Unmarshal(body, &in); err != nil {
			controlError(w, http.StatusBadRequest, "CannotParseRequest", "Want {\"lifecycleState\": \"...\"}.")
			return
		}
		id := strings.TrimPrefix(path, "/images/")
		if err := s.SetImageState(id, in.LifecycleState); err != nil {
			status := http.StatusBadRequest
			if _, ok := s.Image(id); !ok {
				status = http.StatusNotFound
			}
			controlError(w, status, "InvalidParameter", err.Error())
			return
		}
		got, _ := s.Image(id)
		controlJSON(w, got)
	case path == "/faults" && method == http.MethodGet:
		controlJSON(w, s.Snapshot().Faults)
	case path == "/faults" && method == http.MethodPut:
		var faults []Fault
		trimmed := bytes.TrimSpace(body)
		if len(trimmed) > 0 && trimmed[0] == '[' {
			err = json.Unmarshal(trimmed, &faults)
		} else {
			faults, err = ParseFaults(string(trimmed))
		}
		if err == nil {
			err = s.SetFaults(faults)
		}
		if err != nil {
			controlError(w, http.StatusBadRequest, "InvalidParameter", err.Error())
			return
		}
		controlJSON(w, s.Snapshot().Faults)
	case path == "/faults" && method == http.MethodDelete:
		_ = s.SetFaults(nil)
		w.WriteHeader(http.StatusNoContent)
	case path == "/provisioning" && method == http.MethodPut:
		var in struct {
			Polls       int    `json:"polls"`
			SettleState string `json:"settleState"`
		}
		if err := json.Unmarshal(body, &in); err != nil {
			controlError(w, http.StatusBadRequest, "CannotParseRequest", "Want {\"polls\": N, \"settleState\": \"...\"}.")
			return
		}
		if err := s.SetProvisioning(in.Polls, in.SettleState); err != nil {
			controlError(w, http.StatusBadRequest, "InvalidParameter", err.Error())
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		controlError(w, http.StatusNotFound, "NotFound", "No such control endpoint; see GET /_sim/state.")
	}
}

func controlJSON(w http.ResponseWriter, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		controlError(w, http.StatusInternalServerError, "InternalServerError", "cannot encode the state")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}

func controlError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("opc-request-id", "sim-control")
	w.WriteHeader(status)
	_, _ = w.Write(errorBody(code, message))
}
