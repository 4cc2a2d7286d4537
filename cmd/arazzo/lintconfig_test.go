package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arazzo-go/arazzo/arazzo"
)

func TestLoadLintConfig(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      map[string]ruleSetting
		err       string // substring; "" = no error
	}{
		{name: "empty file", src: "", want: map[string]ruleSetting{}},
		{name: "comment only", src: "# nothing yet\n", want: map[string]ruleSetting{}},
		{name: "null rules", src: "rules:\n", want: map[string]ruleSetting{}},
		{name: "settings", src: "rules:\n  endless-goto: error\n  goto-loop: warning\n  output-not-expression: off\n",
			want: map[string]ruleSetting{"endless-goto": ruleErr, "goto-loop": ruleWarn, "output-not-expression": ruleOff}},
		{name: "unknown rule", src: "rules:\n  unreachable-steps: off\n", err: `x.yaml:2:3: unknown rule "unreachable-steps"; did you mean "unreachable-step"?`},
		{name: "bad setting", src: "rules:\n  goto-loop: 0\n", err: `x.yaml:2:14: rule "goto-loop": setting "0" must be off, warn or error`},
		{name: "twice", src: "rules:\n  goto-loop: off\n  goto-loop: error\n", err: `x.yaml:3:3: rule "goto-loop" is configured twice`},
		{name: "unknown field", src: "rule:\n  goto-loop: off\n", err: `x.yaml:1:1: unknown config field "rule"`},
		{name: "not a mapping", src: "- goto-loop\n", err: "config must be a mapping"},
		{name: "rules not a mapping", src: "rules: [goto-loop]\n", err: "rules must be a mapping"},
		{name: "bad yaml", src: "rules: {goto-loop: off\n", err: "config x.yaml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "x.yaml")
			if err := os.WriteFile(p, []byte(tc.src), 0o644); err != nil {
				t.Fatal(err)
			}
			cfg, err := loadLintConfig(p)
			if tc.err != "" {
				if err == nil || !strings.Contains(strings.ReplaceAll(err.Error(), p, "x.yaml"), tc.err) {
					t.Fatalf("error %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(cfg.rules) != len(tc.want) {
				t.Fatalf("rules %v, want %v", cfg.rules, tc.want)
			}
			for k, v := range tc.want {
				if cfg.rules[k] != v {
					t.Errorf("rule %s = %v, want %v", k, cfg.rules[k], v)
				}
			}
		})
	}
}

func TestLintConfigApply(t *testing.T) {
	cfg := &lintConfig{rules: map[string]ruleSetting{"a": ruleOff, "b": ruleWarn, "c": ruleErr}}
	in := arazzo.Diagnostics{
		{Rule: "a", Severity: arazzo.SeverityError},
		{Rule: "b", Severity: arazzo.SeverityError},
		{Rule: "c", Severity: arazzo.SeverityWarning},
		{Rule: "d", Severity: arazzo.SeverityWarning},
	}
	out := cfg.apply(in)
	if len(out) != 3 || out[0].Rule != "b" || out[0].Severity != arazzo.SeverityWarning ||
		out[1].Severity != arazzo.SeverityError || out[2].Severity != arazzo.SeverityWarning {
		t.Errorf("apply = %v", out)
	}
	if in[1].Severity != arazzo.SeverityError || in[2].Severity != arazzo.SeverityWarning {
		t.Error("apply changed the loader's diagnostics")
	}
}

