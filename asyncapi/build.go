package asyncapi

import (
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// builder turns the node tree of a document into the model. Channels and
// messages are shared by the node they resolve to, so an operation's
// channel $ref yields the very Channel listed under "channels".
type builder struct {
	r        *reader
	doc      *Document
	root     place
	channels map[*yaml.Node]*Channel
	messages map[*yaml.Node]*Message
}

func (r *reader) build(loc *url.URL) (doc *Document, err error) {
	root := r.docs[loc.String()]
	name := display(loc)
	if root == nil || root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("asyncapi %s: the document is not a mapping: %w", name, ErrNotAsyncAPI)
	}
	version := scalar(member(root, "asyncapi"))
	var major int
	switch {
	case strings.HasPrefix(version, "2."):
		major = 2
	case strings.HasPrefix(version, "3."):
		major = 3
	case version == "":
		return nil, fmt.Errorf("asyncapi %s: no asyncapi version field: %w", name, ErrNotAsyncAPI)
	default:
		return nil, fmt.Errorf("asyncapi %s: version %q: %w", name, version, ErrNotAsyncAPI)
	}
	doc = &Document{Version: version, Major: major, Servers: map[string]*Server{}, Channels: map[string]*Channel{}, byID: map[string]*Operation{}}
	if loc.Path != "" || loc.Scheme != "" {
		doc.Location = display(loc)
	}
	b := &builder{r: r, doc: doc, root: place{doc: loc, node: root}, channels: map[*yaml.Node]*Channel{}, messages: map[*yaml.Node]*Message{}}
	b.servers()
	if major == 2 {
		b.channels2()
	} else {
		b.channels3()
		b.operations3()
	}
	doc.Problems = r.problems
	if r.refusedLocal {
		return nil, fmt.Errorf("asyncapi %s: %w", name, ErrLocalFromRemote)
	}
	return doc, nil
}

func (b *builder) at(p place, key string) place {
	return place{doc: p.doc, node: member(p.node, key), ptr: p.ptr + "/" + escapeToken(key)}
}

func (b *builder) pos(p place) Pos {
	if p.node == nil {
		return Pos{File: display(p.doc)}
	}
	return Pos{File: display(p.doc), Line: p.node.Line, Col: p.node.Column}
}

// mapping derefs p and returns its key/value places, in document order. A
// value that is neither absent nor a mapping is a problem.
func (b *builder) mapping(p place, what string) []struct {
	key string
	val place
} {
	if p.node == nil {
		return nil
	}
	p, ok := b.r.deref(p)
	if !ok {
		return nil
	}
	n := alias(p.node)
	if n.Kind != yaml.MappingNode {
		if !(n.Kind == yaml.ScalarNode && n.Tag == "!!null") {
			b.r.problem(p, n, "%s must be a mapping", what)
		}
		return nil
	}
	out := make([]struct {
		key string
		val place
	}, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i].Value
		out = append(out, struct {
			key string
			val place
		}{k, place{doc: p.doc, node: n.Content[i+1], ptr: p.ptr + "/" + escapeToken(k)}})
	}
	return out
}

func (b *builder) servers() {
	for _, kv := range b.mapping(b.at(b.root, "servers"), "servers") {
		p, ok := b.r.deref(kv.val)
		if !ok {
			continue
		}
		s := &Server{Name: kv.key, Protocol: scalar(member(p.node, "protocol")), ProtocolVersion: scalar(member(p.node, "protocolVersion")),
			Host: scalar(member(p.node, "host")), Pathname: scalar(member(p.node, "pathname")), Variables: map[string]*ServerVariable{}}
		if b.doc.Major == 2 {
			// 2.x has one url: [scheme://]host[:port][/path]. The scheme,
			// when present, repeats the protocol.
			u := scalar(member(p.node, "url"))
			if i := strings.Index(u, "://"); i >= 0 {
				u = u[i+3:]
			}
			s.Host, s.Pathname = u, ""
			if i := strings.IndexByte(u, '/'); i >= 0 {
				s.Host, s.Pathname = u[:i], u[i:]
			}
		}
		for _, v := range b.mapping(b.at(p, "variables"), "server variables") {
			vp, ok := b.r.deref(v.val)
			if !ok {
				continue
			}
			sv := &ServerVariable{Default: scalar(member(vp.node, "default"))}
			if e := alias(member(vp.node, "enum")); e != nil && e.Kind == yaml.SequenceNode {
				for _, x := range e.Content {
					sv.Enum = append(sv.Enum, scalar(x))
				}
			}
			s.Variables[v.key] = sv
		}
		s.Bindings = b.bindings(b.at(p, "bindings"))
		s.Security = b.security(b.at(p, "security"))
		b.doc.Servers[kv.key] = s
	}
}

