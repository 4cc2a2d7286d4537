package arazzo

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"path/filepath"
)

// Report formats that CI systems read natively: JUnit XML (most CI test
// report views), Checkstyle XML (Jenkins warnings-ng, reviewdog) and the
// GitLab Code Quality report (a subset of Code Climate's JSON).

type (
	junitSuites struct {
		XMLName  xml.Name     `xml:"testsuites"`
		Name     string       `xml:"name,attr"`
		Tests    int          `xml:"tests,attr"`
		Failures int          `xml:"failures,attr"`
		Suites   []junitSuite `xml:"testsuite"`
	}
	junitSuite struct {
		Name     string      `xml:"name,attr"`
		Tests    int         `xml:"tests,attr"`
		Failures int         `xml:"failures,attr"`
		Cases    []junitCase `xml:"testcase"`
	}
	junitCase struct {
		Name      string        `xml:"name,attr"`
		Classname string        `xml:"classname,attr"`
		File      string        `xml:"file,attr,omitempty"`
		Line      int           `xml:"line,attr,omitempty"`
		Failure   *junitFailure `xml:"failure,omitempty"`
		SystemOut string        `xml:"system-out,omitempty"`
	}
	junitFailure struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Text    string `xml:",chardata"`
	}
)

// WriteJUnit prints JUnit XML: one test suite per file, one test case per
// diagnostic. Errors are failures; warnings are passing cases whose text is
// in system-out, so that a report with warnings only does not read as
// failed (exit code 0), while --strict turns them into failures. A checked
// file without diagnostics gets one passing case, so the report shows what
// was checked; files lists them (nil for the files of ds only).
func WriteJUnit(w io.Writer, ds Diagnostics, files []string) error {
	ds = ds.Sort()
	byFile := map[string][]*Diagnostic{}
	var order []string
	add := func(file string) {
		if _, ok := byFile[file]; !ok {
			byFile[file] = nil
			order = append(order, file)
		}
	}
	for _, f := range files {
		add(f)
	}
	for _, d := range ds {
		add(d.File)
		byFile[d.File] = append(byFile[d.File], d)
	}
	root := junitSuites{Name: "arazzo validate", Suites: []junitSuite{}}
	for _, file := range order {
		suite := junitSuite{Name: file}
		if len(byFile[file]) == 0 {
			suite.Cases = append(suite.Cases, junitCase{Name: "valid", Classname: file, File: file})
		}
		for _, d := range byFile[file] {
			c := junitCase{
				Name:      fmt.Sprintf("%s at %d:%d", ruleOrDefault(d.Rule), d.Pos.Line, d.Pos.Col),
				Classname: file,
				File:      file,
				Line:      d.Pos.Line,
			}
			text := d.String()
			if d.Fix != "" {
				text += "\nfix: " + d.Fix
			}
			if d.Severity == SeverityError {
				c.Failure = &junitFailure{Message: oneLine(d.Msg), Type: ruleOrDefault(d.Rule), Text: text}
				suite.Failures++
			} else {
				c.SystemOut = text
			}
			suite.Cases = append(suite.Cases, c)
		}
		suite.Tests = len(suite.Cases)
		root.Tests += suite.Tests
		root.Failures += suite.Failures
		root.Suites = append(root.Suites, suite)
	}
	return writeXML(w, root)
}

type (
	checkstyleRoot struct {
		XMLName xml.Name         `xml:"checkstyle"`
		Version string           `xml:"version,attr"`
		Files   []checkstyleFile `xml:"file"`
	}
	checkstyleFile struct {
		Name   string            `xml:"name,attr"`
		Errors []checkstyleError `xml:"error"`
	}
	checkstyleError struct {
		Line     int    `xml:"line,attr"`
		Column   int    `xml:"column,attr,omitempty"`
		Severity string `xml:"severity,attr"`
		Message  string `xml:"message,attr"`
		Source   string `xml:"source,attr"`
	}
)

// WriteCheckstyle prints Checkstyle XML (format version 4.3): one file
// element per file, one error element per diagnostic, severity error or
// warning, source "arazzo.<rule-id>".
func WriteCheckstyle(w io.Writer, ds Diagnostics) error {
	ds = ds.Sort()
	root := checkstyleRoot{Version: "4.3", Files: []checkstyleFile{}}
	for _, d := range ds {
		if n := len(root.Files); n == 0 || root.Files[n-1].Name != d.File {
			root.Files = append(root.Files, checkstyleFile{Name: d.File})
		}
		msg := oneLine(d.Msg)
		if d.Fix != "" {
			msg += " (fix: " + oneLine(d.Fix) + ")"
		}
		f := &root.Files[len(root.Files)-1]
		f.Errors = append(f.Errors, checkstyleError{
			Line: max(d.Pos.Line, 1), Column: max(d.Pos.Col, 0),
			Severity: d.Severity.String(), Message: msg, Source: "arazzo." + ruleOrDefault(d.Rule),
		})
	}
	return writeXML(w, root)
}

type (
	codeQualityIssue struct {
		Description string              `json:"description"`
		CheckName   string              `json:"check_name"`
		Fingerprint string              `json:"fingerprint"`
		Severity    string              `json:"severity"`
		Location    codeQualityLocation `json:"location"`
	}
	codeQualityLocation struct {
		Path  string           `json:"path"`
		Lines codeQualityLines `json:"lines"`
	}
	codeQualityLines struct {
		Begin int `json:"begin"`
	}
)

// WriteCodeQuality prints a GitLab Code Quality report: a JSON array of
// issues with description, check_name (the rule id), fingerprint, severity
// (major for errors, minor for warnings), location.path and
// location.lines.begin. The fingerprint hashes file, rule, JSON pointer and
// message, not the line, so an issue keeps its identity when lines above
// it move; identical issues are told apart by their order.
func WriteCodeQuality(w io.Writer, ds Diagnostics) error {
	ds = ds.Sort()
	out := make([]codeQualityIssue, 0, len(ds))
	seen := map[string]int{}
	for _, d := range ds {
		path := filepath.ToSlash(d.File)
		if path == "" {
			path = "."
		}
		key := path + "\x00" + d.Rule + "\x00" + d.Pointer + "\x00" + d.Msg
		seen[key]++
		sum := sha256.Sum256(fmt.Appendf(nil, "%s\x00%d", key, seen[key]))
		sev := "major"
		if d.Severity == SeverityWarning {
			sev = "minor"
		}
		desc := oneLine(d.Msg)
		if d.Fix != "" {
			desc += " (fix: " + oneLine(d.Fix) + ")"
		}
		out = append(out, codeQualityIssue{
			Description: desc,
			CheckName:   ruleOrDefault(d.Rule),
			Fingerprint: hex.EncodeToString(sum[:16]),
			Severity:    sev,
			Location:    codeQualityLocation{Path: path, Lines: codeQualityLines{Begin: max(d.Pos.Line, 1)}},
		})
	}
	return writeIndentedJSON(w, out)
}

func ruleOrDefault(id string) string {
	if id == "" {
		return sarifNoRule
	}
	return id
}

func writeXML(w io.Writer, v any) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
