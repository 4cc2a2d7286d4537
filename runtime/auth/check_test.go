package auth_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/arazzo-go/arazzo/runtime"
	"github.com/arazzo-go/arazzo/runtime/auth"
)

func TestCheck(t *testing.T) {
	setenv(t, "T_TOKEN", "tok", "T_ID", "id", "T_SECRET", "s")
	cfg, _ := writeOCIConfig(t, rsaKey(t))
	doc := loadDoc(t, "http://localhost:1/token")
	tests := []struct {
		flags []string
		want  []string // substrings of the error; none = no error
	}{
		{[]string{"api=bearer:env:T_TOKEN", "api=oauth2:env:T_ID:env:T_SECRET", "api.sig=oci:DEFAULT@" + cfg, "api.headerKey=apikey:env:T_TOKEN"}, nil},
		{[]string{"nope=bearer:env:T_TOKEN"}, []string{`--auth nope: no source description "nope" (have api, plain)`}},
		{[]string{"plain=apikey:env:T_TOKEN"}, []string{`--auth plain: source "plain" declares no security schemes, so there is nowhere to put the apikey credential`}},
		{[]string{"plain=bearer:env:T_TOKEN", "plain=oci:DEFAULT@" + cfg}, nil},
		{[]string{"api.nope=bearer:env:T_TOKEN"}, []string{`--auth api.nope: source "api" declares no security scheme "nope" (have basicAuth, bearerAuth, cookieKey, headerKey, oauth, queryKey, sig)`}},
		{[]string{"api.basicAuth=bearer:env:T_TOKEN"}, []string{"--auth api.basicAuth: a bearer token fits http bearer, oauth2 or openIdConnect schemes, not http basic"}},
		{[]string{"api.headerKey=oauth2:env:T_ID:env:T_SECRET"}, []string{"--auth api.headerKey: oauth2 client credentials fit oauth2 schemes, not apiKey in header"}},
		{[]string{"api=bearer:env:T_UNSET_1", "api.basicAuth=basic:env:T_TOKEN:env:T_UNSET_2"}, []string{
			"--auth api: environment variable T_UNSET_1 is not set",
			"--auth api.basicAuth: password: environment variable T_UNSET_2 is not set"}},
		{[]string{"api=oci:NOPE@" + cfg}, []string{"--auth api:", "NOPE"}},
	}
	for _, tc := range tests {
		err := auth.Check(doc, mustParse(t, tc.flags...))
		if len(tc.want) == 0 {
			if err != nil {
				t.Errorf("Check(%q) = %v", tc.flags, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("Check(%q): no error, want %q", tc.flags, tc.want)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("Check(%q) = %q, want %q", tc.flags, err, w)
			}
		}
	}
}

// TestSecretCanary puts distinctive secrets in every credential kind, runs workflows that succeed and fail
// with -v style logging, and looks for them in logs, errors, results and their JSON.
func TestSecretCanary(t *testing.T) {
	const canary = "c4nary"
	setenv(t, "T_TOKEN", canary+"-token", "T_USER", canary+"-user", "T_PASS", canary+"-pass", "T_KEY", canary+"-key",
		"T_ID", canary+"-id", "T_SECRET", canary+"-secret")
	ts := newTokenServer(t, 60) // rejects these client credentials: an error path
	doc := loadDoc(t, ts.URL+"/token")
	api := newAPIServer(t, func(r *http.Request, _ []byte) int { return http.StatusUnauthorized })
	var logs logSink
	creds := mustParse(t, "api=bearer:env:T_TOKEN", "api=basic:env:T_USER:env:T_PASS", "api=apikey:env:T_KEY", "api=oauth2:env:T_ID:env:T_SECRET")
	tr := auth.NewTransport(nil, doc, creds, auth.Options{Log: logs.log})
	var seen bytes.Buffer
	for _, wf := range []string{"getBearer", "getBasic", "getHeader", "getQuery", "getCookie", "getBoth", "getOAuth", "getAlt"} {
		res := runWorkflow(t, doc, api.URL, tr, wf, nil)
		if res.Status != runtime.Failed {
			t.Errorf("%s: status %s, want failed (the server answers 401)", wf, res.Status)
		}
		b, err := json.Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		seen.Write(b)
		fmt.Fprintf(&seen, "%v %+v %#v\n", res, res, creds)
	}
	// A transport error on a request that carries the key in its query.
	down := newAPIServer(t, nil)
	down.Close()
	res := runWorkflow(t, doc, down.URL, tr, "getQuery", map[string]any{"filter": "x"})
	if res.Status != runtime.Failed || res.Steps[0].Error == "" {
		t.Errorf("closed server: %s %q", res.Status, res.Steps[0].Error)
	}
	fmt.Fprintf(&seen, "%+v %s\n", res, res.Steps[0].Error)
	// Broken configuration errors, too.
	seen.WriteString(fmt.Sprint(auth.Check(doc, mustParse(t, "api.basicAuth=bearer:env:T_TOKEN", "api.sig=apikey:env:T_KEY", "nope=basic:env:T_USER:env:T_PASS"))))
	seen.WriteString(logs.String())
	if n := len(api.requests()); n < 7 {
		t.Fatalf("only %d requests reached the server", n)
	}
	if strings.Contains(seen.String(), canary) {
		i := strings.Index(seen.String(), canary)
		t.Errorf("a secret leaked: …%s…", seen.String()[max(0, i-80):min(len(seen.String()), i+40)])
	}
}