// security reads a server's security list: in 3.x Security Scheme Objects
// (mostly $refs into components/securitySchemes), in 2.x requirement maps
// whose keys name components/securitySchemes entries.
func (b *builder) security(p place) []*SecurityScheme {
	seq := alias(p.node)
	if seq == nil {
		return nil
	}
	if seq.Kind != yaml.SequenceNode {
		b.r.problem(p, seq, "security must be a list")
		return nil
	}
	var out []*SecurityScheme
	add := func(name string, sp place) {
		r, ok := b.r.deref(sp)
		if !ok || alias(r.node) == nil {
			return
		}
		if name == "" {
			if ref, _ := refOf(sp.node); ref != "" {
				name = ref[strings.LastIndexByte(ref, '/')+1:]
			}
		}
		out = append(out, &SecurityScheme{Name: name, Type: scalar(member(r.node, "type")), Scheme: scalar(member(r.node, "scheme"))})
	}
	for i, item := range seq.Content {
		ip := place{doc: p.doc, node: item, ptr: fmt.Sprintf("%s/%d", p.ptr, i)}
		if b.doc.Major != 2 {
			add("", ip)
			continue
		}
		schemes := b.at(b.at(b.root, "components"), "securitySchemes")
		for _, kv := range b.mapping(ip, "security requirement") {
			sp := b.at(schemes, kv.key)
			if sp.node == nil {
				b.r.problem(ip, item, "security scheme %q is not in components/securitySchemes", kv.key)
				continue
			}
			add(kv.key, sp)
		}
	}
	return out
}

// channel builds (once) the Channel at p, which must already be
// dereferenced; key is its key under "channels" when it is listed there.
func (b *builder) channel(p place, key string) *Channel {
	if c, ok := b.channels[p.node]; ok {
		return c
	}
	c := &Channel{Key: key, Pointer: p.ptr, Pos: b.pos(p)}
	b.channels[p.node] = c
	if b.doc.Major == 2 {
		c.Address = key
	} else {
		c.Address = scalar(member(p.node, "address"))
	}
	for _, kv := range b.mapping(b.at(p, "parameters"), "channel parameters") {
		c.Parameters = append(c.Parameters, kv.key)
	}
	sort.Strings(c.Parameters)
	for _, name := range c.AddressParameters() {
		if !slices.Contains(c.Parameters, name) {
			b.r.problem(p, p.node, "channel address %q uses parameter %q, which the channel's parameters do not declare", c.Address, name)
		}
	}
	c.Bindings = b.bindings(b.at(p, "bindings"))
	if b.doc.Major == 3 {
		for _, kv := range b.mapping(b.at(p, "messages"), "channel messages") {
			if m := b.message(kv.val, kv.key); m != nil {
				c.Messages = append(c.Messages, m)
			}
		}
	}
	return c
}

func (b *builder) channels3() {
	for _, kv := range b.mapping(b.at(b.root, "channels"), "channels") {
		p, ok := b.r.deref(kv.val)
		if !ok {
			continue
		}
		if alias(p.node).Kind != yaml.MappingNode {
			b.r.problem(p, p.node, "channel %q must be a mapping", kv.key)
			continue
		}
		c := b.channel(p, kv.key)
		if c.Key == "" {
			c.Key = kv.key
		}
		b.doc.Channels[kv.key] = c
	}
}

func (b *builder) operations3() {
	for _, kv := range b.mapping(b.at(b.root, "operations"), "operations") {
		p, ok := b.r.deref(kv.val)
		if !ok {
			continue
		}
		op := &Operation{ID: kv.key, Pointer: kv.val.ptr, Pos: b.pos(kv.val)}
		switch a := scalar(member(p.node, "action")); a {
		case "send":
			op.Action = ActionSend
		case "receive":
			op.Action = ActionReceive
		default:
			b.r.problem(p, member(p.node, "action"), "operation %q: action %q must be send or receive", kv.key, a)
		}
		if cp := b.at(p, "channel"); cp.node != nil {
			if r, ok := b.r.deref(cp); ok {
				op.Channel = b.channel(r, "")
			}
		} else {
			b.r.problem(p, p.node, "operation %q has no channel", kv.key)
		}
		op.Messages = b.messageList(b.at(p, "messages"))
		if len(op.Messages) == 0 && op.Channel != nil {
			op.Messages = op.Channel.Messages
		}
		if rp := b.at(p, "reply"); rp.node != nil {
			if rr, ok := b.r.deref(rp); ok {
				reply := &Reply{}
				if cp := b.at(rr, "channel"); cp.node != nil {
					if r, ok := b.r.deref(cp); ok {
						reply.Channel = b.channel(r, "")
					}
				}
				reply.Messages = b.messageList(b.at(rr, "messages"))
				if len(reply.Messages) == 0 && reply.Channel != nil {
					reply.Messages = reply.Channel.Messages
				}
				op.Reply = reply
			}
		}
		op.Bindings = b.bindings(b.at(p, "bindings"))
		b.addOperation(op)
	}
}

