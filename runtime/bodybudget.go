package runtime

import (
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
)

// Options.MaxBodyBytes bounds one response body; MaxBodyBytesTotal bounds
// what all of an engine's runs in progress read. Every response-body byte a
// run reads counts against the engine's budget until the run ends, whether
// or not the run still refers to it: what a run derives from its bodies
// (outputs kept per attempt, previews, decoded values) grows with them, and
// counting what is read is exact and cheap where tracking what is still
// referenced is neither. A hostile server answering large bodies to a poll
// that never ends, or many concurrent runs each reading a large body, then
// meet a clear error instead of holding gigabytes.

// bodyBudgetError is the error of a response body the budget refused.
type bodyBudgetError struct{ limit int64 }

func (e *bodyBudgetError) Error() string {
	return fmt.Sprintf("the runs in progress have read %d bytes of response bodies, the engine's limit (Options.MaxBodyBytesTotal)", e.limit)
}

// budgetChunk caps what one Read reserves ahead of the bytes it gets, so a
// reader asking for a large buffer does not hold budget another run needs.
const budgetChunk = 64 << 10

// readBody reads a response body as readBody does, counting it against the
// engine's budget for the rest of the run.
// br is where the budget reader goes: the attempt's working state, which
// saves an allocation per response.
func (r *runState) readBody(resp *http.Response, limit int64, br *budgetReader) ([]byte, error) {
	if resp.Body == nil || resp.Body == http.NoBody {
		return readBody(resp, limit)
	}
	body := resp.Body
	*br = budgetReader{body: body, run: r}
	resp.Body = br
	raw, err := readBody(resp, limit)
	resp.Body = body
	if br.refused {
		// readBody words it as a short or failed read; the budget is the cause.
		err = &bodyBudgetError{limit: r.e.opts.MaxBodyBytesTotal}
	}
	return raw, err
}

// budgetReader reserves budget before each read and gives back what the
// read did not use.
type budgetReader struct {
	body    io.ReadCloser
	run     *runState
	refused bool
}

func (b *budgetReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n := b.run.reserveBody(int64(min(len(p), budgetChunk)))
	if n == 0 {
		// A body that ends exactly at the limit is whole: only a byte past
		// it is refused.
		var probe [1]byte
		if k, err := b.body.Read(probe[:]); k == 0 && err != nil {
			return 0, err
		}
		b.refused = true
		return 0, &bodyBudgetError{limit: b.run.e.opts.MaxBodyBytesTotal}
	}
	k, err := b.body.Read(p[:n])
	b.run.releaseBody(n - int64(k))
	return k, err
}

func (b *budgetReader) Close() error { return b.body.Close() }

// reserveBody takes up to want bytes of the engine's budget for this run
// and returns how many it got (0 when none is left).
func (r *runState) reserveBody(want int64) int64 {
	limit := r.e.opts.MaxBodyBytesTotal
	for {
		used := r.e.bodyBytes.Load()
		n := min(want, limit-used)
		if n <= 0 {
			return 0
		}
		if r.e.bodyBytes.CompareAndSwap(used, used+n) {
			r.bodyBytes.Add(n)
			return n
		}
	}
}

// releaseBody gives n bytes of this run's reservation back.
func (r *runState) releaseBody(n int64) {
	if n > 0 {
		r.bodyBytes.Add(-n)
		r.e.bodyBytes.Add(-n)
	}
}

// releaseBodies gives back everything the run reserved; Run calls it when
// the run ends.
func (r *runState) releaseBodies() { r.releaseBody(r.bodyBytes.Load()) }

// bodyCounter is the engine's count of response-body bytes its runs in
// progress have read.
type bodyCounter = atomic.Int64
