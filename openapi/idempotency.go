package openapi

import "strings"

// idempotencyHeaders lists, in order of preference, the request headers by which public APIs deduplicate a
// retried request. Only single-header schemes are listed: the engine can fill one header with a derived key,
// but not a scheme that needs a second, coordinated header or a body field.
//
//   - Idempotency-Key: the IETF httpapi draft "The Idempotency-Key HTTP Header Field"; Stripe, Adyen,
//     GoCardless and many others.
//   - X-Idempotency-Key: the pre-standard spelling several APIs still declare.
//   - opc-retry-token: Oracle Cloud Infrastructure, on create and action operations (1–64 characters, kept
//     24 hours).
//   - PayPal-Request-Id: PayPal REST APIs.
//   - Cko-Idempotency-Key: Checkout.com.
//   - X-Amz-Client-Token is not listed: AWS takes its ClientToken as a body field or query parameter, which a
//     header rule cannot cover. Azure's Repeatability-Request-ID needs Repeatability-First-Sent beside it, so
//     it is left out too.
var idempotencyHeaders = []string{
	"Idempotency-Key",
	"X-Idempotency-Key",
	"opc-retry-token",
	"PayPal-Request-Id",
	"Cko-Idempotency-Key",
}

// IdempotencyHeaderNames returns the header names IdempotencyHeader recognises, in order of preference. The
// slice is a copy.
func IdempotencyHeaderNames() []string {
	return append([]string(nil), idempotencyHeaders...)
}

// IdempotencyHeader reports the idempotency header the operation declares, if any: the first header parameter
// (path-level ones included) whose name matches IdempotencyHeaderNames case-insensitively, by that list's
// order. The name is returned as the description spells it. An engine that retries or resumes a request sets
// this header, when the workflow does not, to a key that stays the same across the retries of one attempt,
// so the API deduplicates them.
func (o *Operation) IdempotencyHeader() (name string, ok bool) {
	best := len(idempotencyHeaders)
	for _, p := range o.Params {
		if !strings.EqualFold(p.In, "header") {
			continue
		}
		for i, h := range idempotencyHeaders[:best] {
			if strings.EqualFold(p.Name, h) {
				best, name = i, p.Name
				break
			}
		}
	}
	return name, name != ""
}
