package arazzo

import "testing"

// TestDocumentsWalksArazzoSourcesOnce: d first, then depth first in source
// order, each document once even through a cycle.
func TestDocumentsWalksArazzoSourcesOnce(t *testing.T) {
	a, b, c := &Document{File: "a"}, &Document{File: "b"}, &Document{File: "c"}
	a.SourceDescriptions = []*SourceDescription{{Name: "api"}, {Name: "b", Arazzo: b}, nil, {Name: "c", Arazzo: c}}
	b.SourceDescriptions = []*SourceDescription{{Name: "c", Arazzo: c}, {Name: "a", Arazzo: a}}
	c.SourceDescriptions = []*SourceDescription{{Name: "b", Arazzo: b}}
	var got []string
	for _, d := range a.Documents() {
		got = append(got, d.File)
	}
	if len(got) != 3 || got[0] != "a" || got[1] != "b" || got[2] != "c" {
		t.Errorf("Documents() = %v, want [a b c]", got)
	}
	if (*Document)(nil).Documents() != nil {
		t.Error("a nil Document has documents")
	}
}