func (b *builder) addOperation(op *Operation) {
	b.doc.Operations = append(b.doc.Operations, op)
	if op.ID == "" {
		return
	}
	if prev, dup := b.doc.byID[op.ID]; dup {
		b.r.problems = append(b.r.problems, Problem{Pos: op.Pos, Pointer: op.Pointer, Msg: fmt.Sprintf("operationId %q is also used at %s", op.ID, prev.Pointer)})
		return
	}
	b.doc.byID[op.ID] = op
}

func (b *builder) messageList(p place) []*Message {
	if p.node == nil {
		return nil
	}
	p, ok := b.r.deref(p)
	if !ok {
		return nil
	}
	n := alias(p.node)
	if n.Kind != yaml.SequenceNode {
		b.r.problem(p, n, "messages must be a list")
		return nil
	}
	var out []*Message
	for i, x := range n.Content {
		if m := b.message(place{doc: p.doc, node: x, ptr: fmt.Sprintf("%s/%d", p.ptr, i)}, ""); m != nil {
			out = append(out, m)
		}
	}
	return out
}

// channels2 reads 2.x channels, whose publish and subscribe operations are
// seen from the application's users: publish means the application
// receives.
func (b *builder) channels2() {
	for _, kv := range b.mapping(b.at(b.root, "channels"), "channels") {
		p, ok := b.r.deref(kv.val)
		if !ok {
			continue
		}
		if alias(p.node).Kind != yaml.MappingNode {
			b.r.problem(p, p.node, "channel %q must be a mapping", kv.key)
			continue
		}
		c := b.channel(p, kv.key)
		b.doc.Channels[kv.key] = c
		for _, verb := range []string{"publish", "subscribe"} {
			op2 := b.at(p, verb)
			if op2.node == nil {
				continue
			}
			op2, ok := b.r.deref(op2)
			if !ok {
				continue
			}
			op := &Operation{ID: scalar(member(op2.node, "operationId")), Channel: c, Pointer: op2.ptr, Pos: b.pos(op2)}
			op.Action = ActionReceive
			if verb == "subscribe" {
				op.Action = ActionSend
			}
			if mp := b.at(op2, "message"); mp.node != nil {
				if mr, ok := b.r.deref(mp); ok {
					if one := b.at(mr, "oneOf"); one.node != nil {
						op.Messages = b.messageList(one)
					} else if m := b.message(mr, ""); m != nil {
						op.Messages = []*Message{m}
					}
				}
			}
			op.Bindings = b.bindings(b.at(op2, "bindings"))
			for _, m := range op.Messages {
				if !containsMessage(c.Messages, m) {
					c.Messages = append(c.Messages, m)
				}
			}
			b.addOperation(op)
		}
	}
}

func containsMessage(ms []*Message, m *Message) bool {
	for _, x := range ms {
		if x == m {
			return true
		}
	}
	return false
}

// message builds (once) the message at p; key names it when the document
// gives no better name.
func (b *builder) message(p place, key string) *Message {
	refName := ""
	if ref, _ := refOf(p.node); ref != "" {
		if i := strings.LastIndexByte(ref, '/'); i >= 0 {
			refName = strings.ReplaceAll(strings.ReplaceAll(ref[i+1:], "~1", "/"), "~0", "~")
		}
	}
	p, ok := b.r.deref(p)
	if !ok {
		return nil
	}
	if m, ok := b.messages[p.node]; ok {
		return m
	}
	if alias(p.node).Kind != yaml.MappingNode {
		b.r.problem(p, p.node, "a message must be a mapping")
		return nil
	}
	m := &Message{Name: scalar(member(p.node, "name")), ContentType: scalar(member(p.node, "contentType")), Pointer: p.ptr, Pos: b.pos(p)}
	if m.Name == "" {
		m.Name = refName
	}
	if m.Name == "" {
		m.Name = key
	}
	b.messages[p.node] = m
	if pl := b.at(p, "payload"); pl.node != nil {
		m.Payload = decode(pl.node)
		m.payloadProps, m.payloadOpen = b.properties(b.schemaOf(pl), 0)
	} else {
		m.payloadOpen = true
	}
	if hp := b.at(p, "headers"); hp.node != nil {
		m.Headers = decode(hp.node)
		m.headerProps, m.headerOpen = b.properties(b.schemaOf(hp), 0)
	} else {
		m.headerOpen = true
	}
	if cp := b.at(p, "correlationId"); cp.node != nil {
		if cr, ok := b.r.deref(cp); ok {
			m.CorrelationID = scalar(member(cr.node, "location"))
			if m.CorrelationID == "" {
				b.r.problem(cr, cr.node, "correlationId has no location")
			}
		}
	}
	m.Bindings = b.bindings(b.at(p, "bindings"))
	return m
}

