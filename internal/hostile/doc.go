// Package hostile replays, end to end through the arazzo binary, what a hostile server or a hostile document
// tries against a user: redirect chains that fish for credentials, servers that echo every credential back,
// remote documents that name local files, bodies built to blow up error messages, secrets typed on the
// command line. Each test starts the CLI as a user would, against a malicious server on loopback, and
// checks the exit code and every byte the run writes (stdout, stderr, --json, --report, --har, --junit).
//
// The package has no code of its own: the tests build cmd/arazzo once (TestMain) and run it. The guarantees
// they check are stated in docs/security.md. The suite runs in `go test ./...` within a few seconds.
package hostile
