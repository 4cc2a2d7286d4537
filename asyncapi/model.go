package asyncapi

import (
	"fmt"
	"sort"
	"strings"
)

// Action is what the described application does with an operation's
// messages, in the AsyncAPI 3.0 sense.
type Action string

// Actions. 2.x "publish" reads as ActionReceive and "subscribe" as
// ActionSend (the application's view, which 3.0 made explicit).
const (
	ActionSend    Action = "send"
	ActionReceive Action = "receive"
)

// Document is a loaded AsyncAPI description. The zero value is an empty
// description with no channels or operations.
type Document struct {
	// Location is the file path or URL the document was read from ("" for
	// bytes parsed without one).
	Location string
	// Version is the asyncapi field as written ("2.6.0", "3.0.0").
	Version string
	// Major is 2 or 3.
	Major int

	Servers    map[string]*Server
	Channels   map[string]*Channel // by key under "channels" (2.x: the address)
	Operations []*Operation        // in document order
	// Problems lists what could not be read ($refs that do not resolve,
	// fields of the wrong type); the rest of the document is still usable.
	Problems []Problem

	byID map[string]*Operation
}

// Server is a Server Object. 2.x url values are split into Host and
// Pathname.
type Server struct {
	Name, Protocol, ProtocolVersion, Host, Pathname string
	Variables                                       map[string]*ServerVariable
	Bindings                                        Bindings
	// Security lists the schemes the server accepts, in document order.
	Security []*SecurityScheme
}

// SecurityScheme is the part of a Security Scheme Object a client needs to
// know which credential to present; the secrets come from the caller.
type SecurityScheme struct {
	Name   string // key under components/securitySchemes, when known
	Type   string // userPassword, plain, scramSha256, httpApiKey, http, X509, ...
	Scheme string // for type http: basic or bearer
}

// ServerVariable is a Server Variable Object.
type ServerVariable struct {
	Default string
	Enum    []string
}

// Channel is a Channel Object (2.x: Channel Item Object).
type Channel struct {
	Key string // its key under "channels"
	// Address is the channel address, with {parameter} placeholders; in
	// 2.x the key. Empty when the channel has none (3.0 allows null).
	Address    string
	Parameters []string // declared parameter names, sorted
	Messages   []*Message
	Bindings   Bindings
	// Pointer is the JSON pointer of the channel in its document.
	Pointer string
	Pos     Pos
}

// AddressParameters returns the {name} placeholders of the address, in
// order of appearance.
func (c *Channel) AddressParameters() []string {
	var out []string
	a := c.Address
	for {
		i := strings.IndexByte(a, '{')
		if i < 0 {
			return out
		}
		j := strings.IndexByte(a[i:], '}')
		if j < 0 {
			return out
		}
		out = append(out, a[i+1:i+j])
		a = a[i+j+1:]
	}
}

// Operation is an Operation Object.
type Operation struct {
	ID     string // operationId (3.0: its key under "operations")
	Action Action
	// Channel is the channel the operation uses; nil when its reference
	// did not resolve.
	Channel *Channel
	// Messages are the operation's messages; in 3.0 when the operation
	// lists none, every message of its channel.
	Messages []*Message
	Reply    *Reply
	Bindings Bindings
	Pointer  string
	Pos      Pos
}

// Reply is an Operation Reply Object (3.0).
type Reply struct {
	Channel  *Channel // nil when the reply names no channel
	Messages []*Message
}

// Message is a Message Object.
type Message struct {
	Name        string // key under components/messages or the channel's messages, or its name field
	ContentType string
	// Payload and Headers are the schemas as decoded YAML (map[string]any
	// and so on); nested $refs are left as written. Nil when absent.
	Payload, Headers any
	// CorrelationID is the correlationId location, such as
	// "$message.header#/correlationId"; empty when the message has none.
	CorrelationID string
	Bindings      Bindings
	Pointer       string
	Pos           Pos

	payloadProps, headerProps []string
	payloadOpen, headerOpen   bool
}

