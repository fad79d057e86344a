package i18n

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestTFormatsTheTranslation(t *testing.T) {
	for _, c := range []struct {
		lang, key string
		args      []any
		want      string
	}{
		{"fr", "Same content as post #%d", []any{12}, "Même contenu que la publication n°12"},
		{"en", "Same content as post #%d", []any{12}, "Same content as post #12"},
		{"xx", "Same content as post #%d", []any{12}, "Same content as post #12"},
		{"fr", "Not found.", nil, "Introuvable."},
		{"fr", "not a key %d", []any{3}, "not a key 3"},
		{"fr", "Pick a date at most %d days ahead (until %s UTC).", []any{5, day{}}, "Choisissez une date au plus 5 jours à l’avance (jusqu’au jour UTC)."},
		{"en", "Pick a date at most %d days ahead (until %s UTC).", []any{5, day{}}, "Pick a date at most 5 days ahead (until day UTC)."},
	} {
		t.Run(c.lang+" "+c.key, func(t *testing.T) {
			if got := T(c.lang, c.key, c.args...); got != c.want {
				t.Errorf("T = %q, want %q", got, c.want)
			}
		})
	}
}

// day is a Value written differently per language.
type day struct{}

func (day) Localized(lang string) string {
	if lang == "fr" {
		return "jour"
	}
	return "day"
}

