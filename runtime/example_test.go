package runtime_test

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/arazzo-go/arazzo/runtime"
)

// Mock files answer operations offline; the last answer repeats.
func ExampleParseMocks() {
	m, err := runtime.ParseMocks("mocks.yaml", []byte(`
mocks:
  getImage:
    - {status: 200, body: {lifecycleState: PROVISIONING}}
    - {status: 200, body: {lifecycleState: AVAILABLE}}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Keys(), len(m.Operations["getImage"]))

	// The engine attaches the operation to each request it sends (see
	// OperationFromContext); a request built elsewhere is refused.
	req, _ := http.NewRequestWithContext(context.Background(), "GET", "https://example.com/images/1", nil)
	_, err = m.Transport().RoundTrip(req)
	fmt.Println(err)
	// Output:
	// [getImage] 2
	// mock: GET /images/1 was not sent by the engine (no operation attached)
}

// Retry-After is read as seconds or as an HTTP date.
func ExampleParseRetryAfter() {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	d, _ := runtime.ParseRetryAfter("5", now)
	fmt.Println(d)
	d, _ = runtime.ParseRetryAfter("Thu, 26 Nov 2026 12:01:00 GMT", now)
	fmt.Println(d)
	// Output:
	// 5s
	// 1m0s
}
