package auth_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"

	"github.com/arazzo-go/arazzo/arazzo"
	"github.com/arazzo-go/arazzo/runtime"
	"github.com/arazzo-go/arazzo/runtime/auth"
)

// A bearer token from the environment is added to each request whose operation asks for it.
func ExampleNewTransport() {
	os.Setenv("EXAMPLE_TOKEN", "t0ken")
	defer os.Unsetenv("EXAMPLE_TOKEN")
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer t0ken" {
			w.WriteHeader(http.StatusUnauthorized)
		}
	}))
	defer api.Close()

	doc, _, err := arazzo.Load(context.Background(), filepath.Join("testdata", "auth.arazzo.yaml"), arazzo.LoadOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	creds, err := auth.ParseCredentials([]string{"api=bearer:env:EXAMPLE_TOKEN"})
	if err == nil {
		err = auth.Check(doc, creds)
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	eng, err := runtime.New(doc, runtime.Options{
		Servers:   map[string]string{"api": api.URL},
		Transport: auth.NewTransport(nil, doc, creds, auth.Options{Log: func(msg string) { fmt.Println("auth:", msg) }}),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := eng.Run(context.Background(), "getBearer", nil)
	if err != nil && res == nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Status)
	// Output:
	// auth: getBearer: applying bearerAuth (bearer)
	// succeeded
}
