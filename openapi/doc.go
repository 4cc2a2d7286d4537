// Package openapi loads the OpenAPI descriptions an Arazzo document names
// (OpenAPI 3.0/3.1 through kin-openapi, Swagger 2.0 through its converter),
// indexes their operations by operationId and by JSON Pointer, and builds
// HTTP requests from an operation and evaluated parameter values: server
// URLs with variables, path/query/header/cookie serialisation by the OpenAPI
// style/explode rules, and request bodies by media type.
//
// The index is built once, when a document is loaded; building a request
// reads only the precomputed operation, never the document.
//
// Reading is confined by the Loader options: local files only unless
// AllowRemote is set, every read bounded by MaxBytes, every remote read by
// Timeout, and a remote document can never pull in a local file through a
// $ref.
package openapi
