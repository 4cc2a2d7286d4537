package temporal

import (
	"bytes"
	"strings"
	"testing"
)

func TestCodecEncryptsAndNeedsTheKey(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	dc, err := DataConverter(key)
	if err != nil {
		t.Fatal(err)
	}
	in := RunInput{Document: seedName, WorkflowID: seedWorkflow, Inputs: map[string]any{"authToken": "s3cr3t-token-value"}}
	p, err := dc.ToPayload(in)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(p.Data, []byte("s3cr3t-token-value")) || bytes.Contains(p.Data, []byte(seedWorkflow)) {
		t.Fatal("the encoded payload holds the input in clear")
	}
	var out RunInput
	if err := dc.FromPayload(p, &out); err != nil {
		t.Fatal(err)
	}
	if out.Inputs["authToken"] != "s3cr3t-token-value" || out.WorkflowID != seedWorkflow {
		t.Fatalf("round trip gave %+v", out)
	}
	other, _ := DataConverter(bytes.Repeat([]byte{8}, 32))
	err = other.FromPayload(p, &out)
	if err == nil || !strings.Contains(err.Error(), KeyEnv) {
		t.Fatalf("decoding with another key: %v", err)
	}
}

func TestParseKey(t *testing.T) {
	hexKey := strings.Repeat("ab", 32)
	if k, err := ParseKey(hexKey); err != nil || len(k) != 32 {
		t.Fatalf("hex key: %v", err)
	}
	if k, err := ParseKey("q80=" + strings.Repeat("A", 40)); err == nil {
		t.Fatalf("a bad key was accepted: %x", k)
	}
	_, err := ParseKey("not-a-key-but-a-secret")
	if err == nil || strings.Contains(err.Error(), "not-a-key-but-a-secret") {
		t.Fatalf("error %v must refuse the key without repeating it", err)
	}
}
