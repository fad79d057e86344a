package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/tribune-social/tribune/internal/listen/query"
)

// runMatch is `tribune match [-n] [-own H,…] QUERY`: grep for the
// listening query language, to check a query on sample posts or use it in
// scripts. Each stdin line is a text, or a JSON object
// {"text","lang","author","network"} whose metadata the filters read.
// The exit status is grep's: 0 some line matched, 1 none, 2 a bad query
// or input.
func runMatch(args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	fs := flag.NewFlagSet("match", flag.ContinueOnError)
	fs.SetOutput(stderr)
	numbers := fs.Bool("n", false, "prefix each matching line with its line number")
	own := fs.String("own", "", "comma-separated handles of our own accounts, left out unless the query names them with author:")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: tribune match [-n] [-own H1,H2] QUERY < lines")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	q, err := query.Parse(fs.Arg(0))
	if err != nil {
		var se *query.SyntaxError
		if errors.As(err, &se) {
			// The message in the user's language, as the editor shows it.
			lang := "en"
			if strings.HasPrefix(getenv("LC_ALL")+getenv("LC_MESSAGES")+getenv("LANG"), "fr") {
				lang = "fr"
			}
			fmt.Fprintf(stderr, "tribune match: %s\n", se.Message(lang))
		} else {
			fmt.Fprintf(stderr, "tribune match: %v\n", err)
		}
		return 2
	}
	var ownSet query.Own
	if *own != "" {
		ownSet = query.NewOwn(strings.Split(*own, ",")...)
	}
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 64*1024), 16<<20)
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	var d query.Doc
	found := false
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		p := query.Post{Text: line}
		if t := strings.TrimSpace(line); strings.HasPrefix(t, "{") {
			var jp query.Post
			if json.Unmarshal([]byte(t), &jp) == nil {
				p = jp
			}
		}
		d.Reset(p)
		if !q.MatchDoc(&d, ownSet) {
			continue
		}
		found = true
		if *numbers {
			fmt.Fprintf(w, "%d:", n)
		}
		fmt.Fprintln(w, line)
	}
	if err := sc.Err(); err != nil {
		w.Flush()
		fmt.Fprintf(stderr, "tribune match: reading the input: %v\n", err)
		return 2
	}
	if !found {
		return 1
	}
	return 0
}
