package ui_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/crisis/crisistest"
)

// A community manager's crisis, in French, through the pages: a scenario
// and its holding statement prepared and approved, the crisis cell opened
// by hand (banner on every page), the statement published on every channel
// in one click, a second click sending nothing, the report with its curve.
func TestCrisisCellPagesInFrench(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			env := apptest.Start(t, apptest.Options{Postgres: dialect == "postgres", Workers: true})
			ctx := context.Background()
			owner, ws := env.Owner(t)
			for _, name := range []string{"marque", "marque-bis"} {
				if _, err := env.App.Channels.ConnectSandbox(ctx, owner, ws.ID, name); err != nil {
					t.Fatal(err)
				}
			}
			b := signIn(t, env)
			if status, _ := b.post("/settings/language", url.Values{"lang": {"fr"}}); status != http.StatusOK {
				t.Fatalf("language: %d", status)
			}
			base := fmt.Sprintf("/w/%d/crisis", ws.ID)
			if _, body := b.get(base); !strings.Contains(body, "Aucune crise en cours.") || !strings.Contains(body, "Cellule de crise") {
				t.Fatalf("crisis cell without a crisis: %.400s", body)
			}
			if status, body := b.post(base+"/scenarios", url.Values{"name": {"Bad buzz produit"}, "trigger": {"Vidéo virale d'un défaut"},
				"checklist": {"Prévenir le juridique\nGeler les publicités"}}); status != http.StatusOK || !strings.Contains(html.UnescapeString(body), "Bad buzz produit") {
				t.Fatalf("new scenario: %d %.300s", status, body)
			}
			pb, err := env.App.Crisis.Playbook(ctx, owner, ws.ID)
			if err != nil || len(pb) != 1 {
				t.Fatalf("playbook %+v %v", pb, err)
			}
			words := "Nous avons connaissance de la vidéo et revenons vers vous très vite."
			if status, body := b.post(fmt.Sprintf("%s/scenarios/%d/statements", base, pb[0].ID), url.Values{"title": {"Première réponse"}, "text": {words}}); status != http.StatusOK ||
				!strings.Contains(body, "Pas encore validée") {
				t.Fatalf("new statement: %d %.300s", status, body)
			}
			pb, _ = env.App.Crisis.Playbook(ctx, owner, ws.ID)
			st := pb[0].Statements[0]
			if status, body := b.post(fmt.Sprintf("%s/statements/%d/approve", base, st.ID), nil); status != http.StatusOK || !strings.Contains(body, "Validée par Owner le") {
				t.Fatalf("approve: %d %.300s", status, body)
			}
			status, body := b.post(base+"/incidents", url.Values{"title": {"Vidéo virale"}, "scenario_id": {fmt.Sprint(pb[0].ID)}})
			if status != http.StatusOK || !strings.Contains(body, "Crise en cours depuis") || !strings.Contains(body, "Prévenir le juridique") {
				t.Fatalf("open the crisis cell: %d %.500s", status, body)
			}
			if _, cal := b.get(fmt.Sprintf("/w/%d/calendar", ws.ID)); !strings.Contains(cal, `data-testid="crisis-banner"`) || !strings.Contains(cal, "Crise en cours : Vidéo virale") {
				t.Errorf("the calendar shows no crisis banner")
			}
			status, body = b.post(fmt.Sprintf("%s/statements/%d/publish", base, st.ID), nil)
			if status != http.StatusOK || !strings.Contains(html.UnescapeString(body), "Déclaration d'attente en cours de publication sur 2 canaux.") {
				t.Fatalf("publish: %d %.600s", status, body)
			}
			if _, body = b.get(base); !strings.Contains(html.UnescapeString(body), "Vidéo virale") {
				t.Errorf("crisis cell does not show the open incident")
			}
			status, body = b.post(fmt.Sprintf("%s/statements/%d/publish", base, st.ID), nil)
			if status != http.StatusOK || !strings.Contains(html.UnescapeString(body), "déjà été publiée pendant cet incident") {
				t.Errorf("second click: %d %.300s", status, body)
			}
			deadline := time.Now().Add(30 * time.Second)
			for {
				n := 0
				for _, p := range env.Sandbox.Received() {
					if p.Text == words {
						n++
					}
				}
				if n == 2 && len(env.Sandbox.Received()) == 2 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("sandbox received %d copies of the statement (of %d posts), want 2", n, len(env.Sandbox.Received()))
				}
				time.Sleep(50 * time.Millisecond)
			}
			inc, err := env.App.Crisis.Current(ctx, owner, ws.ID)
			if err != nil {
				t.Fatal(err)
			}
			h := inc.OpenedAt.UTC().Truncate(time.Hour)
			crisistest.SeedRollups(t, env.Store, ws.ID, []crisistest.Rollup{{Hour: h.Add(-time.Hour), Mentions: 480, Negative: 400}, {Hour: h, Mentions: 731, Negative: 600}})
			_, body = b.get(fmt.Sprintf("%s/incidents/%d/report", base, inc.ID))
			for _, want := range []string{
				fmt.Sprintf(`data-hour="%s" data-mentions="480"`, h.Add(-time.Hour).Format(time.RFC3339)),
				fmt.Sprintf(`data-hour="%s" data-mentions="731"`, h.Format(time.RFC3339)),
				"Rapport post-incident", "Chronologie", "Déclaration d'attente publiée sur tous les canaux", "Publications suspendues",
			} {
				if !strings.Contains(html.UnescapeString(body), want) {
					t.Errorf("report lacks %q", want)
				}
			}
			resp, pdf := b.get(fmt.Sprintf("%s/incidents/%d/report.pdf", base, inc.ID))
			if resp.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf, "%PDF-") {
				t.Errorf("report.pdf: %s %.20q", resp.Header.Get("Content-Type"), pdf)
			}
			if status, body := b.post(fmt.Sprintf("%s/incidents/%d/close", base, inc.ID), nil); status != http.StatusOK || !strings.Contains(html.UnescapeString(body), "Incident clos : les publications reprennent.") {
				t.Errorf("close: %d %.300s", status, body)
			}
			got, _ := env.Store.GetWorkspace(ctx, ws.ID)
			if got.PausedAt != nil {
				t.Error("still paused after closing")
			}
		})
	}
}
