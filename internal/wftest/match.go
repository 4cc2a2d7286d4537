package wftest

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"sort"
	"strings"

	"github.com/arazzo-go/arazzo/internal/report"
)

// Mismatch is one expectation that did not hold. Expected and Actual are
// display forms with secrets already redacted.
type Mismatch struct {
	Check    string `json:"check"` // status, failedAt, outputs, calls, requests, error, run, contract
	Path     string `json:"path,omitempty"`
	Expected string `json:"expected,omitempty"`
	Actual   string `json:"actual,omitempty"`
	Message  string `json:"message"`
}

const absent = "(absent)"

func match(c *Case, x *Execution, s *secrets) []Mismatch {
	var ms []Mismatch
	add := func(m Mismatch) {
		m.Message = s.scrub(m.Message)
		m.Expected = s.scrub(m.Expected)
		m.Actual = s.scrub(m.Actual)
		ms = append(ms, m)
	}
	e := c.Expect
	if x.Err != nil {
		msg := x.Err.Error()
		switch {
		case e.Error == "":
			// Nothing ran, so the other checks would only repeat this.
			add(Mismatch{Check: "run", Message: "the workflow was rejected before it ran: " + msg, Actual: msg})
			return ms
		case !strings.Contains(msg, e.Error):
			add(Mismatch{Check: "error", Expected: e.Error, Actual: msg,
				Message: fmt.Sprintf("error: expected a rejection containing %q, got: %s", e.Error, msg)})
		}
		if e.HasCalls {
			matchCalls(e.Calls, x, add)
		}
		return ms
	}
	if e.Error != "" {
		status := "no result"
		if x.Result != nil {
			status = string(x.Result.Status)
		}
		add(Mismatch{Check: "error", Expected: e.Error, Actual: "(no error)",
			Message: fmt.Sprintf("error: expected a rejection containing %q, but the workflow ran (%s)", e.Error, status)})
		return ms
	}
	r := x.Result
	if r == nil {
		add(Mismatch{Check: "run", Message: "the engine returned neither a result nor an error"})
		return ms
	}
	if e.Status != "" && string(r.Status) != e.Status {
		m := Mismatch{Check: "status", Expected: e.Status, Actual: string(r.Status),
			Message: fmt.Sprintf("status: expected %s, got %s", e.Status, r.Status)}
		if r.Error != "" {
			m.Message += " (" + r.Error + ")"
		}
		add(m)
	}
	if e.FailedAt != "" && r.FailedAt != e.FailedAt {
		add(Mismatch{Check: "failedAt", Expected: e.FailedAt, Actual: orAbsent(r.FailedAt),
			Message: fmt.Sprintf("failedAt: expected %s, got %s", e.FailedAt, orAbsent(r.FailedAt))})
	}
	if e.Outputs != nil {
		got, err := jsonShape(r.Outputs)
		if err != nil {
			add(Mismatch{Check: "outputs", Message: "outputs: cannot compare: " + err.Error()})
		} else {
			if got == nil {
				got = map[string]any{}
			}
			for _, d := range diffValues("outputs", e.Outputs, got, true, s) {
				d.Check = "outputs"
				add(d)
			}
		}
	}
	if e.HasCalls {
		matchCalls(e.Calls, x, add)
	}
	for i, rc := range e.Requests {
		matchRequest(i, rc, x.Requests, s, add)
	}
	if e.Contract == "clean" {
		for _, a := range r.Steps {
			for _, v := range a.Contract {
				add(Mismatch{Check: "contract", Path: a.StepID, Expected: "clean", Actual: v.String(),
					Message: fmt.Sprintf("contract: step %s attempt %d (%s): %s", a.StepID, a.Attempt, a.Operation, v)})
			}
		}
	}
	return ms
}

func orAbsent(s string) string {
	if s == "" {
		return absent
	}
	return s
}

func callName(r *Request) string { return r.Operation }

func callMatches(want string, r *Request) bool {
	return want == r.Operation || (r.Source != "" && want == r.Source+"."+r.Operation)
}

func matchCalls(want []string, x *Execution, add func(Mismatch)) {
	got := make([]string, len(x.Requests))
	for i, r := range x.Requests {
		got[i] = callName(r)
	}
	diff := -1
	for i := 0; i < max(len(want), len(got)); i++ {
		if i >= len(want) || i >= len(got) || !callMatches(want[i], x.Requests[i]) {
			diff = i
			break
		}
	}
	if diff < 0 {
		return
	}
	at := func(list []string, i int) string {
		if i < len(list) {
			return list[i]
		}
		return "nothing"
	}
	add(Mismatch{
		Check:    "calls",
		Expected: "[" + strings.Join(want, ", ") + "]",
		Actual:   "[" + strings.Join(got, ", ") + "]",
		Message: fmt.Sprintf("calls: first difference at call %d: expected %s, got %s\n  expected: [%s]\n  actual:   [%s]",
			diff+1, at(want, diff), at(got, diff), strings.Join(want, ", "), strings.Join(got, ", ")),
	})
}

