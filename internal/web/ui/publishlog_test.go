package ui

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	catalog "github.com/tribune-social/tribune/internal/i18n"
	"github.com/tribune-social/tribune/internal/web/i18n"
)

// Every step, outcome and sentence the publisher writes into the publish log
// is shown translated: the test reads the publisher's source for the
// literals it logs, so a new log line without French fails here.
func TestPublishLogIsTranslated(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	fr := b.Localizer("fr")
	translated := func(what, s string, got string) {
		t.Helper()
		if got == s {
			t.Errorf("%s %q is shown untranslated in French", what, s)
		}
	}
	files, _ := filepath.Glob("../../publish/*.go")
	fset := token.NewFileSet()
	seen := 0
	for _, p := range files {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		// lit is the fixed text an argument starts with: a literal, or the
		// literal left of a concatenation ("attempt " + key).
		// A concatenation comes back with a stand-in value after its text,
		// as the log holds it.
		lit := func(e ast.Expr) (string, bool) {
			tail := ""
			if be, ok := e.(*ast.BinaryExpr); ok && be.Op == token.ADD {
				e, tail = be.X, "value"
			}
			if bl, ok := e.(*ast.BasicLit); ok && bl.Kind == token.STRING {
				s, err := strconv.Unquote(bl.Value)
				return s + tail, err == nil && s != ""
			}
			return "", false
		}
		check := func(step, req, resp ast.Expr) {
			seen++
			if s, ok := lit(step); ok {
				translated("step", s, logLabel(fr, logSteps, s))
			}
			for _, e := range []ast.Expr{req, resp} {
				if s, ok := lit(e); ok {
					translated("log text", s, logText(fr, s))
				}
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr: // p.log(ctx, v, network, step, request, response, outcome, status)
				if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "log" && len(n.Args) == 8 {
					check(n.Args[3], n.Args[4], n.Args[5])
				}
			case *ast.CompositeLit: // store.LogRow{Step: …, Request: …, Response: …}
				if sel, ok := n.Type.(*ast.SelectorExpr); ok && sel.Sel.Name == "LogRow" {
					fields := map[string]ast.Expr{}
					for _, el := range n.Elts {
						if kv, ok := el.(*ast.KeyValueExpr); ok {
							if k, ok := kv.Key.(*ast.Ident); ok {
								fields[k.Name] = kv.Value
							}
						}
					}
					check(fields["Step"], fields["Request"], fields["Response"])
				}
			}
			return true
		})
	}
	if seen < 10 {
		t.Errorf("found only %d log lines in the publisher: is the pattern right?", seen)
	}
	for code := range logOutcomes {
		translated("outcome", code, logLabel(fr, logOutcomes, code))
	}
}

// logText translates whole sentences and prefixed ones, and leaves a
// network's own words alone.
func TestLogText(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	fr := b.Localizer("fr")
	for _, c := range []struct{ in, want string }{
		{"visible on the network", "visible sur le réseau"},
		{"attempt k-123", "tentative k-123"},
		{"uploaded as 42", "téléversé sous 42"},
		{"Rate limit exceeded", "Rate limit exceeded"},
	} {
		if got := logText(fr, c.in); got != c.want {
			t.Errorf("logText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// Every notification title and body, and every comment, Tribune writes for
// people to read later is shown translated: the test reads the literals the
// use cases store (Title:, Body: fields and the publisher's notify calls).
func TestStoredTextsAreTranslated(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	fr := b.Localizer("fr")
	var files []string
	for _, dir := range []string{"../../posts", "../../publish"} {
		m, _ := filepath.Glob(dir + "/*.go")
		files = append(files, m...)
	}
	fset := token.NewFileSet()
	seen := 0
	// text is the stored text an expression makes, with a stand-in for
	// the name or words concatenated into it; ok is false when nothing in
	// it is Tribune's own wording.
	var text func(e ast.Expr) (string, bool)
	text = func(e ast.Expr) (string, bool) {
		switch e := e.(type) {
		case *ast.BasicLit:
			s, err := strconv.Unquote(e.Value)
			return s, err == nil && s != ""
		case *ast.BinaryExpr:
			l, lok := text(e.X)
			r, rok := text(e.Y)
			if !lok {
				l = "Someone"
			}
			if !rok {
				r = "Someone"
			}
			return l + r, lok || rok
		}
		return "", false
	}
	check := func(e ast.Expr) {
		if s, ok := text(e); ok {
			seen++
			if storedText(fr, s) == s {
				t.Errorf("%s: the stored text %q is shown untranslated in French", fset.Position(e.Pos()), s)
			}
		}
	}
	for _, p := range files {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr: // p.notify(ctx, post, kind, title, body)
				if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "notify" && len(n.Args) == 5 {
					check(n.Args[3])
					check(n.Args[4])
				}
			case *ast.KeyValueExpr:
				if k, ok := n.Key.(*ast.Ident); ok && (k.Name == "Title" || k.Name == "Body") {
					check(n.Value)
				}
			case *ast.AssignStmt: // body := "Approved."; msg = "…" + …
				for i, l := range n.Lhs {
					if id, ok := l.(*ast.Ident); ok && (id.Name == "body" || id.Name == "msg") && i < len(n.Rhs) {
						check(n.Rhs[i])
					}
				}
			}
			return true
		})
	}
	if seen < 8 {
		t.Errorf("found only %d stored texts: is the pattern right?", seen)
	}
}

// Every field label an error may name has French, and a location is named
// by its field whatever list it sits in.
func TestFieldLabelsAreTranslated(t *testing.T) {
	for code, label := range fieldLabels {
		if !catalog.Has("fr", label) {
			t.Errorf("field %s: no French for %q", code, label)
		}
	}
	for _, c := range []struct{ loc, want string }{
		{"reason", "Motif"},
		{"variants[1].text", "Texte"},
		{"form.timezone", "Fuseau horaire"},
		{"something_else", "something_else"},
	} {
		if got := fieldLabel("fr", c.loc); got != c.want {
			t.Errorf("fieldLabel(fr, %q) = %q, want %q", c.loc, got, c.want)
		}
	}
}

// Job states and file sizes are written in the reader's language.
func TestJobStatesAndSizesAreTranslated(t *testing.T) {
	for state, label := range jobStates {
		if !catalog.Has("fr", label) {
			t.Errorf("job state %s: no French for %q", state, label)
		}
	}
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		lang string
		n    int64
		want string
	}{
		{"fr", 512, "512 octets"},
		{"fr", 3 << 10, "3 Ko"},
		{"fr", 5<<20 + 1<<19, "5,5 Mo"},
		{"en", 5<<20 + 1<<19, "5.5 MB"},
	} {
		if got := sizeLabel(b.Localizer(c.lang), c.n); got != c.want {
			t.Errorf("sizeLabel(%s, %d) = %q, want %q", c.lang, c.n, got, c.want)
		}
	}
}
