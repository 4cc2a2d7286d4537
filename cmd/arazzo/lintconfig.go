package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/arazzo-go/arazzo/arazzo"
)

// lintConfigName is the configuration file validate looks for in the
// directory of each document and in every directory above it.
const lintConfigName = ".arazzo.yaml"

// lintConfigMaxBytes bounds a configuration file: it holds a rule table,
// not data.
const lintConfigMaxBytes = 1 << 20

// ruleSetting is what a configuration file does with one rule.
type ruleSetting int

const (
	ruleOff ruleSetting = iota + 1
	ruleWarn
	ruleErr
)

// lintConfig is a parsed configuration file:
//
//	rules:
//	  endless-goto: error
//	  output-not-expression: off
type lintConfig struct {
	file  string
	rules map[string]ruleSetting
}

// loadLintConfig reads and checks a configuration file. Every problem is
// an error naming file:line:col: an unknown rule id (with "did you mean"),
// a setting other than off, warn or error, an unknown top-level key.
func loadLintConfig(path string) (*lintConfig, error) {
	data, err := readFileUpTo(path, lintConfigMaxBytes)
	if err != nil {
		return nil, fmt.Errorf("reading config %s: %w", path, err)
	}
	cfg := &lintConfig{file: path, rules: map[string]ruleSetting{}}
	var root yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return cfg, nil // an empty file configures nothing
		}
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	at := func(n *yaml.Node) string { return fmt.Sprintf("%s:%d:%d", path, n.Line, n.Column) }
	doc := &root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		doc = doc.Content[0]
	}
	if doc.Kind == yaml.ScalarNode && doc.Tag == "!!null" {
		return cfg, nil
	}
	if doc.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: config must be a mapping with a rules field", at(doc))
	}
	for i := 0; i+1 < len(doc.Content); i += 2 {
		key, val := doc.Content[i], doc.Content[i+1]
		if key.Value != "rules" {
			return nil, fmt.Errorf("%s: unknown config field %q (the config has only rules)", at(key), key.Value)
		}
		if val.Kind == yaml.ScalarNode && val.Tag == "!!null" {
			continue
		}
		if val.Kind != yaml.MappingNode {
			return nil, fmt.Errorf("%s: rules must be a mapping of rule ids to off, warn or error", at(val))
		}
		for j := 0; j+1 < len(val.Content); j += 2 {
			id, set := val.Content[j], val.Content[j+1]
			if _, ok := arazzo.LookupRule(id.Value); !ok {
				msg := fmt.Sprintf("%s: unknown rule %q", at(id), id.Value)
				if best := arazzo.SuggestRule(id.Value); best != "" {
					msg += fmt.Sprintf("; did you mean %q?", best)
				}
				return nil, errors.New(msg + " (arazzo validate --list-rules lists them)")
			}
			if _, dup := cfg.rules[id.Value]; dup {
				return nil, fmt.Errorf("%s: rule %q is configured twice", at(id), id.Value)
			}
			switch set.Value {
			case "off":
				cfg.rules[id.Value] = ruleOff
			case "warn", "warning":
				cfg.rules[id.Value] = ruleWarn
			case "error":
				cfg.rules[id.Value] = ruleErr
			default:
				return nil, fmt.Errorf("%s: rule %q: setting %q must be off, warn or error", at(set), id.Value, set.Value)
			}
		}
	}
	return cfg, nil
}

// findLintConfig looks for .arazzo.yaml in dir and each directory above
// it; "" when there is none.
func findLintConfig(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	for {
		p := filepath.Join(abs, lintConfigName)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p
		} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return ""
		}
		parent := filepath.Dir(abs)
		if parent == abs {
			return ""
		}
		abs = parent
	}
}

// lintConfigs finds and caches the configuration of each document: the
// --config file when given, else the nearest .arazzo.yaml above it.
type lintConfigs struct {
	explicit *lintConfig
	byPath   map[string]*lintConfig // config file path -> parsed
}

// forDocument returns the configuration that applies to the document
// file ("-" is standard input, configured from the working directory).
func (lc *lintConfigs) forDocument(file string) (*lintConfig, error) {
	if lc.explicit != nil {
		return lc.explicit, nil
	}
	dir := "."
	if file != "-" {
		dir = filepath.Dir(file)
	}
	p := findLintConfig(dir)
	if p == "" {
		return nil, nil
	}
	if cfg, ok := lc.byPath[p]; ok {
		return cfg, nil
	}
	cfg, err := loadLintConfig(p)
	if err != nil {
		return nil, err
	}
	if lc.byPath == nil {
		lc.byPath = map[string]*lintConfig{}
	}
	lc.byPath[p] = cfg
	return cfg, nil
}

// apply drops the diagnostics of rules that are off and gives configured
// rules their severity, copying rather than changing the loader's values.
func (cfg *lintConfig) apply(ds arazzo.Diagnostics) arazzo.Diagnostics {
	if cfg == nil || len(cfg.rules) == 0 {
		return ds
	}
	out := make(arazzo.Diagnostics, 0, len(ds))
	for _, d := range ds {
		switch cfg.rules[d.Rule] {
		case ruleOff:
			continue
		case ruleWarn:
			if d.Severity != arazzo.SeverityWarning {
				c := *d
				c.Severity = arazzo.SeverityWarning
				d = &c
			}
		case ruleErr:
			if d.Severity != arazzo.SeverityError {
				c := *d
				c.Severity = arazzo.SeverityError
				d = &c
			}
		}
		out = append(out, d)
	}
	return out
}

// isLintConfig tells the configuration file apart from documents named
// *.arazzo.yaml when a directory is searched.
func isLintConfig(path string) bool {
	return strings.EqualFold(filepath.Base(path), lintConfigName)
}
