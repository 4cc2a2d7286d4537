package main

import (
	"github.com/arazzo-go/arazzo/arazzo"
	"github.com/arazzo-go/arazzo/runtime"
)

// runApplyCheck installs contract checking for --check: the check's
// RoundTripper goes outermost, so it sees the response the engine gets
// (after auth retries and redirects), and its Observer puts what it found
// on the attempt before the progress printer sees it. Off by default for
// run: a production API that departs from its description is worth a
// warning only when asked (arazzo test checks by default, where the mocks
// are the author's and a drift is a bug in the test).
func runApplyCheck(doc *arazzo.Document, f *runFlags, opts *runtime.Options) {
	if !f.check {
		return
	}
	cc := runtime.NewContractCheck(doc)
	opts.Transport = cc.Transport(opts.Transport)
	opts.Observer = cc.Observer(opts.Observer)
}
