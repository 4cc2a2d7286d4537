package main

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arazzo-go/arazzo/internal/ocisign"
	"github.com/arazzo-go/arazzo/internal/ocisim"
)

const authSeed = "../../workflows/oracle/oracle-create-custom-image-from-instance-workflow.yml"

// ociIdentity is a generated API signing key with an OCI config file that names it.
type ociIdentity struct {
	key        *rsa.PrivateKey
	keyPEM     []byte
	configPath string
	keyID      string
}

// newOCIIdentity writes a key and a [DEFAULT] profile to a temp dir. signWith, when set, is the key the
// profile's key_file holds instead (a wrong key under the right keyId).
func newOCIIdentity(t *testing.T, signWith *rsa.PrivateKey) ociIdentity {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	fp, err := ocisign.Fingerprint(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	onDisk := key
	if signWith != nil {
		onDisk = signWith
	}
	dir := t.TempDir()
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(onDisk)})
	keyPath := filepath.Join(dir, "oci_api_key.pem")
	if err := os.WriteFile(keyPath, keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	const tenancy, user = "ocid1.tenancy.oc1..aaaatest", "ocid1.user.oc1..aaaatest"
	config := fmt.Sprintf("[DEFAULT]\nuser=%s\nfingerprint=%s\ntenancy=%s\nregion=us-phoenix-1\nkey_file=%s\n", user, fp, tenancy, keyPath)
	configPath := filepath.Join(dir, "config")
	if err := os.WriteFile(configPath, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	return ociIdentity{key: key, keyPEM: keyPEM, configPath: configPath, keyID: ocisign.APIKeyID(tenancy, user, fp)}
}

// newSignatureSim starts ocisim in signature mode trusting id's public key.
func newSignatureSim(t *testing.T, id ociIdentity) (*ocisim.Server, string) {
	t.Helper()
	sim, err := ocisim.New(ocisim.Options{Auth: ocisim.AuthSignature, PublicKey: &id.key.PublicKey})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return sim, srv.URL + "/20160918"
}

func seedArgs(serverURL, configPath string, extra ...string) []string {
	args := []string{"run", authSeed, "--loop-delay", "0",
		"--server", "ociComputeApi=" + serverURL,
		"--auth", "ociComputeApi=oci:DEFAULT@" + configPath,
		"--input", "compartmentId=" + ocisim.CompartmentID,
		"--input", "instanceId=" + ocisim.InstanceStopped,
		"--input", "displayName=signed-image",
	}
	return append(args, extra...)
}

func TestRunSeedSignedAgainstOCISim(t *testing.T) {
	for _, tc := range []struct {
		name    string
		extra   []string
		wantLog string
	}{
		{"no explicit Authorization", nil, "getInstance: applying ociRequestSigning (oci)"},
		{"a stale authToken is replaced by the signature", []string{"--input", "authToken=stale-token"},
			"getInstance: ociRequestSigning (oci) replaces the explicit Authorization parameter"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := newOCIIdentity(t, nil)
			sim, url := newSignatureSim(t, id)
			var stdout, stderr bytes.Buffer
			code := run(seedArgs(url, id.configPath, append(tc.extra, "-v")...), nil, &stdout, &stderr)
			if code != exitOK {
				t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout.String(), stderr.String())
			}
			var out map[string]any
			if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
				t.Fatalf("stdout %q: %v", stdout.String(), err)
			}
			if out["lifecycleState"] != ocisim.ImageAvailable {
				t.Errorf("outputs %v, want lifecycleState AVAILABLE", out)
			}
			reqs := sim.Requests()
			if len(reqs) < 3 {
				t.Fatalf("%d requests, want getInstance, createImage and at least one getImage", len(reqs))
			}
			ops := map[string]int{}
			for _, r := range reqs {
				// In signature mode a request the simulator cannot verify gets 401, so 200 means verified.
				if r.Status != 200 {
					t.Errorf("%s %s: status %d (%s)", r.Method, r.URI, r.Status, r.ErrorCode)
				}
				ops[r.Operation]++
			}
			if ops["GetInstance"]+ops["getInstance"] != 1 || ops["CreateImage"]+ops["createImage"] != 1 {
				t.Errorf("operations %v", ops)
			}
			if img, ok := sim.Image(fmt.Sprint(out["imageId"])); !ok || img.LifecycleState != ocisim.ImageAvailable {
				t.Errorf("simulator image %v %v", img, ok)
			}
			if strings.Contains(stderr.String(), "from the OCI profile") {
				t.Errorf("the profile region was reported although --server sets the base URL:\n%s", stderr.String())
			}
			if !strings.Contains(stderr.String(), tc.wantLog) {
				t.Errorf("stderr\n%s\nwant %q", stderr.String(), tc.wantLog)
			}
		})
	}
}

