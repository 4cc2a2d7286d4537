package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestReleaseScript runs scripts/release.sh for the host platform only (one
// build, a few seconds) and checks that the binary reports the stamped
// version and commit and that SHA256SUMS matches it.
func TestReleaseScript(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary; skipped with -short")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash not found; the release script needs it")
	}
	out := t.TempDir()
	cmd := exec.Command("bash", filepath.Join("..", "..", "scripts", "release.sh"), "v9.8.7", out)
	cmd.Env = append(os.Environ(),
		"RELEASE_PLATFORMS="+runtime.GOOS+"/"+runtime.GOARCH,
		"RELEASE_COMMIT=0123456789abcdef0123456789abcdef01234567")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("release.sh: %v\n%s", err, b)
	}
	name := "arazzo_9.8.7_" + runtime.GOOS + "_" + runtime.GOARCH
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	bin := filepath.Join(out, name)
	got, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatalf("%s version: %v", name, err)
	}
	if !strings.HasPrefix(string(got), "arazzo v9.8.7 (0123456789ab), built with go") {
		t.Errorf("stamped version: %q", got)
	}
	sums, err := os.ReadFile(filepath.Join(out, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if want := hex.EncodeToString(sum[:]) + "  " + name + "\n"; !bytes.Equal(sums, []byte(want)) {
		t.Errorf("SHA256SUMS = %q, want %q", sums, want)
	}
}
