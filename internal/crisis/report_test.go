package crisis_test

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/crisis"
	"github.com/tribune-social/tribune/internal/crisis/crisistest"
	"github.com/tribune-social/tribune/internal/i18n"
)

// pdfText returns the text drawn in a PDF's content streams (inflated).
func pdfText(t *testing.T, b []byte) string {
	t.Helper()
	var out strings.Builder
	re := regexp.MustCompile(`(?s)stream\r?\n(.*?)\r?\nendstream`)
	for _, m := range re.FindAllSubmatch(b, -1) {
		r, err := zlib.NewReader(bytes.NewReader(m[1]))
		if err != nil {
			out.Write(m[1]) // not compressed
			continue
		}
		raw, _ := io.ReadAll(r)
		out.Write(raw)
	}
	return out.String()
}

func TestReportCurvesAndPDF(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, pg bool) {
		f := setup(t, pg, 0)
		inc, err := f.cr.Open(f.ctx, f.owner, f.ws.ID, crisis.OpenInput{Title: "Bad buzz"})
		must(t, err)
		must(t, f.cr.AddNote(f.ctx, f.owner, f.ws.ID, inc.ID, "Point presse a 15 h"))
		h := inc.OpenedAt.UTC().Truncate(time.Hour)
		crisistest.SeedRollups(t, f.env.Store, f.ws.ID, []crisistest.Rollup{
			{Hour: h.Add(-3 * time.Hour), Mentions: 12, Positive: 5, Neutral: 5, Negative: 2},
			{Hour: h.Add(-1 * time.Hour), Mentions: 480, Positive: 20, Neutral: 60, Negative: 400},
			{Hour: h, Mentions: 731, Positive: 31, Neutral: 100, Negative: 600},
			{Hour: h.Add(-48 * time.Hour), Mentions: 99999}, // long before: not in the report
		})
		rep, err := f.cr.Report(f.ctx, f.owner, f.ws.ID, inc.ID)
		must(t, err)
		got := map[time.Time]int64{}
		for _, p := range rep.Points {
			got[p.Hour] = p.Mentions
		}
		for hour, want := range map[time.Time]int64{h.Add(-3 * time.Hour): 12, h.Add(-2 * time.Hour): 0, h.Add(-time.Hour): 480, h: 731} {
			if got[hour] != want {
				t.Errorf("point at %s = %d, want %d", hour, got[hour], want)
			}
		}
		if rep.Peak != 731 {
			t.Errorf("peak %d, want 731", rep.Peak)
		}
		if len(rep.Points) != int(crisis.Lead/time.Hour)+1 {
			t.Errorf("%d points, want one per hour from %s before the opening", len(rep.Points), crisis.Lead)
		}
		var buf bytes.Buffer
		words := crisis.Words{T: func(k string, a ...any) string { return fmt.Sprintf(k, a...) }, Time: func(t time.Time) string { return t.Format("02/01 15:04") }}
		must(t, crisis.WritePDF(&buf, rep, words))
		b := buf.Bytes()
		if !bytes.HasPrefix(b, []byte("%PDF-1.")) || !bytes.Contains(b[len(b)-1024:], []byte("%%EOF")) {
			t.Fatalf("not a PDF: %q…", b[:min(len(b), 16)])
		}
		text := pdfText(t, b)
		for _, want := range []string{"Point presse a 15 h", "Incident opened", "Publishing paused", "Bad buzz"} {
			if !strings.Contains(text, want) {
				t.Errorf("PDF lacks %q", want)
			}
		}
	})
}

// Every word the timeline and the PDF show has its French.
func TestEveryWordIsTranslated(t *testing.T) {
	keys := slices.Clone(crisis.PDFWords)
	for _, k := range crisis.Kinds {
		keys = append(keys, k.Label())
	}
	for _, k := range keys {
		if !i18n.Has("fr", k) {
			t.Errorf("no French for %q", k)
		}
	}
}