// schemaOf unwraps a 3.0 Multi Format Schema Object ({schemaFormat,
// schema}) to the schema it holds.
func (b *builder) schemaOf(p place) place {
	r, ok := b.r.deref(p)
	if !ok {
		return place{}
	}
	if member(r.node, "schemaFormat") != nil {
		if s := b.at(r, "schema"); s.node != nil {
			return s
		}
	}
	return r
}

// properties collects the property names a schema declares, through $ref
// and allOf. open reports that no name can be called unknown: the schema
// declares no properties, or also admits members through anyOf, oneOf or
// patternProperties. additionalProperties is not consulted: a name that
// the schema lists nowhere is more likely a typo than an intended extra,
// and the caller reports it only as a warning.
func (b *builder) properties(p place, depth int) (names []string, open bool) {
	seen := map[*yaml.Node]bool{}
	declared, union := b.collect(p, depth, &names, seen)
	sort.Strings(names)
	return slices.Compact(names), !declared || union
}

// collect visits each schema node once per call, so schemas that share
// parts through allOf and $ref cost their size, not the number of paths
// to each part.
func (b *builder) collect(p place, depth int, names *[]string, seen map[*yaml.Node]bool) (declared, union bool) {
	if p.node == nil || depth > maxSchemaDepth || len(seen) > maxSchemaNodes {
		return false, true
	}
	p, ok := b.r.deref(p)
	if !ok {
		return false, true
	}
	n := alias(p.node)
	if seen[n] {
		return false, false
	}
	seen[n] = true
	if n.Kind != yaml.MappingNode {
		return false, true // true, false or a damaged schema
	}
	if props := alias(member(n, "properties")); props != nil && props.Kind == yaml.MappingNode {
		declared = true
		for i := 0; i+1 < len(props.Content); i += 2 {
			*names = append(*names, props.Content[i].Value)
		}
	}
	for _, key := range []string{"anyOf", "oneOf", "patternProperties"} {
		if member(n, key) != nil {
			union = true
		}
	}
	if ao := alias(member(n, "allOf")); ao != nil && ao.Kind == yaml.SequenceNode {
		for i, x := range ao.Content {
			d, u := b.collect(place{doc: p.doc, node: x, ptr: fmt.Sprintf("%s/allOf/%d", p.ptr, i)}, depth+1, names, seen)
			declared = declared || d
			union = union || u
		}
	}
	return declared, union
}

func (b *builder) bindings(p place) Bindings {
	var out Bindings
	kvs := b.mapping(p, "bindings")
	if len(kvs) == 0 {
		return out
	}
	out.Raw = map[string]any{}
	for _, kv := range kvs {
		r, ok := b.r.deref(kv.val)
		if !ok {
			continue
		}
		out.Raw[kv.key] = decode(r.node)
		switch kv.key {
		case "kafka":
			if k := member(r.node, "key"); k != nil {
				out.KafkaKey = decode(k)
			}
		case "amqp":
			out.AMQPExchange = scalar(member(alias(member(r.node, "exchange")), "name"))
			out.AMQPQueue = scalar(member(alias(member(r.node, "queue")), "name"))
			if cc := alias(member(r.node, "cc")); cc != nil && cc.Kind == yaml.SequenceNode && len(cc.Content) > 0 {
				out.AMQPRoutingKey = scalar(cc.Content[0])
			}
		case "mqtt":
			if q := alias(member(r.node, "qos")); q != nil && q.Kind == yaml.ScalarNode {
				var v int
				if q.Decode(&v) == nil && v >= 0 && v <= 2 {
					out.MQTTQoS = &v
				} else {
					b.r.problem(r, q, "mqtt qos %q must be 0, 1 or 2", q.Value)
				}
			}
			if rt := alias(member(r.node, "retain")); rt != nil && rt.Kind == yaml.ScalarNode {
				var v bool
				if rt.Decode(&v) == nil {
					out.MQTTRetain = &v
				}
			}
		}
	}
	return out
}

// member returns the value of key in a mapping node, or nil.
func member(n *yaml.Node, key string) *yaml.Node {
	n = alias(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func scalar(n *yaml.Node) string {
	n = alias(n)
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return ""
	}
	return n.Value
}

// decode turns a node into plain values; nil when it cannot.
func decode(n *yaml.Node) any {
	var v any
	if err := n.Decode(&v); err != nil {
		return nil
	}
	return v
}
