package auth_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/arazzo-go/arazzo/runtime/auth"
)

func TestParseCredential(t *testing.T) {
	tests := []struct {
		in   string
		want auth.Credential
	}{
		{"petstore=bearer:env:PETSTORE_TOKEN", auth.Credential{Source: "petstore", Kind: auth.KindBearer, Token: auth.Secret{Env: "PETSTORE_TOKEN"}}},
		{"petstore=bearer:file:/run/secrets/token", auth.Credential{Source: "petstore", Kind: auth.KindBearer, Token: auth.Secret{File: "/run/secrets/token"}}},
		{"petstore.basicAuth=basic:env:USER:env:PASS", auth.Credential{Source: "petstore", Scheme: "basicAuth", Kind: auth.KindBasic, User: auth.Secret{Env: "USER"}, Password: auth.Secret{Env: "PASS"}}},
		{"petstore.basicAuth=basic:env:USER:file:pass.txt", auth.Credential{Source: "petstore", Scheme: "basicAuth", Kind: auth.KindBasic, User: auth.Secret{Env: "USER"}, Password: auth.Secret{File: "pass.txt"}}},
		{"petstore.api_key=apikey:env:KEY", auth.Credential{Source: "petstore", Scheme: "api_key", Kind: auth.KindAPIKey, Token: auth.Secret{Env: "KEY"}}},
		{"petstore=oauth2:env:CLIENT_ID:env:CLIENT_SECRET", auth.Credential{Source: "petstore", Kind: auth.KindOAuth2, ClientID: auth.Secret{Env: "CLIENT_ID"}, ClientSecret: auth.Secret{Env: "CLIENT_SECRET"}}},
		{"petstore=oauth2:env:CLIENT_ID:env:CLIENT_SECRET:read, write", auth.Credential{Source: "petstore", Kind: auth.KindOAuth2, ClientID: auth.Secret{Env: "CLIENT_ID"}, ClientSecret: auth.Secret{Env: "CLIENT_SECRET"}, Scopes: []string{"read", "write"}}},
		{"az=oauth2:env:ID:env:S:api://app/.default,https://x.example/read", auth.Credential{Source: "az", Kind: auth.KindOAuth2, ClientID: auth.Secret{Env: "ID"}, ClientSecret: auth.Secret{Env: "S"}, Scopes: []string{"api://app/.default", "https://x.example/read"}}},
		{"ociComputeApi=oci:DEFAULT", auth.Credential{Source: "ociComputeApi", Kind: auth.KindOCI, Profile: "DEFAULT"}},
		{"ociComputeApi=oci", auth.Credential{Source: "ociComputeApi", Kind: auth.KindOCI}},
		{"ociComputeApi=OCI:", auth.Credential{Source: "ociComputeApi", Kind: auth.KindOCI}},
		{"ociComputeApi=oci:DEV@/path/to/config", auth.Credential{Source: "ociComputeApi", Kind: auth.KindOCI, Profile: "DEV", ConfigFile: "/path/to/config"}},
		{"ociComputeApi=oci:@C:\\oci\\config", auth.Credential{Source: "ociComputeApi", Kind: auth.KindOCI, ConfigFile: "C:\\oci\\config"}},
		{"my-api.scheme.with.dots=bearer:env:T", auth.Credential{Source: "my-api", Scheme: "scheme.with.dots", Kind: auth.KindBearer, Token: auth.Secret{Env: "T"}}},
	}
	for _, tc := range tests {
		got, err := auth.ParseCredential(tc.in)
		if err != nil {
			t.Errorf("ParseCredential(%q): %v", tc.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseCredential(%q) = %#v, want %#v", tc.in, got, tc.want)
		}
		// String is the flag back, which holds only secret sources.
		if again, err := auth.ParseCredential(got.String()); err != nil || !reflect.DeepEqual(again, got) {
			t.Errorf("String %q does not parse back: %v", got.String(), err)
		}
	}
}

func TestParseCredentialErrors(t *testing.T) {
	const secret = "hunter2-canary"
	tests := []struct{ in, want string }{
		{"petstore", "--auth: want SOURCE[.SCHEME]=KIND:SPEC"},
		{"petstore:bearer:" + secret, "--auth: want SOURCE[.SCHEME]=KIND:SPEC"},
		{"=bearer:env:X", "source name"},
		{"pet store=bearer:env:X", "source name"},
		{"petstore.=bearer:env:X", "--auth petstore.: empty security scheme name"},
		{"petstore=", "--auth petstore: missing KIND"},
		{"petstore=" + secret, "--auth petstore: unknown kind"},
		{"petstore=token:" + secret, "--auth petstore: unknown kind"},
		{"petstore=bearer", "--auth petstore: bearer token: missing"},
		{"petstore=bearer:" + secret, "--auth petstore: bearer token: want env:VARIABLE or file:PATH"},
		{"petstore=bearer:literal:" + secret, "--auth petstore: bearer token: want env:VARIABLE or file:PATH"},
		{"petstore=bearer:env:" + secret, "--auth petstore: bearer token: env: wants a variable name"},
		{"petstore=bearer:env:", "env: wants a variable name"},
		{"petstore=bearer:file:", "file: wants a path"},
		{"petstore=bearer:env:A:" + secret, "--auth petstore: 1 unexpected trailing field(s) after the bearer credential"},
		{"petstore=basic:env:USER", "--auth petstore: basic password: missing"},
		{"petstore=basic:env:USER:" + secret, "--auth petstore: basic password: want env:VARIABLE"},
		{"petstore=oauth2:env:ID", "oauth2 client secret: missing"},
		{"x=oci:DEV@", "empty config file path"},
		{"x=oci:[DEV]", "is not a profile name"},
	}
	for _, tc := range tests {
		_, err := auth.ParseCredential(tc.in)
		if err == nil {
			t.Errorf("ParseCredential(%q): no error, want %q", tc.in, tc.want)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseCredential(%q) = %q, want %q", tc.in, err, tc.want)
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("ParseCredential(%q) error repeats the secret: %q", tc.in, err)
		}
	}
	if _, err := auth.ParseCredentials([]string{"a=bearer:env:X", "a=bearer:env:Y"}); err == nil || !strings.Contains(err.Error(), "--auth a is given twice") {
		t.Errorf("duplicate source-wide bearer: %v", err)
	}
	if _, err := auth.ParseCredentials([]string{"a.s=bearer:env:X", "a.s=apikey:env:Y"}); err == nil || !strings.Contains(err.Error(), "--auth a.s is given twice") {
		t.Errorf("duplicate scheme: %v", err)
	}
	if _, err := auth.ParseCredentials([]string{"a=bearer:env:X", "a=apikey:env:Y", "a.s=basic:env:U:env:P"}); err != nil {
		t.Errorf("different kinds and a named scheme: %v", err)
	}
}

func TestSecretRead(t *testing.T) {
	t.Setenv("T_SET", "v1")
	t.Setenv("T_EMPTY", "")
	file := writeFile(t, "s", "  v2\n")
	empty := writeFile(t, "e", "\n")
	for _, tc := range []struct {
		s       auth.Secret
		want    string
		wantErr string
	}{
		{auth.Secret{Env: "T_SET"}, "v1", ""},
		{auth.Secret{File: file}, "v2", ""},
		{auth.Secret{Value: "v3"}, "v3", ""},
		{auth.Secret{Env: "T_EMPTY"}, "", "environment variable T_EMPTY is empty"},
		{auth.Secret{Env: "T_SURELY_UNSET_VAR"}, "", "environment variable T_SURELY_UNSET_VAR is not set"},
		{auth.Secret{File: empty}, "", "is empty"},
		{auth.Secret{File: t.TempDir()}, "", "is not a regular file"},
		{auth.Secret{File: "/nonexistent/secret"}, "", "no such file"},
		{auth.Secret{}, "", "no secret source"},
	} {
		got, err := tc.s.Read()
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%v.Read() = %q, %v; want error %q", tc.s, got, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%v.Read() = %q, %v; want %q", tc.s, got, err, tc.want)
		}
	}
	c := auth.Credential{Source: "a", Kind: auth.KindBearer, Token: auth.Secret{Value: "lib-canary"}}
	for _, s := range []string{fmt.Sprint(c), fmt.Sprintf("%v %+v %#v", c, c, c), fmt.Sprintf("%#v", c.Token)} {
		if strings.Contains(s, "lib-canary") {
			t.Errorf("formatting shows the secret: %s", s)
		}
	}
}

func FuzzParseCredential(f *testing.F) {
	for _, s := range []string{
		"petstore=bearer:env:T", "p.s=basic:env:U:file:/p", "p=oauth2:env:A:env:B:r,w", "p=oci:DEV@/c", "p=apikey:file:k",
		"p", "=", "p=", "p.=x", "p=bearer:env:", ":::", "p=oci:@", "p=basic:env:U:env:P:extra",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := auth.ParseCredential(s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "--auth") {
				t.Errorf("error %q does not name the flag", err)
			}
			return
		}
		if c.Source == "" || c.Kind == "" {
			t.Errorf("%q parsed to %#v", s, c)
		}
		again, err := auth.ParseCredential(c.String())
		if err != nil || !reflect.DeepEqual(again, c) {
			t.Errorf("%q: String %q does not parse back (%v)", s, c.String(), err)
		}
	})
}
