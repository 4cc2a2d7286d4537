package main

import (
	_ "github.com/PaesslerAG/jsonpath"
	_ "github.com/antchfx/xmlquery"
	_ "github.com/antchfx/xpath"
	_ "github.com/dlclark/regexp2"
	_ "github.com/getkin/kin-openapi/openapi3"
	_ "github.com/santhosh-tekuri/jsonschema/v5"
	_ "github.com/theory/jsonpath"
	_ "gopkg.in/yaml.v3"
)

func main() {}
