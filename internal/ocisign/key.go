package ocisign

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/md5"
	"crypto/pbkdf2"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"hash"
	"strings"
)

// ErrPassphrase reports a missing or wrong passphrase for an encrypted key.
var ErrPassphrase = errors.New("ocisign: the private key is encrypted and the passphrase is missing or wrong")

// ParsePrivateKey reads an RSA private key from PEM: PKCS#1 ("RSA PRIVATE KEY"), PKCS#8 ("PRIVATE KEY"),
// legacy OpenSSL-encrypted PKCS#1 (Proc-Type: 4,ENCRYPTED) and encrypted PKCS#8 ("ENCRYPTED PRIVATE KEY",
// PBES2 with PBKDF2 and AES-CBC or 3DES-CBC, what OpenSSL 3 writes by default). passphrase is used only for
// encrypted keys.
func ParsePrivateKey(pemBytes, passphrase []byte) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		return nil, errors.New("ocisign: no PEM block in the private key")
	}
	der := block.Bytes
	switch {
	// x509.IsEncryptedPEMBlock and DecryptPEMBlock are deprecated (the legacy format cannot detect a wrong
	// password reliably), but `openssl genrsa -aes128` and older OCI setups still produce this format.
	case x509.IsEncryptedPEMBlock(block):
		if len(passphrase) == 0 {
			return nil, ErrPassphrase
		}
		// A wrong password that slips past the padding check fails the PKCS#1 parse below.
		d, err := x509.DecryptPEMBlock(block, passphrase)
		if err != nil {
			return nil, ErrPassphrase
		}
		der = d
	case block.Type == "ENCRYPTED PRIVATE KEY":
		if len(passphrase) == 0 {
			return nil, ErrPassphrase
		}
		d, err := decryptPKCS8(block.Bytes, passphrase)
		if err != nil {
			return nil, err
		}
		der = d
	}
	switch block.Type {
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(der)
		if err != nil {
			if x509.IsEncryptedPEMBlock(block) {
				return nil, ErrPassphrase
			}
			return nil, fmt.Errorf("ocisign: parse PKCS#1 private key: %w", err)
		}
		return k, nil
	case "PRIVATE KEY", "ENCRYPTED PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(der)
		if err != nil {
			if block.Type == "ENCRYPTED PRIVATE KEY" {
				return nil, ErrPassphrase
			}
			return nil, fmt.Errorf("ocisign: parse PKCS#8 private key: %w", err)
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("ocisign: private key is %T, OCI signing needs RSA", k)
		}
		return rk, nil
	}
	return nil, fmt.Errorf("ocisign: PEM block %q is not a private key", block.Type)
}

// ParsePublicKey reads an RSA public key from PEM ("PUBLIC KEY" SubjectPublicKeyInfo, "RSA PUBLIC KEY"
// PKCS#1, or a certificate), or derives it from a private key PEM.
func ParsePublicKey(pemBytes []byte) (*rsa.PublicKey, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		return nil, errors.New("ocisign: no PEM block in the public key")
	}
	var pub any
	var err error
	switch block.Type {
	case "PUBLIC KEY":
		pub, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		pub, err = x509.ParsePKCS1PublicKey(block.Bytes)
	case "CERTIFICATE":
		var cert *x509.Certificate
		cert, err = x509.ParseCertificate(block.Bytes)
		if err == nil {
			pub = cert.PublicKey
		}
	case "RSA PRIVATE KEY", "PRIVATE KEY":
		var k *rsa.PrivateKey
		k, err = ParsePrivateKey(pemBytes, nil)
		if err == nil {
			pub = &k.PublicKey
		}
	default:
		return nil, fmt.Errorf("ocisign: PEM block %q is not a public key", block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("ocisign: parse public key: %w", err)
	}
	rk, ok := pub.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("ocisign: public key is %T, OCI signing needs RSA", pub)
	}
	return rk, nil
}

// Fingerprint is the API key fingerprint OCI shows: MD5 over the DER SubjectPublicKeyInfo, as lowercase hex
// pairs joined by colons.
func Fingerprint(pub *rsa.PublicKey) (string, error) {
	if pub == nil {
		return "", errors.New("ocisign: nil public key")
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", fmt.Errorf("ocisign: encode public key: %w", err)
	}
	sum := md5.Sum(der)
	pairs := make([]string, len(sum))
	for i, b := range sum {
		pairs[i] = hex.EncodeToString([]byte{b})
	}
	return strings.Join(pairs, ":"), nil
}

// PKCS#8 encryption (RFC 8018), the subset OpenSSL writes.
var (
	oidPBES2      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidHMACSHA1   = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}
	oidHMACSHA224 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 8}
	oidHMACSHA256 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidHMACSHA384 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 10}
	oidHMACSHA512 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 11}
	oidAES128CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 2}
	oidAES192CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 22}
	oidAES256CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
	oidDESEDE3CBC = asn1.ObjectIdentifier{1, 2, 840, 113549, 3, 7}
)

