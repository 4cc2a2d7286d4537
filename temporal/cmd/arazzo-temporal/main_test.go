package main

import (
	"context"
	"strings"
	"testing"
)

func TestUsageErrors(t *testing.T) {
	t.Setenv("ARAZZO_TEMPORAL_KEY", "")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "usage:"},
		{[]string{"launch"}, `unknown command "launch"`},
		{[]string{"worker", "x.yaml"}, "--task-queue and at least one FILE or DIR are required"},
		{[]string{"run", "--task-queue", "q"}, "exactly one FILE"},
		{[]string{"worker", "--task-queue", "q", "--server", "nourl", "x.yaml"}, `--server "nourl": want NAME=URL`},
		{[]string{"worker", "--task-queue", "q", "no-such-file.yaml"}, "no-such-file.yaml"},
		{[]string{"run", "--task-queue", "q", "../../../workflows/oracle/oracle-create-custom-image-from-instance-workflow.yml", "--input", "authToken=hunter2"},
			"input authToken is a secret and ARAZZO_TEMPORAL_KEY is not set"},
		{[]string{"run", "--task-queue", "q", "../../../workflows/oracle/oracle-create-custom-image-from-instance-workflow.yml", "--input", "novalue"}, `--input "novalue": want NAME=VALUE`},
	} {
		var out, errb strings.Builder
		code := run(context.Background(), tc.args, &out, &errb)
		if code != exitUsage {
			t.Errorf("%v: exit %d, want %d", tc.args, code, exitUsage)
		}
		if !strings.Contains(errb.String(), tc.want) {
			t.Errorf("%v: stderr %q lacks %q", tc.args, errb.String(), tc.want)
		}
		if strings.Contains(errb.String()+out.String(), "hunter2") {
			t.Errorf("%v: a secret value was printed", tc.args)
		}
	}
}

func TestBadKeyIsRefusedWithoutEchoingIt(t *testing.T) {
	t.Setenv("ARAZZO_TEMPORAL_KEY", "short-secret-value")
	var out, errb strings.Builder
	code := run(context.Background(), []string{"worker", "--task-queue", "q", "../../../workflows/oracle"}, &out, &errb)
	if code != exitUsage || !strings.Contains(errb.String(), "must be 32 bytes") || strings.Contains(errb.String(), "short-secret-value") {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
}

func TestServerFlagDialsBrokerURLs(t *testing.T) {
	if _, isBroker, _ := dialBroker(context.Background(), "https://api.example.com"); isBroker {
		t.Fatal("an https base URL was taken for a broker")
	}
	// Port 1 refuses connections: a broker the worker cannot reach is an
	// error at start, not a step failure later.
	if _, isBroker, err := dialBroker(context.Background(), "nats://127.0.0.1:1"); !isBroker || err == nil {
		t.Fatalf("nats://127.0.0.1:1: isBroker %v, err %v; want a broker that cannot be dialled", isBroker, err)
	}
}
