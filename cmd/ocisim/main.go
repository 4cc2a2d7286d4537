// Command ocisim serves a local, in-memory OCI Compute API (see internal/ocisim) so that the Oracle workflows
// can run end to end without an Oracle account. It prints its base URL on the first line of stdout, logs one
// line per request to stderr, and stops on SIGINT or SIGTERM.
//
//	ocisim [-addr 127.0.0.1:0] [-auth presence|none|signature] [-public-key FILE] [-polls N]
//	       [-provision-time D] [-fail-to-deleted] [-faults SPEC] [-instance OCID=STATE ...]
package main

import (
	"context"
	"crypto"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/arazzo-go/arazzo/internal/ocisign"
	"github.com/arazzo-go/arazzo/internal/ocisim"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, nil))
}

// run serves until a signal arrives or stop is closed, and returns the exit code: 0 after a clean stop, 1 on
// a runtime failure, 2 on bad flags.
func run(args []string, stdout, stderr io.Writer, stop <-chan struct{}) int {
	fs := flag.NewFlagSet("ocisim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "listen address (port 0 picks a free port)")
	auth := fs.String("auth", string(ocisim.AuthPresence), "authentication: none, presence (any non-empty Authorization) or signature (OCI request signatures)")
	publicKey := fs.String("public-key", "", "PEM public key (or private key, or certificate) that verifies signatures in -auth signature")
	keyID := fs.String("key-id", "", "accept -public-key only for this keyId (tenancy/user/fingerprint or ST$token); default any keyId")
	polls := fs.Int("polls", ocisim.DefaultProvisioningPolls, "GET /images/{id} calls that report PROVISIONING before a new image settles; 0 settles on the first read, -1 never")
	provisionTime := fs.Duration("provision-time", 0, "settle new images after this long instead of after -polls reads (e.g. 30s)")
	failToDeleted := fs.Bool("fail-to-deleted", false, "new images settle in DELETED instead of AVAILABLE (a failed capture)")
	faults := fs.String("faults", "", `fault injection, e.g. "createImage#1=429;retry-after=2,getImage#2-3=500,*=latency=50ms"`)
	quiet := fs.Bool("quiet", false, "do not log requests to stderr")
	instances := map[string]string{}
	fs.Func("instance", "add an instance or set a fixture's state, OCID=STATE (repeatable), e.g. ocid1.instance.oc1.phx.mine=STOPPED", func(v string) error {
		id, state, ok := strings.Cut(v, "=")
		if !ok || id == "" || state == "" {
			return fmt.Errorf("want OCID=STATE")
		}
		instances[id] = strings.ToUpper(state)
		return nil
	})
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: ocisim [flags]\n\nServes a simulated OCI Compute API; the first stdout line is its base URL.\n\nflags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "ocisim: unexpected argument %q\n", fs.Arg(0))
		return 2
	}

	opts := ocisim.Options{Auth: ocisim.AuthMode(*auth), ProvisioningTime: *provisionTime, Instances: instances}
	switch {
	case *polls == 0:
		opts.ProvisioningPolls = ocisim.ZeroPolls
	case *polls == -1:
		opts.ProvisioningPolls = ocisim.Forever
	case *polls > 0:
		opts.ProvisioningPolls = *polls
	default:
		fmt.Fprintf(stderr, "ocisim: -polls %d is invalid (want N >= 0, or -1 for never)\n", *polls)
		return 2
	}
	if *failToDeleted {
		opts.SettleState = ocisim.ImageDeleted
	}
	if *faults != "" {
		fl, err := ocisim.ParseFaults(*faults)
		if err != nil {
			fmt.Fprintf(stderr, "ocisim: -faults: %v\n", err)
			return 2
		}
		opts.Faults = fl
	}
	if *publicKey != "" {
		data, err := os.ReadFile(*publicKey)
		if err != nil {
			fmt.Fprintf(stderr, "ocisim: -public-key: %v\n", err)
			return 2
		}
		pub, err := ocisign.ParsePublicKey(data)
		if err != nil {
			fmt.Fprintf(stderr, "ocisim: -public-key %s: %v\n", *publicKey, err)
			return 2
		}
		if *keyID != "" {
			opts.PublicKeys = map[string]crypto.PublicKey{*keyID: pub}
		} else {
			opts.PublicKey = pub
		}
	}
	if !*quiet {
		opts.Log = stderr
	}
	sim, err := ocisim.New(opts)
	if err != nil {
		fmt.Fprintf(stderr, "%v\n", err)
		return 2
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "ocisim: listen: %v\n", err)
		return 1
	}
	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second}
	// Listen for signals before announcing the URL, so a supervisor that signals as soon as it reads the URL
	// gets a clean stop.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	fmt.Fprintf(stdout, "http://%s%s\n", ln.Addr().String(), ocisim.BasePath)
	fmt.Fprintf(stderr, "ocisim: serving on %s (auth=%s); control API at http://%s%s/state\n",
		ln.Addr(), opts.Auth.OrDefault(), ln.Addr(), ocisim.ControlPath)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		fmt.Fprintf(stderr, "ocisim: %v\n", err)
		return 1
	case sig := <-sigs:
		fmt.Fprintf(stderr, "ocisim: %v, stopping\n", sig)
	case <-stop:
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		fmt.Fprintf(stderr, "ocisim: shutdown: %v\n", err)
		return 1
	}
	return 0
}
