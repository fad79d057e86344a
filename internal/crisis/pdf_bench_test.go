package crisis_test

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/crisis"
	"github.com/tribune-social/tribune/internal/store"
)

// BenchmarkWritePDF writes the report of a month-long incident: 744 hourly
// points and 500 timeline entries.
func BenchmarkWritePDF(b *testing.B) {
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	closed := t0.Add(743 * time.Hour)
	rep := crisis.Report{Incident: crisis.Incident{CrisisIncident: store.CrisisIncident{Title: "Rappel produit « lot 42 »", OpenedAt: t0, ClosedAt: &closed}},
		Workspace: store.Workspace{Name: "Marque"}, From: t0, To: closed}
	for i := range 744 {
		v := int64(100 + (i*37)%900)
		rep.Points = append(rep.Points, crisis.Point{Hour: t0.Add(time.Duration(i) * time.Hour), Mentions: v, Negative: v / 2, Positive: v / 5, Neutral: v - v/2 - v/5})
		rep.Peak = max(rep.Peak, v)
	}
	for i := range 500 {
		rep.Incident.Events = append(rep.Incident.Events, store.CrisisEvent{At: t0.Add(time.Duration(i) * time.Hour), Kind: string(crisis.KindNote), Actor: "Camille",
			Detail: fmt.Sprintf("Note %d : le service client a répondu à %d messages, tonalité en baisse, le juridique valide la déclaration d'attente.", i, i*3)})
	}
	words := crisis.WordsFor("fr", "Europe/Paris")
	var size int
	for b.Loop() {
		var buf bytes.Buffer
		if err := crisis.WritePDF(&buf, rep, words); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	b.ReportMetric(float64(size)/1024, "KiB")
}
