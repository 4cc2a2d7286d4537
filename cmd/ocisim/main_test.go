package main

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/arazzo-go/arazzo/internal/ocisign"
)

// syncBuffer is a bytes.Buffer safe for the server goroutine to write while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// start runs the command and returns its base URL (the first stdout line) and a stop function that returns
// the exit code.
func start(t *testing.T, args ...string) (string, *syncBuffer, func() int) {
	t.Helper()
	pr, pw := io.Pipe()
	stderr := &syncBuffer{}
	stop := make(chan struct{})
	done := make(chan int, 1)
	go func() {
		code := run(args, pw, stderr, stop)
		pw.Close()
		done <- code
	}()
	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(pr).ReadString('\n')
		lines <- line
		_, _ = io.Copy(io.Discard, pr)
	}()
	select {
	case line := <-lines:
		return strings.TrimSpace(line), stderr, func() int { close(stop); return <-done }
	case code := <-done:
		t.Fatalf("ocisim exited with %d: %s", code, stderr.String())
	case <-time.After(10 * time.Second):
		t.Fatal("ocisim printed no URL")
	}
	return "", nil, nil
}

func TestServesAndLogs(t *testing.T) {
	base, stderr, stop := start(t, "-polls", "0", "-faults", "getImage#2=503", "-instance", "ocid1.instance.oc1.iad.mine0001=running")
	if !strings.HasPrefix(base, "http://127.0.0.1:") || !strings.HasSuffix(base, "/20160918") {
		t.Fatalf("first stdout line = %q", base)
	}
	get := func(path, auth string) int {
		req, _ := http.NewRequest("GET", base+path, nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if st := get("/instances/ocid1.instance.oc1.phx.simstopped0001", "secret-canary"); st != 200 {
		t.Errorf("presence mode with a token: %d", st)
	}
	if st := get("/instances/ocid1.instance.oc1.iad.mine0001", "x"); st != 200 {
		t.Errorf("-instance: %d", st)
	}
	if st := get("/instances/ocid1.instance.oc1.phx.simstopped0001", ""); st != 401 {
		t.Errorf("presence mode without a token: %d", st)
	}
	if st := get("/images/ocid1.image.oc1.phx.simplatformimage01", "x"); st != 200 {
		t.Errorf("first getImage: %d", st)
	}
	if st := get("/images/ocid1.image.oc1.phx.simplatformimage01", "x"); st != 503 {
		t.Errorf("second getImage with the fault: %d", st)
	}
	if code := stop(); code != 0 {
		t.Errorf("exit code %d", code)
	}
	log := stderr.String()
	for _, want := range []string{"op=getInstance status=200", "status=401 code=NotAuthenticated", "op=getImage status=503 code=ServiceUnavailable"} {
		if !strings.Contains(log, want) {
			t.Errorf("stderr lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, "secret-canary") {
		t.Errorf("stderr shows the Authorization value:\n%s", log)
	}
}

func TestSignatureModeFlags(t *testing.T) {
	testdata := filepath.Join("..", "..", "internal", "ocisign", "testdata")
	privPEM, err := os.ReadFile(filepath.Join(testdata, "rsa2048-pkcs1.pem"))
	if err != nil {
		t.Fatal(err)
	}
	priv, err := ocisign.ParsePrivateKey(privPEM, nil)
	if err != nil {
		t.Fatal(err)
	}
	const keyID = "ocid1.tenancy.oc1..t/ocid1.user.oc1..u/a1:ac:c2:aa:b5:c5:9b:85:d2:2d:7c:9c:6b:61:ac:cb"
	base, _, stop := start(t, "-auth", "signature", "-public-key", filepath.Join(testdata, "rsa2048-public.pem"),
		"-key-id", keyID, "-quiet")
	get := func(client *http.Client) int {
		resp, err := client.Get(base + "/instances/ocid1.instance.oc1.phx.simstopped0001")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	signed := func(id string) *http.Client {
		return &http.Client{Transport: &ocisign.Transport{Signer: ocisign.NewSigner(ocisign.Key{ID: id, PrivateKey: priv})}}
	}
	if st := get(http.DefaultClient); st != 401 {
		t.Errorf("unsigned request: %d", st)
	}
	if st := get(signed(keyID)); st != 200 {
		t.Errorf("signed with the registered keyId: %d", st)
	}
	if st := get(signed("ocid1.tenancy.oc1..t/ocid1.user.oc1..other/00:11")); st != 401 {
		t.Errorf("signed with another keyId: %d", st)
	}
	if code := stop(); code != 0 {
		t.Errorf("exit code %d", code)
	}
}

func TestBadFlags(t *testing.T) {
	dir := t.TempDir()
	notKey := filepath.Join(dir, "not-a-key.pem")
	if err := os.WriteFile(notKey, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		err  string
	}{
		{[]string{"-auth", "bearer"}, "unknown auth mode"},
		{[]string{"-auth", "signature"}, "needs a public key"},
		{[]string{"-polls", "-3"}, "-polls -3 is invalid"},
		{[]string{"-faults", "getImage=teapot"}, "-faults"},
		{[]string{"-public-key", filepath.Join(dir, "missing.pem")}, "-public-key"},
		{[]string{"-public-key", notKey}, "no PEM block"},
		{[]string{"extra"}, "unexpected argument"},
		{[]string{"-nosuchflag"}, "flag provided but not defined"},
		{[]string{"-instance", "ocid1.instance.oc1.phx.x"}, "want OCID=STATE"},
		{[]string{"-instance", "ocid1.instance.oc1.phx.x=ASLEEP"}, "not a lifecycle state"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		code := run(tt.args, &stdout, &stderr, nil)
		if code != 2 || !strings.Contains(stderr.String(), tt.err) {
			t.Errorf("run(%v) = %d, stderr %q; want 2 and %q", tt.args, code, stderr.String(), tt.err)
		}
		if stdout.Len() != 0 {
			t.Errorf("run(%v) printed %q on stdout", tt.args, stdout.String())
		}
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-addr", "256.0.0.1:0"}, &stdout, &stderr, nil); code != 1 {
		t.Errorf("bad address: exit %d", code)
	}
}

// SIGTERM stops the server cleanly with exit code 0.
func TestStopsOnSIGTERM(t *testing.T) {
	base, stderr, stop := start(t, "-quiet")
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(stderr.String(), "stopping") {
		if time.Now().After(deadline) {
			t.Fatalf("no stop after SIGTERM; stderr:\n%s", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	// run has returned on the signal; stop only collects its exit code.
	if code := stop(); code != 0 {
		t.Errorf("exit code %d after SIGTERM", code)
	}
	if _, err := http.Get(base + "/instances/x"); err == nil {
		t.Error("still serving after SIGTERM")
	}
}
