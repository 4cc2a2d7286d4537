package runtime

import "github.com/arazzo-go/arazzo/internal/jsonlimit"

// MaxJSONDepth is the deepest nesting of arrays and objects the engine
// decodes in JSON from outside: response bodies, inputs. A response body
// nested deeper is kept as text, and a JSON Pointer into it fails saying so;
// decoding it costs time linear in its size and never overflows a stack.
// It is the limit encoding/json and yaml.v3 enforce too.
const MaxJSONDepth = jsonlimit.MaxDepth
