package hostile

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// TestGotoSelfProgressLinear: a workflow that gotos itself 4,000 times writes one bounded line per step
// (issue 12, defect 9: no line that carries the history so far, no quadratic stderr).
func TestGotoSelfProgressLinear(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }))
	defer srv.Close()
	dir := t.TempDir()
	copyTestdata(t, dir, []string{"api.openapi.yaml", "loop.arazzo.yaml"})
	size := map[int]int{}
	for _, n := range []int{400, 4000} {
		r := arazzo(t, invocation{args: []string{"run", dir + "/loop.arazzo.yaml", "--server", "api=" + srv.URL,
			"--max-steps", strconv.Itoa(n), "--loop-delay", "0"}})
		if r.code == 0 {
			t.Fatalf("--max-steps %d: exit 0", n)
		}
		lines := strings.Split(r.stderr, "\n")
		if len(lines) < n {
			t.Fatalf("--max-steps %d: %d lines of progress", n, len(lines))
		}
		for _, l := range lines {
			if len(l) > 300 {
				t.Fatalf("--max-steps %d: a progress line of %d bytes: %.300s…", n, len(l), l)
			}
		}
		size[n] = len(r.stderr)
	}
	if ratio := float64(size[4000]) / float64(size[400]); ratio > 13 {
		t.Errorf("stderr grew %.1fx for 10x the steps (%d -> %d bytes), want ~10x", ratio, size[400], size[4000])
	}
}
