package broker

import (
	"context"
	"fmt"
	"strings"

	"github.com/arazzo-go/arazzo/asyncapi"
)

// ServerURL is the URL of an AsyncAPI server: protocol://host plus
// pathname, each {variable} replaced by vars[name] or else its default. A
// variable with neither, or a value outside its enum, is an error.
func ServerURL(s *asyncapi.Server, vars map[string]string) (string, error) {
	raw := s.Host + s.Pathname
	var b strings.Builder
	for {
		i := strings.IndexByte(raw, '{')
		if i < 0 {
			b.WriteString(raw)
			break
		}
		j := strings.IndexByte(raw[i:], '}')
		if j < 0 {
			return "", fmt.Errorf("server %q: unclosed { in %q", s.Name, s.Host+s.Pathname)
		}
		name := raw[i+1 : i+j]
		v, ok := vars[name]
		sv := s.Variables[name]
		if !ok && sv != nil && sv.Default != "" {
			v, ok = sv.Default, true
		}
		if !ok {
			return "", fmt.Errorf("server %q: variable {%s} has no value and no default", s.Name, name)
		}
		if sv != nil && len(sv.Enum) > 0 && !contains(sv.Enum, v) {
			return "", fmt.Errorf("server %q: variable {%s} = %q is not one of %s", s.Name, name, v, strings.Join(sv.Enum, ", "))
		}
		b.WriteString(raw[:i])
		b.WriteString(v)
		raw = raw[i+j+1:]
	}
	return schemeFor(strings.ToLower(s.Protocol)) + "://" + b.String(), nil
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// DialServer opens the transport for an AsyncAPI server, chosen by its
// protocol. c.URL, when set, replaces the server's own address (the
// --server override); c's credentials are the ones the server's security
// scheme calls for, resolved by the caller.
func DialServer(ctx context.Context, s *asyncapi.Server, vars map[string]string, c Config) (Transport, error) {
	if c.URL == "" {
		u, err := ServerURL(s, vars)
		if err != nil {
			return nil, err
		}
		c.URL = u
	}
	return Dial(ctx, s.Protocol, c)
}

// Route works out where a message of op goes: the channel address with its
// {parameters} filled from params, and the Options its bindings ask for.
// The bindings honoured are: AMQP channel exchange name (publish to that
// exchange, the address as routing key) or queue name (default exchange,
// the queue as address), AMQP operation cc[0] (routing key), MQTT operation
// qos and retain, Kafka message key when it is a constant (a string, or a
// schema with a string const). A parameter value holding a wildcard of any
// protocol (+ # * >) is refused: it would widen a subscription beyond the
// run's own messages.
func Route(op *asyncapi.Operation, msg *asyncapi.Message, params map[string]string) (string, Options, error) {
	var o Options
	ch := op.Channel
	if ch == nil {
		return "", o, fmt.Errorf("operation %q has no channel", op.ID)
	}
	address := ch.Address
	for _, name := range ch.AddressParameters() {
		v, ok := params[name]
		if !ok {
			return "", o, fmt.Errorf("channel %q: parameter {%s} has no value", ch.Key, name)
		}
		if v == "" || strings.ContainsAny(v, "+#*>") {
			return "", o, fmt.Errorf("channel %q: parameter {%s} = %q is empty or holds a wildcard (+ # * >)", ch.Key, name, v)
		}
		address = strings.Replace(address, "{"+name+"}", v, 1)
	}
	if cb := ch.Bindings; cb.AMQPExchange != "" {
		o.Exchange = cb.AMQPExchange
	} else if cb.AMQPQueue != "" {
		address = cb.AMQPQueue
	}
	if k := op.Bindings.AMQPRoutingKey; k != "" && o.Exchange != "" {
		address = k
	}
	if q := op.Bindings.MQTTQoS; q != nil {
		o.QoS = byte(*q)
	}
	if r := op.Bindings.MQTTRetain; r != nil {
		o.Retain = *r
	}
	if msg != nil {
		switch k := msg.Bindings.KafkaKey.(type) {
		case string:
			o.Key = []byte(k)
		case map[string]any:
			if c, ok := k["const"].(string); ok {
				o.Key = []byte(c)
			}
		}
	}
	if address == "" {
		return "", o, fmt.Errorf("channel %q has no address", ch.Key)
	}
	return address, o, nil
}

// Credentials are the secrets a run holds for a source (from --auth),
// before it is known which of them the server wants.
type Credentials struct {
	Username, Password string
	Token              string
}

// WithCredentials returns c with the credentials the server's security
// schemes call for. The schemes are alternatives, tried in order; the first
// that cred can satisfy is used:
//
//	userPassword, plain        Username and Password (Kafka: SASL PLAIN)
//	scramSha256, scramSha512   Username and Password (Kafka: that SCRAM)
//	http basic                 Username and Password
//	http bearer                Token
//
// A server without security gets whatever cred holds. A server whose
// schemes cred cannot satisfy (or that only lists kinds we do not send,
// such as X509 or httpApiKey) is an error naming the schemes, never a
// secret.
func WithCredentials(c Config, s *asyncapi.Server, cred Credentials) (Config, error) {
	userPass := func(mech string) Config {
		c.Username, c.Password, c.SASLMechanism = cred.Username, cred.Password, mech
		return c
	}
	if len(s.Security) == 0 {
		if cred.Username != "" {
			return userPass(""), nil
		}
		c.Token = cred.Token
		return c, nil
	}
	var names []string
	for _, sc := range s.Security {
		names = append(names, strings.TrimSpace(sc.Name+" ("+sc.Type+" "+sc.Scheme)+")")
		hasUser := cred.Username != ""
		switch {
		case (sc.Type == "userPassword" || sc.Type == "plain") && hasUser:
			return userPass("PLAIN"), nil
		case sc.Type == "scramSha256" && hasUser:
			return userPass("SCRAM-SHA-256"), nil
		case sc.Type == "scramSha512" && hasUser:
			return userPass("SCRAM-SHA-512"), nil
		case sc.Type == "http" && strings.EqualFold(sc.Scheme, "basic") && hasUser:
			return userPass(""), nil
		case sc.Type == "http" && strings.EqualFold(sc.Scheme, "bearer") && cred.Token != "":
			c.Token = cred.Token
			return c, nil
		}
	}
	return c, fmt.Errorf("server %q wants %s: no credential given fits (user and password, or a bearer token)", s.Name, strings.Join(names, " or "))
}
