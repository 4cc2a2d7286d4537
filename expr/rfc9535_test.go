package expr

import (
	"testing"
)

// TestRFC9535Examples: the queries of RFC 9535 §1.5 (Table 2) on its
// bookstore document, through a jsonpath criterion; the expected node
// counts are written from the RFC.
func TestRFC9535Examples(t *testing.T) {
	t.Parallel()
	store := body(t, `{"store":{"book":[
		{"category":"reference","author":"Nigel Rees","title":"Sayings of the Century","price":8.95},
		{"category":"fiction","author":"Evelyn Waugh","title":"Sword of Honour","price":12.99},
		{"category":"fiction","author":"Herman Melville","title":"Moby Dick","isbn":"0-553-21311-3","price":8.99},
		{"category":"fiction","author":"J. R. R. Tolkien","title":"The Lord of the Rings","isbn":"0-395-19395-8","price":22.99}],
		"bicycle":{"color":"red","price":399}}}`)
	tests := []struct {
		query string
		nodes int
	}{
		{"$.store.book[*].author", 4},
		{"$..author", 4},
		{"$.store.*", 2},
		{"$.store..price", 5},
		{"$..book[2]", 1},
		{"$..book[2].author", 1},
		{"$..book[2].publisher", 0},
		{"$..book[-1]", 1},
		{"$..book[0,1]", 2},
		{"$..book[:2]", 2},
		{"$..book[?@.isbn]", 2},
		{"$..book[?@.price<10]", 2},
		{"$..*", 27},
	}
	scope := MapScope{"$response.body": store}
	for _, tc := range tests {
		out := mustCriterion(t, CriterionSpec{Context: "$response.body", Condition: tc.query, Type: "jsonpath"}).Eval(scope)
		want := "jsonpath " + tc.query + " selected " + countNodes(tc.nodes)
		if out.Pass != (tc.nodes > 0) || out.Explanation != want || out.Err != nil {
			t.Errorf("%s = %v %q %v, want %d nodes", tc.query, out.Pass, out.Explanation, out.Err, tc.nodes)
		}
	}
	if got := countNodes(3); got != "3 nodes" {
		t.Errorf("countNodes(3) = %q", got)
	}
}