// PayloadProperties returns the member names the payload schema declares
// (properties, through $refs and allOf) and whether the schema admits
// other members too (no properties known, or additionalProperties not
// false).
func (m *Message) PayloadProperties() (names []string, open bool) {
	return m.payloadProps, m.payloadOpen
}

// HeaderProperties is PayloadProperties for the headers schema.
func (m *Message) HeaderProperties() (names []string, open bool) {
	return m.headerProps, m.headerOpen
}

// Bindings keeps the binding values that change how a message is sent or
// received. Raw holds every binding object as decoded YAML, by protocol.
type Bindings struct {
	KafkaKey       any    // message: Kafka key schema or value
	AMQPExchange   string // channel: exchange name
	AMQPQueue      string // channel: queue name
	AMQPRoutingKey string // channel/operation: routing key (cc[0] in operation bindings)
	MQTTQoS        *int   // operation: 0, 1 or 2
	MQTTRetain     *bool  // operation
	Raw            map[string]any
}

// Pos is a 1-based line and column in the file named by File.
type Pos struct {
	File      string
	Line, Col int
}

// Problem is something in a document that could not be read.
type Problem struct {
	Pos     Pos
	Pointer string
	Msg     string
}

func (p Problem) Error() string {
	if p.Pos.Line > 0 {
		return fmt.Sprintf("%s:%d:%d: %s", p.Pos.File, p.Pos.Line, p.Pos.Col, p.Msg)
	}
	return p.Msg
}

// Operation returns the operation with the given operationId.
func (d *Document) Operation(id string) (*Operation, bool) {
	op, ok := d.byID[id]
	return op, ok
}

// OperationIDs returns every operationId, sorted.
func (d *Document) OperationIDs() []string {
	ids := make([]string, 0, len(d.byID))
	for id := range d.byID {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// ChannelKeys returns the keys of every channel, sorted.
func (d *Document) ChannelKeys() []string {
	keys := make([]string, 0, len(d.Channels))
	for k := range d.Channels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// ChannelByPointer returns the channel a JSON pointer such as
// "/channels/place-order" (2.x: "/channels/user~1signedup") names. The
// pointer may start with "#".
func (d *Document) ChannelByPointer(ptr string) (*Channel, error) {
	ptr = strings.TrimPrefix(ptr, "#")
	toks, err := splitPointer(ptr)
	if err != nil {
		return nil, err
	}
	if len(toks) != 2 || toks[0] != "channels" {
		return nil, &PointerError{Pointer: ptr, Msg: "a channel pointer has the form /channels/<key>"}
	}
	c, ok := d.Channels[toks[1]]
	if !ok {
		return nil, &PointerError{Pointer: ptr, Msg: "no channel " + quote(toks[1])}
	}
	return c, nil
}

// OperationsOn returns the operations that use channel c, in document
// order.
func (d *Document) OperationsOn(c *Channel) []*Operation {
	var out []*Operation
	for _, op := range d.Operations {
		if op.Channel == c {
			out = append(out, op)
		}
	}
	return out
}

// PointerError reports a JSON pointer that names nothing usable.
type PointerError struct {
	Pointer, Msg string
}

func (e *PointerError) Error() string { return "pointer " + quote(e.Pointer) + ": " + e.Msg }

func splitPointer(p string) ([]string, error) {
	if p == "" {
		return nil, nil
	}
	if p[0] != '/' {
		return nil, &PointerError{Pointer: p, Msg: "a JSON pointer starts with /"}
	}
	parts := strings.Split(p[1:], "/")
	for i, s := range parts {
		if strings.Contains(s, "~") {
			s = strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
		}
		parts[i] = s
	}
	return parts, nil
}

func escapeToken(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func quote(s string) string { return "\"" + s + "\"" }
