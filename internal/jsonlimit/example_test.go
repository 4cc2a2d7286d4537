package jsonlimit_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/arazzo-go/arazzo/internal/jsonlimit"
)

func ExampleUnmarshal() {
	var v any
	err := jsonlimit.Unmarshal([]byte(strings.Repeat("[", 1_000_000)), &v)
	fmt.Println(err)
	// Output: JSON nested deeper than 10000 levels (at byte 10000)
}

func ExampleEncode() {
	jsonlimit.Encode(os.Stdout, map[string]any{"id": "a<b", "tags": []string{"x"}})
	// Output:
	// {
	//   "id": "a<b",
	//   "tags": [
	//     "x"
	//   ]
	// }
}