func matchRequest(i int, rc *RequestCheck, reqs []*Request, s *secrets, add func(Mismatch)) {
	var calls []*Request
	for _, r := range reqs {
		if callMatches(rc.Operation, r) {
			calls = append(calls, r)
		}
	}
	where := fmt.Sprintf("requests[%d] %s", i, rc.Operation)
	first := 1
	switch {
	case len(calls) == 0:
		add(Mismatch{Check: "requests", Path: where, Message: fmt.Sprintf("%s: the operation was never called", where)})
		return
	case rc.Call > len(calls):
		add(Mismatch{Check: "requests", Path: where,
			Message: fmt.Sprintf("%s: expected call %d, but it was called %d time(s)", where, rc.Call, len(calls))})
		return
	case rc.Call > 0:
		calls, first = calls[rc.Call-1:rc.Call], rc.Call
	}
	for j, r := range calls {
		label := fmt.Sprintf("%s call %d", where, first+j)
		if rc.URL != "" {
			if got := sentURL(rc.URL, r.URL); got != rc.URL {
				add(Mismatch{Check: "requests", Path: label + " url", Expected: s.scrub(rc.URL), Actual: s.scrub(got),
					Message: fmt.Sprintf("%s: url: expected %s, got %s", label, s.scrub(rc.URL), s.scrub(got))})
			}
		}
		if rc.HasBody {
			for _, d := range diffValues("body", rc.Body, decodeBody(r.Body), false, s) {
				d.Check, d.Path = "requests", label+" "+d.Path
				d.Message = label + ": " + d.Message
				add(d)
			}
		}
		names := make([]string, 0, len(rc.Headers))
		for n := range rc.Headers {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, name := range names {
			want := rc.Headers[name]
			got, sent := headerValue(r, name)
			show := func(v string) string {
				if report.IsSensitiveName(name) || s.isSecretValue(v) {
					return redacted
				}
				return fmt.Sprintf("%q", v)
			}
			m := Mismatch{Check: "requests", Path: label + " header " + name}
			switch {
			case want == nil && sent:
				m.Expected, m.Actual = absent, show(got)
				m.Message = fmt.Sprintf("%s: header %s must not be sent, but was sent as %s", label, name, show(got))
			case want != nil && !sent:
				m.Expected, m.Actual = show(*want), absent
				m.Message = fmt.Sprintf("%s: header %s: expected %s, but it was not sent", label, name, show(*want))
			case want != nil && got != *want:
				m.Expected, m.Actual = show(*want), show(got)
				m.Message = fmt.Sprintf("%s: header %s: expected %s, got %s", label, name, show(*want), show(got))
				if m.Expected == m.Actual {
					m.Message += " (the hidden values differ)"
				}
			default:
				continue
			}
			add(m)
		}
	}
}

// sentURL is the URL sent, cut to path and query when want starts with "/".
func sentURL(want, sent string) string {
	if !strings.HasPrefix(want, "/") {
		return sent
	}
	u, err := url.Parse(sent)
	if err != nil {
		return sent
	}
	return u.RequestURI()
}

func headerValue(r *Request, name string) (string, bool) {
	for k, vs := range r.Header {
		if strings.EqualFold(k, name) && len(vs) > 0 {
			return strings.Join(vs, ", "), true
		}
	}
	return "", false
}

// decodeBody reads a sent body as JSON when it is JSON, else as text; an
// empty body is null.
func decodeBody(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	var v any
	if err := json.Unmarshal(b, &v); err == nil {
		return v
	}
	return string(b)
}

// diffValues compares want with got. subset: maps in got may hold more keys,
// and a null in want also accepts an absent key (outputs); otherwise the
// comparison is exact (request bodies).
func diffValues(path string, want, got any, subset bool, s *secrets) []Mismatch {
	var out []Mismatch
	var walk func(path, key string, want, got any, present bool)
	walk = func(path, key string, want, got any, present bool) {
		mismatch := func(what string) {
			m := Mismatch{Path: path, Expected: display(s, key, want, true), Actual: display(s, key, got, present),
				Message: fmt.Sprintf("%s: %s", path, what)}
			if m.Expected == m.Actual {
				m.Message += " (the hidden values differ)"
			}
			out = append(out, m)
		}
		if !present {
			if want == nil && subset {
				return
			}
			mismatch(fmt.Sprintf("expected %s, but it is absent", display(s, key, want, true)))
			return
		}
		switch w := want.(type) {
		case map[string]any:
			g, ok := got.(map[string]any)
			if !ok {
				mismatch(fmt.Sprintf("expected an object %s, got %s", display(s, key, want, true), display(s, key, got, true)))
				return
			}
			for _, k := range sortedKeys(w) {
				gv, ok := g[k]
				walk(path+"."+k, k, w[k], gv, ok)
			}
			if !subset {
				for _, k := range sortedKeys(g) {
					if _, ok := w[k]; !ok {
						out = append(out, Mismatch{Path: path + "." + k, Expected: absent, Actual: display(s, k, g[k], true),
							Message: fmt.Sprintf("%s.%s: not expected, got %s", path, k, display(s, k, g[k], true))})
					}
				}
			}
		case []any:
			g, ok := got.([]any)
			if !ok || len(g) != len(w) {
				mismatch(fmt.Sprintf("expected %s, got %s", display(s, key, want, true), display(s, key, got, true)))
				return
			}
			for i := range w {
				walk(fmt.Sprintf("%s[%d]", path, i), key, w[i], g[i], true)
			}
		default:
			if !scalarEqual(want, got) {
				mismatch(fmt.Sprintf("expected %s, got %s", display(s, key, want, true), display(s, key, got, true)))
			}
		}
	}
	walk(path, "", want, got, true)
	return out
}

func scalarEqual(a, b any) bool {
	if af, ok := a.(float64); ok {
		bf, ok := b.(float64)
		return ok && (af == bf || (math.IsNaN(af) && math.IsNaN(bf)))
	}
	switch b.(type) {
	case map[string]any, []any:
		return false
	}
	return a == b
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// display renders a value compactly as JSON, secrets hidden.
func display(s *secrets, key string, v any, present bool) string {
	if !present {
		return absent
	}
	v = s.value(key, v)
	if str, ok := v.(string); ok && str == redacted {
		return redacted
	}
	b, err := marshalCompact(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	return b
}

func marshalCompact(v any) (string, error) {
	var sb strings.Builder
	enc := json.NewEncoder(&sb)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(sb.String(), "\n"), nil
}
