package auth

import (
	"time"

	"github.com/arazzo-go/arazzo/internal/ocisign"
)

// ociSigner loads the credential's OCI profile and key.
func ociSigner(c Credential, now func() time.Time) (Signer, error) {
	cfg, err := ocisign.LoadConfig(c.ConfigFile, c.Profile)
	if err != nil {
		return nil, err
	}
	key, err := cfg.Key()
	if err != nil {
		return nil, err
	}
	return &ocisign.Signer{Key: key, Clock: now}, nil
}

// ServerVars returns the server variables the credentials imply: for each source with an oci credential whose
// profile names a region, {"region": <region>}. The CLI uses it when the user set no region, so that
// `--auth ociComputeApi=oci:DEFAULT` alone reaches the profile's region. Profiles that cannot be read are
// skipped; Check reports them.
func ServerVars(creds []Credential) map[string]map[string]string {
	var out map[string]map[string]string
	for _, c := range creds {
		if c.Kind != KindOCI || c.Signer != nil {
			continue
		}
		cfg, err := ocisign.LoadConfig(c.ConfigFile, c.Profile)
		if err != nil || cfg.Region == "" {
			continue
		}
		if out == nil {
			out = map[string]map[string]string{}
		}
		if out[c.Source] == nil {
			out[c.Source] = map[string]string{}
		}
		out[c.Source]["region"] = cfg.Region
	}
	return out
}
