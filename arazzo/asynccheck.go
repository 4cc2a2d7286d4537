package arazzo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/arazzo-go/arazzo/asyncapi"
	"github.com/arazzo-go/arazzo/expr"
)

// loadAsyncAPI parses an AsyncAPI source and reports the problems of the
// description as warnings at their place in its file. A version this
// package does not read (AsyncAPI 1.x) leaves the source unchecked.
func (l *loader) loadAsyncAPI(ctx context.Context, docFile string, s *SourceDescription, loc string, data []byte,
	diag func(Severity, string, string, ...any) Diagnostics) Diagnostics {
	if d, ok := l.aapi[loc]; ok {
		s.AsyncAPI = d
		return nil
	}
	al := &asyncapi.Loader{ReadFile: l.opts.fileReader(), AllowRemote: l.opts.AllowRemote, Client: l.opts.HTTPClient, Timeout: l.opts.Timeout, MaxBytes: l.opts.MaxBytes}
	d, err := al.Parse(ctx, loc, data)
	switch {
	case errors.Is(err, asyncapi.ErrNotAsyncAPI):
		s.LoadErr = err
		return diag(SeverityWarning, RuleSourceNotChecked, "source %q is not an AsyncAPI 2.x or 3.x description, so its operations and channels are not checked: %v", s.Name, err)
	case errors.Is(err, asyncapi.ErrLocalFromRemote):
		s.LoadErr = err
		ds := diag(SeverityError, RuleRemoteLocalSource, "source %q is not loaded: %v", s.Name, err)
		ds[0].Fix = "reference other documents by http(s) URLs only, or load the documents from local files"
		return ds
	case err != nil:
		s.LoadErr = err
		return diag(SeverityError, RuleSourceUnavailable, "source %q is not a usable AsyncAPI description: %v", s.Name, err)
	}
	if l.aapi == nil {
		l.aapi = map[string]*asyncapi.Document{}
	}
	l.aapi[loc] = d
	s.AsyncAPI = d
	ds := make(Diagnostics, 0, len(d.Problems))
	for _, p := range d.Problems {
		ds = append(ds, &Diagnostic{
			Severity: SeverityWarning, Rule: RuleAsyncAPIProblem,
			Msg:     fmt.Sprintf("source %q: %s", s.Name, p.Msg),
			Fix:     "fix the AsyncAPI description; until then the part that cannot be read is left out",
			File:    displayNear(docFile, p.Pos.File),
			Pos:     Pos{Line: p.Pos.Line, Col: p.Pos.Col},
			End:     Pos{Line: p.Pos.Line, Col: p.Pos.Col},
			Pointer: p.Pointer,
		})
	}
	return ds
}

// asyncStep is what an AsyncAPI step targets.
type asyncStep struct {
	src *SourceDescription
	op  *asyncapi.Operation // nil for a channelPath step
	ch  *asyncapi.Channel
}

// checkAsyncStep checks a step that targets an AsyncAPI source. It returns
// false when the step is not an AsyncAPI step, so the OpenAPI checks apply.
func (c *checker) checkAsyncStep(w *Workflow, s *Step) bool {
	t, async := c.resolveAsyncTarget(s)
	if !async {
		return false
	}
	if t == nil {
		return true // reported, or the source was not loaded
	}
	c.checkAsyncAction(s, t)
	msgs, ch := t.peerMessages(s.Action)
	if c.asyncMsgs == nil {
		c.asyncMsgs = map[*Step][]*asyncapi.Message{}
	}
	c.asyncMsgs[s] = msgs
	s.Async = &AsyncTarget{Source: t.src, Operation: t.op, Channel: ch, Messages: msgs}
	c.checkChannelParameters(w, s, ch)
	c.checkHeaderParameters(s, msgs)
	c.checkCorrelationID(w, s, msgs)
	c.checkAsyncPayload(s, msgs)
	return true
}

func isAsync(src *SourceDescription) bool {
	return src != nil && (src.AsyncAPI != nil || (src.Type == "asyncapi" && src.OpenAPI == nil && src.Arazzo == nil))
}

