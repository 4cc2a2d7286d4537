package openapi

import (
	"context"
	"errors"
	"net/http"
)

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

type requestPlan struct {
	contentType string
}

func (o *Operation) compile() {
	o.plan.contentType = defaultContentType(o.RequestBodyTypes)
}

// NewRequest builds the HTTP request for the operation. It fails when a
// required path parameter is missing or a server variable is unknown.
func (o *Operation) NewRequest(ctx context.Context, in RequestInput) (*http.Request, error) {
	return nil, errors.New("openapi: not implemented yet")
}

// EncodeBody serialises a payload for a media type: JSON, form-urlencoded
// (nested keys with brackets), multipart/form-data, XML and text (strings as
// is), raw bytes ([]byte). It returns the bytes and the Content-Type header
// to send (with a boundary for multipart).
func EncodeBody(contentType string, v any) ([]byte, string, error) {
	return nil, "", errors.New("openapi: not implemented yet")
}
