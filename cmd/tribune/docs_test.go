package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tribune-social/tribune/internal/listen/query"
	"github.com/tribune-social/tribune/internal/sentiment"
)

// The query language references, English and French: every example they
// give is checked here, so that they cannot drift from the parser and the
// matcher.
var queryDocs = []struct {
	file, lang                         string
	exampleHead, errorHead             string
	yes, no, ours, langK, authK, netwK string
}{
	{"query-language.md", "en", "| Query | Post | Matches |", "| Query | Error |", "yes", "no", "our account", "lang", "author", "network"},
	{"langage-de-requete.md", "fr", "| Requête | Publication | Correspond |", "| Requête | Erreur |", "oui", "non", "notre compte", "lang", "author", "network"},
}

// docExample is one row of an example table.
type docExample struct {
	line         int
	query, text  string
	lang, author string
	network      string
	ours         bool
	want         bool
	wantErr      string // error tables
}

var (
	codeCell = regexp.MustCompile("^`(.+)`$")
	postCell = regexp.MustCompile(`^« (.*) »(?: \((.+)\))?$`)
)

// readExamples reads the rows of the example and error tables of a
// document: a table starts at its header line and ends at the first line
// that is not a row.
func readExamples(t *testing.T, file string, d struct {
	file, lang                         string
	exampleHead, errorHead             string
	yes, no, ours, langK, authK, netwK string
}) []docExample {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", file))
	if err != nil {
		t.Fatal(err)
	}
	var out []docExample
	lines := strings.Split(string(b), "\n")
	for i := 0; i < len(lines); i++ {
		head := strings.TrimSpace(lines[i])
		if head != d.exampleHead && head != d.errorHead {
			continue
		}
		i += 2 // the header and its |---| line
		for ; i < len(lines) && strings.HasPrefix(lines[i], "|"); i++ {
			cells := strings.Split(strings.Trim(strings.TrimSpace(lines[i]), "|"), " | ")
			for k := range cells {
				cells[k] = strings.TrimSpace(cells[k])
			}
			ex := docExample{line: i + 1}
			m := codeCell.FindStringSubmatch(cells[0])
			if m == nil {
				t.Fatalf("%s:%d: the query is not in backquotes: %q", file, i+1, cells[0])
			}
			ex.query = m[1]
			if head == d.errorHead {
				if len(cells) != 2 {
					t.Fatalf("%s:%d: an error row has two cells", file, i+1)
				}
				ex.wantErr = cells[1]
				out = append(out, ex)
				continue
			}
			if len(cells) != 3 {
				t.Fatalf("%s:%d: an example row has three cells, not %d", file, i+1, len(cells))
			}
			p := postCell.FindStringSubmatch(cells[1])
			if p == nil {
				t.Fatalf("%s:%d: the post is not « text » (metadata): %q", file, i+1, cells[1])
			}
			ex.text = p[1]
			if p[2] != "" {
				for _, kv := range strings.Split(p[2], ", ") {
					k, v, ok := strings.Cut(kv, ": ")
					switch {
					case kv == d.ours:
						ex.ours = true
					case ok && k == d.langK:
						ex.lang = v
					case ok && k == d.authK:
						ex.author = v
					case ok && k == d.netwK:
						ex.network = v
					default:
						t.Fatalf("%s:%d: unknown metadata %q", file, i+1, kv)
					}
				}
			}
			switch cells[2] {
			case d.yes:
				ex.want = true
			case d.no:
			default:
				t.Fatalf("%s:%d: the expected result is %q or %q, not %q", file, i+1, d.yes, d.no, cells[2])
			}
			out = append(out, ex)
		}
	}
	return out
}

// TestQueryDocExamples runs every example of the two references through
// the parser and the matcher — one query alone, and the Index as listening
// runs it with language detection — and checks the result written beside
// it; every error example gives exactly the message written.
func TestQueryDocExamples(t *testing.T) {
	det := sentiment.New()
	for _, d := range queryDocs {
		t.Run(d.lang, func(t *testing.T) {
			exs := readExamples(t, d.file, d)
			var matches, errs int
			for _, ex := range exs {
				q, err := query.Parse(ex.query)
				if ex.wantErr != "" {
					errs++
					var se *query.SyntaxError
					if !errors.As(err, &se) {
						t.Errorf("%s:%d: %s parses (%v), the document says: %s", d.file, ex.line, ex.query, err, ex.wantErr)
					} else if got := se.Message(d.lang); got != ex.wantErr {
						t.Errorf("%s:%d: %s: error %q, the document says %q", d.file, ex.line, ex.query, got, ex.wantErr)
					}
					continue
				}
				matches++
				if err != nil {
					t.Errorf("%s:%d: %s: %v", d.file, ex.line, ex.query, err)
					continue
				}
				var own query.Own
				if ex.ours {
					own = query.NewOwn(ex.author)
				}
				post := query.Post{Text: ex.text, Lang: ex.lang, Author: ex.author, Network: ex.network}
				detected := post
				if detected.Lang == "" {
					detected.Lang = det.Detect(post.Text)
				}
				if got := q.Match(detected, own); got != ex.want {
					t.Errorf("%s:%d: %s on « %s »: match %v, the document says %v", d.file, ex.line, ex.query, ex.text, got, ex.want)
				}
				ix := query.NewIndex(own)
				ix.UseDetect(det.Detect)
				ix.Add(1, q)
				var s query.Scratch
				if got := len(ix.Match(post, &s, nil)) > 0; got != ex.want {
					t.Errorf("%s:%d: %s on « %s » through the Index: match %v, the document says %v", d.file, ex.line, ex.query, ex.text, got, ex.want)
				}
			}
			if matches < 40 || errs < 5 {
				t.Errorf("%s: %d examples and %d error examples found; the tables are not being read", d.file, matches, errs)
			}
			t.Logf("%s: %d examples, %d errors checked", d.file, matches, errs)
		})
	}
}

// shellExample is a `$ printf '…' | tribune match …` block and its output.
var shellExample = regexp.MustCompile(`(?m)^\$ printf '([^']*)' \| tribune match (-n )?'([^']+)'\n((?:[^$\x60].*\n)*)`)

// TestQueryDocShellExamples runs the `tribune match` examples of the two
// references through the command itself.
func TestQueryDocShellExamples(t *testing.T) {
	for _, d := range queryDocs {
		b, err := os.ReadFile(filepath.Join("..", "..", "docs", d.file))
		if err != nil {
			t.Fatal(err)
		}
		found := shellExample.FindAllStringSubmatch(string(b), -1)
		if len(found) == 0 {
			t.Errorf("%s: no tribune match example found", d.file)
		}
		for _, m := range found {
			input := strings.ReplaceAll(m[1], `\n`, "\n")
			args := []string{m[3]}
			if m[2] != "" {
				args = []string{"-n", m[3]}
			}
			var out, errb bytes.Buffer
			runMatch(args, strings.NewReader(input), &out, &errb, func(string) string { return "" })
			if out.String() != m[4] {
				t.Errorf("%s: tribune match %q prints %q, the document says %q (%s)", d.file, args, out.String(), m[4], errb.String())
			}
		}
	}
}