// resolveAsyncTarget finds the operation or channel of an AsyncAPI step.
// async is false when the step targets no AsyncAPI source; t is nil when
// the target is unknown (reported here) or its source was not loaded.
func (c *checker) resolveAsyncTarget(s *Step) (t *asyncStep, async bool) {
	switch {
	case s.ChannelPath != "":
		if !c.hasAsyncSource() {
			return nil, true // step-target says the document has no AsyncAPI source
		}
		pos, ptr := s.Loc.FieldPos("channelPath"), s.Loc.Pointer+"/channelPath"
		name, pointer, ok := parseOperationPath(s.ChannelPath)
		if !ok {
			d := c.errorf(RuleAsyncChannelPath, pos, ptr, "channelPath %q must be {$sourceDescriptions.<name>.url}#<JSON Pointer to a channel>", s.ChannelPath)
			d.Fix = "{$sourceDescriptions.<name>.url}#/channels/<channel key>"
			return nil, true
		}
		src := c.doc.Source(name)
		if src == nil {
			c.errorf(RuleUnknownSource, pos, ptr, "channelPath names no source description %q%s", name, c.suggestSource(name))
			return nil, true
		}
		if !isAsync(src) {
			if sourceKind(src) != "" {
				c.errorf(RuleAsyncChannelPath, pos, ptr, "channelPath names source %q, which is an %s description, not an AsyncAPI one", name, sourceKind(src))
			}
			return nil, true
		}
		if src.AsyncAPI == nil {
			return nil, true
		}
		ch, err := src.AsyncAPI.ChannelByPointer(pointer)
		if err != nil {
			var keys []string
			for _, k := range src.AsyncAPI.ChannelKeys() {
				keys = append(keys, "/channels/"+expr.EscapePointerToken(k))
			}
			d := c.errorf(RuleAsyncChannelPath, pos, ptr, "channelPath %q does not point at a channel of source %q%s", pointer, name, suggest(pointer, keys))
			if best := closest(pointer, keys); best != "" {
				d.Fix = "{$sourceDescriptions." + name + ".url}#" + best
			}
			return nil, true
		}
		return &asyncStep{src: src, ch: ch}, true
	case s.OperationID != "":
		pos, ptr := s.Loc.FieldPos("operationId"), s.Loc.Pointer+"/operationId"
		if name, id, ok := splitSourceRef(s.OperationID); ok {
			src := c.doc.Source(name)
			if !isAsync(src) {
				return nil, false
			}
			return c.asyncOperation(s, src, id, pos, ptr, s.OperationID), true
		}
		// A bare operationId: an AsyncAPI step when an AsyncAPI source
		// has it and no OpenAPI source does, or when every source that
		// could have it is an AsyncAPI one.
		var asyncSrcs []*SourceDescription
		others := false
		for _, src := range c.doc.SourceDescriptions {
			switch {
			case isAsync(src):
				asyncSrcs = append(asyncSrcs, src)
			case sourceKind(src) != "arazzo":
				if src.OpenAPI != nil {
					if _, found := src.OpenAPI.Operation(s.OperationID); found {
						return nil, false
					}
				}
				others = true
			}
		}
		var found []*SourceDescription
		unloaded := false
		for _, src := range asyncSrcs {
			if src.AsyncAPI == nil {
				unloaded = true
			} else if _, ok := src.AsyncAPI.Operation(s.OperationID); ok {
				found = append(found, src)
			}
		}
		switch {
		case len(found) == 1:
			if len(asyncSrcs) > 1 || others {
				d := c.warnf(RuleUnqualifiedOperation, pos, ptr, "operationId %q should be qualified when there are several source descriptions", s.OperationID)
				d.Fix = "$sourceDescriptions." + found[0].Name + "." + s.OperationID
			}
			return c.asyncOperation(s, found[0], s.OperationID, pos, ptr, s.OperationID), true
		case len(found) > 1:
			c.errorf(RuleAmbiguousOperation, pos, ptr, "operationId %q exists in several AsyncAPI sources (%s, %s); qualify it as $sourceDescriptions.<name>.%s", s.OperationID, found[0].Name, found[1].Name, s.OperationID)
			return nil, true
		case len(asyncSrcs) == 0 || (others && s.Action == ""):
			// Found nowhere: an action says it was meant for an
			// AsyncAPI source; otherwise the OpenAPI check reports it.
			return nil, false
		case unloaded:
			return nil, true
		case len(asyncSrcs) == 1:
			return c.asyncOperation(s, asyncSrcs[0], s.OperationID, pos, ptr, s.OperationID), true
		}
		var ids, names []string
		for _, src := range asyncSrcs {
			ids = append(ids, src.AsyncAPI.OperationIDs()...)
			names = append(names, src.Name)
		}
		sort.Strings(ids)
		d := c.errorf(RuleAsyncOperationNotFound, pos, ptr, "operationId %q not found in the AsyncAPI sources (%s)%s", s.OperationID, strings.Join(names, ", "), suggestOperationID(s.OperationID, ids))
		d.End = c.endOf(pos, s.OperationID)
		return nil, true
	case s.OperationPath != "":
		name, pointer, ok := parseOperationPath(s.OperationPath)
		if !ok {
			// The 1.1 spec's own example writes an operationId as an
			// operationPath ($sourceDescriptions.<name>.<operationId>):
			// an error, with the operationId form as the fix, and the
			// step is still checked against that operation.
			if name, id, ok := splitSourceRef(s.OperationPath); ok && isAsync(c.doc.Source(name)) {
				pos, ptr := s.Loc.FieldPos("operationPath"), s.Loc.Pointer+"/operationPath"
				d := c.errorf(RuleInvalidOperationPath, pos, ptr, "operationPath %q is an operationId, not {$sourceDescriptions.<name>.url}#<JSON Pointer>; write it as operationId", s.OperationPath)
				d.Fix = "operationId: " + s.OperationPath
				return c.asyncOperation(s, c.doc.Source(name), id, pos, ptr, s.OperationPath), true
			}
			return nil, false
		}
		src := c.doc.Source(name)
		if !isAsync(src) {
			return nil, false
		}
		if src.AsyncAPI == nil {
			return nil, true
		}
		pos, ptr := s.Loc.FieldPos("operationPath"), s.Loc.Pointer+"/operationPath"
		for _, op := range src.AsyncAPI.Operations {
			if op.Pointer == pointer {
				if op.ID != "" {
					d := c.warnf(RulePreferOperationID, pos, ptr, "the operation has operationId %q, which should be preferred over operationPath", op.ID)
					d.Fix = "operationId: $sourceDescriptions." + name + "." + op.ID
				}
				return &asyncStep{src: src, op: op, ch: op.Channel}, true
			}
		}
		var ptrs []string
		for _, op := range src.AsyncAPI.Operations {
			ptrs = append(ptrs, op.Pointer)
		}
		c.errorf(RuleAsyncOperationNotFound, pos, ptr, "operationPath %q does not point at an operation of AsyncAPI source %q%s", pointer, name, suggest(pointer, ptrs))
		return nil, true
	}
	return nil, false
}

