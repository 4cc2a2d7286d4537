package broker

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"sort"
	"strings"
)

// DefaultMaxMessageSize is the payload cap when Config.MaxMessageSize is
// zero: 1 MiB, the default max_payload of a NATS server and a size every
// broker here accepts without tuning. Publish refuses a larger payload with
// ErrTooLarge; a larger message received is dropped (and counted) instead of
// being handed to a run, so one oversized message cannot exhaust memory.
const DefaultMaxMessageSize = 1 << 20

// ErrTooLarge: a payload is over the transport's message size cap.
var ErrTooLarge = errors.New("broker: message over the size cap")

// ErrBadHeader: a header name is empty or holds a line break, colon or
// space, or a header value holds a line break.
var ErrBadHeader = errors.New("broker: header name or value not allowed")

// ErrProtocol: no transport for the server's protocol.
var ErrProtocol = errors.New("broker: unsupported protocol")

// Config says how to reach one broker. Secrets (Password, Token) are only
// handed to the client library; no error or log carries them.
type Config struct {
	// URL is the broker address with a scheme: nats://host:4222,
	// mqtt://host:1883, amqp://host:5672/vhost, kafka://host:9092 (several
	// brokers: kafka://a:9092,b:9092), ws://host/path. Userinfo in the URL
	// is used as Username and Password when those are empty.
	URL string
	// Username and Password: NATS user, MQTT username, AMQP PLAIN, Kafka
	// SASL (see SASLMechanism), WebSocket HTTP Basic.
	Username, Password string
	// Token: NATS token, or a WebSocket bearer token.
	Token string
	// SASLMechanism is the Kafka SASL mechanism used with Username:
	// "PLAIN" (the default), "SCRAM-SHA-256" or "SCRAM-SHA-512".
	SASLMechanism string
	// TLS is used for the secure schemes (tls://, mqtts://, amqps://,
	// kafka-secure, wss://); nil means the system roots.
	TLS *tls.Config
	// ClientID names the client to the broker (MQTT client id, NATS
	// connection name, Kafka client id); empty: a random "arazzo-..." id.
	ClientID string
	// MaxMessageSize caps payloads in both directions; zero means
	// DefaultMaxMessageSize.
	MaxMessageSize int

	// onDial, when set, sees every socket a NATS or MQTT transport opens;
	// tests close it to act out a network failure.
	onDial func(net.Conn)
}

func (c Config) maxSize() int {
	if c.MaxMessageSize > 0 {
		return c.MaxMessageSize
	}
	return DefaultMaxMessageSize
}

// credentials returns the username and password, from the fields or else
// from the URL's userinfo, and the URL without userinfo.
func (c Config) credentials() (user, pass string, u *url.URL, err error) {
	u, err = url.Parse(c.URL)
	if err != nil {
		// url.Parse quotes the input: do not wrap its error.
		return "", "", nil, &Error{Op: "connect", URL: "<unparseable url>", Err: errors.New("the server URL does not parse")}
	}
	user, pass = c.Username, c.Password
	if u.User != nil && user == "" {
		user = u.User.Username()
		pass, _ = u.User.Password()
	}
	bare := *u
	bare.User = nil
	return user, pass, &bare, nil
}

// Dialer opens a Transport for a Config.
type Dialer func(ctx context.Context, c Config) (Transport, error)

// dialers maps AsyncAPI protocol names (the server's protocol field) to
// transports. The names are those of the AsyncAPI bindings registry, plus
// the URL scheme spellings people write.
var dialers = map[string]Dialer{
	"nats":         DialNATS,
	"mqtt":         DialMQTT,
	"secure-mqtt":  DialMQTT,
	"mqtts":        DialMQTT,
	"amqp":         DialAMQP,
	"amqps":        DialAMQP,
	"kafka":        DialKafka,
	"kafka-secure": DialKafka,
	"ws":           DialWebSocket,
	"wss":          DialWebSocket,
}

// Protocols returns the protocol names Dial accepts, sorted.
func Protocols() []string {
	out := make([]string, 0, len(dialers))
	for p := range dialers {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// Dial opens a transport for an AsyncAPI server protocol ("nats", "mqtt",
// "amqp", "kafka", "ws", ...). When c.URL has no scheme the protocol's own
// is added, so an AsyncAPI host such as "127.0.0.1:4222" works as is.
func Dial(ctx context.Context, protocol string, c Config) (Transport, error) {
	p := strings.ToLower(protocol)
	d, ok := dialers[p]
	if !ok {
		return nil, fmt.Errorf("%w %q (supported: %s)", ErrProtocol, protocol, strings.Join(Protocols(), ", "))
	}
	if !strings.Contains(c.URL, "://") {
		c.URL = schemeFor(p) + "://" + c.URL
	}
	return d(ctx, c)
}

// schemeFor is the URL scheme of a protocol name.
func schemeFor(protocol string) string {
	switch protocol {
	case "secure-mqtt":
		return "mqtts"
	}
	return protocol
}

// secure reports whether a URL scheme asks for TLS.
func secure(scheme string) bool {
	switch scheme {
	case "tls", "mqtts", "ssl", "amqps", "kafka-secure", "wss":
		return true
	}
	return false
}

// tlsConfig returns c.TLS, or the default when nil.
func (c Config) tlsConfig() *tls.Config {
	if c.TLS != nil {
		return c.TLS
	}
	return &tls.Config{MinVersion: tls.VersionTLS12}
}

// checkPublish applies the checks every transport makes before sending.
func checkPublish(m Message, limit int) error {
	if m.Address == "" {
		return ErrNoAddress
	}
	if len(m.Payload) > limit {
		return fmt.Errorf("%w: %d bytes, cap %d", ErrTooLarge, len(m.Payload), limit)
	}
	for k, v := range m.Headers {
		// NATS writes headers as "name: value" lines: a line break in
		// either would smuggle in a header the workflow did not set.
		if k == "" || strings.ContainsAny(k, "\r\n: ") || strings.ContainsAny(v, "\r\n") {
			return fmt.Errorf("%w: %q", ErrBadHeader, k)
		}
	}
	return nil
}

// clientID returns id, or a random "arazzo-<hex>" one: brokers such as
// MQTT's drop the older of two connections with the same client id.
func clientID(id string) string {
	if id != "" {
		return id
	}
	var b [8]byte
	rand.Read(b[:])
	return "arazzo-" + hex.EncodeToString(b[:])
}
