package openapi

import (
	"context"
	"reflect"
	"testing"
)

const queryPathDoc = `openapi: 3.0.3
info: {title: query paths, version: "1"}
servers: [{url: "https://ec2.example.com/base"}]
paths:
  /?Action=RunInstances&Version=2016-11-15:
    get:
      operationId: RunInstances
      parameters:
        - {name: ImageId, in: query, schema: {type: string}}
        - {name: MaxCount, in: query, schema: {type: integer}}
      responses: {"200": {description: ok}}
  /#Action=DescribeInstances:
    post:
      operationId: DescribeInstances
      responses: {"200": {description: ok}}
  /{Bucket}?lifecycle:
    put:
      operationId: PutBucketLifecycle
      parameters:
        - {name: Bucket, in: path, required: true, schema: {type: string}}
      responses: {"200": {description: ok}}
  /{Bucket}/{Key+}:
    get:
      operationId: GetObject
      parameters:
        - {name: Bucket, in: path, required: true, schema: {type: string}}
        - {name: Key, in: path, required: true, schema: {type: string}}
      responses: {"200": {description: ok}}
  /plain/{id}:
    get:
      operationId: plain
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses: {"200": {description: ok}}
`

func loadQueryPaths(t *testing.T) *Source {
	t.Helper()
	src, err := (&Loader{}).Parse(context.Background(), "", []byte(queryPathDoc))
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func TestSplitPathKey(t *testing.T) {
	cases := []struct {
		key, tmpl string
		fixed     []QueryPair
	}{
		{"/pets/{id}", "/pets/{id}", nil},
		{"/?Action=RunInstances&Version=2016-11-15", "/", []QueryPair{{Name: "Action", Value: "RunInstances"}, {Name: "Version", Value: "2016-11-15"}}},
		{"/#Action=DescribeInstances", "/", []QueryPair{{Name: "Action", Value: "DescribeInstances"}}},
		{"/{Bucket}?lifecycle", "/{Bucket}", []QueryPair{{Name: "lifecycle", Bare: true}}},
		{"/{Bucket}?tagging&versionId=a%20b", "/{Bucket}", []QueryPair{{Name: "tagging", Bare: true}, {Name: "versionId", Value: "a b"}}},
		{"?x=1", "/", []QueryPair{{Name: "x", Value: "1"}}},
		{"/{odd?name}", "/{odd?name}", nil},
	}
	for _, c := range cases {
		tmpl, fixed := splitPathKey(c.key)
		if tmpl != c.tmpl || !reflect.DeepEqual(fixed, c.fixed) {
			t.Errorf("splitPathKey(%q) = %q %+v, want %q %+v", c.key, tmpl, fixed, c.tmpl, c.fixed)
		}
	}
}

func TestQueryPathOperationIndex(t *testing.T) {
	src := loadQueryPaths(t)
	op, ok := src.Operation("RunInstances")
	if !ok {
		t.Fatal("RunInstances not indexed")
	}
	if op.Path != "/?Action=RunInstances&Version=2016-11-15" || op.Template != "/" || len(op.FixedQuery) != 2 {
		t.Fatalf("op = %q %q %+v", op.Path, op.Template, op.FixedQuery)
	}
	// operationPath pointers use the original key, "/" escaped as ~1.
	for ptr, want := range map[string]string{
		"/paths/~1?Action=RunInstances&Version=2016-11-15/get": "RunInstances",
		"/paths/~1#Action=DescribeInstances/post":              "DescribeInstances",
		"/paths/~1{Bucket}?lifecycle/put":                      "PutBucketLifecycle",
	} {
		got, err := src.OperationByPointer(ptr)
		if err != nil || got == nil || got.ID != want {
			t.Errorf("OperationByPointer(%q) = %v, %v; want %s", ptr, got, err, want)
		}
	}
}

func TestQueryPathRequests(t *testing.T) {
	src := loadQueryPaths(t)
	cases := []struct {
		id     string
		params []ParamValue
		want   string
	}{
		// Fixed pairs first, then the step's query parameters in step order;
		// a step parameter named like a fixed pair is dropped (the key wins).
		{"RunInstances", []ParamValue{{Name: "MaxCount", In: "query", Value: 1}, {Name: "Action", In: "query", Value: "Other"}, {Name: "ImageId", In: "query", Value: "ami-1 2"}},
			"https://ec2.example.com/base/?Action=RunInstances&Version=2016-11-15&MaxCount=1&ImageId=ami-1%202"},
		{"DescribeInstances", nil, "https://ec2.example.com/base/?Action=DescribeInstances"},
		{"PutBucketLifecycle", []ParamValue{{Name: "Bucket", In: "path", Value: "my-bucket"}}, "https://ec2.example.com/base/my-bucket?lifecycle"},
		// {Key+} keeps its "/", other characters are still escaped.
		{"GetObject", []ParamValue{{Name: "Bucket", In: "path", Value: "a/b"}, {Name: "Key", In: "path", Value: "photos/2024/x y.jpg"}}, "https://ec2.example.com/base/a%2Fb/photos/2024/x%20y.jpg"},
		{"plain", []ParamValue{{Name: "id", In: "path", Value: "a/b"}}, "https://ec2.example.com/base/plain/a%2Fb"},
	}
	for _, c := range cases {
		op, ok := src.Operation(c.id)
		if !ok {
			t.Fatalf("%s missing", c.id)
		}
		req, err := op.NewRequest(context.Background(), RequestInput{Params: c.params})
		if err != nil {
			t.Fatalf("%s: %v", c.id, err)
		}
		if got := req.URL.String(); got != c.want {
			t.Errorf("%s: URL\n got %s\nwant %s", c.id, got, c.want)
		}
	}
}
