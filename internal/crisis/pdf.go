package crisis

import (
	"fmt"
	"io"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/tribune-social/tribune/internal/i18n"
)

// Label is the English text (the translation catalogue's key) that names a
// timeline entry's kind.
func (k Kind) Label() string {
	switch k {
	case KindOpened:
		return "Incident opened"
	case KindAlert:
		return "Alert"
	case KindPause:
		return "Publishing paused"
	case KindHeld:
		return "Post held"
	case KindReply:
		return "Reply sent from the inbox"
	case KindStatement:
		return "Holding statement published on every channel"
	case KindNote:
		return "Note"
	case KindCheck:
		return "Checklist item done"
	case KindUncheck:
		return "Checklist item reopened"
	case KindApproved:
		return "Holding statement approved"
	case KindResume:
		return "Publishing resumed"
	case KindClosed:
		return "Incident closed"
	}
	return string(k)
}

// AlreadyPaused is the detail of the pause entry when publishing was
// already paused as the incident opened (a catalogue key).
const AlreadyPaused = "Publishing was already paused."

// Kinds lists every kind of timeline entry.
var Kinds = []Kind{KindOpened, KindAlert, KindPause, KindHeld, KindReply, KindStatement, KindNote, KindCheck, KindUncheck, KindApproved, KindResume, KindClosed}

// The PDF's own words (catalogue keys).
const (
	wordTitle    = "Post-incident report"
	wordOpen     = "still open"
	wordFromTo   = "from %s to %s"
	wordCurves   = "Volume and tonality of mentions per hour"
	wordTimeline = "Timeline"
	wordTribune  = "Tribune (automatic)"
)

// PDFWords are the catalogue keys the PDF uses besides the kinds' labels.
var PDFWords = []string{wordTitle, wordOpen, wordFromTo, wordCurves, wordTimeline, wordTribune, AlreadyPaused, "Mentions", "Negative", "Positive"}

// WordsFor are the PDF's words in lang (the catalogue), its times in zone.
func WordsFor(lang, zone string) Words {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		loc = time.UTC
	}
	translate := i18n.T // keys are checked by TestEveryWordIsTranslated
	return Words{T: func(k string, a ...any) string { return translate(lang, k, a...) },
		Time: func(t time.Time) string { return t.In(loc).Format("02/01/2006 15:04") }}
}

// Words are what the PDF needs to speak the reader's language: T
// translates a catalogue key, Time writes an instant in their zone.
type Words struct {
	T    func(key string, args ...any) string
	Time func(time.Time) string
}

