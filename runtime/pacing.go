package runtime

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// sleepContext waits for d or until ctx is done, without leaking a timer.
func sleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// ParseRetryAfter reads a Retry-After header value (RFC 9110 §10.2.3):
// delta-seconds or an HTTP-date, relative to now. A date in the past means
// no wait. ok is false when the value is absent or unreadable.
func ParseRetryAfter(value string, now time.Time) (wait time.Duration, ok bool) {
	value = strings.TrimSpace(value)
	if value == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(value, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		// Clamp before multiplying so that huge values cannot overflow.
		if n > int64(365*24*time.Hour/time.Second) {
			n = int64(365 * 24 * time.Hour / time.Second)
		}
		return time.Duration(n) * time.Second, true
	}
	// Digits too many for int64 still ask for a very long wait: the
	// longest, which the engine caps at MaxRetryAfter, rather than the
	// default retry delay an unreadable value would get.
	if strings.Trim(value, "0123456789") == "" {
		return 365 * 24 * time.Hour, true
	}
	t, err := http.ParseTime(value)
	if err != nil {
		return 0, false
	}
	if d := t.Sub(now); d > 0 {
		return d, true
	}
	return 0, true
}

// secondsToDuration converts a retryAfter number of seconds (decimal).
func secondsToDuration(s float64) time.Duration {
	if s <= 0 || s != s {
		return 0
	}
	if s > float64(365*24*time.Hour/time.Second) {
		return 365 * 24 * time.Hour
	}
	return time.Duration(s * float64(time.Second))
}

// loopPacer paces steps re-entered by goto: the first re-entry waits
// initial, each further one doubles up to max, and leaving the loop resets
// it. A zero initial disables the pacing (tests).
type loopPacer struct {
	initial, max time.Duration
	next         time.Duration
	loopEnd      int // index of the last step inside the current loop, -1 = none
}

func newLoopPacer(initial, max time.Duration) loopPacer {
	return loopPacer{initial: initial, max: max, loopEnd: -1}
}

// backward records a goto from step index from to a step already executed
// (index to) and returns the wait before re-running it.
func (p *loopPacer) backward(from int) time.Duration {
	if from > p.loopEnd {
		p.loopEnd = from
	}
	if p.initial <= 0 {
		return 0
	}
	if p.next <= 0 {
		p.next = p.initial
	}
	d := p.next
	p.next *= 2
	if p.next > p.max {
		p.next = p.max
	}
	if d > p.max {
		d = p.max
	}
	return d
}

// enter notes that execution reached step index i by a forward move; going
// past the loop's last step means the loop exited, which it reports.
func (p *loopPacer) enter(i int) bool {
	if p.loopEnd >= 0 && i > p.loopEnd {
		p.loopEnd = -1
		p.next = 0
		return true
	}
	return false
}
