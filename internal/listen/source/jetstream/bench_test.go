package jetstream_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/tribune-social/tribune/internal/listen/source/jetstream"
)

func codecs(tb testing.TB) (*zstd.Encoder, *zstd.Decoder) {
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderDict(jetstream.LegacyDictionary), zstd.WithWindowSize(1<<17), zstd.WithEncoderConcurrency(1))
	if err != nil {
		tb.Fatal(err)
	}
	dec, err := zstd.NewReader(nil, zstd.WithDecoderDicts(jetstream.LegacyDictionary), zstd.WithDecoderConcurrency(1))
	if err != nil {
		tb.Fatal(err)
	}
	return enc, dec
}

// BenchmarkDecodeV1Zstd decompresses and decodes v1 post events as the
// public Jetstream sends them with compress=true.
func BenchmarkDecodeV1Zstd(b *testing.B) {
	enc, dec := codecs(b)
	src := newSource(&testing.T{}, map[string]string{}, nil)
	var frames [][]byte
	var plain, packed int
	for i := range 256 {
		ev := post(alice, fmt.Sprintf("3k%05d", i), t0+int64(i), fmt.Sprintf("Message %d : la rentrée approche, les prix des fournitures scolaires augmentent encore cette année #rentree", i), "fr")
		m, _ := json.Marshal(map[string]any{"did": ev.DID, "time_us": ev.TimeUS, "kind": "commit", "commit": map[string]any{
			"rev": "3l3qo2vutsw2b", "operation": "create", "collection": ev.Collection, "rkey": ev.RKey, "record": ev.Record, "cid": "bafyreidwaivazkwu67xztlmuobx35hs2lnfh3kolmgfmucldvhd3sgzcqi"}})
		z := enc.EncodeAll(m, nil)
		plain, packed = plain+len(m), packed+len(z)
		frames = append(frames, z)
	}
	b.SetBytes(int64(packed / len(frames)))
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if err := src.Decode(frames[i%len(frames)], dec); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(plain)/float64(packed), "ratio")
}

// TestMeasureRecordedEvents reports the compression ratio and decode
// rate on recorded production v1 events (JSON lines, such as Jetstream's
// internal/corpus/testdata/expected_v1.jsonl) named by
// TRIBUNE_JETSTREAM_SAMPLE; skipped without it.
func TestMeasureRecordedEvents(t *testing.T) {
	path := os.Getenv("TRIBUNE_JETSTREAM_SAMPLE")
	if path == "" {
		t.Skip("set TRIBUNE_JETSTREAM_SAMPLE to a file of recorded v1 events")
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	enc, dec := codecs(t)
	src := newSource(t, map[string]string{}, nil)
	var frames [][]byte
	var plain, packed int
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		z := enc.EncodeAll(sc.Bytes(), nil)
		plain, packed = plain+len(sc.Bytes()), packed+len(z)
		frames = append(frames, z)
	}
	start := time.Now()
	n := 0
	for time.Since(start) < 2*time.Second {
		for _, z := range frames {
			if err := src.Decode(z, dec); err != nil {
				t.Fatal(err)
			}
			n++
		}
	}
	t.Logf("%d events, %d bytes of JSON, %d compressed (ratio %.2f); %.0f events/s decoded on one core",
		len(frames), plain, packed, float64(plain)/float64(packed), float64(n)/time.Since(start).Seconds())
}
