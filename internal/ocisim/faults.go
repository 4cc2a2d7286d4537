package ocisim

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Fault makes the simulator misbehave on chosen calls, to test how a client copes with throttling, server
// errors and slowness.
type Fault struct {
	// Operation is an operationId of the bundled OpenAPI description (getInstance, createImage, ...), or "*"
	// (or empty) for every operation.
	Operation string `json:"operation"`
	// FromCall and ToCall select the 1-based call numbers of that operation the fault applies to, both
	// inclusive. Zero FromCall means every call; zero ToCall means FromCall only.
	FromCall int `json:"fromCall,omitempty"`
	ToCall   int `json:"toCall,omitempty"`
	// Status, when non-zero, replaces the response with an error of that status (429, 500, 503, ...).
	Status int `json:"status,omitempty"`
	// RetryAfter, when positive, is sent as the Retry-After header (seconds) with the error.
	RetryAfter int `json:"retryAfter,omitempty"`
	// Latency delays the response (error or not).
	Latency time.Duration `json:"latency,omitempty"`
}

func (f Fault) matches(op string, call int) bool {
	if f.Operation != "" && f.Operation != "*" && f.Operation != op {
		return false
	}
	if f.FromCall == 0 {
		return true
	}
	to := f.ToCall
	if to == 0 {
		to = f.FromCall
	}
	return call >= f.FromCall && call <= to
}

// validate reports a fault that cannot be applied as written.
func (f Fault) validate() error {
	switch {
	case f.Operation != "" && f.Operation != "*" && !operationIDs[f.Operation]:
		return fmt.Errorf("fault for unknown operation %q", f.Operation)
	case f.FromCall < 0 || f.ToCall < 0 || f.ToCall != 0 && f.ToCall < f.FromCall:
		return fmt.Errorf("fault call range %d-%d is invalid", f.FromCall, f.ToCall)
	case f.Status != 0 && (f.Status < 400 || f.Status > 599):
		return fmt.Errorf("fault status %d is not an error status 400-599", f.Status)
	case f.RetryAfter < 0 || f.RetryAfter > 86400:
		return fmt.Errorf("fault retry-after %d is not between 0 and 86400 seconds", f.RetryAfter)
	case f.RetryAfter > 0 && f.Status == 0:
		return fmt.Errorf("fault retry-after needs an error status")
	case f.Latency < 0 || f.Latency > time.Hour:
		return fmt.Errorf("fault latency %s is not between 0 and 1h", f.Latency)
	}
	return nil
}

// String gives the fault in the form ParseFaults reads.
func (f Fault) String() string {
	var b strings.Builder
	if f.Operation == "" {
		b.WriteString("*")
	} else {
		b.WriteString(f.Operation)
	}
	if f.FromCall > 0 {
		fmt.Fprintf(&b, "#%d", f.FromCall)
		if f.ToCall > f.FromCall {
			fmt.Fprintf(&b, "-%d", f.ToCall)
		}
	}
	b.WriteString("=")
	var effects []string
	if f.Status != 0 {
		effects = append(effects, strconv.Itoa(f.Status))
	}
	if f.RetryAfter > 0 {
		effects = append(effects, "retry-after="+strconv.Itoa(f.RetryAfter))
	}
	if f.Latency > 0 {
		effects = append(effects, "latency="+f.Latency.String())
	}
	b.WriteString(strings.Join(effects, ";"))
	return b.String()
}

// maxFaultSpec bounds the -faults flag and the control API's text form; a real spec is a few dozen bytes.
const maxFaultSpec = 64 << 10

// ParseFaults reads a fault specification: comma-separated entries of the form
// OPERATION[#CALL[-LASTCALL]]=EFFECT[;EFFECT...], where OPERATION is an operationId or *, and an EFFECT is an
// HTTP error status (400-599), retry-after=SECONDS or latency=DURATION. For example
// "createImage#1=429;retry-after=2,getImage#2-3=500,*=latency=20ms". An empty spec gives no faults.
func ParseFaults(spec string) ([]Fault, error) {
	if len(spec) > maxFaultSpec {
		return nil, fmt.Errorf("fault spec is %d bytes, more than the limit of %d", len(spec), maxFaultSpec)
	}
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return nil, nil
	}
	var faults []Fault
	for _, entry := range strings.Split(spec, ",") {
		entry = strings.TrimSpace(entry)
		f, err := parseFault(entry)
		if err != nil {
			return nil, fmt.Errorf("fault %q: %w", entry, err)
		}
		faults = append(faults, f)
	}
	return faults, nil
}

func parseFault(entry string) (Fault, error) {
	var f Fault
	target, effects, ok := strings.Cut(entry, "=")
	if !ok {
		return f, fmt.Errorf("want OPERATION[#CALL]=EFFECT")
	}
	target = strings.TrimSpace(target)
	op, calls, hasCalls := strings.Cut(target, "#")
	op = strings.TrimSpace(op)
	if op == "" {
		return f, fmt.Errorf("operation is empty (use * for every operation)")
	}
	if op != "*" && !operationIDs[op] {
		return f, fmt.Errorf("unknown operation %q", op)
	}
	f.Operation = op
	if hasCalls {
		first, last, isRange := strings.Cut(calls, "-")
		n, err := parseCallNumber(first)
		if err != nil {
			return f, err
		}
		f.FromCall = n
		if isRange {
			m, err := parseCallNumber(last)
			if err != nil {
				return f, err
			}
			if m < n {
				return f, fmt.Errorf("call range %d-%d is backwards", n, m)
			}
			f.ToCall = m
		}
	}
	if strings.TrimSpace(effects) == "" {
		return f, fmt.Errorf("no effect (want a status, retry-after=SECONDS or latency=DURATION)")
	}
	for _, effect := range strings.Split(effects, ";") {
		effect = strings.TrimSpace(effect)
		key, value, hasValue := strings.Cut(effect, "=")
		switch {
		case !hasValue:
			status, err := strconv.Atoi(effect)
			if err != nil || status < 400 || status > 599 {
				return f, fmt.Errorf("effect %q is not an error status 400-599, retry-after=SECONDS or latency=DURATION", effect)
			}
			f.Status = status
		case key == "retry-after":
			secs, err := strconv.Atoi(value)
			if err != nil || secs < 0 || secs > 86400 {
				return f, fmt.Errorf("retry-after %q is not a number of seconds between 0 and 86400", value)
			}
			f.RetryAfter = secs
		case key == "latency":
			d, err := time.ParseDuration(value)
			if err != nil || d < 0 || d > time.Hour {
				return f, fmt.Errorf("latency %q is not a duration between 0 and 1h", value)
			}
			f.Latency = d
		default:
			return f, fmt.Errorf("unknown effect %q", key)
		}
	}
	if f.RetryAfter > 0 && f.Status == 0 {
		return f, fmt.Errorf("retry-after needs an error status")
	}
	if f.Status == 0 && f.Latency == 0 {
		// "latency=0" alone does nothing, and its printed form "*=" would
		// not parse again (found by FuzzParseFaults).
		return f, fmt.Errorf("no effect: latency 0 without an error status does nothing")
	}
	return f, nil
}

func parseCallNumber(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 1 || n > 1_000_000 {
		return 0, fmt.Errorf("call number %q is not between 1 and 1000000", s)
	}
	return n, nil
}
