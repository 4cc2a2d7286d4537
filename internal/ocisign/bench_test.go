package ocisign

import (
	"crypto"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Targets: signing a request costs about one RSA-2048 private-key operation (~1 ms on this machine) and
// verifying well under that; everything else (hashing, header building) is noise beside it.
func BenchmarkSignPOST(b *testing.B) {
	signer := &Signer{Key: Key{ID: "t/u/f", PrivateKey: loadTestKey(b)}, Clock: fixedClock(testNow)}
	body := `{"compartmentId":"ocid1.compartment.oc1..c","displayName":"golden","instanceId":"ocid1.instance.oc1.phx.i"}`
	b.ReportAllocs()
	for b.Loop() {
		req, _ := http.NewRequest("POST", "https://iaas.us-phoenix-1.oraclecloud.com/20160918/images", strings.NewReader(body))
		if err := signer.Sign(req); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyGET(b *testing.B) {
	key := loadTestKey(b)
	req, _ := http.NewRequest("GET", "https://iaas.us-phoenix-1.oraclecloud.com/20160918/images/ocid1.image.oc1.phx.x", nil)
	if err := (&Signer{Key: Key{ID: "t/u/f", PrivateKey: key}, Clock: fixedClock(testNow)}).Sign(req); err != nil {
		b.Fatal(err)
	}
	srv := asServerRequest(b, req)
	lookup := func(string) (crypto.PublicKey, error) { return &key.PublicKey, nil }
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Verify(srv, lookup, testNow, 5*time.Minute); err != nil {
			b.Fatal(err)
		}
	}
}
