package report

import (
	"io"
	"testing"
)

// BenchmarkWriteJSON writes the report of a 4-attempt run. Target: tens of
// microseconds per attempt at most; reports must not add noticeable time to a run.
func BenchmarkWriteJSON(b *testing.B) {
	r := stoppedRun()
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteJSON(io.Discard, r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteHAR(b *testing.B) {
	r := stoppedRun()
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteHAR(io.Discard, r); err != nil {
			b.Fatal(err)
		}
	}
}
