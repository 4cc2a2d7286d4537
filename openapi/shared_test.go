package openapi

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sharedDir finds ../shared beside the repository root (the directory
// holding go.mod), where CI puts the specification material.
func sharedDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("repository root (go.mod) not found")
		}
		dir = parent
	}
	shared := filepath.Join(dir, "..", "shared", "arazzo-spec", "examples")
	if _, err := os.Stat(shared); err != nil {
		t.Skipf("shared specification material not found at %s; skipping", shared)
	}
	return shared
}

// Every OpenAPI description shipped with the Arazzo examples loads, indexes
// and validates without findings, and every operation builds a request.
func TestSharedExampleDescriptions(t *testing.T) {
	root := sharedDir(t)
	var n int
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		name := d.Name()
		if !strings.Contains(name, "openapi") || strings.Contains(name, "arazzo") {
			return nil
		}
		n++
		t.Run(name, func(t *testing.T) {
			src, err := (&Loader{Validate: true}).Load(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			if len(src.Operations()) == 0 {
				t.Error("no operations indexed")
			}
			for _, w := range src.Warnings {
				t.Errorf("warning: %s", w)
			}
			for _, op := range src.Operations() {
				if got, err := src.OperationByPointer(op.Pointer); err != nil || got != op {
					t.Errorf("%s: pointer %s: %v", op, op.Pointer, err)
				}
				var params []ParamValue
				for _, seg := range op.plan.segments {
					if seg.isParam {
						params = append(params, ParamValue{Name: seg.text, In: "path", Value: "x"})
					}
				}
				if _, err := op.NewRequest(context.Background(), RequestInput{BaseURL: "http://127.0.0.1:1", Params: params}); err != nil {
					t.Errorf("%s: %v", op, err)
				}
			}
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no OpenAPI descriptions found in the shared examples")
	}
}
