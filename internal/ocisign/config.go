package ocisign

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// DefaultProfile is the profile the OCI SDKs and CLI use when none is named.
const DefaultProfile = "DEFAULT"

// maxConfigBytes bounds the config file; real ones are a few hundred bytes.
const maxConfigBytes = 1 << 20

// Config is one profile of an OCI configuration file (~/.oci/config).
type Config struct {
	Profile             string
	User                string
	Fingerprint         string
	KeyFile             string // with ~ expanded; relative paths are resolved against the config file's directory
	Tenancy             string
	Region              string
	PassPhrase          string
	SecurityTokenFile   string
	DelegationTokenFile string
	AuthenticationType  string
	// Dir is the directory of the config file, for resolving relative paths; empty for parsed text.
	Dir string
}

// String describes the profile without its passphrase.
func (c Config) String() string {
	pass := ""
	if c.PassPhrase != "" {
		pass = " pass_phrase=[redacted]"
	}
	return fmt.Sprintf("ocisign.Config{profile=%s user=%s tenancy=%s fingerprint=%s key_file=%s region=%s%s}",
		c.Profile, c.User, c.Tenancy, c.Fingerprint, c.KeyFile, c.Region, pass)
}

// GoString keeps %#v from printing the passphrase.
func (c Config) GoString() string { return c.String() }

// DefaultConfigPath is $OCI_CONFIG_FILE, or ~/.oci/config.
func DefaultConfigPath() (string, error) {
	if p := os.Getenv("OCI_CONFIG_FILE"); p != "" {
		return expandHome(p)
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("ocisign: find the home directory for ~/.oci/config: %w", err)
	}
	return filepath.Join(home, ".oci", "config"), nil
}

// DefaultProfileName is $OCI_CLI_PROFILE, or DEFAULT.
func DefaultProfileName() string {
	if p := os.Getenv("OCI_CLI_PROFILE"); p != "" {
		return p
	}
	return DefaultProfile
}

// LoadConfig reads a profile from a config file. An empty path means DefaultConfigPath, an empty profile
// DefaultProfileName.
func LoadConfig(path, profile string) (*Config, error) {
	if path == "" {
		p, err := DefaultConfigPath()
		if err != nil {
			return nil, err
		}
		path = p
	} else {
		p, err := expandHome(path)
		if err != nil {
			return nil, err
		}
		path = p
	}
	if profile == "" {
		profile = DefaultProfileName()
	}
	data, err := readLimited(path, maxConfigBytes)
	if err != nil {
		return nil, fmt.Errorf("ocisign: read config: %w", err)
	}
	c, err := ParseConfig(data, profile)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	c.Dir = filepath.Dir(path)
	if c.KeyFile != "" && !filepath.IsAbs(c.KeyFile) {
		c.KeyFile = filepath.Join(c.Dir, c.KeyFile)
	}
	for _, p := range []*string{&c.SecurityTokenFile, &c.DelegationTokenFile} {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(c.Dir, *p)
		}
	}
	return c, nil
}