type encryptedPrivateKeyInfo struct {
	Algorithm pkix.AlgorithmIdentifier
	Data      []byte
}

type pbes2Params struct {
	KeyDerivationFunc pkix.AlgorithmIdentifier
	EncryptionScheme  pkix.AlgorithmIdentifier
}

type pbkdf2Params struct {
	Salt           []byte
	IterationCount int
	KeyLength      int                      `asn1:"optional"`
	PRF            pkix.AlgorithmIdentifier `asn1:"optional"`
}

// maxPBKDF2Iterations keeps a hostile key file from pinning the CPU; OpenSSL's default is 2048.
var maxPBKDF2Iterations = 1_000_000 // a variable so the fuzz target can lower it

func decryptPKCS8(der, passphrase []byte) ([]byte, error) {
	var info encryptedPrivateKeyInfo
	if rest, err := asn1.Unmarshal(der, &info); err != nil || len(rest) != 0 {
		return nil, errors.New("ocisign: encrypted PKCS#8 key is malformed")
	}
	if !info.Algorithm.Algorithm.Equal(oidPBES2) {
		return nil, fmt.Errorf("ocisign: encrypted PKCS#8 key uses %v; only PBES2 is supported", info.Algorithm.Algorithm)
	}
	var params pbes2Params
	if _, err := asn1.Unmarshal(info.Algorithm.Parameters.FullBytes, &params); err != nil {
		return nil, errors.New("ocisign: encrypted PKCS#8 key has malformed PBES2 parameters")
	}
	if !params.KeyDerivationFunc.Algorithm.Equal(oidPBKDF2) {
		return nil, errors.New("ocisign: encrypted PKCS#8 key uses a key derivation other than PBKDF2")
	}
	var kdf pbkdf2Params
	if _, err := asn1.Unmarshal(params.KeyDerivationFunc.Parameters.FullBytes, &kdf); err != nil {
		return nil, errors.New("ocisign: encrypted PKCS#8 key has malformed PBKDF2 parameters")
	}
	if kdf.IterationCount < 1 || kdf.IterationCount > maxPBKDF2Iterations {
		return nil, fmt.Errorf("ocisign: encrypted PKCS#8 key asks for %d PBKDF2 iterations", kdf.IterationCount)
	}
	var prf func() hash.Hash
	switch alg := kdf.PRF.Algorithm; {
	case len(alg) == 0 || alg.Equal(oidHMACSHA1):
		prf = sha1.New
	case alg.Equal(oidHMACSHA224):
		prf = sha256.New224
	case alg.Equal(oidHMACSHA256):
		prf = sha256.New
	case alg.Equal(oidHMACSHA384):
		prf = sha512.New384
	case alg.Equal(oidHMACSHA512):
		prf = sha512.New
	default:
		return nil, fmt.Errorf("ocisign: encrypted PKCS#8 key uses unsupported PBKDF2 PRF %v", alg)
	}
	var keyLen int
	var newCipher func([]byte) (cipher.Block, error)
	switch alg := params.EncryptionScheme.Algorithm; {
	case alg.Equal(oidAES128CBC):
		keyLen, newCipher = 16, aes.NewCipher
	case alg.Equal(oidAES192CBC):
		keyLen, newCipher = 24, aes.NewCipher
	case alg.Equal(oidAES256CBC):
		keyLen, newCipher = 32, aes.NewCipher
	case alg.Equal(oidDESEDE3CBC):
		keyLen, newCipher = 24, des.NewTripleDESCipher
	default:
		return nil, fmt.Errorf("ocisign: encrypted PKCS#8 key uses unsupported cipher %v", alg)
	}
	if kdf.KeyLength != 0 && kdf.KeyLength != keyLen {
		return nil, errors.New("ocisign: encrypted PKCS#8 key length does not match its cipher")
	}
	var iv []byte
	if _, err := asn1.Unmarshal(params.EncryptionScheme.Parameters.FullBytes, &iv); err != nil {
		return nil, errors.New("ocisign: encrypted PKCS#8 key has a malformed IV")
	}
	key, err := pbkdf2.Key(prf, string(passphrase), kdf.Salt, kdf.IterationCount, keyLen)
	if err != nil {
		return nil, fmt.Errorf("ocisign: derive key: %w", err)
	}
	block, err := newCipher(key)
	if err != nil {
		return nil, fmt.Errorf("ocisign: cipher: %w", err)
	}
	bs := block.BlockSize()
	if len(iv) != bs || len(info.Data) == 0 || len(info.Data)%bs != 0 {
		return nil, errors.New("ocisign: encrypted PKCS#8 key has a malformed ciphertext")
	}
	out := make([]byte, len(info.Data))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(out, info.Data)
	pad := int(out[len(out)-1])
	if pad == 0 || pad > bs {
		return nil, ErrPassphrase
	}
	for _, b := range out[len(out)-pad:] {
		if int(b) != pad {
			return nil, ErrPassphrase
		}
	}
	return out[:len(out)-pad], nil
}