func TestRunSeedWrongKeyGets401(t *testing.T) {
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	id := newOCIIdentity(t, other)
	sim, url := newSignatureSim(t, id)
	var stdout, stderr bytes.Buffer
	code := run(seedArgs(url, id.configPath), nil, &stdout, &stderr)
	if code != exitFailed {
		t.Fatalf("exit %d, want %d\nstderr: %s", code, exitFailed, stderr.String())
	}
	reqs := sim.Requests()
	if len(reqs) != 1 || reqs[0].Status != 401 {
		var got []string
		for _, r := range reqs {
			got = append(got, fmt.Sprintf("%s %s %d", r.Method, r.URI, r.Status))
		}
		t.Fatalf("requests %v, want one 401", got)
	}
}

// TestRunAuthSecretCanary runs the signed seed with every output on and looks for key material, the
// signature and the bearer secret anywhere the user or a report could see.
func TestRunAuthSecretCanary(t *testing.T) {
	id := newOCIIdentity(t, nil)
	sim, url := newSignatureSim(t, id)
	dir := t.TempDir()
	report, har, junit := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.har"), filepath.Join(dir, "r.xml")
	var stdout, stderr bytes.Buffer
	code := run(seedArgs(url, id.configPath, "-v", "--json", "--report", report, "--har", har, "--junit", junit), nil, &stdout, &stderr)
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	seen := stdout.String() + stderr.String()
	for _, f := range []string{report, har, junit} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		seen += string(b)
	}
	canaries := []string{`signature="`, "Signature version", "PRIVATE KEY"}
	// Any 24-character slice of the key's base64 body.
	body := strings.Join(strings.Split(string(id.keyPEM), "\n")[1:4], "")
	for i := 0; i+24 <= len(body); i += 24 {
		canaries = append(canaries, body[i:i+24])
	}
	for _, c := range canaries {
		if strings.Contains(seen, c) {
			t.Errorf("output holds %q", c)
		}
	}
	if len(sim.Requests()) == 0 {
		t.Fatal("no request reached the simulator")
	}

	// A bearer token set in the environment, with a failing and a passing run.
	t.Setenv("ARAZZO_CANARY_TOKEN", "canary-7f3a9c-bearer")
	for _, args := range [][]string{
		{"run", authSeed, "--server", "ociComputeApi=" + url, "--auth", "ociComputeApi.ociRequestSigning=bearer:env:ARAZZO_CANARY_TOKEN", "-v", "--json",
			"--input", "compartmentId=c", "--input", "instanceId=i", "--input", "displayName=d"},
		{"run", authSeed, "--auth", "ociComputeApi=bearer:canary-7f3a9c-bearer"},
		{"run", authSeed, "--auth", "ociComputeApi:canary-7f3a9c-bearer"},
		{"run", authSeed, "--auth", "ociComputeApi=canary-7f3a9c-bearer"},
	} {
		stdout.Reset()
		stderr.Reset()
		run(args, nil, &stdout, &stderr)
		if out := stdout.String() + stderr.String(); strings.Contains(out, "canary-7f3a9c") {
			t.Errorf("%q printed the secret:\n%s", args[2:4], out)
		}
	}
}

func TestRunAuthFlagErrors(t *testing.T) {
	id := newOCIIdentity(t, nil)
	for _, tc := range []struct {
		flag, want string
	}{
		{"nope=bearer:env:X", `--auth nope: no source description "nope" (have ociComputeApi)`},
		{"ociComputeApi.missing=bearer:env:X", `--auth ociComputeApi.missing: source "ociComputeApi" declares no security scheme "missing" (have ociRequestSigning)`},
		{"ociComputeApi=apikey:env:X", `--auth ociComputeApi: fits none of the security schemes`},
		{"ociComputeApi=oci:NOPE@" + id.configPath, "NOPE"},
		{"ociComputeApi=oci:DEFAULT@/nonexistent/oci/config", "--auth ociComputeApi: ocisign: read config"},
		{"ociComputeApi=bearer", "--auth ociComputeApi: bearer token: missing"},
		{"ociComputeApi=magic:env:X", "--auth ociComputeApi: unknown kind"},
	} {
		var stdout, stderr bytes.Buffer
		code := run([]string{"run", authSeed, "--auth", tc.flag, "--input", "compartmentId=c", "--input", "instanceId=i", "--input", "displayName=d"}, nil, &stdout, &stderr)
		if code != exitUsage || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("--auth %s: exit %d, stderr %q, want %d and %q", tc.flag, code, stderr.String(), exitUsage, tc.want)
		}
	}
}

