// Package wftest runs workflow test cases: files named *.arazzo-test.yaml
// that give a workflow inputs and canned API answers (mocks) and state what
// must happen — the final status, outputs, the exact sequence of operations
// called, what was sent — or that the document or inputs must be rejected.
// Each case runs hermetically: no network, no sleeps, loop delays at zero.
// The file format is documented in docs/testing.md.
package wftest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/arazzo-go/arazzo/runtime"
)

// Suffixes of test-case files found when walking directories.
var Suffixes = []string{".arazzo-test.yaml", ".arazzo-test.yml"}

// File is one parsed test-case file.
type File struct {
	Path string // as given or discovered
	// Workflow is the workflow document as written in the file; WorkflowPath
	// is it resolved against the test file's directory.
	Workflow     string
	WorkflowPath string
	Cases        []*Case
}

// Case is one test case.
type Case struct {
	File       *File
	Name       string
	Line       int
	WorkflowID string // "" when the document has a single workflow
	Inputs     map[string]any
	Mocks      *runtime.Mocks // never nil; empty means every call fails
	Options    CaseOptions
	Expect     Expect
}

// CaseOptions adjust the engine for one case.
type CaseOptions struct {
	MaxSteps int           // step executions; 0 = the engine default
	Timeout  time.Duration // whole case; 0 = DefaultTimeout
	Strict   bool          // runtime.Options.Strict (as `arazzo run --strict`)
}

// DefaultTimeout bounds a case that sets none, so a broken workflow cannot
// hang a test run.
const DefaultTimeout = 30 * time.Second

// Expect is what a case asserts. Zero fields are not checked, except Status,
// which defaults to "succeeded" unless Error is set.
type Expect struct {
	Status   string         // succeeded | failed | aborted
	FailedAt string         // stepId the run failed at
	Outputs  map[string]any // subset match, deep; null matches null or absent
	Calls    []string       // exact sequence of operationIds
	HasCalls bool           // calls: [] asserts that nothing was called
	Requests []*RequestCheck
	// Error: the document or the inputs must be rejected before the run,
	// with a message containing this text.
	Error string
	// Contract is "clean" when every response (the mocks' answers) must
	// match its operation's OpenAPI description; "" does not check (the
	// differences are still reported as warnings).
	Contract string
}

// RequestCheck asserts on what was sent to one operation.
type RequestCheck struct {
	Operation string
	// Call selects the Nth call (1-based) of the operation; 0 checks every
	// call, and at least one must have been made.
	Call int
	// URL, when set, is the exact URL sent: a full URL, or one starting
	// with "/" compared with the path and query only (the server is left
	// out), e.g. "/?Action=RunInstances&Version=2016-11-15&MaxCount=1".
	URL     string
	Body    any
	HasBody bool
	// Headers: a nil value means the header must be absent. Names match
	// case-insensitively, values exactly.
	Headers map[string]*string
	Line    int
}

// Statuses a case may expect.
var statuses = []string{string(runtime.Succeeded), string(runtime.Failed), string(runtime.Aborted)}

// parseMocks is replaced in tests that run before the runtime exists.
var parseMocks = runtime.ParseMocks

// ParseError is an invalid test file; Line is 0 when unknown.
type ParseError struct {
	File string
	Line int
	Msg  string
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// LoadFile reads and parses a test-case file.
func LoadFile(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &ParseError{File: path, Msg: err.Error()}
	}
	return ParseFile(path, data)
}

// maxFileBytes bounds a test file; they are hand-written and small.
const maxFileBytes = 8 << 20