func (c *checker) asyncOperation(s *Step, src *SourceDescription, id string, pos Pos, ptr, written string) *asyncStep {
	if src.AsyncAPI == nil {
		return nil
	}
	op, ok := src.AsyncAPI.Operation(id)
	if !ok {
		hint := suggestOperationID(id, src.AsyncAPI.OperationIDs())
		var fix string
		if hint == "" && s.Action == "receive" {
			// A reply has no operationId of its own (the 1.1 example's
			// "confirmOrder" is the reply of placeOrder).
			for _, o := range src.AsyncAPI.Operations {
				if o.Reply != nil && o.ID != "" {
					hint = fmt.Sprintf("; a reply has no operationId of its own: to receive the reply of %q, name that operation with action: receive", o.ID)
					fix = "operationId: $sourceDescriptions." + src.Name + "." + o.ID
					break
				}
			}
		}
		d := c.errorf(RuleAsyncOperationNotFound, pos, ptr, "operationId %q not found in AsyncAPI source %q%s", id, src.Name, hint)
		d.End = c.endOf(pos, written)
		d.Fix = fix
		return nil
	}
	return &asyncStep{src: src, op: op, ch: op.Channel}
}

// agrees reports whether a step's action fits an operation. The workflow is
// the described application's peer: it sends what the application
// receives and receives what it sends. An operation with a reply has
// messages going both ways.
func agrees(action string, op *asyncapi.Operation) bool {
	if op.Reply != nil || action == "" || op.Action == "" {
		return true
	}
	return action != string(op.Action)
}