func TestFindLintConfig(t *testing.T) {
	root := t.TempDir()
	deep := filepath.Join(root, "a", "b", "c")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	if got := findLintConfig(deep); got != "" && strings.HasPrefix(got, root) {
		t.Fatalf("found %s before writing one", got)
	}
	cfg := filepath.Join(root, "a", lintConfigName)
	if err := os.WriteFile(cfg, []byte("rules: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := findLintConfig(deep); got != cfg {
		t.Errorf("findLintConfig(%s) = %q, want %q", deep, got, cfg)
	}
	// A directory named like the file is not a config.
	if err := os.Mkdir(filepath.Join(root, "a", "b", lintConfigName), 0o755); err != nil {
		t.Fatal(err)
	}
	if got := findLintConfig(deep); got != cfg {
		t.Errorf("with a directory named %s below: %q, want %q", lintConfigName, got, cfg)
	}
}

func TestValidateLooksLikeWorkflow(t *testing.T) {
	flow := []byte("arazo: 1.0.1\nworkflows: []\n")
	api := []byte("openapi: 3.0.3\npaths: {}\n")
	for _, tc := range []struct {
		path, root string
		head       []byte
		want       bool
	}{
		{"d/x.arazzo.yaml", "d", api, true}, // the name says it
		{"d/x.Arazzo.YML", "d", api, true},
		{"d/x.arazzo.json", "d", api, true},
		{"d/.arazzo.yaml", "d", api, false}, // the configuration
		{"d/x.yaml", "d", flow, false},      // no name, no folder
		{"d/arazzo/x.yaml", "d", flow, true},
		{"d/arazzo/x.yaml", "d", api, false}, // an OpenAPI description beside them
		{"arazzo/x.json", "arazzo", []byte(`{"sourceDescriptions": []}`), true},
		{"d/arazzo-tests/x.yaml", "d", flow, false},
	} {
		if got := validateLooksLikeWorkflow(tc.path, tc.root, tc.head); got != tc.want {
			t.Errorf("validateLooksLikeWorkflow(%s) = %v, want %v", tc.path, got, tc.want)
		}
	}
}

// TestValidateUnreadableReports: with an unreadable file every machine
// format still writes a well-formed document that carries the error.
func TestValidateUnreadableReports(t *testing.T) {
	missing := filepath.Join("testdata", "validate", "docs", "does-not-exist.arazzo.yaml")
	for _, format := range []string{"sarif", "json", "junit", "checkstyle", "codequality"} {
		t.Run(format, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run([]string{"validate", "--format", format, missing}, strings.NewReader(""), &stdout, &stderr)
			if code != exitUsage {
				t.Errorf("exit %d, want %d", code, exitUsage)
			}
			out := stdout.Bytes()
			if !bytes.Contains(out, []byte(arazzo.RuleUnreadableFile)) {
				t.Errorf("the report does not carry %s:\n%s", arazzo.RuleUnreadableFile, out)
			}
			switch format {
			case "junit", "checkstyle":
				dec := xml.NewDecoder(bytes.NewReader(out))
				for {
					if _, err := dec.Token(); err == io.EOF {
						break
					} else if err != nil {
						t.Fatalf("not well-formed XML: %v\n%s", err, out)
					}
				}
			default:
				var v any
				if err := json.Unmarshal(out, &v); err != nil {
					t.Fatalf("not JSON: %v\n%s", err, out)
				}
			}
		})
	}
}

// TestValidateDirUnreadableLookalike: a file in a directory that is named
// like a workflow but cannot be read (here a dangling symlink) is reported
// as unreadable, not skipped.
func TestValidateDirUnreadableLookalike(t *testing.T) {
	dir := t.TempDir()
	good, err := os.ReadFile(filepath.Join("testdata", "validate", "docs", "shared.arazzo.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// Alone (its source is missing) it still loads: errors, not unreadable.
	if err := os.WriteFile(filepath.Join(dir, "a.arazzo.yaml"), good, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "missing-target"), filepath.Join(dir, "b.arazzo.yaml")); err != nil {
		t.Skipf("no symlinks here: %v", err)
	}
	if err := os.Symlink(filepath.Join(dir, "missing-target"), filepath.Join(dir, "notes.yaml")); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := run([]string{"validate", "--format", "json", dir}, strings.NewReader(""), &stdout, &stderr)
	if code != exitUsage {
		t.Errorf("exit %d, want %d", code, exitUsage)
	}
	if !strings.Contains(stderr.String(), "b.arazzo.yaml") || strings.Contains(stderr.String(), "notes.yaml") {
		t.Errorf("stderr should name b.arazzo.yaml (and not notes.yaml, which is no workflow by name):\n%s", stderr.String())
	}
	if !strings.Contains(stdout.String(), arazzo.RuleUnreadableFile) {
		t.Errorf("the report does not carry the unreadable file:\n%s", stdout.String())
	}
}
