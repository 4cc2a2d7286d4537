package temporal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	sdktemporal "go.temporal.io/sdk/temporal"

	"github.com/arazzo-go/arazzo/runtime"
)

// Send is the activity: it sends the request with the worker's
// credentials and returns the response, its body bounded by MaxBodyBytes
// (plus one byte, so the interpreter sees a cut). A refused connection is
// an error Temporal retries; any other transport failure, and the timeout,
// are returned to the interpreter, which fails the step.
func (w *Worker) Send(ctx context.Context, req Request) (*Response, error) {
	d := w.docs[req.Document]
	if d == nil {
		return nil, sdktemporal.NewNonRetryableApplicationError(fmt.Sprintf("this worker does not serve a document named %q", req.Document), ErrUnknownDocument, nil)
	}
	timeout := req.Timeout
	if timeout <= 0 {
		timeout = w.opts.RequestTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	hr, err := http.NewRequestWithContext(runtime.ContextWithOperation(ctx, req.Operation), req.Method, req.URL, bytes.NewReader(req.Body))
	if err != nil {
		return nil, sdktemporal.NewNonRetryableApplicationError(err.Error(), errTransport, nil)
	}
	if req.Header != nil {
		hr.Header = req.Header
	}
	if len(req.Body) == 0 {
		hr.Body, hr.ContentLength = http.NoBody, 0
	}
	resp, err := d.client.Do(hr)
	if err != nil {
		return nil, transportFailure(ctx, err, timeout)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, w.opts.MaxBodyBytes+1))
	if err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("the response body did not arrive within %s", timeout)
		}
		return nil, sdktemporal.NewNonRetryableApplicationError("reading the response: "+err.Error(), errTransport, nil)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: body}, nil
}

// transportFailure classifies a failed exchange: a connection that was
// never made is retried by Temporal, anything after it is the run's.
func transportFailure(ctx context.Context, err error, timeout time.Duration) error {
	// The message leaves out the URL (the interpreter names the request
	// with its redacted URL).
	msg := err.Error()
	var ue *url.Error
	if errors.As(err, &ue) {
		msg = ue.Err.Error()
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" && ctx.Err() == nil {
		return sdktemporal.NewApplicationError(msg, errConnect)
	}
	if ctx.Err() != nil {
		return sdktemporal.NewNonRetryableApplicationError(fmt.Sprintf("no response within %s", timeout), errTransport, nil)
	}
	return sdktemporal.NewNonRetryableApplicationError(msg, errTransport, nil)
}