func verb(op *asyncapi.Operation, major int) string {
	if major == 2 {
		if op.Action == asyncapi.ActionReceive {
			return "a publish operation (the application receives its messages)"
		}
		return "a subscribe operation (the application sends its messages)"
	}
	return "action: " + string(op.Action) + " (the application " + string(op.Action) + "s its messages)"
}

func (c *checker) checkAsyncAction(s *Step, t *asyncStep) {
	if s.Action == "" {
		return
	}
	pos, ptr := s.Loc.FieldPos("action"), s.Loc.Pointer+"/action"
	major := t.src.AsyncAPI.Major
	if t.op != nil {
		if !agrees(s.Action, t.op) {
			d := c.warnf(RuleAsyncActionMismatch, pos, ptr, "step %q has action: %s, but operation %q is %s; the workflow is its peer and would %s", s.StepID, s.Action, t.op.ID, verb(t.op, major), opposite(s.Action))
			d.Fix = "action: " + opposite(s.Action)
		}
		return
	}
	ops := t.src.AsyncAPI.OperationsOn(t.ch)
	for _, op := range ops {
		if agrees(s.Action, op) {
			return
		}
	}
	if len(ops) > 0 {
		d := c.warnf(RuleAsyncActionMismatch, pos, ptr, "step %q has action: %s on channel %q, but every operation on it (%s is %s) goes the same way; the workflow is the application's peer and would %s", s.StepID, s.Action, t.ch.Key, ops[0].ID, verb(ops[0], major), opposite(s.Action))
		d.Fix = "action: " + opposite(s.Action)
	}
}

func opposite(action string) string {
	if action == "send" {
		return "receive"
	}
	return "send"
}

// peerMessages returns the messages the step sends or receives and the
// channel they travel on. For an operation with a reply, the step that
// goes against the operation's own direction handles the request and the
// other one the reply.
func (t *asyncStep) peerMessages(action string) ([]*asyncapi.Message, *asyncapi.Channel) {
	if t.op == nil {
		return t.ch.Messages, t.ch
	}
	if action != "" && action == string(t.op.Action) && t.op.Reply != nil {
		ch := t.op.Reply.Channel
		if ch == nil {
			ch = t.op.Channel
		}
		return t.op.Reply.Messages, ch
	}
	return t.op.Messages, t.op.Channel
}

func (c *checker) checkChannelParameters(w *Workflow, s *Step, ch *asyncapi.Channel) {
	if ch == nil {
		return
	}
	need := ch.AddressParameters()
	if len(need) == 0 {
		return
	}
	given := map[string]bool{}
	for _, list := range [][]*Parameter{w.Parameters, s.Parameters} {
		for _, p := range list {
			if r := c.resolveParameterQuiet(p); r != nil && r.In != "header" {
				given[r.Name] = true
			}
		}
	}
	pos, ptr := s.Loc.FieldPos("operationId"), s.Loc.Pointer
	if s.OperationID == "" {
		pos = s.Loc.FieldPos("channelPath")
		if s.ChannelPath == "" {
			pos = s.Loc.FieldPos("operationPath")
		}
	}
	for _, name := range need {
		if given[name] {
			continue
		}
		if s.Action == "send" {
			d := c.errorf(RuleAsyncChannelParameter, pos, ptr, "step %q does not set channel parameter %q of address %q, so the message has nowhere to go", s.StepID, name, ch.Address)
			d.Fix = "parameters: [{name: " + name + ", in: path, value: ...}]"
		} else {
			c.warnf(RuleAsyncChannelParameter, pos, ptr, "step %q does not set channel parameter %q of address %q", s.StepID, name, ch.Address)
		}
	}
}

