package arazzo

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// FuzzRender feeds arbitrary source bytes, positions and messages to every
// renderer: none may panic, the JSON and SARIF must stay valid JSON, and a
// GitHub command must stay on one line.
func FuzzRender(f *testing.F) {
	f.Add([]byte(renderSrc), 6, 18, 6, 28, "msg", "fix", "file.yaml")
	f.Add([]byte("\t名前: é\r\n"), 1, 2, 1, 1, "a\nb", "", "a,b:c%")
	f.Add([]byte{0xff, 0xfe, '\n'}, 1, 1, 0, 0, "\r", "x", "")
	f.Add([]byte(""), -1, -5, 3, -2, "", "", "/abs/path")
	f.Fuzz(func(t *testing.T, src []byte, line, col, endLine, endCol int, msg, fix, file string) {
		d := &Diagnostic{Severity: SeverityWarning, Rule: "r", Msg: msg, Fix: fix, File: file,
			Pos: Pos{line, col}, End: Pos{endLine, endCol}}
		ds := Diagnostics{d, {Rule: "e", Msg: msg, File: file, Pos: Pos{line, col}}}
		var buf bytes.Buffer
		if err := WriteText(&buf, ds, Sources{file: src}, true); err != nil {
			t.Fatal(err)
		}
		buf.Reset()
		if err := WriteJSON(&buf, ds); err != nil {
			t.Fatal(err)
		}
		if !json.Valid(buf.Bytes()) {
			t.Fatalf("WriteJSON produced invalid JSON: %q", buf.Bytes())
		}
		buf.Reset()
		if err := WriteSARIF(&buf, ds, "v"); err != nil {
			t.Fatal(err)
		}
		if !json.Valid(buf.Bytes()) {
			t.Fatalf("WriteSARIF produced invalid JSON: %q", buf.Bytes())
		}
		buf.Reset()
		if err := WriteGitHub(&buf, ds); err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(buf.String(), "\n"); n != 2 {
			t.Fatalf("WriteGitHub wrote %d lines for 2 diagnostics: %q", n, buf.String())
		}
	})
}
