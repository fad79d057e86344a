package browser

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tribune-social/tribune/internal/crisis"
	"github.com/tribune-social/tribune/internal/listen"
	"github.com/tribune-social/tribune/internal/listen/source"
	listensandbox "github.com/tribune-social/tribune/internal/listen/source/sandbox"
)

// Issue 15's browser test, in French, as one community manager in one
// session: she creates the brand's topic, writes its query (the editor marks
// a syntax error as she types, then previews the matches of the last seven
// days), sets a volume alert that switches the brand into crisis mode; a
// burst of mentions arrives through the listening source; she sees the
// dashboard drawn from them, the alert on the alerts page and in her
// notifications, the crisis banner; she publishes the approved holding
// statement from the playbook in one click, the Sandbox receives it on both
// channels, and the incident's timeline shows the alert and the statement.
// Every page of the flow also fits a 390 px phone without sideways scroll.
func TestListenAlertCrisisInFrench(t *testing.T) {
	t.Parallel()
	ctx := browserFor(t, 6*time.Minute)
	start := time.Now()
	s := newSite(t)
	bg := context.Background()
	wsPath := func(format string, a ...any) string {
		return s.url(fmt.Sprintf("/w/%d", s.ws.ID) + fmt.Sprintf(format, a...))
	}
	fail := func(name string, err error) {
		t.Helper()
		if err != nil {
			shot(t, ctx, "listen-crisis-"+name)
			t.Fatalf("%s: %v", name, err)
		}
	}
	// within runs one step of the flow with its own minute, so that a
	// broken step fails at once rather than at the end of the budget.
	within := func(steps ...chromedp.Action[chromedp.Void]) error {
		sctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		return chromedp.Do(sctx, steps...)
	}
	text := func(sel string) string {
		t.Helper()
		got, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		fail("reading "+sel, err)
		return got
	}

	// What the sources bring: a listening source of the Sandbox, fed the
	// way its consumer feeds it (Ingest, with a cursor), not rows written
	// behind the app. The first posts arrive before any query exists: the
	// editor's preview finds them among the posts seen recently.
	src, err := s.env.App.Listen.CreateSource(bg, s.owner, s.ws.ID, listen.SourceInput{Kind: listensandbox.Name, Name: "Sandbox", Enabled: new(bool)})
	fail("source", err)
	batch := 0
	ingest := func(texts ...string) {
		t.Helper()
		batch++
		var ps []source.Post
		for i, x := range texts {
			ps = append(ps, source.Post{Network: "sandbox", ExternalID: fmt.Sprintf("b%d-%d", batch, i), Author: fmt.Sprintf("fan%d", i%7),
				AuthorFollowers: int64(100 * (i + 1)), Lang: "fr", Text: x, CreatedAt: time.Now()})
		}
		_, err := s.env.App.Listen.Ingest(bg, src.ID, source.Batch{Cursor: fmt.Sprint(batch), Posts: ps})
		fail("ingest", err)
	}
	ingest("Ma lampe Maison Lumière éclaire tout le salon, #lampegate ou pas",
		"Rien à voir : la météo de demain")

	// The playbook, prepared and approved before any storm.
	cr := s.env.App.Crisis
	sc, err := cr.SaveScenario(bg, s.owner, s.ws.ID, 0, crisis.ScenarioInput{Name: "Bad buzz produit", Trigger: "Une vidéo virale montre un défaut"})
	fail("scenario", err)
	words := "Nous avons vu vos messages sur nos lampes. Nous enquêtons et revenons vers vous d'ici ce soir."
	st, err := cr.SaveStatement(bg, s.owner, s.ws.ID, sc.ID, 0, crisis.StatementInput{Title: "Première réponse", Texts: map[string]string{"": words}})
	fail("statement", err)
	_, err = cr.ApproveStatement(bg, s.owner, s.ws.ID, st.ID)
	fail("approval", err)

	// 1. The topic and its query, written in the editor.
	fail("topic", within(chromedp.EmulateViewport(1280, 900), s.signIn(), switchLang("fr"),
		chromedp.Navigate(wsPath("/listen")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=listen-topic-name]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=listen-topic-name]`), "Maison Lumière"),
		chromedp.SetValue(chromedp.CSS(`[data-testid=listen-topic-kind]`), string(listen.KindBrand)),
		chromedp.Click(chromedp.CSS(`[data-testid=listen-topic-add] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=listen-add-query]`)),
		chromedp.Click(chromedp.CSS(`[data-testid=listen-add-query]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=query-check-empty]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=query-text]`), `"maison lumiere" AND (lampe`),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=query-error-mark] mark`))))
	if msg := text(`[data-testid=query-error]`); !strings.Contains(msg, "colonne 28") {
		t.Errorf("the syntax error reads %q, want its place in French (colonne 28)", msg)
	}
	fail("preview", within(chromedp.SendKeys(chromedp.CSS(`[data-testid=query-text]`), ` OR suspension)`),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=query-preview]`))))
	if got := text(`[data-testid=query-valid]`); !strings.Contains(got, "1 ") {
		t.Errorf("the preview says %q, want one match", got)
	}
	if got := text(`[data-testid=query-preview]`); !strings.Contains(got, "éclaire tout le salon") || strings.Contains(got, "météo") {
		t.Errorf("the preview shows %q, want the lamp post only", got)
	}
	fail("query saved", within(chromedp.Click(chromedp.CSS(`[data-testid=query-save]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=listen-query]`))))

	// 2. The alert rule: ten mentions in an hour (three times the usual,
	// which is nothing yet) switch the brand into crisis mode.
	fail("alert rule", within(chromedp.Navigate(wsPath("/listen/alerts")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=alert-rule-name]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=alert-rule-name]`), "Pic de mentions Maison Lumière"),
		chromedp.SetValue(chromedp.CSS(`[data-testid=alert-rule-kind]`), "volume"),
		chromedp.SetValue(chromedp.CSS(`[data-testid=alert-rule-min]`), "10")))
	_, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const s = document.querySelector('[data-testid=alert-rule-form] select[name=topic]');
		s.value = [...s.options].find(o => o.text === 'Maison Lumière').value; return true; })()`))
	fail("alert rule topic", err)
	fail("alert rule save", within(chromedp.Click(chromedp.CSS(`[data-testid=alert-rule-crisis]`)),
		chromedp.Click(chromedp.CSS(`[data-testid=alert-rule-save]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=alert-rule-list] a[data-testid^=alert-rule-]`))))

	// 3. The burst, through the source.
	var burst []string
	for i := 0; i < 12; i++ {
		burst = append(burst, fmt.Sprintf("Maison Lumière : ma lampe a grillé au bout de %d jours, #lampegate", i+2))
	}
	ingest(burst...)

	// 4. The dashboard draws its charts from these mentions.
	fail("dashboard", within(chromedp.Navigate(wsPath("/listen/dashboard?granularity=hour")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=listen-dashboard]`))))
	drawn := 0
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		got, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.getAttribute('data-listen-charts') === null ? -1 :
			document.querySelectorAll('.listen-chart svg').length`))
		if err == nil && got >= 0 {
			drawn = got
			break
		}
	}
	if drawn < 3 {
		fail("charts", fmt.Errorf("%d charts drawn, want volume, sentiment and terms at least", drawn))
	}
	if got := text(`[data-testid=listen-dashboard]`); !strings.Contains(got, "lampegate") {
		t.Errorf("the dashboard does not show the burst's hashtag: %q", got)
	}

	// 5. The alert: on the alerts page (reloaded until the evaluation ran),
	// in the notifications, and the crisis banner.
	alertRow := `[data-testid=alert-list] tr[data-state]`
	for deadline := time.Now().Add(2 * time.Minute); ; {
		fail("alerts page", within(chromedp.Navigate(wsPath("/listen/alerts")), chromedp.WaitVisible(chromedp.CSS(`[data-testid=alerts]`))))
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('`+alertRow+`').length`))
		fail("alert rows", err)
		if n == 1 {
			break
		}
		if n > 1 || time.Now().After(deadline) {
			fail("alert", fmt.Errorf("%d alerts on the page, want one", n))
		}
		time.Sleep(time.Second)
	}
	t.Logf("alert on the alerts page after %s", time.Since(start).Round(time.Second))
	if got := text(alertRow); !strings.Contains(got, "Pic de mentions Maison Lumière") {
		t.Errorf("the alert reads %q, want the rule's name", got)
	}
	for deadline := time.Now().Add(time.Minute); ; {
		fail("notifications", within(chromedp.Navigate(s.url("/notifications")), chromedp.WaitVisible(chromedp.CSS(`[data-testid=notifications]`))))
		// The alert's own notification (the crisis cell's names the rule too).
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`[...document.querySelectorAll('[data-testid=notifications] li')].filter(li =>
			li.textContent.includes('Alerte de veille') && li.textContent.includes('Pic de mentions Maison Lumière')).length`))
		fail("notification list", err)
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			fail("in-app alert", fmt.Errorf("%d notifications of the alert, want one: %q", n, text(`[data-testid=notifications]`)))
		}
		time.Sleep(time.Second)
	}
	t.Logf("alert seen in the notifications after %s", time.Since(start).Round(time.Second))
	// The alert rule switched the brand into crisis mode: every workspace
	// page says so.
	fail("crisis banner", within(chromedp.Navigate(wsPath("/listen/alerts")), chromedp.WaitVisible(chromedp.CSS(`[data-testid=alerts]`))))
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid=crisis-banner]').length`)); err != nil || n != 1 {
		fail("crisis banner", fmt.Errorf("%d crisis banners (%v), want one", n, err))
	}
	if got := text(`[data-testid=crisis-banner]`); !strings.Contains(got, "Crise en cours") {
		t.Errorf("banner %q, want the crisis in French", got)
	}

	// 6. The holding statement, in one click from the playbook.
	publish := fmt.Sprintf(`[data-testid=playbook] ~ section [data-testid=publish-statement-%d]`, st.ID)
	fail("playbook", within(chromedp.Navigate(wsPath("/crisis")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=crisis-open]`)),
		chromedp.Click(chromedp.CSS(`[data-testid=playbook-link]`)),
		chromedp.WaitVisible(chromedp.CSS(publish)),
		chromedp.Click(chromedp.CSS(publish)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=flash]`))))
	if got := text(`[data-testid=flash]`); !strings.Contains(got, "Déclaration d'attente en cours de publication sur 2 canaux.") {
		t.Errorf("flash %q", got)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
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
			fail("statement published", fmt.Errorf("the Sandbox received the statement %d times, want once per channel (2)", n))
		}
	}
	fail("incident", within(chromedp.Navigate(wsPath("/crisis")),
		chromedp.Click(chromedp.CSS(`[data-testid=crisis-open] a`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=timeline] li[data-kind=statement]`))))
	timeline := text(`[data-testid=timeline]`)
	for _, want := range []string{"Première réponse", "Pic de mentions Maison Lumière"} {
		if !strings.Contains(timeline, want) {
			t.Errorf("the timeline lacks %q: %q", want, timeline)
		}
	}
	t.Logf("statement in the timeline after %s", time.Since(start).Round(time.Second))
	incident, err := chromedp.Run(ctx, chromedp.Location())
	fail("location", err)

	// 7. The same pages at phone width: nothing scrolls sideways.
	for _, p := range []struct{ name, url, ready string }{
		{"topics", wsPath("/listen"), `[data-testid=listen-topics]`},
		{"query editor", wsPath("/listen/queries/new"), `[data-testid=query-editor]`},
		{"dashboard", wsPath("/listen/dashboard?granularity=hour"), `[data-testid=listen-dashboard]`},
		{"alerts", wsPath("/listen/alerts"), `[data-testid=alerts]`},
		{"crisis", wsPath("/crisis"), `[data-testid=crisis-cell]`},
		{"playbook", wsPath("/crisis/playbook"), `[data-testid=playbook]`},
		{"incident", incident, `[data-testid=timeline]`},
	} {
		fail("phone "+p.name, within(chromedp.EmulateViewport(390, 844), chromedp.Navigate(p.url), chromedp.WaitVisible(chromedp.CSS(p.ready))))
		if p.name == "query editor" {
			// With the error panel open, as while typing.
			fail("phone query error", within(chromedp.SendKeys(chromedp.CSS(`[data-testid=query-text]`), `"maison lumiere" AND (lampe NEAR/5 suspensions-lumineuses-de-salon-et-de-chambre`),
				chromedp.WaitVisible(chromedp.CSS(`[data-testid=query-error-mark] mark`))))
		}
		fit, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, document.documentElement.clientWidth]`))
		fail("phone width", err)
		if fit[0] > fit[1] {
			wide, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className && typeof e.className === "string" ? "." + e.className.trim().split(/\s+/).join(".") : "") + " " + Math.round(e.getBoundingClientRect().right) + "px")`))
			shot(t, ctx, "listen-crisis-phone-"+p.name)
			t.Errorf("%s at 390 px scrolls sideways: %d px of content in %d (widest: %s)", p.name, fit[0], fit[1], strings.Join(wide, ", "))
		}
	}
}
