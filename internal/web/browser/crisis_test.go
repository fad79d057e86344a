package browser

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tribune-social/tribune/internal/crisis"
	"github.com/tribune-social/tribune/internal/crisis/crisistest"
)

// In French: an alert has switched the brand into crisis mode; the banner
// says so on the calendar, and the community manager publishes the
// approved holding statement from the playbook in one click; it goes out
// on both channels.
func TestPublishHoldingStatementFromThePlaybookInFrench(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	s := newSite(t)
	bg := context.Background()
	cr := s.env.App.Crisis
	sc, err := cr.SaveScenario(bg, s.owner, s.ws.ID, 0, crisis.ScenarioInput{Name: "Bad buzz produit", Trigger: "Une vidéo virale montre un défaut",
		Checklist: []string{"Prévenir le juridique", "Geler les publicités"}})
	if err != nil {
		t.Fatal(err)
	}
	words := "Nous avons vu la vidéo. Nous enquêtons et revenons vers vous d'ici ce soir."
	st, err := cr.SaveStatement(bg, s.owner, s.ws.ID, sc.ID, 0, crisis.StatementInput{Title: "Première réponse", Texts: map[string]string{"": words}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cr.ApproveStatement(bg, s.owner, s.ws.ID, st.ID); err != nil {
		t.Fatal(err)
	}
	if err := cr.OpenFromAlert(bg, s.ws.ID, 1, "Pic de mentions négatives"); err != nil {
		t.Fatal(err)
	}
	inc, err := cr.Current(bg, s.owner, s.ws.ID)
	if err != nil {
		t.Fatal(err)
	}
	h := inc.OpenedAt.UTC().Truncate(time.Hour)
	crisistest.SeedRollups(t, s.env.Store, s.ws.ID, []crisistest.Rollup{{Hour: h.Add(-3 * time.Hour), Mentions: 20, Positive: 8, Neutral: 10, Negative: 2},
		{Hour: h.Add(-2 * time.Hour), Mentions: 140, Positive: 10, Neutral: 30, Negative: 100}, {Hour: h.Add(-time.Hour), Mentions: 480, Positive: 20, Neutral: 60, Negative: 400},
		{Hour: h, Mentions: 731, Positive: 31, Neutral: 100, Negative: 600}})
	publish := fmt.Sprintf(`[data-testid=playbook] ~ section [data-testid=publish-statement-%d]`, st.ID)
	err = chromedp.Do(ctx, s.signIn(),
		chromedp.Click(chromedp.CSS(`[data-testid=lang-switch] button[value=fr], [data-testid=lang-switch] [value=fr]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang=fr] [data-testid=crisis-banner]`)),
	)
	if err != nil {
		shot(t, ctx, "crisis-banner")
		t.Fatal(err)
	}
	banner, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-testid=crisis-banner]`)))
	if err != nil || !strings.Contains(banner, "Crise en cours : Pic de mentions négatives") {
		t.Errorf("banner %q %v", banner, err)
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate(s.url(fmt.Sprintf("/w/%d/crisis", s.ws.ID))),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=crisis-open]`)),
	)
	shot(t, ctx, "crisis-cell")
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`[data-testid=playbook-link]`)),
		chromedp.WaitVisible(chromedp.CSS(publish)),
	)
	shot(t, ctx, "crisis-playbook")
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(publish)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=incident] ~ #flash [data-testid=flash], [data-testid=flash]`)),
	)
	if err != nil {
		shot(t, ctx, "crisis-publish")
		t.Fatal(err)
	}
	flashText, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-testid=flash]`)))
	if !strings.Contains(flashText, "Déclaration d'attente en cours de publication sur 2 canaux.") {
		t.Errorf("flash %q", flashText)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		n := 0
		for _, p := range s.env.Sandbox.Received() {
			if p.Text == words {
				n++
			}
		}
		if n == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the Sandbox received the statement %d times, want 2", n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	shot(t, ctx, "crisis-incident")
	if err := chromedp.Do(ctx, chromedp.Navigate(s.url(fmt.Sprintf("/w/%d/crisis/incidents/%d/report", s.ws.ID, inc.ID))),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=report-chart]`))); err != nil {
		t.Fatal(err)
	}
	shot(t, ctx, "crisis-report")
}
