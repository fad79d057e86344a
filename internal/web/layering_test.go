package web_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHandlersDoNotReachTheStore is a dependency rule written as a test
// (STYLE.md: both muxes over the same services): web/ui and web/api parse,
// call one use-case function and render. Validation and authorisation live
// in the use cases (internal/auth, posts, calendar, channels, media, notify,
// ops), so no handler may hold or call the store. Store rows as values
// (store.User, store.Workspace…) are fine; a store.Store or store.Queries, or
// anything reached through a field named Store (a service's own store
// included), is not.
func TestHandlersDoNotReachTheStore(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{"ui", "api"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		if len(files) == 0 {
			t.Fatalf("no Go files in %s: the rule would check nothing", dir)
		}
		for _, name := range files {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			for _, v := range storeAccess(t, name) {
				t.Errorf("%s: %s; call a use-case service instead", v.pos, v.what)
			}
		}
	}
}

type violation struct {
	pos  token.Position
	what string
}

// storeAccess lists every place in one file that names the store: a field
// or variable named Store, or the types store.Store, store.Queries and
// store.Tx (through which a handler could call any query).
func storeAccess(t *testing.T, name string) []violation {
	t.Helper()
	src, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	storePkg := "" // the local name of internal/store in this file
	for _, imp := range f.Imports {
		if strings.Trim(imp.Path.Value, `"`) == "github.com/tribune-social/tribune/internal/store" {
			storePkg = "store"
			if imp.Name != nil {
				storePkg = imp.Name.Name
			}
		}
	}
	var out []violation
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			if id, ok := n.X.(*ast.Ident); ok && storePkg != "" && id.Name == storePkg {
				switch n.Sel.Name {
				case "Store", "Queries", "Tx":
					out = append(out, violation{fset.Position(n.Pos()), "uses the type " + storePkg + "." + n.Sel.Name})
				}
				return true
			}
			if n.Sel.Name == "Store" {
				out = append(out, violation{fset.Position(n.Pos()), "reaches a field named Store"})
			}
		case *ast.Field:
			for _, id := range n.Names {
				if id.Name == "Store" {
					out = append(out, violation{fset.Position(id.Pos()), "declares a field named Store"})
				}
			}
		}
		return true
	})
	return out
}
