package temporal

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	seedPath     = "../workflows/oracle/oracle-create-custom-image-from-instance-workflow.yml"
	seedName     = "oracle-create-custom-image-from-instance-workflow.yml"
	seedWorkflow = "create-custom-image-from-instance"
	stopped      = "ocid1.instance.oc1.phx.simstopped0001"
	running      = "ocid1.instance.oc1.phx.simrunning0001"
	compartment  = "ocid1.compartment.oc1..aaaaaaaasimcompartment"
)

var (
	binOnce sync.Once
	binDir  string
	binErr  error
)

// buildBinaries builds ocisim (of the root module: a nested module cannot
// import its internal/ocisim) and arazzo-temporal once per test binary.
func buildBinaries(t testing.TB) string {
	t.Helper()
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "arazzo-temporal-bin")
		if binErr != nil {
			return
		}
		for _, b := range []struct{ dir, pkg, out string }{
			{"..", "./cmd/ocisim", "ocisim"},
			{".", "./cmd/arazzo-temporal", "arazzo-temporal"},
		} {
			cmd := exec.Command("go", "build", "-o", filepath.Join(binDir, b.out), b.pkg)
			cmd.Dir = b.dir
			if out, err := cmd.CombinedOutput(); err != nil {
				binErr = fmt.Errorf("go build %s: %v\n%s", b.pkg, err, out)
				return
			}
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binDir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// ocisim is a running simulator subprocess.
type ocisim struct{ base, root string }

// startOcisim runs the ocisim binary with args; it prints its base URL on
// its first stdout line.
func startOcisim(t testing.TB, args ...string) *ocisim {
	t.Helper()
	bin := filepath.Join(buildBinaries(t), "ocisim")
	cmd := exec.Command(bin, append([]string{"-quiet"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("ocisim printed no URL: %v", err)
	}
	base := line[:len(line)-1]
	return &ocisim{base: base, root: base[:len(base)-len("/20160918")]}
}

func (s *ocisim) get(t testing.TB, path string, v any) {
	t.Helper()
	resp, err := http.Get(s.root + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v: %s", path, err, b)
	}
}

// addInstance adds a STOPPED instance (ocisim refuses a second image
// capture from one instance while the first is in progress).
func (s *ocisim) addInstance(t testing.TB, id string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, s.root+"/_sim/instances/"+id, strings.NewReader(`{"lifecycleState":"STOPPED"}`))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("PUT /_sim/instances/%s: %s", id, resp.Status)
	}
}

func (s *ocisim) calls(t testing.TB) map[string]int {
	var m map[string]int
	s.get(t, "/_sim/calls", &m)
	return m
}

// images returns the images ocisim holds that runs created, by display name.
func (s *ocisim) images(t testing.TB) map[string]int {
	var st struct {
		Images []struct {
			ID          string `json:"id"`
			DisplayName string `json:"displayName"`
		} `json:"images"`
	}
	s.get(t, "/_sim/state", &st)
	out := map[string]int{}
	for _, im := range st.Images {
		if im.ID != "ocid1.image.oc1.phx.simplatformimage01" {
			out[im.DisplayName]++
		}
	}
	return out
}

func seedInputs(instance, name string) map[string]any {
	return map[string]any{"compartmentId": compartment, "instanceId": instance, "displayName": name, "authToken": "example-token"}
}

// newTestWorker serves the seed and the test documents against sim.
func newTestWorker(t testing.TB, sim *ocisim) *Worker {
	t.Helper()
	w := NewWorker(Options{Servers: map[string]string{"ociComputeApi": sim.base}, RequestTimeout: 5 * time.Second})
	if err := w.Load(context.Background(), seedPath, "testdata"); err != nil {
		t.Fatal(err)
	}
	return w
}

func execOutput(name string, args ...string) (string, error) {
	out, err := exec.Command(name, args...).Output()
	return string(out), err
}
