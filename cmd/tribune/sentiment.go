package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/tribune-social/tribune/internal/sentiment"
)

// runSentiment is `tribune sentiment [-lang auto|fr|en]`: one text per line
// on stdin, one JSON result per line on stdout, in the same order, so that
// an operator can check the model on their own texts (or pipe a backlog)
// without a server.
func runSentiment(args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("sentiment", flag.ContinueOnError)
	lang := fs.String("lang", "auto", "language of the texts: auto (detect each line), fr or en")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch *lang {
	case "auto", sentiment.French, sentiment.English:
	default:
		return fmt.Errorf("sentiment: -lang is auto, fr or en, not %q", *lang)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("sentiment: texts are read from stdin, one per line (unexpected %q)", fs.Arg(0))
	}
	m := sentiment.New()
	in := bufio.NewScanner(stdin)
	// A line is one post or comment; 1 MiB is far above any network's limit.
	in.Buffer(make([]byte, 64*1024), 1<<20)
	out := bufio.NewWriter(stdout)
	enc := json.NewEncoder(out)
	for in.Scan() {
		if err := enc.Encode(m.AnalyzeLang(in.Text(), *lang)); err != nil {
			return err
		}
	}
	if err := in.Err(); err != nil {
		// The lines read so far are answered before the error: a script
		// piping a backlog keeps what was done and knows where it stopped.
		if ferr := out.Flush(); ferr != nil {
			return ferr
		}
		return fmt.Errorf("sentiment: reading stdin: %w", err)
	}
	return out.Flush()
}
