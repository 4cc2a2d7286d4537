package ocisign

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseConfig(t *testing.T) {
	const text = `# OCI config
[DEFAULT]
user=ocid1.user.oc1..default
fingerprint = 11:22
key_file=~/.oci/oci_api_key.pem
tenancy=ocid1.tenancy.oc1..t
region=us-ashburn-1

[ADMIN]
USER = ocid1.user.oc1..admin
pass_phrase=a=b=c
; comment
region=eu-frankfurt-1

[SESSION]
security_token_file=/tmp/token
key_file=/keys/session.pem
passphrase=pw2
authentication_type=security_token
`
	home, _ := os.UserHomeDir()
	tests := []struct {
		profile string
		want    Config
		err     string
	}{
		{"DEFAULT", Config{Profile: "DEFAULT", User: "ocid1.user.oc1..default", Fingerprint: "11:22",
			KeyFile: filepath.Join(home, ".oci/oci_api_key.pem"), Tenancy: "ocid1.tenancy.oc1..t", Region: "us-ashburn-1"}, ""},
		{"", Config{Profile: "DEFAULT", User: "ocid1.user.oc1..default", Fingerprint: "11:22",
			KeyFile: filepath.Join(home, ".oci/oci_api_key.pem"), Tenancy: "ocid1.tenancy.oc1..t", Region: "us-ashburn-1"}, ""},
		// Inherits from DEFAULT; keys are case-insensitive; '=' inside a value is kept.
		{"ADMIN", Config{Profile: "ADMIN", User: "ocid1.user.oc1..admin", Fingerprint: "11:22",
			KeyFile: filepath.Join(home, ".oci/oci_api_key.pem"), Tenancy: "ocid1.tenancy.oc1..t", Region: "eu-frankfurt-1",
			PassPhrase: "a=b=c"}, ""},
		{"SESSION", Config{Profile: "SESSION", User: "ocid1.user.oc1..default", Fingerprint: "11:22",
			KeyFile: "/keys/session.pem", Tenancy: "ocid1.tenancy.oc1..t", Region: "us-ashburn-1", PassPhrase: "pw2",
			SecurityTokenFile: "/tmp/token", AuthenticationType: "security_token"}, ""},
		{"admin", Config{}, "profile [admin] not found (profiles: ADMIN, DEFAULT, SESSION)"},
	}
	for _, tt := range tests {
		t.Run(tt.profile, func(t *testing.T) {
			c, err := ParseConfig([]byte(text), tt.profile)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("err = %v, want %s", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if *c != tt.want {
				t.Errorf("got  %+v\nwant %+v", *c, tt.want)
			}
		})
	}
}

func TestParseConfigErrors(t *testing.T) {
	tests := []struct{ text, err string }{
		{"user=x\n[DEFAULT]\n", "line 1: user is outside any [profile] section"},
		{"[DEFAULT\nuser=x\n", "line 1: section header has no closing ]"},
		{"[ ]\n", "line 1: empty profile name"},
		{"[DEFAULT]\n[DEFAULT]\n", "line 2: profile [DEFAULT] appears twice"},
		{"[DEFAULT]\nuser\n", "line 2: want key=value or [profile]"},
		{"[DEFAULT]\n=x\n", "line 2: empty key"},
		{"[DEFAULT]\nuser=a\nUser=b\n", "line 3: user is set twice in the profile"},
		{"", "profile [DEFAULT] not found (profiles: )"},
		{"[DEFAULT]\nuser=" + strings.Repeat("x", maxConfigBytes) + "\n", "more than the limit"},
	}
	for _, tt := range tests {
		_, err := ParseConfig([]byte(tt.text), "")
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("ParseConfig(%.40q) error = %v, want %q", tt.text, err, tt.err)
		}
	}
	// A BOM and CRLF line endings are fine.
	c, err := ParseConfig([]byte("\ufeff[DEFAULT]\r\nuser=u\r\n"), "")
	if err != nil || c.User != "u" {
		t.Errorf("BOM/CRLF: %v %+v", err, c)
	}
}

func FuzzParseConfig(f *testing.F) {
	f.Add([]byte("[DEFAULT]\nuser=u\nkey_file=~/k.pem\n[P]\nregion=r\n"), "P")
	f.Add([]byte("[x]\n=\n"), "x")
	f.Add([]byte("\ufeff[DEFAULT]\r\n#c\r\n"), "")
	f.Fuzz(func(t *testing.T, data []byte, profile string) {
		c, err := ParseConfig(data, profile)
		if err == nil && c == nil {
			t.Fatal("nil config without an error")
		}
	})
}