// TestEveryGoMessageIsTranslated walks the Go sources for the messages a
// user reads (problem.New, problem.Invalidf, the Message of a
// problem.Detail, bulk.RowError or rules.Problem, the rules' broken and the
// import's badRow, i18n.T) and fails on any without a French translation,
// and on any it cannot read as a string literal or a constant.
func TestEveryGoMessageIsTranslated(t *testing.T) {
	fset := token.NewFileSet()
	seen := 0
	check := func(pos token.Pos, key string) {
		seen++
		if !Has("fr", key) {
			t.Errorf("%s: no French for %q", fset.Position(pos), key)
		}
	}
	for _, root := range []string{"..", "../../cmd"} {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && d.Name() == "testdata" {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") || strings.HasSuffix(p, "_templ.go") {
				return nil
			}
			f, err := parser.ParseFile(fset, p, nil, 0)
			if err != nil {
				return err
			}
			messagesOf(f, func(e ast.Expr, values []string, ok bool) {
				if !ok {
					t.Errorf("%s: cannot read the message %s: write it as a string literal, a constant or a literal-valued variable", fset.Position(e.Pos()), exprText(fset, e))
					return
				}
				for _, v := range values {
					check(e.Pos(), v)
				}
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if seen < 140 {
		t.Errorf("only %d messages found: are the patterns right?", seen)
	}
}

func exprText(fset *token.FileSet, e ast.Expr) string {
	var b strings.Builder
	ast.Fprint(&b, fset, e, nil)
	if s, ok := e.(*ast.Ident); ok {
		return s.Name
	}
	return strings.SplitN(b.String(), "\n", 2)[0]
}

// messageTypes are the literals whose Message field is a catalogue key.
var messageTypes = map[string]bool{"Detail": true, "RowError": true, "Problem": true}

// messagesOf calls found for every user-facing message expression of f with
// its possible string values (ok false when it cannot tell them).
func messagesOf(f *ast.File, found func(e ast.Expr, values []string, ok bool)) {
	pkg := f.Name.Name
	// Package-level constants and variables of this file, with every string
	// literal they hold (a map's values included).
	global := map[string][]string{}
	for _, d := range f.Decls {
		g, isGen := d.(*ast.GenDecl)
		if !isGen {
			continue
		}
		for _, s := range g.Specs {
			vs, isVal := s.(*ast.ValueSpec)
			if !isVal {
				continue
			}
			for i, n := range vs.Names {
				if i < len(vs.Values) {
					global[n.Name] = literals(vs.Values[i])
				}
			}
		}
	}
	var local map[string][]string
	var params map[string]bool
	resolve := func(e ast.Expr) ([]string, bool) {
		if s, ok := str(e); ok {
			return []string{s}, true
		}
		if id, ok := e.(*ast.Ident); ok && params[id.Name] {
			return nil, true
		}
		var name string
		switch e := e.(type) {
		case *ast.Ident:
			name = e.Name
		case *ast.IndexExpr: // a message chosen from a map
			if id, ok := e.X.(*ast.Ident); ok {
				name = id.Name
			}
		case *ast.SelectorExpr: // a message passed on (x.Message): checked where it was written
			if e.Sel.Name == "Message" {
				return nil, true
			}
		}
		if v := local[name]; len(v) > 0 {
			return v, true
		}
		if v := global[name]; len(v) > 0 {
			return v, true
		}
		return nil, false
	}
	report := func(e ast.Expr) {
		v, ok := resolve(e)
		found(e, v, ok)
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncDecl:
			// Literals a function's variables are given (n, msg := 1, "…");
			// a parameter is a message passed on, checked where written.
			local = map[string][]string{}
			params = map[string]bool{}
			for _, fl := range n.Type.Params.List {
				for _, id := range fl.Names {
					params[id.Name] = true
				}
			}
			ast.Inspect(n, func(m ast.Node) bool {
				if as, ok := m.(*ast.AssignStmt); ok && len(as.Lhs) == len(as.Rhs) {
					for i, l := range as.Lhs {
						if id, ok := l.(*ast.Ident); ok {
							if s, ok := str(as.Rhs[i]); ok {
								local[id.Name] = append(local[id.Name], s)
							}
						}
					}
				}
				return true
			})
		case *ast.CallExpr:
			name, qual := callee(n)
			switch {
			case (name == "New" || name == "Invalidf") && (qual == "problem" || qual == "" && pkg == "problem") && len(n.Args) >= 3:
				report(n.Args[2])
			case name == "broken" && qual == "" && pkg == "rules" && len(n.Args) >= 3:
				report(n.Args[2])
			case name == "badRow" && qual == "" && pkg == "bulk" && len(n.Args) >= 4:
				report(n.Args[3])
			case name == "T" && (qual == "i18n" || qual == "" && pkg == "i18n") && len(n.Args) >= 2:
				if _, isLoc := n.Fun.(*ast.SelectorExpr); isLoc {
					report(n.Args[1])
				}
			}
		case *ast.CompositeLit:
			if !isMessageType(n.Type) {
				return true
			}
			for _, el := range n.Elts {
				if kv, ok := el.(*ast.KeyValueExpr); ok {
					if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "Message" {
						report(kv.Value)
					}
				}
			}
		case *ast.AssignStmt: // c.Message, c.Args = "… %d", []any{n}
			if len(n.Rhs) != len(n.Lhs) || !assigns(n, "Args") {
				return true
			}
			for i, l := range n.Lhs {
				if s, ok := l.(*ast.SelectorExpr); ok && s.Sel.Name == "Message" {
					report(n.Rhs[i])
				}
			}
		}
		return true
	})
}

// isMessageType: a Detail, RowError or Problem literal, or an elided type
// (inside []bulk.RowError{{…}}), which the Message key then tells apart.
func isMessageType(t ast.Expr) bool {
	switch t := t.(type) {
	case nil:
		return true
	case *ast.Ident:
		return messageTypes[t.Name]
	case *ast.SelectorExpr:
		return messageTypes[t.Sel.Name]
	}
	return false
}

// assigns reports whether a sets a field called field.
func assigns(a *ast.AssignStmt, field string) bool {
	for _, l := range a.Lhs {
		if s, ok := l.(*ast.SelectorExpr); ok && s.Sel.Name == field {
			return true
		}
	}
	return false
}

func callee(c *ast.CallExpr) (name, qual string) {
	switch f := c.Fun.(type) {
	case *ast.Ident:
		return f.Name, ""
	case *ast.SelectorExpr:
		if id, ok := f.X.(*ast.Ident); ok {
			return f.Sel.Name, id.Name
		}
	}
	return "", ""
}

// str is the value of a string literal or a sum of them.
func str(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.ParenExpr:
		return str(e.X)
	case *ast.BinaryExpr:
		a, ok1 := str(e.X)
		b, ok2 := str(e.Y)
		return a + b, ok1 && ok2 && e.Op == token.ADD
	}
	return "", false
}

// literals lists the string literals of e: itself, or a composite literal's
// values.
func literals(e ast.Expr) []string {
	if s, ok := str(e); ok {
		return []string{s}
	}
	var out []string
	if c, ok := e.(*ast.CompositeLit); ok {
		for _, el := range c.Elts {
			if kv, ok := el.(*ast.KeyValueExpr); ok {
				el = kv.Value
			}
			if s, ok := str(el); ok {
				out = append(out, s)
			}
		}
	}
	return out
}
