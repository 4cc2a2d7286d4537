package openapi

import (
	"strings"
	"testing"
)

func TestNearest(t *testing.T) {
	tests := []struct {
		name       string
		s          string
		candidates []string
		within     int
		want       string
	}{
		{"one typo", "getInstanse", []string{"getInstance", "listInstances"}, 2, "getInstance"},
		{"case is ignored", "GETINSTANCE", []string{"getInstance"}, 2, "getInstance"},
		{"s itself is not suggested", "fetch", []string{"fetch"}, 2, ""},
		{"empty candidates are skipped", "ab", []string{""}, 2, ""},
		{"ties go to the first alphabetically", "cat", []string{"cut", "bat"}, 2, "bat"},
		{"beyond within", "fetchPet", []string{"fetch"}, 2, ""},
		{"at within", "fetchPet", []string{"fetch"}, 3, "fetch"},
		{"replacing every character is no typo", "zz", []string{"a"}, 2, ""},
		{"runes count as one edit", "naïve", []string{"naive"}, 1, "naive"},
		{"no candidates", "x", nil, 2, ""},
		{"overlong names are never near", strings.Repeat("a", 300), []string{strings.Repeat("a", 299)}, 10, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Nearest(tc.s, tc.candidates, tc.within); got != tc.want {
				t.Errorf("Nearest(%q, %q, %d) = %q, want %q", tc.s, tc.candidates, tc.within, got, tc.want)
			}
		})
	}
}
