package asyncapi

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/arazzo-go/arazzo/internal/testutil"
)

func load(t *testing.T, name string) *Document {
	t.Helper()
	d, err := (&Loader{}).Load(context.Background(), filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return d
}

func TestLoad30(t *testing.T) {
	d := load(t, "orders-3.0.yaml")
	if d.Major != 3 || d.Version != "3.0.0" || len(d.Problems) != 0 {
		t.Fatalf("version %q major %d problems %v", d.Version, d.Major, d.Problems)
	}
	s := d.Servers["broker"]
	if s == nil || s.Protocol != "amqp" || s.Host != "broker.example.com:{port}" || s.Pathname != "/v1" || s.Variables["port"].Default != "5672" || len(s.Variables["port"].Enum) != 2 {
		t.Fatalf("server = %+v", s)
	}
	op, ok := d.Operation("createOrder")
	if !ok || op.Action != ActionReceive {
		t.Fatalf("createOrder = %+v", op)
	}
	ch, err := d.ChannelByPointer("#/channels/orders")
	if err != nil || ch != op.Channel {
		t.Fatalf("channel by pointer = %v, %v; operation channel %v", ch, err, op.Channel)
	}
	if ch.Address != "orders.{region}.created" || !slices.Equal(ch.Parameters, []string{"region"}) || !slices.Equal(ch.AddressParameters(), []string{"region"}) {
		t.Fatalf("channel = %+v", ch)
	}
	if ch.Bindings.AMQPExchange != "orders" {
		t.Fatalf("amqp exchange = %q", ch.Bindings.AMQPExchange)
	}
	if len(op.Messages) != 1 || op.Messages[0] != ch.Messages[0] {
		t.Fatalf("operation messages %v, channel messages %v", op.Messages, ch.Messages)
	}
	m := op.Messages[0]
	if m.Name != "orderCreated" || m.CorrelationID != "$message.header#/orderRef" || !strings.HasSuffix(m.Pos.File, "orders-messages.yaml") || m.Pos.Line != 2 {
		t.Fatalf("message = %+v", m)
	}
	if names, open := m.PayloadProperties(); open || !slices.Equal(names, []string{"items", "orderId"}) {
		t.Fatalf("payload properties %v open %v", names, open)
	}
	if op.Bindings.MQTTQoS == nil || *op.Bindings.MQTTQoS != 1 || op.Bindings.MQTTRetain == nil || !*op.Bindings.MQTTRetain {
		t.Fatalf("mqtt bindings %+v", op.Bindings)
	}
	if op.Reply == nil || op.Reply.Channel != d.Channels["confirmations"] || len(op.Reply.Messages) != 1 {
		t.Fatalf("reply = %+v", op.Reply)
	}
	r := op.Reply.Messages[0]
	if r.CorrelationID != "$message.header#/orderRef" || r.Bindings.KafkaKey == nil {
		t.Fatalf("reply message = %+v", r)
	}
	// allOf through a $ref, inside a Multi Format Schema Object.
	if names, open := r.PayloadProperties(); open || !slices.Equal(names, []string{"confirmedAt", "orderId"}) {
		t.Fatalf("reply payload properties %v open %v", names, open)
	}
	if names, _ := r.HeaderProperties(); !slices.Equal(names, []string{"orderRef"}) {
		t.Fatalf("reply header properties %v", names)
	}
	// An operation without messages uses its channel's.
	ann, _ := d.Operation("announceConfirmation")
	if ann.Action != ActionSend || len(ann.Messages) != 1 || ann.Messages[0] != r {
		t.Fatalf("announceConfirmation = %+v", ann)
	}
	if got := d.OperationIDs(); !slices.Equal(got, []string{"announceConfirmation", "createOrder"}) {
		t.Fatalf("ids = %v", got)
	}
	if ops := d.OperationsOn(d.Channels["confirmations"]); len(ops) != 1 || ops[0] != ann {
		t.Fatalf("operations on confirmations = %v", ops)
	}
}

func TestLoad26PublishSubscribeInverted(t *testing.T) {
	d := load(t, "users-2.6.yaml")
	if d.Major != 2 || len(d.Problems) != 0 {
		t.Fatalf("major %d problems %v", d.Major, d.Problems)
	}
	if s := d.Servers["production"]; s.Host != "mqtt.example.com:1883" || s.Pathname != "/base" || s.Protocol != "mqtt" {
		t.Fatalf("server %+v", s)
	}
	// publish: the application's users publish, so the application receives.
	up, _ := d.Operation("signUpUser")
	if up == nil || up.Action != ActionReceive || up.Channel.Address != "user/signedup" || *up.Bindings.MQTTQoS != 2 {
		t.Fatalf("signUpUser = %+v", up)
	}
	welcome, _ := d.Operation("sendWelcome")
	if welcome == nil || welcome.Action != ActionSend || len(welcome.Messages) != 2 || welcome.Messages[0].CorrelationID != "$message.payload#/requestId" {
		t.Fatalf("sendWelcome = %+v", welcome)
	}
	if welcome.Messages[1].Name != "plain" || welcome.Messages[0].Name != "Welcome" {
		t.Fatalf("message names %q %q", welcome.Messages[0].Name, welcome.Messages[1].Name)
	}
	ch, err := d.ChannelByPointer("/channels/user~1{userId}~1welcome")
	if err != nil || ch != welcome.Channel || !slices.Equal(ch.Parameters, []string{"userId"}) {
		t.Fatalf("channel %v %v", ch, err)
	}
}

func TestDamagedDocumentKeepsWhatItCan(t *testing.T) {
	d := load(t, "damaged-3.0.yaml")
	var msgs []string
	for _, p := range d.Problems {
		if p.Pos.Line == 0 || !strings.HasSuffix(p.Pos.File, "damaged-3.0.yaml") {
			t.Errorf("problem without a position in the file: %+v", p)
		}
		msgs = append(msgs, p.Error())
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{
		`damaged-3.0.yaml:8:15: $ref "#/components/messages/Missing": no member "components"`,
		`no-such-file.yaml`,
		`$ref chain longer than 64`,
		`damaged-3.0.yaml:17:13: operation "op1": action "shout" must be send or receive`,
		`$ref "#/channels/nowhere": no member "nowhere"`,
		`operation "op2" has no channel`,
		`damaged-3.0.yaml:14:5: channel address "rooms/{roomId}" uses parameter "roomId", which the channel's parameters do not declare`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("problems lack %q:\n%s", want, all)
		}
	}
	if c := d.Channels["a"]; c == nil || len(c.Messages) != 0 {
		t.Fatalf("channel a = %+v", c)
	}
	if _, ok := d.Operation("op2"); !ok {
		t.Fatal("op2 is missing")
	}
}

func TestPetAsyncAPIExample(t *testing.T) {
	path := testutil.SharedDir(t, "arazzo-spec", "examples", "1.1.0", "pet-asyncapi.yaml")
	d, err := (&Loader{}).Load(context.Background(), path)
	if err != nil || len(d.Problems) != 0 {
		t.Fatalf("load: %v %v", err, d.Problems)
	}
	op, _ := d.Operation("placeOrder")
	if op == nil || op.Action != ActionReceive || op.Reply == nil || op.Reply.Channel.Address != "confirm-order" {
		t.Fatalf("placeOrder = %+v", op)
	}
	if op.Messages[0].CorrelationID != "$message.header#/orderRequestId" || op.Reply.Messages[0].Name != "OrderResponse" {
		t.Fatalf("messages %+v / %+v", op.Messages[0], op.Reply.Messages[0])
	}
}

func TestNotAsyncAPI(t *testing.T) {
	for _, src := range []string{"openapi: 3.0.0\n", "asyncapi: 1.2.0\n", "- a\n", "asyncapi: 3.0.0\nchannels: [1]\n"} {
		d, err := (&Loader{}).Parse(context.Background(), "", []byte(src))
		switch {
		case strings.HasPrefix(src, "asyncapi: 3"):
			if err != nil || len(d.Problems) != 1 || !strings.Contains(d.Problems[0].Msg, "channels must be a mapping") {
				t.Errorf("%q: %v %v", src, err, d)
			}
		case !errors.Is(err, ErrNotAsyncAPI):
			t.Errorf("%q: err = %v, want ErrNotAsyncAPI", src, err)
		}
	}
	if _, err := (&Loader{}).Parse(context.Background(), "", []byte("asyncapi: [")); err == nil || errors.Is(err, ErrNotAsyncAPI) {
		t.Errorf("bad YAML: %v", err)
	}
}

func TestAccessPolicy(t *testing.T) {
	dir := t.TempDir()
	local := filepath.Join(dir, "secret.yaml")
	if err := os.WriteFile(local, []byte("X: {payload: {type: object}}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	doc := "asyncapi: 3.0.0\nchannels:\n  a:\n    address: a\n    messages:\n      m: {$ref: 'REF#/X'}\n"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/file.yaml":
			_, _ = w.Write([]byte(strings.Replace(doc, "REF", "file://"+filepath.ToSlash(local), 1)))
		case "/big.yaml":
			_, _ = w.Write([]byte(doc + strings.Repeat("#", 4096)))
		case "/rel.yaml":
			_, _ = w.Write([]byte(strings.Replace(doc, "REF", "other.yaml", 1)))
		case "/other.yaml":
			_, _ = w.Write([]byte("X: {name: remote}\n"))
		}
	}))
	defer srv.Close()
	ctx := context.Background()
	// A remote document may not name a local file.
	_, err := (&Loader{AllowRemote: true}).Load(ctx, srv.URL+"/file.yaml")
	if !errors.Is(err, ErrLocalFromRemote) {
		t.Errorf("file: from remote: %v", err)
	}
	// Remote reading is off by default.
	if _, err := (&Loader{}).Load(ctx, srv.URL+"/rel.yaml"); !errors.Is(err, ErrRemoteDisabled) {
		t.Errorf("remote without AllowRemote: %v", err)
	}
	// A relative $ref of a remote document is remote, and read.
	d, err := (&Loader{AllowRemote: true}).Load(ctx, srv.URL+"/rel.yaml")
	if err != nil || len(d.Channels["a"].Messages) != 1 || d.Channels["a"].Messages[0].Name != "remote" {
		t.Errorf("relative remote ref: %v %+v", err, d)
	}
	// Size limit.
	if _, err := (&Loader{AllowRemote: true, MaxBytes: 1024}).Load(ctx, srv.URL+"/big.yaml"); err == nil || !strings.Contains(err.Error(), "limit") {
		t.Errorf("size limit: %v", err)
	}
	// A local document's $ref to a remote file without AllowRemote is a problem, not a failure.
	lp := filepath.Join(dir, "local.yaml")
	if err := os.WriteFile(lp, []byte(strings.Replace(doc, "REF", srv.URL+"/other.yaml", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	d, err = (&Loader{}).Load(ctx, lp)
	if err != nil || len(d.Problems) != 1 || !strings.Contains(d.Problems[0].Msg, "remote loading is disabled") {
		t.Errorf("remote ref from local: %v %+v", err, d)
	}
	// A $ref to a device is refused.
	if err := os.WriteFile(lp, []byte(strings.Replace(doc, "REF", "/dev/zero", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if d, err = (&Loader{}).Load(ctx, lp); err != nil || len(d.Problems) != 1 || !strings.Contains(d.Problems[0].Msg, "not a regular file") {
		t.Errorf("device ref: %v %+v", err, d)
	}
	// A $ref to a FIFO without a writer is refused at once: opening it
	// must not block (issue 12, defect 7).
	fifo := filepath.Join(filepath.Dir(lp), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("cannot make a FIFO here:", err)
	}
	if err := os.WriteFile(lp, []byte(strings.Replace(doc, "REF", fifo, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if d, err := (&Loader{}).Load(ctx, lp); err != nil || len(d.Problems) != 1 || !strings.Contains(d.Problems[0].Msg, "not a regular file") {
			t.Errorf("FIFO ref: %v %+v", err, d)
		}
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("loading a document whose $ref names a FIFO blocked")
	}
}

func TestChannelByPointerErrors(t *testing.T) {
	d := load(t, "orders-3.0.yaml")
	for _, p := range []string{"/channels/nope", "/operations/createOrder", "channels/orders", "/channels/orders/messages"} {
		var pe *PointerError
		if _, err := d.ChannelByPointer(p); !errors.As(err, &pe) {
			t.Errorf("%q: err = %v, want *PointerError", p, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"orders-3.0.yaml", "users-2.6.yaml", "damaged-3.0.yaml"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("asyncapi: 3.0.0\nchannels: {a: &x {$ref: '#/channels/b'}, b: *x}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		// An in-memory document may only refer into itself; whatever it
		// holds, parsing ends with a document or an error, never a panic.
		d, err := (&Loader{}).Parse(context.Background(), "", data)
		if err != nil {
			return
		}
		for _, op := range d.Operations {
			if op.Action != ActionSend && op.Action != ActionReceive && op.Action != "" {
				t.Fatalf("action %q", op.Action)
			}
		}
		for _, k := range d.ChannelKeys() {
			if _, err := d.ChannelByPointer("/channels/" + escapeToken(k)); err != nil {
				t.Fatalf("channel %q not found by its pointer: %v", k, err)
			}
		}
	})
}

// Schemas that share parts through allOf cost their size, not the number
// of paths through them: 40 levels of two-way allOf would be 2^40 visits.
func TestSharedAllOfIsLinear(t *testing.T) {
	var b strings.Builder
	b.WriteString("asyncapi: 3.0.0\nchannels:\n  c:\n    address: c\n    messages:\n      m:\n        payload: {$ref: '#/components/schemas/S0'}\ncomponents:\n  schemas:\n")
	for i := 0; i < 40; i++ {
		b.WriteString("    S" + itoa(i) + ":\n      properties: {p" + itoa(i) + ": {}}\n      allOf: [{$ref: '#/components/schemas/S" + itoa(i+1) + "'}, {$ref: '#/components/schemas/S" + itoa(i+1) + "'}]\n")
	}
	b.WriteString("    S40: {properties: {last: {}}}\n")
	d, err := (&Loader{}).Parse(context.Background(), "", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	names, open := d.Channels["c"].Messages[0].PayloadProperties()
	// maxSchemaDepth stops the descent (so the schema counts as open);
	// what was reached is listed once.
	if !open || len(names) != maxSchemaDepth+1 || names[0] != "p0" {
		t.Fatalf("names %v open %v", names, open)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
