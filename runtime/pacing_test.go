package runtime

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"", 0, false},
		{"0", 0, true},
		{"7", 7 * time.Second, true},
		{" 120 ", 2 * time.Minute, true},
		{"-3", 0, false},
		{"1.5", 0, false},
		{"soon", 0, false},
		{"Thu, 26 Nov 2026 12:00:30 GMT", 30 * time.Second, true},
		{"Thursday, 26-Nov-26 12:01:00 GMT", time.Minute, true}, // RFC 850
		{"Thu, 26 Nov 2026 11:59:00 GMT", 0, true},              // in the past: no wait
		{"99999999999999999", 365 * 24 * time.Hour, true},       // clamped, no overflow
	}
	for _, tc := range tests {
		got, ok := ParseRetryAfter(tc.in, now)
		if got != tc.want || ok != tc.wantOK {
			t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.wantOK)
		}
	}
}

func TestLoopPacerDoublesCapsAndResets(t *testing.T) {
	p := newLoopPacer(time.Second, 5*time.Second)
	var got []time.Duration
	for range 5 {
		got = append(got, p.backward(2)) // a self-loop on step 2
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("waits = %v, want %v", got, want)
		}
	}
	p.enter(2) // still inside the loop: no reset
	if d := p.backward(2); d != 5*time.Second {
		t.Errorf("inside the loop: wait %v, want 5s", d)
	}
	p.enter(3) // past the loop's last step: reset
	if d := p.backward(3); d != time.Second {
		t.Errorf("after the loop exited: wait %v, want 1s", d)
	}
}

func TestLoopPacerDisabled(t *testing.T) {
	p := newLoopPacer(0, 30*time.Second)
	for range 3 {
		if d := p.backward(1); d != 0 {
			t.Fatalf("disabled pacer waited %v", d)
		}
	}
}

func TestSleepContextHonoursCancellation(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	err := sleepContext(ctx, time.Hour)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if time.Since(start) > time.Second {
		t.Fatalf("sleepContext did not return promptly")
	}
	if err := sleepContext(context.Background(), time.Millisecond); err != nil {
		t.Fatalf("short sleep: %v", err)
	}
}

func TestSecondsToDuration(t *testing.T) {
	tests := map[float64]time.Duration{0: 0, -1: 0, 0.25: 250 * time.Millisecond, 2: 2 * time.Second, 1e30: 365 * 24 * time.Hour}
	for in, want := range tests {
		if got := secondsToDuration(in); got != want {
			t.Errorf("secondsToDuration(%v) = %v, want %v", in, got, want)
		}
	}
}
