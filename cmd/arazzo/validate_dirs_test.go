package main

import "testing"

func TestValidateArazzoKey(t *testing.T) {
	for _, tc := range []struct {
		text string
		want bool
	}{
		{"arazzo: 1.0.1\ninfo: {}\n", true},
		{"# comment\ninfo:\n  title: x\narazzo: 1.1.0\n", true},
		{"arazzo:   1.0.1", true},
		{`{"arazzo": "1.0.1"}`, true},
		{"  {\n\"arazzo\" : \"1.0.1\"}", true},
		{"{\n  \"info\": {},\n  \"arazzo\": \"1.0.1\"\n}", true},
		{"openapi: 3.1.0\n", false},
		{"workflow: x.arazzo.yaml\ncases: []\n", false},
		{"info:\n  arazzo: nested\n", false},
		{"x-arazzo: 1\n", false},
	} {
		if got := validateArazzoKey.MatchString(tc.text); got != tc.want {
			t.Errorf("validateArazzoKey.Match(%q) = %v, want %v", tc.text, got, tc.want)
		}
	}
}
