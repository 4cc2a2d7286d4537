package main

import "fmt"

// runHideSecretInput replaces a --input coercion error of a secret input
// (format: password, or a credential-like name) by one that does not quote
// the value: the errors of runCoerceInput quote it, and JSON syntax errors
// quote a character of it.
func runHideSecretInput(err error, typ string, secret bool) error {
	if !secret {
		return err
	}
	article := "a"
	if typ == "integer" || typ == "object" || typ == "array" {
		article = "an"
	}
	return fmt.Errorf("the value is not %s %s (not shown: the input is secret)", article, typ)
}