// WritePDF writes the report as an A4 PDF: title, the volume and sentiment
// curves, then the timeline. Fonts are the PDF's standard Helvetica in
// Windows-1252, which covers French.
func WritePDF(w io.Writer, r Report, words Words) error {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCreationDate(r.To)
	pdf.SetAutoPageBreak(true, 15)
	tr := pdf.UnicodeTranslatorFromDescriptor("") // UTF-8 → cp1252
	T := func(key string, args ...any) string { return tr(words.T(key, args...)) }
	pdf.SetTitle(words.T(wordTitle)+" — "+r.Incident.Title, true)
	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 16)
	pdf.MultiCell(0, 8, tr(words.T(wordTitle)+" — "+r.Incident.Title), "", "L", false)
	pdf.SetFont("Helvetica", "", 10)
	end := words.T(wordOpen)
	if r.Incident.ClosedAt != nil {
		end = words.Time(*r.Incident.ClosedAt)
	}
	pdf.MultiCell(0, 5, tr(r.Workspace.Name+" · "+words.T(wordFromTo, words.Time(r.Incident.OpenedAt), end)), "", "L", false)
	pdf.Ln(4)

	// The curves: mentions per hour (all), negative and positive.
	pdf.SetFont("Helvetica", "B", 12)
	pdf.CellFormat(0, 7, T(wordCurves), "", 1, "L", false, 0, "")
	x0, y0, cw, ch := 20.0, pdf.GetY()+2, 170.0, 60.0
	pdf.SetDrawColor(180, 180, 180)
	pdf.SetLineWidth(0.2)
	pdf.Rect(x0, y0, cw, ch, "D")
	peak := max(r.Peak, 1)
	pdf.SetFont("Helvetica", "", 8)
	pdf.SetXY(2, y0-2)
	pdf.CellFormat(17, 4, fmt.Sprint(peak), "", 0, "R", false, 0, "")
	pdf.SetXY(2, y0+ch-2)
	pdf.CellFormat(17, 4, "0", "", 0, "R", false, 0, "")
	n := len(r.Points)
	xOf := func(i int) float64 {
		if n <= 1 {
			return x0 + cw/2
		}
		return x0 + cw*float64(i)/float64(n-1)
	}
	yOf := func(v int64) float64 { return y0 + ch - ch*float64(v)/float64(peak) }
	series := []struct {
		label   string
		r, g, b int
		val     func(Point) int64
	}{
		{"Mentions", 37, 99, 235, func(p Point) int64 { return p.Mentions }},
		{"Negative", 220, 38, 38, func(p Point) int64 { return p.Negative }},
		{"Positive", 22, 163, 74, func(p Point) int64 { return p.Positive }},
	}
	for _, s := range series {
		pdf.SetDrawColor(s.r, s.g, s.b)
		pdf.SetLineWidth(0.5)
		for i := 1; i < n; i++ {
			pdf.Line(xOf(i-1), yOf(s.val(r.Points[i-1])), xOf(i), yOf(s.val(r.Points[i])))
		}
	}
	// The opening and closing of the incident, as vertical marks.
	pdf.SetDrawColor(120, 120, 120)
	pdf.SetLineWidth(0.3)
	for i, p := range r.Points {
		if p.Hour.Equal(r.Incident.OpenedAt.UTC().Truncate(time.Hour)) || (r.Incident.ClosedAt != nil && p.Hour.Equal(r.Incident.ClosedAt.UTC().Truncate(time.Hour))) {
			pdf.Line(xOf(i), y0, xOf(i), y0+ch)
		}
	}
	pdf.SetXY(x0, y0+ch+1)
	pdf.SetFont("Helvetica", "", 8)
	if n > 0 {
		pdf.CellFormat(cw/2, 4, tr(words.Time(r.Points[0].Hour)), "", 0, "L", false, 0, "")
		pdf.CellFormat(cw/2, 4, tr(words.Time(r.Points[n-1].Hour)), "", 1, "R", false, 0, "")
	}
	pdf.SetX(x0)
	for _, s := range series {
		pdf.SetTextColor(s.r, s.g, s.b)
		pdf.CellFormat(40, 5, tr("— "+words.T(s.label)), "", 0, "L", false, 0, "")
	}
	pdf.SetTextColor(0, 0, 0)
	pdf.Ln(10)

	pdf.SetFont("Helvetica", "B", 12)
	pdf.CellFormat(0, 7, T(wordTimeline), "", 1, "L", false, 0, "")
	for _, e := range r.Incident.Events {
		pdf.SetFont("Helvetica", "", 9)
		who := e.Actor
		if who == "" && e.UserID == nil {
			who = words.T(wordTribune)
		}
		detail := e.Detail
		if Kind(e.Kind) == KindPause && detail == AlreadyPaused {
			detail = words.T(AlreadyPaused)
		}
		pdf.SetX(15)
		pdf.CellFormat(38, 5, tr(words.Time(e.At)), "", 0, "L", false, 0, "")
		pdf.SetFont("Helvetica", "B", 9)
		pdf.MultiCell(0, 5, tr(words.T(Kind(e.Kind).Label())+" — "+who), "", "L", false)
		if detail != "" {
			pdf.SetFont("Helvetica", "", 9)
			pdf.SetX(53)
			pdf.MultiCell(0, 5, tr(detail), "", "L", false)
		}
	}
	if err := pdf.Error(); err != nil {
		return err
	}
	return pdf.Output(w)
}
