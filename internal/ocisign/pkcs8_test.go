package ocisign

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"hash"
	"os"
	"path/filepath"
	"testing"
)

// pkcs8Scheme is one PBKDF2 PRF and one cipher decryptPKCS8 supports.
type pkcs8Scheme struct {
	name      string
	prf       asn1.ObjectIdentifier // nil: the default, HMAC-SHA1, left out of the encoding
	newHash   func() hash.Hash
	cipher    asn1.ObjectIdentifier
	keyLen    int
	newCipher func([]byte) (cipher.Block, error)
}

var pkcs8Schemes = []pkcs8Scheme{
	{"sha1-default aes128", nil, sha1.New, oidAES128CBC, 16, aes.NewCipher},
	{"sha1 des3", oidHMACSHA1, sha1.New, oidDESEDE3CBC, 24, des.NewTripleDESCipher},
	{"sha224 aes192", oidHMACSHA224, sha256.New224, oidAES192CBC, 24, aes.NewCipher},
	{"sha256 aes256", oidHMACSHA256, sha256.New, oidAES256CBC, 32, aes.NewCipher},
	{"sha384 aes128", oidHMACSHA384, sha512.New384, oidAES128CBC, 16, aes.NewCipher},
	{"sha512 aes256", oidHMACSHA512, sha512.New, oidAES256CBC, 32, aes.NewCipher},
}

// encryptPKCS8 builds an EncryptedPrivateKeyInfo (PBES2, PBKDF2) around plain, as openssl pkcs8 -topk8 -v2
// would around a key. The fuzz seeds use a few bytes of plaintext and one iteration: a real 2048-bit key is
// 1.2 KB of ciphertext, and the fuzzer spent its time minimising inputs that long (60 s each by default, at
// 0 execs/s on the progress line) instead of exploring the parser.
func encryptPKCS8(t testing.TB, s pkcs8Scheme, iterations int, pass, plain []byte) []byte {
	t.Helper()
	salt, iv := []byte("saltsalt"), bytes.Repeat([]byte{7}, 16)
	key, err := pbkdf2.Key(s.newHash, string(pass), salt, iterations, s.keyLen)
	if err != nil {
		t.Fatal(err)
	}
	block, err := s.newCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	iv = iv[:block.BlockSize()]
	pad := block.BlockSize() - len(plain)%block.BlockSize()
	data := append(append([]byte(nil), plain...), bytes.Repeat([]byte{byte(pad)}, pad)...)
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(data, data)
	kdf := pbkdf2Params{Salt: salt, IterationCount: iterations}
	if s.prf != nil {
		kdf.PRF = pkix.AlgorithmIdentifier{Algorithm: s.prf, Parameters: asn1.NullRawValue}
	}
	params := pbes2Params{
		KeyDerivationFunc: pkix.AlgorithmIdentifier{Algorithm: oidPBKDF2, Parameters: asn1.RawValue{FullBytes: mustMarshal(t, kdf)}},
		EncryptionScheme:  pkix.AlgorithmIdentifier{Algorithm: s.cipher, Parameters: asn1.RawValue{FullBytes: mustMarshal(t, iv)}},
	}
	return mustMarshal(t, encryptedPrivateKeyInfo{
		Algorithm: pkix.AlgorithmIdentifier{Algorithm: oidPBES2, Parameters: asn1.RawValue{FullBytes: mustMarshal(t, params)}},
		Data:      data,
	})
}

func mustMarshal(t testing.TB, v any) []byte {
	t.Helper()
	b, err := asn1.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDecryptPKCS8Schemes: every PRF and cipher decrypts what it encrypted, a wrong passphrase is
// ErrPassphrase (or, rarely, padding that happens to look right but is not the plaintext), and an
// iteration count over the cap is refused before any work.
func TestDecryptPKCS8Schemes(t *testing.T) {
	plain := []byte("not a key, only bytes")
	for _, s := range pkcs8Schemes {
		der := encryptPKCS8(t, s, 3, []byte("correct-horse"), plain)
		if got, err := decryptPKCS8(der, []byte("correct-horse")); err != nil || !bytes.Equal(got, plain) {
			t.Errorf("%s: %q, %v", s.name, got, err)
		}
		if got, err := decryptPKCS8(der, []byte("wrong")); err == nil && bytes.Equal(got, plain) {
			t.Errorf("%s: the wrong passphrase decrypted", s.name)
		} else if err != nil && !errors.Is(err, ErrPassphrase) {
			t.Errorf("%s: wrong passphrase: %v", s.name, err)
		}
	}
	if _, err := decryptPKCS8(encryptPKCS8(t, pkcs8Schemes[0], maxPBKDF2Iterations+1, []byte("p"), plain), []byte("p")); err == nil {
		t.Error("an iteration count over the cap was accepted")
	}
}

// BenchmarkDecryptPKCS8 is the fuzz target's body on its seeds and on a real key: a few microseconds
// either way, so the fuzzer's slowness was never the decryption.
func BenchmarkDecryptPKCS8(b *testing.B) {
	raw, err := os.ReadFile(filepath.Join("testdata", "rsa2048-pkcs8-aes128-iter1.pem"))
	if err != nil {
		b.Fatal(err)
	}
	block, _ := pem.Decode(raw)
	inputs := map[string][]byte{"real 2048-bit key": block.Bytes}
	for _, s := range pkcs8Schemes {
		inputs["seed "+s.name] = encryptPKCS8(b, s, 1, []byte("correct-horse"), []byte("k"))
	}
	for name, der := range inputs {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := decryptPKCS8(der, []byte("correct-horse")); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