// writeConfig puts a config file, a key and a token in a temp dir and returns the config path.
func writeConfig(t *testing.T, keyFile, extra string) string {
	t.Helper()
	dir := t.TempDir()
	key := mustRead(t, keyFile)
	if err := os.WriteFile(filepath.Join(dir, "key.pem"), key, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "token"), []byte("session-token-canary\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "empty"), []byte(" \n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := "[DEFAULT]\nuser=ocid1.user.oc1..u\nfingerprint=" + testFingerprint + "\ntenancy=ocid1.tenancy.oc1..t\nregion=us-phoenix-1\nkey_file=key.pem\n" + extra
	path := filepath.Join(dir, "config")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestConfigKey(t *testing.T) {
	want := loadTestKey(t)
	tests := []struct {
		name, keyFile, extra, profile string
		keyID                         string
		err                           string
	}{
		{"pkcs1", "rsa2048-pkcs1.pem", "", "", "ocid1.tenancy.oc1..t/ocid1.user.oc1..u/" + testFingerprint, ""},
		{"pkcs8", "rsa2048-pkcs8.pem", "", "", "ocid1.tenancy.oc1..t/ocid1.user.oc1..u/" + testFingerprint, ""},
		{"legacy encrypted pkcs1", "rsa2048-pkcs1-aes128.pem", "pass_phrase=correct-horse\n", "", "ocid1.tenancy.oc1..t/ocid1.user.oc1..u/" + testFingerprint, ""},
		{"encrypted pkcs8 aes256", "rsa2048-pkcs8-aes256.pem", "pass_phrase=correct-horse\n", "", "ocid1.tenancy.oc1..t/ocid1.user.oc1..u/" + testFingerprint, ""},
		{"encrypted pkcs8 3des", "rsa2048-pkcs8-des3-sha1.pem", "passphrase=correct-horse\n", "", "ocid1.tenancy.oc1..t/ocid1.user.oc1..u/" + testFingerprint, ""},
		{"session token", "rsa2048-pkcs1.pem", "[S]\nsecurity_token_file=token\n", "S", "ST$session-token-canary", ""},
		{"wrong passphrase", "rsa2048-pkcs8-aes256.pem", "pass_phrase=battery-staple\n", "", "", "passphrase is missing or wrong"},
		{"missing passphrase", "rsa2048-pkcs1-aes128.pem", "", "", "", "passphrase is missing or wrong"},
		{"missing fields", "rsa2048-pkcs1.pem", "[P]\nuser=\n", "P", "", "profile [P] lacks user"},
		{"missing key file", "rsa2048-pkcs1.pem", "[P]\nkey_file=nope.pem\n", "P", "", "key_file"},
		{"empty token", "rsa2048-pkcs1.pem", "[S]\nsecurity_token_file=empty\n", "S", "", "is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeConfig(t, tt.keyFile, tt.extra)
			c, err := LoadConfig(path, tt.profile)
			if err != nil {
				t.Fatal(err)
			}
			k, err := c.Key()
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("Key error = %v, want %q", err, tt.err)
				}
				if strings.Contains(err.Error(), "correct-horse") || strings.Contains(err.Error(), "battery-staple") {
					t.Errorf("error leaks the passphrase: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if k.ID != tt.keyID {
				t.Errorf("keyId = %s, want %s", k.ID, tt.keyID)
			}
			if !k.PrivateKey.Equal(want) {
				t.Error("loaded a different key")
			}
		})
	}
}

func TestLoadConfigDefaults(t *testing.T) {
	path := writeConfig(t, "rsa2048-pkcs1.pem", "[OTHER]\nregion=ap-tokyo-1\n")
	t.Setenv("OCI_CONFIG_FILE", path)
	t.Setenv("OCI_CLI_PROFILE", "OTHER")
	c, err := LoadConfig("", "")
	if err != nil {
		t.Fatal(err)
	}
	if c.Profile != "OTHER" || c.Region != "ap-tokyo-1" || c.KeyFile != filepath.Join(filepath.Dir(path), "key.pem") {
		t.Errorf("config = %+v", c)
	}
	if _, err := LoadConfig(filepath.Join(t.TempDir(), "missing"), ""); err == nil {
		t.Error("missing file loaded")
	}
	if s := fmt.Sprintf("%v %+v %#v", *c, *c, *c); strings.Contains(s, "correct-horse") {
		t.Errorf("config prints its passphrase: %s", s)
	}
	c.PassPhrase = "correct-horse"
	if s := fmt.Sprintf("%v %+v %#v", *c, *c, *c); strings.Contains(s, "correct-horse") || !strings.Contains(s, "[redacted]") {
		t.Errorf("config prints its passphrase: %s", s)
	}
}

func TestParseKeys(t *testing.T) {
	want := loadTestKey(t)
	pub, err := ParsePublicKey(mustRead(t, "rsa2048-public.pem"))
	if err != nil || !pub.Equal(&want.PublicKey) {
		t.Fatalf("public key: %v", err)
	}
	fromPriv, err := ParsePublicKey(mustRead(t, "rsa2048-pkcs8.pem"))
	if err != nil || !fromPriv.Equal(&want.PublicKey) {
		t.Fatalf("public key from private: %v", err)
	}
	pkcs1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&want.PublicKey)})
	if p, err := ParsePublicKey(pkcs1); err != nil || !p.Equal(&want.PublicKey) {
		t.Fatalf("PKCS#1 public key: %v", err)
	}
	fp, err := Fingerprint(pub)
	if err != nil || fp != testFingerprint {
		t.Errorf("fingerprint = %s, want %s (from openssl md5 -c)", fp, testFingerprint)
	}
	if _, err := Fingerprint(nil); err == nil {
		t.Error("fingerprint of nil")
	}

	bad := []struct {
		name string
		pem  []byte
		err  string
	}{
		{"not PEM", []byte("hello"), "no PEM block"},
		{"certificate request", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: []byte{1}}), "is not a private key"},
		{"garbage PKCS#1", pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: []byte{1, 2}}), "parse PKCS#1"},
		{"garbage PKCS#8", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1, 2}}), "parse PKCS#8"},
		{"garbage encrypted PKCS#8", pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte{1, 2}}), "malformed"},
	}
	for _, tt := range bad {
		_, err := ParsePrivateKey(tt.pem, []byte("pw"))
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.err)
		}
	}
	if _, err := ParsePrivateKey(mustRead(t, "rsa2048-pkcs8-aes256.pem"), nil); !errors.Is(err, ErrPassphrase) {
		t.Errorf("encrypted PKCS#8 without passphrase: %v", err)
	}
	if _, err := ParsePublicKey([]byte("x")); err == nil {
		t.Error("public key from garbage")
	}
}

