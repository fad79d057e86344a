// Command gen writes the listening corpus as JSON lines:
//
//	go run ./internal/listen/corpus/gen -n 1000000 -seed 1 > posts.jsonl
//	go run ./internal/listen/corpus/gen -queries 10000 > queries.txt
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/tribune-social/tribune/internal/listen/corpus"
)

func main() {
	n := flag.Int("n", 1_000_000, "posts to write")
	seed := flag.Uint64("seed", 1, "seed: the same seed writes the same corpus")
	brands := flag.Int("brands", 3000, "invented brands")
	queries := flag.Int("queries", 0, "write this many queries, one a line, instead of posts")
	flag.Parse()
	g := corpus.New(*seed, *brands)
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	if *queries > 0 {
		for _, q := range g.Queries(*queries) {
			fmt.Fprintln(w, q)
		}
		return
	}
	enc := json.NewEncoder(w)
	for range *n {
		if err := enc.Encode(g.Post()); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}
