package openapi_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// kinModule is the parser behind this package. Its types stay out of the
// module's public API, so that upgrading or replacing it changes no
// caller's code.
const kinModule = "github.com/getkin/kin-openapi"

// TestNoKinOpenAPITypesInPublicAPI walks every public package of the
// repository (everything but internal/, testdata and main packages, the
// nested temporal module included) and fails for an exported declaration
// whose type mentions a kin-openapi package.
func TestNoKinOpenAPITypesInPublicAPI(t *testing.T) {
	root := filepath.Join("..")
	checked := map[string]bool{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		switch d.Name() {
		case "internal", "testdata", "node_modules", ".git":
			return filepath.SkipDir
		}
		files, err := filepath.Glob(filepath.Join(p, "*.go"))
		if err != nil {
			return err
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.SkipObjectResolution)
			if err != nil {
				return err
			}
			if src.Name.Name == "main" {
				continue
			}
			rel, _ := filepath.Rel(root, p)
			checked[filepath.ToSlash(rel)] = true
			for _, leak := range kinLeaks(src) {
				t.Errorf("%s: %s", f, leak)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The walk must have reached the packages that use kin-openapi or
	// expose operations, or it proved nothing.
	for _, want := range []string{"openapi", "arazzo", "runtime", "runtime/auth", "temporal"} {
		if !checked[want] {
			t.Errorf("package %s was not checked (checked %v)", want, slices.Sorted(maps.Keys(checked)))
		}
	}
}

// The check itself finds what it is for: a field, a result, a method's
// parameter, an alias and an untyped variable that name kin-openapi,
// under its own name and under an import alias.
func TestKinLeaksFindsExportedKinTypes(t *testing.T) {
	src := `package p
import (
	"github.com/getkin/kin-openapi/openapi3"
	kr "github.com/getkin/kin-openapi/routers"
)
type Op struct {
	Name string
	Doc  *openapi3.T
	doc  *openapi3.T
}
type Alias = openapi3.Schema
type hidden struct{ X *openapi3.T }
func Route() *kr.Route { return nil }
func (o *Op) Set(p openapi3.Parameters) {}
func (h hidden) Get() *openapi3.T { return nil }
func helper() *openapi3.T { return nil }
var Loader = openapi3.NewLoader()
var loader = openapi3.NewLoader()
`
	f, err := parser.ParseFile(token.NewFileSet(), "p.go", src, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(kinLeaks(f), "\n")
	for _, want := range []string{"Op.Doc", "Alias", "Route", "Op.Set", "Loader"} {
		if !strings.Contains(got, want+" ") {
			t.Errorf("leak %s not found in:\n%s", want, got)
		}
	}
	for _, unexported := range []string{"doc", "hidden", "helper", "loader", "Get"} {
		if strings.Contains(got, unexported+" ") {
			t.Errorf("%s is not public API, yet reported:\n%s", unexported, got)
		}
	}
}

// kinLeaks lists the exported declarations of a file whose type (or, for a
// variable without one, initial value) refers to a kin-openapi package.
func kinLeaks(f *ast.File) []string {
	kin := map[string]bool{} // local names of kin-openapi imports
	for _, imp := range f.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		if p != kinModule && !strings.HasPrefix(p, kinModule+"/") {
			continue
		}
		name := path.Base(p)
		if imp.Name != nil {
			name = imp.Name.Name
		}
		kin[name] = true
	}
	if len(kin) == 0 {
		return nil
	}
	var out []string
	report := func(what string, n ast.Node) {
		if n != nil && mentions(n, kin) {
			out = append(out, what+" mentions kin-openapi")
		}
	}
	for _, decl := range f.Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			if !d.Name.IsExported() {
				continue
			}
			name := d.Name.Name
			if d.Recv != nil {
				recv := receiverName(d.Recv.List[0].Type)
				if !ast.IsExported(recv) {
					continue
				}
				name = recv + "." + name
				report(name, d.Recv)
			}
			report(name, d.Type)
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				switch s := spec.(type) {
				case *ast.TypeSpec:
					if s.Name.IsExported() {
						checkType(s.Name.Name, s, report)
					}
				case *ast.ValueSpec:
					for _, n := range s.Names {
						if !n.IsExported() {
							continue
						}
						report(n.Name, s.Type)
						for _, v := range s.Values {
							report(n.Name, v)
						}
					}
				}
			}
		}
	}
	return out
}

// checkType reports an exported type whose definition refers to kin-openapi:
// for a struct, field by field (unexported fields are not API).
func checkType(name string, s *ast.TypeSpec, report func(string, ast.Node)) {
	if s.TypeParams != nil {
		report(name, s.TypeParams)
	}
	st, ok := s.Type.(*ast.StructType)
	if !ok {
		report(name, s.Type)
		return
	}
	for _, field := range st.Fields.List {
		if len(field.Names) == 0 { // embedded: its methods and fields are promoted
			report(name+"."+receiverName(field.Type), field.Type)
			continue
		}
		for _, n := range field.Names {
			if n.IsExported() {
				report(name+"."+n.Name, field.Type)
			}
		}
	}
}

func mentions(n ast.Node, kin map[string]bool) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok && kin[id.Name] {
				found = true
			}
		}
		return !found
	})
	return found
}

// receiverName is the type name of a receiver or embedded field: T, *T,
// T[P], pkg.T.
func receiverName(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.StarExpr:
		return receiverName(x.X)
	case *ast.IndexExpr:
		return receiverName(x.X)
	case *ast.IndexListExpr:
		return receiverName(x.X)
	case *ast.SelectorExpr:
		return x.Sel.Name
	case *ast.Ident:
		return x.Name
	}
	return ""
}
