package ocisign_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/arazzo-go/arazzo/internal/ocisign"
)

// A Signer with a fixed clock signs a CreateImage call; a verifier with the public key accepts it.
func Example() {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	fp, _ := ocisign.Fingerprint(&priv.PublicKey)
	key := ocisign.Key{ID: ocisign.APIKeyID("ocid1.tenancy.oc1..t", "ocid1.user.oc1..u", fp), PrivateKey: priv}
	at := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	signer := &ocisign.Signer{Key: key, Clock: func() time.Time { return at }}

	req, _ := http.NewRequest("POST", "https://iaas.us-phoenix-1.oraclecloud.com/20160918/images",
		strings.NewReader(`{"compartmentId":"ocid1.compartment.oc1..c"}`))
	if err := signer.Sign(req); err != nil {
		panic(err)
	}
	params, _ := ocisign.ParseAuthorization(req.Header.Get("Authorization"))
	fmt.Println("Date:", req.Header.Get("Date"))
	fmt.Println("x-content-sha256:", req.Header.Get("X-Content-Sha256"))
	fmt.Println("signed:", strings.Join(params.Headers, " "))

	// The server side sees the request line and Host.
	req.RequestURI = req.URL.RequestURI()
	_, err = ocisign.Verify(req, func(string) (crypto.PublicKey, error) { return &priv.PublicKey, nil }, at.Add(time.Minute), 5*time.Minute)
	fmt.Println("verified:", err == nil)
	// Output:
	// Date: Thu, 26 Nov 2026 12:00:00 GMT
	// x-content-sha256: YMKmEeUh1QUssvQYfPqpt69gXmh+bSz5xaDDkYq+cbg=
	// signed: date (request-target) host content-length content-type x-content-sha256
	// verified: true
}
