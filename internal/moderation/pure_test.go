package moderation

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestThePackageIsPure is a dependency rule written as a test: the engine
// decides and never acts, so it imports nothing that stores, sends, logs
// or reads the clock. Performing is the inbox's work (audited, undoable).
func TestThePackageIsPure(t *testing.T) {
	t.Parallel()
	allowed := map[string]bool{
		"cmp": true, "errors": true, "fmt": true, "math": true, "net/mail": true, "regexp": true, "regexp/syntax": true,
		"slices": true, "strings": true, "unicode": true, "unicode/utf8": true,
		"net/http":                       true, // for status codes only (problem.New)
		"golang.org/x/text/unicode/norm": true,
		"github.com/tribune-social/tribune/internal/i18n":             true,
		"github.com/tribune-social/tribune/internal/network":          true, // the contract's types, not a connector
		"github.com/tribune-social/tribune/internal/problem":          true,
		"github.com/tribune-social/tribune/internal/rules":            true, // the table of network keys
		"github.com/tribune-social/tribune/internal/sentiment":        true,
		"github.com/tribune-social/tribune/internal/text/links":       true,
		"github.com/tribune-social/tribune/internal/text/twittertext": true,
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			seen++
			if !allowed[p] {
				t.Errorf("%s imports %s: the engine must stay pure (the inbox performs)", name, p)
			}
		}
	}
	if seen == 0 {
		t.Fatal("no imports read: the rule would check nothing")
	}
}
