package ocisign

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// KeyLookup returns the public key registered for a keyId.
type KeyLookup func(keyID string) (crypto.PublicKey, error)

// Params are the parameters of an Authorization: Signature header.
type Params struct {
	Version   string
	KeyID     string
	Algorithm string
	Headers   []string
	Signature string
}

// maxAuthorization bounds the header a verifier parses; a real one is well under 2 KiB, a session token
// keyId a few KiB.
const maxAuthorization = 16 << 10

// ParseAuthorization reads an `Authorization: Signature k="v",...` header value. Errors never quote the value.
func ParseAuthorization(value string) (Params, error) {
	var p Params
	if len(value) > maxAuthorization {
		return p, fmt.Errorf("authorization header longer than %d bytes", maxAuthorization)
	}
	scheme, rest, ok := strings.Cut(strings.TrimSpace(value), " ")
	if !ok || !strings.EqualFold(scheme, "Signature") {
		return p, errors.New("authorization scheme is not Signature")
	}
	seen := map[string]bool{}
	i := 0
	for {
		for i < len(rest) && (rest[i] == ' ' || rest[i] == ',' || rest[i] == '\t') {
			i++
		}
		if i == len(rest) {
			break
		}
		start := i
		for i < len(rest) && isTokenChar(rest[i]) {
			i++
		}
		name := rest[start:i]
		if name == "" {
			return p, fmt.Errorf("authorization parameter name expected at offset %d", len(scheme)+1+i)
		}
		if i >= len(rest) || rest[i] != '=' {
			return p, fmt.Errorf("authorization parameter %q has no value", name)
		}
		i++
		if i >= len(rest) || rest[i] != '"' {
			return p, fmt.Errorf("authorization parameter %q value is not quoted", name)
		}
		i++
		end := strings.IndexByte(rest[i:], '"')
		if end < 0 {
			return p, fmt.Errorf("authorization parameter %q value is not terminated", name)
		}
		val := rest[i : i+end]
		i += end + 1
		if seen[name] {
			return p, fmt.Errorf("authorization parameter %q appears twice", name)
		}
		seen[name] = true
		switch name {
		case "version":
			p.Version = val
		case "keyId":
			p.KeyID = val
		case "algorithm":
			p.Algorithm = val
		case "headers":
			p.Headers = strings.Fields(strings.ToLower(val))
		case "signature":
			p.Signature = val
		}
		if i < len(rest) && rest[i] != ',' && rest[i] != ' ' {
			return p, fmt.Errorf("authorization parameter %q is not followed by a comma", name)
		}
	}
	switch {
	case p.KeyID == "":
		return p, errors.New("authorization has no keyId")
	case p.Signature == "":
		return p, errors.New("authorization has no signature")
	case p.Algorithm != "rsa-sha256":
		return p, errors.New("authorization algorithm is not rsa-sha256")
	case p.Version != "" && p.Version != "1":
		return p, errors.New("authorization signature version is not 1")
	case len(p.Headers) == 0:
		return p, errors.New("authorization lists no signed headers")
	}
	return p, nil
}

func isTokenChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_'
}

// Verify checks an OCI request signature the way the service does: the Authorization header names
// rsa-sha256 and signs at least date (or x-date), (request-target) and host, plus content-length,
// content-type and x-content-sha256 for POST, PUT and PATCH; the Date is within maxSkew of now; the body
// matches its declared length and SHA-256; and the signature verifies with the key lookup returns for the
// keyId. It returns the keyId. The body is read and restored.
func Verify(req *http.Request, lookup KeyLookup, now time.Time, maxSkew time.Duration) (string, error) {
	if req == nil || req.URL == nil {
		return "", errors.New("request has no URL")
	}
	auth := req.Header.Get("Authorization")
	if auth == "" {
		return "", errors.New("authorization header is missing")
	}
	p, err := ParseAuthorization(auth)
	if err != nil {
		return "", err
	}
	required := HeadersWithoutBody
	if hasBody(req.Method) {
		required = HeadersWithBody
	}
	for _, h := range required {
		if h == "date" && (slices.Contains(p.Headers, "date") || slices.Contains(p.Headers, "x-date")) {
			continue
		}
		if !slices.Contains(p.Headers, h) {
			return "", fmt.Errorf("signed headers lack %q", h)
		}
	}

	dateHeader := "x-date"
	if slices.Contains(p.Headers, "date") {
		dateHeader = "date"
	}
	date, err := http.ParseTime(req.Header.Get(dateHeader))
	if err != nil {
		return "", fmt.Errorf("%s header is not an HTTP date", dateHeader)
	}
	if skew := now.Sub(date); skew > maxSkew || -skew > maxSkew {
		return "", fmt.Errorf("%s header is %s away from the server clock, more than %s", dateHeader, skew.Round(time.Second), maxSkew)
	}

	if slices.Contains(p.Headers, "x-content-sha256") || slices.Contains(p.Headers, "content-length") {
		body, err := readBody(req)
		if err != nil {
			return "", err
		}
		if slices.Contains(p.Headers, "x-content-sha256") {
			sum := sha256.Sum256(body)
			if req.Header.Get("X-Content-Sha256") != base64.StdEncoding.EncodeToString(sum[:]) {
				return "", errors.New("x-content-sha256 does not match the body")
			}
		}
		if slices.Contains(p.Headers, "content-length") {
			declared := req.Header.Get("Content-Length")
			if declared == "" {
				return "", errors.New("content-length header is missing")
			}
			if n, err := strconv.Atoi(declared); err != nil || n != len(body) {
				return "", errors.New("content-length does not match the body")
			}
		}
	}

	signingString, err := SigningString(req, p.Headers)
	if err != nil {
		return "", err
	}
	sig, err := base64.StdEncoding.DecodeString(p.Signature)
	if err != nil {
		return "", errors.New("signature is not base64")
	}
	if lookup == nil {
		return "", errors.New("no key lookup")
	}
	pub, err := lookup(p.KeyID)
	if err != nil {
		return "", fmt.Errorf("key for keyId %s: %w", redactKeyID(p.KeyID), err)
	}
	rsaPub, ok := pub.(*rsa.PublicKey)
	if !ok || rsaPub == nil {
		return "", fmt.Errorf("key for keyId %s is not an RSA public key", redactKeyID(p.KeyID))
	}
	digest := sha256.Sum256([]byte(signingString))
	if err := rsa.VerifyPKCS1v15(rsaPub, crypto.SHA256, digest[:], sig); err != nil {
		return "", errors.New("signature does not verify")
	}
	return p.KeyID, nil
}
