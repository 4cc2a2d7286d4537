package arazzo

import (
	"io"
	"net/url"
	"path/filepath"
	"strings"
)

// SARIF 2.1.0 types: only the parts WriteSARIF fills, named as in the OASIS
// standard so that the JSON tags read like the spec.
type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool       sarifTool     `json:"tool"`
		ColumnKind string        `json:"columnKind"`
		Results    []sarifResult `json:"results"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name           string      `json:"name"`
		Version        string      `json:"version,omitempty"`
		InformationURI string      `json:"informationUri,omitempty"`
		Rules          []sarifRule `json:"rules"`
	}
	sarifRule struct {
		ID                   string             `json:"id"`
		ShortDescription     sarifMessage       `json:"shortDescription"`
		DefaultConfiguration sarifConfiguration `json:"defaultConfiguration"`
	}
	sarifConfiguration struct {
		Level string `json:"level"`
	}
	sarifMessage struct {
		Text string `json:"text"`
	}
	sarifResult struct {
		RuleID     string            `json:"ruleId"`
		RuleIndex  int               `json:"ruleIndex"`
		Level      string            `json:"level"`
		Message    sarifMessage      `json:"message"`
		Locations  []sarifLocation   `json:"locations,omitempty"`
		Properties map[string]string `json:"properties,omitempty"`
	}
	sarifLocation struct {
		PhysicalLocation sarifPhysicalLocation `json:"physicalLocation"`
	}
	sarifPhysicalLocation struct {
		ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
		Region           *sarifRegion          `json:"region,omitempty"`
	}
	sarifArtifactLocation struct {
		URI       string `json:"uri"`
		URIBaseID string `json:"uriBaseId,omitempty"`
	}
	sarifRegion struct {
		StartLine   int `json:"startLine"`
		StartColumn int `json:"startColumn,omitempty"`
		EndLine     int `json:"endLine,omitempty"`
		EndColumn   int `json:"endColumn,omitempty"`
	}
)

const sarifSchema = "https://json.schemastore.org/sarif-2.1.0.json"

// sarifNoRule stands in for a diagnostic without a rule id: SARIF results
// need one to be grouped by code scanning.
const sarifNoRule = "arazzo"

// WriteSARIF prints SARIF 2.1.0, for GitHub code scanning and other SARIF
// consumers. Relative file paths become relative URIs against %SRCROOT%;
// columns count Unicode code points (columnKind unicodeCodePoints).
func WriteSARIF(w io.Writer, ds Diagnostics, toolVersion string) error {
	ds = ds.Sort()
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name:    "arazzo",
			Version: toolVersion,
			Rules:   []sarifRule{},
		}},
		ColumnKind: "unicodeCodePoints",
		Results:    make([]sarifResult, 0, len(ds)),
	}
	ruleIndex := map[string]int{}
	for _, d := range ds {
		id := d.Rule
		if id == "" {
			id = sarifNoRule
		}
		level := sarifLevel(d.Severity)
		idx, ok := ruleIndex[id]
		if !ok {
			idx = len(run.Tool.Driver.Rules)
			ruleIndex[id] = idx
			run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{
				ID:                   id,
				ShortDescription:     sarifMessage{Text: ruleDescription(id)},
				DefaultConfiguration: sarifConfiguration{Level: level},
			})
		}
		msg := d.Msg
		if d.Fix != "" {
			msg += "\nfix: " + d.Fix
		}
		res := sarifResult{RuleID: id, RuleIndex: idx, Level: level, Message: sarifMessage{Text: msg}}
		if d.File != "" {
			loc := sarifPhysicalLocation{ArtifactLocation: sarifArtifact(d.File)}
			if d.Pos.Line > 0 {
				end := extent(d)
				loc.Region = &sarifRegion{StartLine: d.Pos.Line, StartColumn: max(d.Pos.Col, 0), EndLine: end.Line}
				if end.Col > 0 {
					loc.Region.EndColumn = end.Col
					if end == d.Pos {
						// SARIF's endColumn is exclusive: an empty region
						// would highlight nothing.
						loc.Region.EndColumn++
					}
				}
			}
			res.Locations = []sarifLocation{{PhysicalLocation: loc}}
		}
		if d.Pointer != "" {
			res.Properties = map[string]string{"pointer": d.Pointer}
		}
		run.Results = append(run.Results, res)
	}
	return writeIndentedJSON(w, sarifLog{Schema: sarifSchema, Version: "2.1.0", Runs: []sarifRun{run}})
}

// ruleDescription is the one-line description of a rule id, or the id
// itself for one that is not ours (a Diagnostic built by a caller).
func ruleDescription(id string) string {
	if d, ok := ruleDescriptions[id]; ok {
		return d
	}
	return id
}

func sarifLevel(s Severity) string {
	if s == SeverityWarning {
		return "warning"
	}
	return "error"
}

// sarifArtifact turns a diagnostic's File into an artifact location: URLs
// stay as they are, absolute paths become file URIs, and relative paths
// become relative URI references resolved against %SRCROOT%, which is what
// code scanning expects for files in the repository.
func sarifArtifact(file string) sarifArtifactLocation {
	if isRemote(file) {
		return sarifArtifactLocation{URI: file}
	}
	slashed := filepath.ToSlash(file)
	if filepath.IsAbs(file) {
		if !strings.HasPrefix(slashed, "/") {
			slashed = "/" + slashed // Windows drive paths
		}
		return sarifArtifactLocation{URI: (&url.URL{Scheme: "file", Path: slashed}).String()}
	}
	slashed = strings.TrimPrefix(slashed, "./")
	return sarifArtifactLocation{URI: (&url.URL{Path: slashed}).String(), URIBaseID: "%SRCROOT%"}
}
