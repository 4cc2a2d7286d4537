// Package bench holds the project's cross-package performance measurements:
// the seed workflow run through the library against an in-process server,
// next to the same requests made with net/http alone; concurrent
// throughput; memory per run and per parked poll; cold loading; and a
// report that prints the ratios to the targets of docs/performance.md.
//
// Everything heavy runs only with -bench or with ARAZZO_PERF=1, so a plain
// `go test ./...` stays fast. The non-test code is SeedServer, a minimal,
// stateless-enough stand-in for the three OCI calls of the seed: cheap on
// the server side so that what the measurements see is the client's cost.
package bench
