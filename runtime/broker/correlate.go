package broker

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Correlator returns the function a Dispatcher routes by, for an AsyncAPI
// correlationId location: "$message.header#/name" reads a header,
// "$message.payload#/a/b" a member of a JSON payload (objects and arrays,
// JSON pointer escapes ~0 ~1). A payload member that is not a string is
// compared in its JSON form (42, true). A message without the member, or
// whose payload is not JSON, has the empty id, which no run waits for.
func Correlator(location string) (func(Message) string, error) {
	src, ptr, ok := strings.Cut(location, "#")
	if !ok || !strings.HasPrefix(ptr, "/") || len(ptr) < 2 {
		return nil, fmt.Errorf("correlationId location %q: want $message.header#/name or $message.payload#/pointer", location)
	}
	tokens := strings.Split(ptr[1:], "/")
	for i, tok := range tokens {
		tokens[i] = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
	}
	switch src {
	case "$message.header":
		if len(tokens) != 1 {
			return nil, fmt.Errorf("correlationId location %q: a header is one name", location)
		}
		name := tokens[0]
		return func(m Message) string {
			if v, ok := m.Headers[name]; ok {
				return v
			}
			// Some clients canonicalise header names (Order-Request-Id
			// style); a name written in another case still matches.
			for k, v := range m.Headers {
				if strings.EqualFold(k, name) {
					return v
				}
			}
			return ""
		}, nil
	case "$message.payload":
		return func(m Message) string { return payloadMember(m.Payload, tokens) }, nil
	}
	return nil, fmt.Errorf("correlationId location %q: want $message.header#/name or $message.payload#/pointer", location)
}

// payloadMember follows a JSON pointer into a JSON payload.
func payloadMember(payload []byte, tokens []string) string {
	var v any
	if json.Unmarshal(payload, &v) != nil {
		return ""
	}
	for _, tok := range tokens {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[tok]; !ok {
				return ""
			}
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(x) {
				return ""
			}
			v = x[i]
		default:
			return ""
		}
	}
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}