func (c *checker) checkCorrelationID(w *Workflow, s *Step, msgs []*asyncapi.Message) {
	if s.Action == "send" {
		c.checkSentCorrelationID(w, s, msgs)
		return
	}
	if s.Action != "receive" {
		return
	}
	var declared, name string
	for _, m := range msgs {
		if m.CorrelationID != "" {
			declared, name = m.CorrelationID, m.Name
			break
		}
	}
	switch {
	case declared != "" && s.CorrelationID == "":
		d := c.warnf(RuleAsyncCorrelationID, s.Loc.FieldPos("action"), s.Loc.Pointer, "step %q receives message %q, which carries a correlationId at %s, but sets no correlationId; it would accept a message meant for another run", s.StepID, name, declared)
		d.Fix = "correlationId: $inputs.<correlation id>"
	case declared == "" && s.CorrelationID != "" && len(msgs) > 0:
		c.warnf(RuleAsyncCorrelationID, s.Loc.FieldPos("correlationId"), s.Loc.Pointer+"/correlationId", "step %q sets correlationId, but the messages it receives declare no correlationId location to match it against", s.StepID)
	}
}

// checkSentCorrelationID: a send step whose message carries a
// correlationId in a header or payload member should set that member, or
// the reply cannot be matched to this run. Only a message that is the
// step's one choice is checked; with several, any of them may be meant.
func (c *checker) checkSentCorrelationID(w *Workflow, s *Step, msgs []*asyncapi.Message) {
	if len(msgs) != 1 || msgs[0].CorrelationID == "" {
		return
	}
	loc := msgs[0].CorrelationID
	where, ptr, ok := strings.Cut(loc, "#")
	member := firstToken(ptr)
	if !ok || member == "" {
		return
	}
	switch where {
	case "$message.header":
		for _, list := range [][]*Parameter{w.Parameters, s.Parameters} {
			for _, p := range list {
				if r := c.resolveParameterQuiet(p); r != nil && r.In == "header" && strings.EqualFold(r.Name, member) {
					return
				}
			}
		}
		d := c.warnf(RuleAsyncCorrelationID, s.Loc.FieldPos("action"), s.Loc.Pointer, "step %q sends message %q, whose correlationId is header %q, but does not set that header; a reply could not be matched to this run", s.StepID, msgs[0].Name, member)
		d.Fix = "parameters: [{name: " + member + ", in: header, value: $inputs.<correlation id>}]"
	case "$message.payload":
		if s.RequestBody == nil {
			return
		}
		payload, isMap := s.RequestBody.Payload.(map[string]any)
		if !isMap {
			return // a string template or a replacement may set it
		}
		if _, set := payload[member]; set {
			return
		}
		for _, r := range s.RequestBody.Replacements {
			if strings.TrimPrefix(r.Target, "/") == member || strings.HasPrefix(strings.TrimPrefix(r.Target, "/"), member+"/") {
				return
			}
		}
		c.warnf(RuleAsyncCorrelationID, s.Loc.FieldPos("requestBody"), s.Loc.Pointer+"/requestBody", "step %q sends message %q, whose correlationId is payload member %q, but its payload does not set it; a reply could not be matched to this run", s.StepID, msgs[0].Name, member)
	}
}

func (c *checker) checkAsyncPayload(s *Step, msgs []*asyncapi.Message) {
	rb := s.RequestBody
	if rb == nil || len(msgs) == 0 || s.Action == "receive" {
		return
	}
	payload, ok := rb.Payload.(map[string]any)
	if !ok {
		return
	}
	known := map[string]bool{}
	var names []string
	for _, m := range msgs {
		props, open := m.PayloadProperties()
		if open {
			return
		}
		for _, p := range props {
			if !known[p] {
				known[p] = true
				names = append(names, p)
			}
		}
	}
	node := childNode(rb.Loc.Node, "payload")
	for _, k := range sortedKeys(payload) {
		if known[k] {
			continue
		}
		what := "message " + quoteList(msgs)
		d := c.warnf(RuleAsyncPayloadMember, keyPos(node, k, rb.Loc.FieldPos("payload")), rb.Loc.Pointer+"/payload/"+expr.EscapePointerToken(k),
			"payload member %q is not a property of the payload schema of %s%s", k, what, suggest(k, names))
		if best := closest(k, names); best != "" {
			d.Fix = best + ": ..."
		}
	}
}

