package firehose_test

import (
	"fmt"
	"testing"

	"github.com/tribune-social/tribune/internal/listen/source/firehose"
)

// BenchmarkDecodeCommit decodes #commit frames shaped like a post's: the
// commit block, a few MST nodes and the record, every CID checked.
func BenchmarkDecodeCommit(b *testing.B) {
	src := newSource(&testing.T{}, "wss://relay.example", nil).(*firehose.Source)
	var frames [][]byte
	for i := range 256 {
		blocks := [][]byte{mustCBOR(map[string]any{"did": alice, "version": 3, "rev": "3l3qo2vutsw2b"})}
		for j := range 4 {
			blocks = append(blocks, mustCBOR(map[string]any{"l": nil, "e": []any{map[string]any{"k": []byte(fmt.Sprintf("app.bsky.feed.post/3k%05d%d", i, j)), "p": 0}}}))
		}
		rec := postRecord(fmt.Sprintf("Message %d : la rentrée approche, les prix des fournitures scolaires augmentent encore cette année #rentree", i), "fr")
		blocks = append(blocks, rec)
		frames = append(frames, commit(int64(i+1), alice, []op{{"create", fmt.Sprintf("app.bsky.feed.post/3k%05d", i), rec}}, car(blocks...)))
	}
	var bytes int64
	for _, f := range frames {
		bytes += int64(len(f))
	}
	b.SetBytes(bytes / int64(len(frames)))
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		ev, err := src.Decode(frames[i%len(frames)])
		if err != nil || len(ev.Posts) != 1 {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "commits/s")
}
