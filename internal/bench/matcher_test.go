package bench

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/listen/corpus"
	"github.com/tribune-social/tribune/internal/listen/query"
	"github.com/tribune-social/tribune/internal/sentiment"
)

// BenchmarkMatcher replays a generated corpus of a million posts in French
// and English (internal/listen/corpus, seed 1) through language detection
// (internal/sentiment's Detect, as ingestion runs it)
// and an index of 10,000 active queries, on every core (and on one), and
// reports posts/s over the whole corpus, misses included — most posts match
// nothing, as on a firehose. Issue 15's goal: ≥ 150,000 posts/s.
// TRIBUNE_BENCH_LISTEN_POSTS replays fewer posts for a quick look.
func BenchmarkMatcher(b *testing.B) {
	n := 1_000_000
	if v := os.Getenv("TRIBUNE_BENCH_LISTEN_POSTS"); v != "" {
		fmt.Sscan(v, &n)
	}
	g := corpus.New(1, 3000)
	queries := g.Queries(10_000)
	posts := make([]query.Post, n)
	for i := range posts {
		posts[i] = g.Post()
	}
	ix := query.NewIndex(query.NewOwn("tribune"))
	// A deployment measures word frequencies on its recent stream; here
	// on the first tenth of the corpus.
	ix.UseFrequencies(query.Frequencies(posts[:n/10]))
	// The detector the ingestion pipeline uses (one Model per process).
	det := sentiment.New()
	ix.UseDetect(det.Detect)
	for i, s := range queries {
		q, err := query.Parse(s)
		if err != nil {
			b.Fatalf("%q: %v", s, err)
		}
		ix.Add(int64(i), q)
	}
	for _, workers := range []int{1, runtime.GOMAXPROCS(0)} {
		b.Run(fmt.Sprintf("cores=%d", workers), func(b *testing.B) {
			var matched, mentions atomic.Int64
			var elapsed, cpu time.Duration
			for b.Loop() {
				cpu0 := cpuTime()
				matched.Store(0)
				mentions.Store(0)
				start := time.Now()
				var next atomic.Int64
				var wg sync.WaitGroup
				const chunk = 1024
				for range workers {
					wg.Go(func() {
						var s query.Scratch
						var out []int64
						var m, hits int64
						for {
							lo := int(next.Add(chunk)) - chunk
							if lo >= len(posts) {
								break
							}
							for _, p := range posts[lo:min(lo+chunk, len(posts))] {
								out = ix.Match(p, &s, out[:0]) // detects the language: posts come without
								if len(out) > 0 {
									m++
									hits += int64(len(out))
								}
							}
						}
						matched.Add(m)
						mentions.Add(hits)
					})
				}
				wg.Wait()
				elapsed += time.Since(start)
				cpu += cpuTime() - cpu0
			}
			b.ReportMetric(float64(len(posts))*float64(b.N)/elapsed.Seconds(), "posts/s")
			b.ReportMetric(float64(matched.Load())/float64(len(posts))*100, "%matched")
			b.ReportMetric(float64(mentions.Load())/float64(len(posts)), "matches/post")
			// The machine is shared: CPU time per post says what one core
			// does however busy the others keep it.
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(len(posts))/float64(b.N), "cpu-ns/post")
			b.ReportMetric(0, "ns/op")
		})
	}
	// Where one core's time goes: detection alone over the corpus, and
	// matching alone over posts whose language is already known.
	b.Run("detect-only", func(b *testing.B) {
		var elapsed, cpu time.Duration
		for b.Loop() {
			cpu0, start := cpuTime(), time.Now()
			for _, p := range posts {
				det.Detect(p.Text)
			}
			elapsed += time.Since(start)
			cpu += cpuTime() - cpu0
		}
		b.ReportMetric(float64(len(posts))*float64(b.N)/elapsed.Seconds(), "posts/s")
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(len(posts))/float64(b.N), "cpu-ns/post")
		b.ReportMetric(0, "ns/op")
	})
	b.Run("match-only", func(b *testing.B) {
		known := make([]query.Post, len(posts))
		for i, p := range posts {
			p.Lang = det.Detect(p.Text)
			known[i] = p
		}
		var elapsed, cpu time.Duration
		for b.Loop() {
			var s query.Scratch
			var out []int64
			cpu0, start := cpuTime(), time.Now()
			for _, p := range known {
				out = ix.Match(p, &s, out[:0])
			}
			elapsed += time.Since(start)
			cpu += cpuTime() - cpu0
		}
		b.ReportMetric(float64(len(posts))*float64(b.N)/elapsed.Seconds(), "posts/s")
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(len(posts))/float64(b.N), "cpu-ns/post")
		b.ReportMetric(0, "ns/op")
	})
}

// cpuTime is the CPU time the process has used (user and system).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
