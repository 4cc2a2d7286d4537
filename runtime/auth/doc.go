// Package auth adds credentials to the requests of an Arazzo run, by the OpenAPI security requirements of
// each request's operation, without putting a secret in a workflow.
//
// NewTransport wraps an http.RoundTripper; give it to runtime.Options.Transport. For each request the engine
// sends it finds the operation (runtime.OperationFromContext), reads the operation's security (operation-level
// over document-level; the first alternative all of whose schemes have a credential wins; {} allows none) and
// applies the matching credentials: http bearer and basic, apiKey in a header, query or cookie, OAuth2
// client credentials (token fetched, cached until expiry, fetched again once on 401) and OCI request signing.
// It runs on every attempt, so each retry is signed anew.
//
// Credentials name a source description and optionally one of its schemes, and read secrets only from
// environment variables or files. The CLI form is
//
//	--auth SOURCE[.SCHEME]=KIND:SPEC
//
// parsed by ParseCredential; see docs/auth.md.
//
// An explicit workflow parameter for the header a credential would set wins, except for a signer, which
// always replaces Authorization (a static value cannot be a valid signature). Options.Log says which.
package auth
