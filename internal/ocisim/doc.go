// Package ocisim is an in-memory stand-in for the part of the OCI Compute API
// that the bundled Oracle workflows call: instances, their power actions, and
// custom images. It serves the real paths under /20160918 as an http.Handler,
// so tests can run workflows against it with httptest and the cmd/ocisim
// binary can serve it for demos.
//
// It is deterministic: fixture OCIDs are fixed, new image OCIDs are numbered,
// and images leave PROVISIONING after a set number of reads rather than after
// a time, so a test that polls gets the same trace on every run.
package ocisim