// ParseConfig reads a profile from config file text: INI sections [PROFILE] with key=value lines, keys
// case-insensitive, # and ; comment lines. Keys of [DEFAULT] are inherited by every other profile, as in the
// OCI CLI and Python SDK. A value is everything after the first '=' (the Go SDK keeps only the text up to a
// second '=', which truncates passphrases; we do not).
func ParseConfig(data []byte, profile string) (*Config, error) {
	if len(data) > maxConfigBytes {
		return nil, fmt.Errorf("config is %d bytes, more than the limit of %d", len(data), maxConfigBytes)
	}
	if profile == "" {
		profile = DefaultProfile
	}
	sections := map[string]map[string]string{}
	var order []string
	var current map[string]string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), maxConfigBytes)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if line == 1 {
			text = strings.TrimPrefix(text, "\ufeff")
		}
		if text == "" || text[0] == '#' || text[0] == ';' {
			continue
		}
		if text[0] == '[' {
			if !strings.HasSuffix(text, "]") {
				return nil, fmt.Errorf("line %d: section header has no closing ]", line)
			}
			name := strings.TrimSpace(text[1 : len(text)-1])
			if name == "" {
				return nil, fmt.Errorf("line %d: empty profile name", line)
			}
			if _, dup := sections[name]; dup {
				return nil, fmt.Errorf("line %d: profile [%s] appears twice", line, name)
			}
			current = map[string]string{}
			sections[name] = current
			order = append(order, name)
			continue
		}
		key, value, ok := strings.Cut(text, "=")
		if !ok {
			return nil, fmt.Errorf("line %d: want key=value or [profile]", line)
		}
		key = strings.ToLower(strings.TrimSpace(key))
		if key == "" {
			return nil, fmt.Errorf("line %d: empty key", line)
		}
		if current == nil {
			return nil, fmt.Errorf("line %d: %s is outside any [profile] section", line, key)
		}
		if _, dup := current[key]; dup {
			return nil, fmt.Errorf("line %d: %s is set twice in the profile", line, key)
		}
		current[key] = strings.TrimSpace(value)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("line %d: %w", line+1, err)
	}
	values, ok := sections[profile]
	if !ok {
		names := append([]string(nil), order...)
		sort.Strings(names)
		return nil, fmt.Errorf("profile [%s] not found (profiles: %s)", profile, strings.Join(names, ", "))
	}
	get := func(keys ...string) string {
		for _, k := range keys {
			if v, ok := values[k]; ok {
				return v
			}
		}
		if profile != DefaultProfile {
			for _, k := range keys {
				if v, ok := sections[DefaultProfile][k]; ok {
					return v
				}
			}
		}
		return ""
	}
	c := &Config{
		Profile:             profile,
		User:                get("user"),
		Fingerprint:         get("fingerprint"),
		Tenancy:             get("tenancy"),
		Region:              get("region"),
		PassPhrase:          get("pass_phrase", "passphrase"),
		SecurityTokenFile:   get("security_token_file"),
		DelegationTokenFile: get("delegation_token_file"),
		AuthenticationType:  get("authentication_type"),
	}
	var err error
	for _, p := range []*string{&c.SecurityTokenFile, &c.DelegationTokenFile} {
		if *p, err = expandHome(*p); err != nil {
			return nil, err
		}
	}
	if c.KeyFile, err = expandHome(get("key_file")); err != nil {
		return nil, err
	}
	return c, nil
}

func expandHome(p string) (string, error) {
	if p != "~" && !strings.HasPrefix(p, "~/") && !strings.HasPrefix(p, `~\`) {
		return p, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("ocisign: expand ~ in %s: %w", p, err)
	}
	return filepath.Join(home, p[1:]), nil
}

func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if info.Size() > limit {
		return nil, fmt.Errorf("%s is %d bytes, more than the limit of %d", path, info.Size(), limit)
	}
	buf := make([]byte, 0, info.Size())
	b := bytes.NewBuffer(buf)
	if _, err := b.ReadFrom(f); err != nil {
		return nil, err
	}
	if int64(b.Len()) > limit {
		return nil, fmt.Errorf("%s is more than %d bytes", path, limit)
	}
	return b.Bytes(), nil
}

// Key loads the profile's signing key: key_file (decrypted with pass_phrase when needed) with keyId
// tenancy/user/fingerprint, or, when security_token_file is set, keyId ST$<token>.
func (c *Config) Key() (Key, error) {
	if c.KeyFile == "" {
		return Key{}, fmt.Errorf("ocisign: profile [%s] has no key_file", c.Profile)
	}
	pemBytes, err := readLimited(c.KeyFile, 64<<10)
	if err != nil {
		return Key{}, fmt.Errorf("ocisign: profile [%s] key_file: %w", c.Profile, err)
	}
	priv, err := ParsePrivateKey(pemBytes, []byte(c.PassPhrase))
	if err != nil {
		return Key{}, fmt.Errorf("profile [%s] key_file %s: %w", c.Profile, c.KeyFile, err)
	}
	if c.SecurityTokenFile != "" {
		tok, err := readLimited(c.SecurityTokenFile, 64<<10)
		if err != nil {
			return Key{}, fmt.Errorf("ocisign: profile [%s] security_token_file: %w", c.Profile, err)
		}
		token := strings.TrimSpace(string(tok))
		if token == "" {
			return Key{}, fmt.Errorf("ocisign: profile [%s] security_token_file %s is empty", c.Profile, c.SecurityTokenFile)
		}
		return Key{ID: SessionKeyID(token), PrivateKey: priv}, nil
	}
	var missing []string
	for _, f := range []struct{ name, value string }{{"tenancy", c.Tenancy}, {"user", c.User}, {"fingerprint", c.Fingerprint}} {
		if f.value == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return Key{}, fmt.Errorf("ocisign: profile [%s] lacks %s", c.Profile, strings.Join(missing, ", "))
	}
	return Key{ID: APIKeyID(c.Tenancy, c.User, c.Fingerprint), PrivateKey: priv}, nil
}