// TestRunAuthRegionFromProfile checks, offline with mocks, that the profile's region fills the region server
// variable unless --server-var sets it, and that --auth wraps the mock transport.
func TestRunAuthRegionFromProfile(t *testing.T) {
	id := newOCIIdentity(t, nil)
	// --json: a mocked run's progress says "mock", the result keeps the URL.
	base := []string{"run", authSeed, "--loop-delay", "0", "-v", "--json",
		"--mock", "../../workflows/oracle/mocks/stopped-instance.yaml",
		"--auth", "ociComputeApi=oci:DEFAULT@" + id.configPath,
		"--input", "compartmentId=c", "--input", "instanceId=i", "--input", "displayName=d"}
	for _, tc := range []struct {
		name        string
		extra       []string
		want, avoid string
	}{
		{"profile region", nil, "auth: ociComputeApi server variable region=us-phoenix-1 from the OCI profile", ""},
		{"--server-var wins", []string{"--server-var", "ociComputeApi.region=eu-zurich-1"}, "https://iaas.eu-zurich-1.oraclecloud.com/20160918/instances/i", "from the OCI profile"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(append(append([]string(nil), base...), tc.extra...), nil, &stdout, &stderr)
		if code != exitOK {
			t.Fatalf("%s: exit %d\n%s", tc.name, code, stderr.String())
		}
		if !strings.Contains(stderr.String()+stdout.String(), tc.want) || tc.avoid != "" && strings.Contains(stderr.String(), tc.avoid) {
			t.Errorf("%s: stderr\n%s\nwant %q, not %q", tc.name, stderr.String(), tc.want, tc.avoid)
		}
		if tc.avoid == "" && !strings.Contains(stdout.String(), "https://iaas.us-phoenix-1.oraclecloud.com/20160918/instances/i") {
			t.Errorf("%s: the profile region is not in the URL:\n%s", tc.name, stderr.String())
		}
		if !strings.Contains(stderr.String(), "auth: getInstance: applying ociRequestSigning (oci)") {
			t.Errorf("%s: no auth log in\n%s", tc.name, stderr.String())
		}
	}
}

// TestRunAuthBearerCanary sends a bearer token and a query API key through the CLI with every output on, to
// a server that fails the run, and looks for them in stdout, stderr and the reports.
func TestRunAuthBearerCanary(t *testing.T) {
	const canary = "k9canary"
	t.Setenv("ARAZZO_T_TOKEN", canary+"-token")
	t.Setenv("ARAZZO_T_KEY", canary+"-key")
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Header.Get("Authorization")+" "+r.URL.Query().Get("api_key")+" "+r.Header.Get("X-API-Key"))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"message":"no"}`)
	}))
	defer srv.Close()
	dir := t.TempDir()
	report, har, junit := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.har"), filepath.Join(dir, "r.xml")
	for _, wf := range []string{"getBoth", "getQuery"} {
		var stdout, stderr bytes.Buffer
		code := run([]string{"run", "../../runtime/auth/testdata/auth.arazzo.yaml", "-w", wf, "--server", "api=" + srv.URL,
			"--auth", "api=bearer:env:ARAZZO_T_TOKEN", "--auth", "api=apikey:env:ARAZZO_T_KEY",
			"-v", "--json", "--report", report, "--har", har, "--junit", junit}, nil, &stdout, &stderr)
		if code != exitFailed {
			t.Fatalf("%s: exit %d, want %d\n%s", wf, code, exitFailed, stderr.String())
		}
		seen := stdout.String() + stderr.String()
		for _, f := range []string{report, har, junit} {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			seen += string(b)
		}
		if i := strings.Index(seen, canary); i >= 0 {
			t.Errorf("%s: a secret leaked: …%s…", wf, seen[max(0, i-80):min(len(seen), i+30)])
		}
		if !strings.Contains(stderr.String(), "auth: "+wf+": applying") {
			t.Errorf("%s: -v shows no auth decision:\n%s", wf, stderr.String())
		}
	}
	want := []string{"Bearer k9canary-token  k9canary-key", " k9canary-key "}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("server saw %q, want %q", got, want)
	}
}
