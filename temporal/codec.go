package temporal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	sdktemporal "go.temporal.io/sdk/temporal"
	"google.golang.org/protobuf/proto"
)

// KeyEnv is the environment variable that holds the payload key: 32 bytes
// (AES-256) as 64 hex digits or standard base64. Client and workers of a
// task queue must share it.
const KeyEnv = "ARAZZO_TEMPORAL_KEY"

// encodingEncrypted marks a payload this codec encrypted.
const encodingEncrypted = "binary/arazzo-aes256gcm"

// ReadKey reads the payload key from KeyEnv; nil (no error) when unset.
func ReadKey() ([]byte, error) {
	v := strings.TrimSpace(os.Getenv(KeyEnv))
	if v == "" {
		return nil, nil
	}
	return ParseKey(v)
}

// ParseKey decodes a 32-byte key written as hex or base64. The error never
// repeats the value.
func ParseKey(s string) ([]byte, error) {
	if k, err := hex.DecodeString(s); err == nil && len(k) == 32 {
		return k, nil
	}
	if k, err := base64.StdEncoding.DecodeString(s); err == nil && len(k) == 32 {
		return k, nil
	}
	return nil, fmt.Errorf("%s must be 32 bytes written as 64 hex digits or base64 (openssl rand -hex 32)", KeyEnv)
}

// NewCodec returns a payload codec that encrypts every payload with
// AES-256-GCM under key (a fresh random nonce per payload), so that
// workflow inputs (secret ones included), requests with their headers and
// responses are stored in Temporal's history encrypted.
func NewCodec(key []byte) (converter.PayloadCodec, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &aesCodec{aead: aead}, nil
}

// DataConverter returns the default data converter, encrypting with key
// when key is not nil.
func DataConverter(key []byte) (converter.DataConverter, error) {
	if key == nil {
		return converter.GetDefaultDataConverter(), nil
	}
	c, err := NewCodec(key)
	if err != nil {
		return nil, err
	}
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), c), nil
}

// FailureConverter returns a failure converter that moves failure
// messages and stack traces into an (encrypted) payload, since error texts
// can quote a response; nil when dc does not encrypt.
func FailureConverter(dc converter.DataConverter, key []byte) converter.FailureConverter {
	if key == nil {
		return nil
	}
	return sdktemporal.NewDefaultFailureConverter(sdktemporal.DefaultFailureConverterOptions{DataConverter: dc, EncodeCommonAttributes: true})
}

type aesCodec struct{ aead cipher.AEAD }

func (c *aesCodec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		plain, err := proto.Marshal(p)
		if err != nil {
			return payloads, err
		}
		nonce := make([]byte, c.aead.NonceSize(), c.aead.NonceSize()+len(plain)+c.aead.Overhead())
		if _, err := rand.Read(nonce); err != nil {
			return payloads, err
		}
		out[i] = &commonpb.Payload{
			Metadata: map[string][]byte{converter.MetadataEncoding: []byte(encodingEncrypted)},
			Data:     c.aead.Seal(nonce, nonce, plain, nil),
		}
	}
	return out, nil
}

func (c *aesCodec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if string(p.GetMetadata()[converter.MetadataEncoding]) != encodingEncrypted {
			out[i] = p
			continue
		}
		n := c.aead.NonceSize()
		if len(p.Data) < n {
			return payloads, errors.New("an encrypted payload is too short")
		}
		plain, err := c.aead.Open(nil, p.Data[:n], p.Data[n:], nil)
		if err != nil {
			return payloads, fmt.Errorf("an encrypted payload cannot be decrypted: is %s the key the workers use?", KeyEnv)
		}
		var q commonpb.Payload
		if err := proto.Unmarshal(plain, &q); err != nil {
			return payloads, err
		}
		out[i] = &q
	}
	return out, nil
}
