// Package openapi loads the OpenAPI descriptions an Arazzo document names
// (OpenAPI 3.0/3.1 through kin-openapi, Swagger 2.0 through its converter),
// indexes their operations by operationId and by JSON Pointer, and builds
// HTTP requests from an operation and evaluated parameter values: server
// URLs with variables, path/query/header/cookie serialisation by the OpenAPI
// style/explode rules, and request bodies by media type.
package openapi

// CONTRACT STUBS: the openapi helper replaces these bodies with the real
// implementation; the exported signatures are the contract.

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

var errTODO = errors.New("openapi: not implemented yet")

// Loader reads OpenAPI documents. The zero value reads local files only.
type Loader struct {
	AllowRemote bool          // allow http(s) locations and $refs
	Client      *http.Client  // for remote reads; nil -> own client with Timeout
	Timeout     time.Duration // per remote read; default 30s
	MaxBytes    int64         // per document; default 16 MiB
}

// Load reads and indexes the OpenAPI (or Swagger 2.0) document at location
// (an absolute file path or an http(s) URL).
func (l *Loader) Load(ctx context.Context, location string) (*Source, error) { return nil, errTODO }

// Parse is Load for bytes already read; location is used for relative $refs.
func (l *Loader) Parse(ctx context.Context, location string, data []byte) (*Source, error) {
	return nil, errTODO
}

// Source is one loaded OpenAPI description with its operation index.
type Source struct {
	Location string
	Version  string // "2.0", "3.0.x", "3.1.x"
	Doc      *openapi3.T
}

// Operation finds an operation by operationId.
func (s *Source) Operation(operationID string) (*Operation, bool) { return nil, false }

// OperationByPointer finds an operation by the JSON Pointer of an
// operationPath fragment ("/paths/~1pets~1{id}/get"), percent-decoding it
// first. The error says what the pointer hit instead (a Path Item, nothing).
func (s *Source) OperationByPointer(pointer string) (*Operation, error) { return nil, errTODO }

// OperationIDs lists every operationId, sorted (for "did you mean").
func (s *Source) OperationIDs() []string { return nil }

// Operations lists every operation in document order.
func (s *Source) Operations() []*Operation { return nil }

// Operation is one indexed operation.
type Operation struct {
	Source   *Source
	ID       string // operationId, may be empty
	Method   string // upper case
	Path     string // path template, "/instances/{instanceId}"
	Pointer  string // "/paths/~1instances~1{instanceId}/get"
	Op       *openapi3.Operation
	PathItem *openapi3.PathItem
	// Params: path-level merged with operation-level (operation wins by in+name).
	Params openapi3.Parameters
	// Servers in effect: operation > path item > document (never empty: "/" when none).
	Servers openapi3.Servers
	// RequestBodyTypes lists the request body media types in document order.
	RequestBodyTypes []string
	// Security in effect: operation-level, else document-level (nil = none declared).
	Security *openapi3.SecurityRequirements
}

// Param finds a declared parameter by in and name (header names
// case-insensitively).
func (o *Operation) Param(in, name string) *openapi3.Parameter { return nil }

// ParamValue is one evaluated Arazzo parameter to send.
type ParamValue struct {
	Name, In string
	Value    any // nil means omit
}

// RequestInput is everything needed to build one request.
type RequestInput struct {
	// BaseURL overrides the operation's servers (e.g. --server). Empty: the
	// first server of the operation, with variables from ServerVars or the
	// defaults.
	BaseURL    string
	ServerVars map[string]string
	Params     []ParamValue
	// Body is the evaluated payload; HasBody tells "no body" from null.
	Body        any
	HasBody     bool
	ContentType string // "" -> from the operation (application/json preferred)
}

// NewRequest builds the HTTP request for the operation. It fails when a
// required path parameter is missing or a server variable is unknown.
func (o *Operation) NewRequest(ctx context.Context, in RequestInput) (*http.Request, error) {
	return nil, errTODO
}

// EncodeBody serialises a payload for a media type: JSON, form-urlencoded
// (nested keys with brackets), multipart/form-data, XML and text (strings as
// is), raw bytes ([]byte). It returns the bytes and the Content-Type header
// to send (with a boundary for multipart).
func EncodeBody(contentType string, v any) ([]byte, string, error) { return nil, "", errTODO }
