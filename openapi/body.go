package openapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"mime/multipart"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
)

// marshalJSON is json.Marshal without HTML escaping: a payload's "<" and
// "&" reach the API as written.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// EncodeBody serialises a payload for a media type: JSON, form-urlencoded
// (nested keys with brackets), multipart/form-data, XML and text (strings as
// is), raw bytes ([]byte). It returns the bytes and the Content-Type header
// to send (with a boundary for multipart).
//
// For a JSON media type a string payload that is already valid JSON text
// is sent verbatim (an Arazzo payload written as a template); any other
// string is sent as a JSON string. For every other media type strings and
// []byte go out as they are, and a structured value becomes JSON unless
// the media type defines a structure of its own (forms, multipart).
func EncodeBody(contentType string, v any) ([]byte, string, error) {
	if strings.TrimSpace(contentType) == "" {
		contentType = "application/json"
	}
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return nil, "", fmt.Errorf("invalid content type %q: %v", contentType, err)
	}
	switch {
	case isJSONType(mediaType):
		b, err := encodeJSON(v)
		return b, contentType, err
	case mediaType == "application/x-www-form-urlencoded":
		b, err := encodeForm(v)
		return b, contentType, err
	case mediaType == "multipart/form-data":
		if raw, ok := rawBytes(v); ok {
			return raw, contentType, nil
		}
		return encodeMultipart(mediaType, params, v)
	}
	if raw, ok := rawBytes(v); ok {
		return raw, contentType, nil
	}
	if v == nil {
		return nil, contentType, nil
	}
	return []byte(formatText(v)), contentType, nil
}

func rawBytes(v any) ([]byte, bool) {
	switch x := v.(type) {
	case []byte:
		return x, true
	case string:
		return []byte(x), true
	case json.RawMessage:
		return x, true
	}
	return nil, false
}

func encodeJSON(v any) ([]byte, error) {
	switch x := v.(type) {
	case []byte:
		return x, nil
	case json.RawMessage:
		return x, nil
	case string:
		if json.Valid([]byte(x)) {
			return []byte(x), nil
		}
	}
	b, err := marshalJSON(v)
	if err != nil {
		return nil, fmt.Errorf("encode JSON body: %v", err)
	}
	return b, nil
}

// encodeForm writes application/x-www-form-urlencoded: keys sorted, nested
// objects as a[b]=c, arrays of primitives as repeated keys (a=1&a=2),
// arrays of objects with indexes (a[0][b]=c).
func encodeForm(v any) ([]byte, error) {
	if raw, ok := rawBytes(v); ok {
		return raw, nil
	}
	if v == nil {
		return nil, nil
	}
	obj, ok := asObject(v)
	if !ok {
		return nil, fmt.Errorf("a form-urlencoded body needs an object or a string payload, got %s", describe(v))
	}
	var b strings.Builder
	for _, k := range sortedKeys(obj) {
		appendFormField(&b, k, obj[k])
	}
	return []byte(b.String()), nil
}

func appendFormField(b *strings.Builder, key string, v any) {
	if v == nil {
		return
	}
	if obj, ok := asObject(v); ok {
		for _, k := range sortedKeys(obj) {
			appendFormField(b, key+"["+k+"]", obj[k])
		}
		return
	}
	if list, ok := v.([]any); ok {
		for i, e := range list {
			if _, nested := asObject(e); nested {
				appendFormField(b, key+"["+strconv.Itoa(i)+"]", e)
				continue
			}
			appendFormField(b, key, e)
		}
		return
	}
	if list, ok := v.([]string); ok {
		for _, e := range list {
			appendFormField(b, key, e)
		}
		return
	}
	if b.Len() > 0 {
		b.WriteByte('&')
	}
	b.WriteString(url.QueryEscape(key))
	b.WriteByte('=')
	b.WriteString(url.QueryEscape(formatText(v)))
}

// asObject returns v as a map[string]any when it is an object value.
func asObject(v any) (map[string]any, bool) {
	switch x := v.(type) {
	case map[string]any:
		return x, true
	case map[string]string:
		m := make(map[string]any, len(x))
		for k, s := range x {
			m[k] = s
		}
		return m, true
	}
	return nil, false
}

func describe(v any) string {
	switch v.(type) {
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	}
	if _, ok := formatScalar(v); ok {
		return "a number"
	}
	return fmt.Sprintf("a %T", v)
}

// encodeMultipart writes one part per field, in sorted key order: strings
// and primitives as form fields, []byte as a file part, arrays as repeated
// parts, objects as JSON parts.
func encodeMultipart(mediaType string, params map[string]string, v any) ([]byte, string, error) {
	obj, ok := asObject(v)
	if !ok && v != nil {
		return nil, "", fmt.Errorf("a multipart/form-data body needs an object payload, got %s", describe(v))
	}
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if boundary := params["boundary"]; boundary != "" {
		if err := w.SetBoundary(boundary); err != nil {
			return nil, "", fmt.Errorf("invalid multipart boundary %q: %v", boundary, err)
		}
	}
	for _, k := range sortedKeys(obj) {
		if err := writePart(w, k, obj[k]); err != nil {
			return nil, "", err
		}
	}
	if err := w.Close(); err != nil {
		return nil, "", err
	}
	out := make(map[string]string, len(params)+1)
	for k, p := range params {
		out[k] = p
	}
	out["boundary"] = w.Boundary()
	return buf.Bytes(), mime.FormatMediaType(mediaType, out), nil
}

func writePart(w *multipart.Writer, name string, v any) error {
	switch x := v.(type) {
	case nil:
		return nil
	case []byte:
		h := make(textproto.MIMEHeader)
		h.Set("Content-Disposition", mime.FormatMediaType("form-data", map[string]string{"name": name, "filename": name}))
		h.Set("Content-Type", "application/octet-stream")
		pw, err := w.CreatePart(h)
		if err == nil {
			_, err = pw.Write(x)
		}
		return err
	case []any:
		for _, e := range x {
			if err := writePart(w, name, e); err != nil {
				return err
			}
		}
		return nil
	case []string:
		for _, e := range x {
			if err := w.WriteField(name, e); err != nil {
				return err
			}
		}
		return nil
	}
	if s, ok := formatScalar(v); ok {
		return w.WriteField(name, s)
	}
	b, err := marshalJSON(v)
	if err != nil {
		return fmt.Errorf("encode multipart field %q: %v", name, err)
	}
	h := make(textproto.MIMEHeader)
	h.Set("Content-Disposition", mime.FormatMediaType("form-data", map[string]string{"name": name}))
	h.Set("Content-Type", "application/json")
	pw, err := w.CreatePart(h)
	if err == nil {
		_, err = pw.Write(b)
	}
	return err
}