// ParseFile parses a test-case file read from path (used to resolve the
// workflow path and in messages).
func ParseFile(path string, data []byte) (*File, error) {
	p := &parser{file: path}
	if len(data) > maxFileBytes {
		return nil, p.errf(nil, "file is larger than %d bytes", maxFileBytes)
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err == io.EOF {
		return nil, p.errf(nil, "empty file")
	} else if err != nil {
		return nil, p.errf(nil, "not YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, p.errf(nil, "empty file")
	}
	root := doc.Content[0]
	if err := p.keys(root, "top level", "workflow", "cases"); err != nil {
		return nil, err
	}
	f := &File{Path: path}
	wf := field(root, "workflow")
	if err := p.str(wf, "workflow", &f.Workflow); err != nil {
		return nil, err
	}
	if f.Workflow == "" {
		return nil, p.errf(root, "workflow: the workflow document to test is required (a path relative to this file)")
	}
	f.WorkflowPath = f.Workflow
	if !filepath.IsAbs(f.WorkflowPath) && !strings.Contains(f.Workflow, "://") {
		f.WorkflowPath = filepath.Join(filepath.Dir(path), filepath.FromSlash(f.Workflow))
	}
	cases := field(root, "cases")
	if cases == nil || cases.Kind != yaml.SequenceNode || len(cases.Content) == 0 {
		return nil, p.errf(orNode(cases, root), "cases: a list of at least one case is required")
	}
	seen := map[string]int{}
	for i, n := range cases.Content {
		c, err := p.parseCase(n, i)
		if err != nil {
			return nil, err
		}
		if prev, dup := seen[c.Name]; dup {
			return nil, p.errf(n, "case %q is already defined on line %d", c.Name, prev)
		}
		seen[c.Name] = c.Line
		c.File = f
		f.Cases = append(f.Cases, c)
	}
	return f, nil
}

type parser struct{ file string }

func (p *parser) errf(n *yaml.Node, format string, args ...any) error {
	e := &ParseError{File: p.file, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line = n.Line
	}
	return e
}

// keys rejects unknown keys, so a typo ("expects:") does not silently
// disable a check.
func (p *parser) keys(n *yaml.Node, where string, allowed ...string) error {
	if n == nil || n.Kind != yaml.MappingNode {
		return p.errf(n, "%s: expected a mapping", where)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		ok := false
		for _, a := range allowed {
			if k.Value == a {
				ok = true
				break
			}
		}
		if !ok {
			return p.errf(k, "%s: unknown key %q (known: %s)", where, k.Value, strings.Join(allowed, ", "))
		}
	}
	return nil
}

func field(n *yaml.Node, name string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == name {
			return n.Content[i+1]
		}
	}
	return nil
}

func orNode(n, fallback *yaml.Node) *yaml.Node {
	if n != nil {
		return n
	}
	return fallback
}

func isNull(n *yaml.Node) bool {
	return n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

func (p *parser) str(n *yaml.Node, where string, dst *string) error {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.ScalarNode {
		return p.errf(n, "%s: expected a string", where)
	}
	*dst = n.Value
	return nil
}

func (p *parser) parseCase(n *yaml.Node, i int) (*Case, error) {
	where := fmt.Sprintf("cases[%d]", i)
	if err := p.keys(n, where, "name", "workflowId", "inputs", "mocks", "messages", "options", "expect"); err != nil {
		return nil, err
	}
	c := &Case{Line: n.Line, Inputs: map[string]any{}}
	if err := p.str(field(n, "name"), where+".name", &c.Name); err != nil {
		return nil, err
	}
	if strings.TrimSpace(c.Name) == "" {
		return nil, p.errf(n, "%s: name is required", where)
	}
	where = fmt.Sprintf("case %q", c.Name)
	if err := p.str(field(n, "workflowId"), where+": workflowId", &c.WorkflowID); err != nil {
		return nil, err
	}
	if in := field(n, "inputs"); !isNull(in) {
		if in.Kind != yaml.MappingNode {
			return nil, p.errf(in, "%s: inputs: expected a mapping of input names to values", where)
		}
		v, err := p.data(in, where+": inputs")
		if err != nil {
			return nil, err
		}
		c.Inputs = v.(map[string]any)
	}
	mocks, err := p.mocks(field(n, "mocks"), field(n, "messages"), where)
	if err != nil {
		return nil, err
	}
	c.Mocks = mocks
	if o := field(n, "options"); !isNull(o) {
		if err := p.keys(o, where+": options", "maxSteps", "timeout", "strict"); err != nil {
			return nil, err
		}
		if ms := field(o, "maxSteps"); ms != nil {
			if err := ms.Decode(&c.Options.MaxSteps); err != nil || c.Options.MaxSteps < 1 {
				return nil, p.errf(ms, "%s: options.maxSteps: expected a positive integer", where)
			}
		}
		if to := field(o, "timeout"); to != nil {
			d, err := time.ParseDuration(to.Value)
			if err != nil || d <= 0 {
				return nil, p.errf(to, "%s: options.timeout: expected a positive duration like 5s", where)
			}
			c.Options.Timeout = d
		}
		if st := field(o, "strict"); st != nil {
			if err := st.Decode(&c.Options.Strict); err != nil {
				return nil, p.errf(st, "%s: options.strict: expected true or false", where)
			}
		}
	}
	e := field(n, "expect")
	if isNull(e) {
		return nil, p.errf(n, "%s: expect is required (at least a status)", where)
	}
	if err := p.expect(e, where, &c.Expect); err != nil {
		return nil, err
	}
	return c, nil
}

// data decodes a YAML node into JSON-shaped data: what the same value would
// be in a JSON inputs file (numbers float64, string keys only).
func (p *parser) data(n *yaml.Node, where string) (any, error) {
	var v any
	if err := n.Decode(&v); err != nil {
		return nil, p.errf(n, "%s: %s", where, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	v, err := jsonShape(v)
	if err != nil {
		return nil, p.errf(n, "%s: %v", where, err)
	}
	return v, nil
}

func jsonShape(v any) (any, error) {
	v = runtime.JSONValue(v)
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// mocks hands the case's mocks to the runtime's parser, in the format of
// `arazzo run --mock`, so both stay one format.
func (p *parser) mocks(n, msgs *yaml.Node, where string) (*runtime.Mocks, error) {
	if isNull(n) && isNull(msgs) {
		return &runtime.Mocks{Operations: map[string][]runtime.MockResponse{}}, nil
	}
	wrapper := &yaml.Node{Kind: yaml.MappingNode}
	for _, part := range []struct {
		key  string
		node *yaml.Node
	}{{"mocks", n}, {"messages", msgs}} {
		if isNull(part.node) {
			continue
		}
		if part.node.Kind != yaml.MappingNode {
			return nil, p.errf(part.node, "%s: %s: expected a mapping of operationIds to answers", where, part.key)
		}
		wrapper.Content = append(wrapper.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: part.key}, part.node)
	}
	if n == nil {
		n = msgs
	}
	data, err := yaml.Marshal(wrapper)
	if err != nil {
		return nil, p.errf(n, "%s: mocks: %v", where, err)
	}
	m, err := parseMocks(p.file, data)
	if err != nil {
		return nil, p.errf(n, "%s: mocks: %v", where, err)
	}
	if m == nil {
		m = &runtime.Mocks{}
	}
	return m, nil
}

func (p *parser) expect(n *yaml.Node, where string, e *Expect) error {
	where += ": expect"
	if err := p.keys(n, where, "status", "failedAt", "outputs", "calls", "requests", "error", "contract"); err != nil {
		return err
	}
	if err := p.str(field(n, "status"), where+".status", &e.Status); err != nil {
		return err
	}
	if err := p.str(field(n, "failedAt"), where+".failedAt", &e.FailedAt); err != nil {
		return err
	}
	if err := p.str(field(n, "error"), where+".error", &e.Error); err != nil {
		return err
	}
	if err := p.str(field(n, "contract"), where+".contract", &e.Contract); err != nil {
		return err
	}
	if e.Contract != "" && e.Contract != "clean" {
		return p.errf(field(n, "contract"), "%s.contract: %q: the only value is clean (every response matches its OpenAPI description)", where, e.Contract)
	}
	if e.Error != "" {
		for _, k := range []string{"status", "failedAt", "outputs", "requests", "contract"} {
			if field(n, k) != nil {
				return p.errf(field(n, k), "%s: %s cannot be combined with error (a rejected workflow does not run)", where, k)
			}
		}
	} else if e.Status == "" {
		e.Status = string(runtime.Succeeded)
	}
	if e.Status != "" {
		ok := false
		for _, s := range statuses {
			ok = ok || s == e.Status
		}
		if !ok {
			return p.errf(field(n, "status"), "%s.status: %q is not one of %s", where, e.Status, strings.Join(statuses, ", "))
		}
	}
	if o := field(n, "outputs"); !isNull(o) {
		if o.Kind != yaml.MappingNode {
			return p.errf(o, "%s.outputs: expected a mapping of output names to values", where)
		}
		v, err := p.data(o, where+".outputs")
		if err != nil {
			return err
		}
		e.Outputs = v.(map[string]any)
	}
	if c := field(n, "calls"); c != nil {
		if c.Kind != yaml.SequenceNode {
			return p.errf(c, "%s.calls: expected a list of operationIds", where)
		}
		e.HasCalls = true
		e.Calls = []string{}
		for _, item := range c.Content {
			if item.Kind != yaml.ScalarNode || item.Value == "" {
				return p.errf(item, "%s.calls: expected an operationId", where)
			}
			e.Calls = append(e.Calls, item.Value)
		}
	}
	if r := field(n, "requests"); !isNull(r) {
		if r.Kind != yaml.SequenceNode {
			return p.errf(r, "%s.requests: expected a list of request checks", where)
		}
		for i, item := range r.Content {
			rc, err := p.requestCheck(item, fmt.Sprintf("%s.requests[%d]", where, i))
			if err != nil {
				return err
			}
			e.Requests = append(e.Requests, rc)
		}
	}
	return nil
}

func (p *parser) requestCheck(n *yaml.Node, where string) (*RequestCheck, error) {
	if err := p.keys(n, where, "operation", "call", "url", "body", "headers"); err != nil {
		return nil, err
	}
	rc := &RequestCheck{Line: n.Line}
	if err := p.str(field(n, "operation"), where+".operation", &rc.Operation); err != nil {
		return nil, err
	}
	if rc.Operation == "" {
		return nil, p.errf(n, "%s: operation is required", where)
	}
	if c := field(n, "call"); c != nil {
		if err := c.Decode(&rc.Call); err != nil || rc.Call < 1 {
			return nil, p.errf(c, "%s.call: expected a positive integer (1 is the first call)", where)
		}
	}
	if err := p.str(field(n, "url"), where+".url", &rc.URL); err != nil {
		return nil, err
	}
	if b := field(n, "body"); b != nil {
		v, err := p.data(b, where+".body")
		if err != nil {
			return nil, err
		}
		rc.Body, rc.HasBody = v, true
	}
	if h := field(n, "headers"); !isNull(h) {
		if h.Kind != yaml.MappingNode {
			return nil, p.errf(h, "%s.headers: expected a mapping of header names to values (null: must be absent)", where)
		}
		rc.Headers = map[string]*string{}
		for i := 0; i+1 < len(h.Content); i += 2 {
			k, v := h.Content[i], h.Content[i+1]
			if isNull(v) {
				rc.Headers[k.Value] = nil
				continue
			}
			if v.Kind != yaml.ScalarNode {
				return nil, p.errf(v, "%s.headers.%s: expected a string or null", where, k.Value)
			}
			s := v.Value
			rc.Headers[k.Value] = &s
		}
	}
	return rc, nil
}

// Discover expands paths into test files: files are taken as given,
// directories are walked recursively for *.arazzo-test.yaml, skipping
// testdata, vendor, node_modules and hidden directories (as `go test ./...`
// does), so deliberately failing fixtures are only run when named.
func Discover(paths []string) ([]string, error) {
	if len(paths) == 0 {
		paths = []string{"."}
	}
	var out []string
	seen := map[string]bool{}
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, root := range paths {
		info, err := os.Stat(root)
		if err != nil {
			return nil, fmt.Errorf("test path %s: %w", root, err)
		}
		if !info.IsDir() {
			add(root)
			continue
		}
		var found []string
		err = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				name := d.Name()
				if p != root && (name == "testdata" || name == "vendor" || name == "node_modules" || strings.HasPrefix(name, ".")) {
					return filepath.SkipDir
				}
				return nil
			}
			for _, s := range Suffixes {
				if strings.HasSuffix(d.Name(), s) {
					found = append(found, p)
				}
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("walking %s: %w", root, err)
		}
		sort.Strings(found)
		for _, p := range found {
			add(p)
		}
	}
	return out, nil
}