func quoteList(msgs []*asyncapi.Message) string {
	q := make([]string, 0, len(msgs))
	for _, m := range msgs {
		q = append(q, fmt.Sprintf("%q", m.Name))
	}
	return strings.Join(q, " or ")
}

// checkMessageUse reports a $message expression in a step that handles no
// message. A send step has one, the message it sent: the official 1.1
// fixtures read $message.header in a send step's outputs (see
// docs/asyncapi.md).
func (c *checker) checkMessageUse(u use) {
	if u.step == nil {
		return
	}
	if msgs, ok := c.asyncMsgs[u.step]; ok {
		c.checkMessageMember(u, msgs)
		return
	}
	if u.step.Action != "" || u.step.ChannelPath != "" {
		return
	}
	if src := c.stepSource(u.step); src != nil && isAsync(src) {
		return
	}
	c.errorf(RuleAsyncMessageExpression, u.pos, u.ptr, "step %q is not an AsyncAPI step; $message expressions only have a value in steps that send or receive a message", u.step.StepID)
}

// memberNames unions the payload (or header) property names of msgs; ok
// is false when any of them admits members it does not list, so no name
// can be called unknown.
func memberNames(msgs []*asyncapi.Message, headers bool) (names []string, ok bool) {
	if len(msgs) == 0 {
		return nil, false
	}
	seen := map[string]bool{}
	for _, m := range msgs {
		props, open := m.PayloadProperties()
		if headers {
			props, open = m.HeaderProperties()
		}
		if open {
			return nil, false
		}
		for _, p := range props {
			if !seen[p] {
				seen[p] = true
				names = append(names, p)
			}
		}
	}
	return names, true
}

func containsFold(names []string, s string) bool {
	for _, n := range names {
		if strings.EqualFold(n, s) {
			return true
		}
	}
	return false
}

// checkHeaderParameters compares the in: header parameters of a send step
// with the message's headers schema. Header names compare without case, as
// brokers that map them to HTTP (WebSocket, HTTP bindings) do.
func (c *checker) checkHeaderParameters(s *Step, msgs []*asyncapi.Message) {
	if s.Action != "send" {
		return
	}
	names, ok := memberNames(msgs, true)
	if !ok {
		return
	}
	for _, p := range s.Parameters {
		r := c.resolveParameterQuiet(p)
		if r == nil || r.In != "header" || containsFold(names, r.Name) {
			continue
		}
		d := c.warnf(RuleAsyncPayloadMember, p.Loc.FieldPos("name"), p.Loc.Pointer+"/name", "header %q is not a property of the headers schema of message %s%s", r.Name, quoteList(msgs), suggest(r.Name, names))
		if best := closest(r.Name, names); best != "" {
			d.Fix = "name: " + best
		}
	}
}

// checkMessageMember compares the member a $message expression reads
// with the schema of the messages the step handles.
func (c *checker) checkMessageMember(u use, msgs []*asyncapi.Message) {
	r := u.ref
	var member string
	headers := false
	switch r.Field {
	case "header":
		member, headers = r.Name, true
		if member == "" && r.HasPointer {
			member = firstToken(r.Pointer)
		}
	case "payload":
		if r.HasPointer {
			member = firstToken(r.Pointer)
		} else if len(r.Path) > 0 {
			member = r.Path[0]
		}
	}
	if member == "" {
		return
	}
	names, ok := memberNames(msgs, headers)
	if !ok || (headers && containsFold(names, member)) || (!headers && slices.Contains(names, member)) {
		return
	}
	what := "payload"
	if headers {
		what = "headers"
	}
	c.warnf(RuleAsyncPayloadMember, u.pos, u.ptr, "$message.%s: %q is not a property of the %s schema of message %s%s", r.Field, member, what, quoteList(msgs), suggest(member, names))
}

func firstToken(ptr string) string {
	ptr = strings.TrimPrefix(ptr, "/")
	if i := strings.IndexByte(ptr, '/'); i >= 0 {
		ptr = ptr[:i]
	}
	return strings.ReplaceAll(strings.ReplaceAll(ptr, "~1", "/"), "~0", "~")
}