// The seeds are small malformed blocks rather than real keys: under the fuzzer's coverage instrumentation RSA
// key validation takes seconds per input, which would leave the parser itself almost unexplored.
// FuzzDecryptPKCS8 covers the encrypted-key path with a real key.
func FuzzParsePrivateKey(f *testing.F) {
	for _, typ := range []string{"RSA PRIVATE KEY", "PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "PUBLIC KEY"} {
		f.Add(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: []byte{0x30, 0x03, 0x02, 0x01, 0x00}}), []byte("pw"))
	}
	f.Add(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Headers: map[string]string{
		"Proc-Type": "4,ENCRYPTED", "DEK-Info": "AES-128-CBC,ED9497B1BC3BF68A424642520A24D028"}, Bytes: make([]byte, 32)}), []byte("pw"))
	f.Fuzz(func(t *testing.T, data, pass []byte) {
		k, err := ParsePrivateKey(data, pass)
		if err == nil && k == nil {
			t.Fatal("nil key without an error")
		}
	})
}

func FuzzDecryptPKCS8(f *testing.F) {
	// PBKDF2 under coverage instrumentation is slow; a low cap keeps the fuzzer on the parsing code.
	old := maxPBKDF2Iterations
	maxPBKDF2Iterations = 64
	f.Cleanup(func() { maxPBKDF2Iterations = old })
	// Small seeds, one per PRF and cipher (encryptPKCS8): the fuzzer minimises every input that finds new
	// coverage, and minimising the 1.2 KB of a real key took a minute each time. Real keys are covered by
	// TestParseKeys.
	for _, s := range pkcs8Schemes {
		f.Add(encryptPKCS8(f, s, 1, []byte("correct-horse"), []byte("k")), []byte("correct-horse"))
	}
	f.Fuzz(func(t *testing.T, der, pass []byte) {
		out, err := decryptPKCS8(der, pass)
		if err == nil && len(out) == 0 {
			t.Fatal("empty plaintext without an error")
		}
	})
}
