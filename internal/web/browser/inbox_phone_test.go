package browser

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tribune-social/tribune/internal/network"
)

// At 390 px the inbox shows its messages on the first screen: the filters
// and saved views fold under one button, open on a tap, and stay open while
// a filter is on. At 1280 px they are all shown, with no button.
func TestInboxOnAPhoneShowsMessagesFirst(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	s := newSite(t)
	var items []network.Item
	for i, text := range []string{"Où en est ma commande ?", "Great lamp, thanks!"} {
		id := fmt.Sprintf("m%d", i)
		items = append(items, launchComment(id, "fan"+id, text, time.Now().Add(time.Duration(i-5)*time.Minute)))
	}
	s.ingest(t, s.chs[0], items...)
	newest := s.inboxList(t, 2)[0]
	inboxURL := s.url(fmt.Sprintf("/w/%d/inbox", s.ws.ID))
	visible := func(sel string) (bool, error) {
		return chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`document.querySelector(%q).checkVisibility()`, sel)))
	}
	if err := chromedp.Do(ctx, s.signIn(), switchLang("fr"), chromedp.EmulateViewport(390, 844), chromedp.Navigate(inboxURL),
		chromedp.WaitVisible(css(`[data-testid=inbox-item-%d]`, newest.ID))); err != nil {
		t.Fatal(err)
	}
	top, err := chromedp.Run(ctx, chromedp.Evaluate[float64](fmt.Sprintf(`document.querySelector('[data-testid=inbox-item-%d]').getBoundingClientRect().bottom`, newest.ID)))
	if err != nil {
		t.Fatal(err)
	}
	if top > 844 {
		t.Errorf("at 390 px the newest message ends %.0f px down, below the first screen (844 px)", top)
	}
	if shown, err := visible(`[data-testid=inbox-q]`); err != nil || shown {
		t.Errorf("at 390 px the search field shows before a tap (%v)", err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(css(`[data-testid=inbox-tools-toggle]`)), chromedp.WaitVisible(css(`[data-testid=inbox-q]`)),
		chromedp.WaitVisible(css(`[data-testid=inbox-view-new-name]`))); err != nil {
		t.Fatalf("tapping “Filtres et vues enregistrées”: %v", err)
	}
	// A filter on: the form stays open, so the filter can be seen and changed.
	if err := chromedp.Do(ctx, chromedp.Navigate(inboxURL+"?status=new"), chromedp.WaitVisible(css(`[data-testid=inbox-item-%d]`, newest.ID))); err != nil {
		t.Fatal(err)
	}
	if shown, err := visible(`[data-testid=inbox-filter-status]`); err != nil || !shown {
		t.Errorf("at 390 px with a filter on, the filters are folded (%v)", err)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800), chromedp.Navigate(inboxURL), chromedp.WaitVisible(css(`[data-testid=inbox-q]`))); err != nil {
		t.Fatalf("at 1280 px the filters are not shown: %v", err)
	}
	if shown, err := visible(`[data-testid=inbox-tools-toggle]`); err != nil || shown {
		t.Errorf("at 1280 px the folding button shows (%v)", err)
	}
	// The heading's two groups of buttons (response times, moderation) sit
	// on one line.
	tops, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`['inbox-report-link', 'moderation-link'].map(id => document.querySelector('[data-testid=' + id + ']').getBoundingClientRect().top)`))
	if err != nil {
		t.Fatal(err)
	}
	if d := tops[0] - tops[1]; d > 2 || d < -2 {
		t.Errorf("at 1280 px the response-time and moderation buttons are %.0f px apart vertically, want in line", d)
	}
}

// In a conversation and on the response-time report, at 1280 and 390 px,
// no two controls touch: the item's actions, "Mark as answered", "Send the
// reply" and the note's field keep a gap, as do "Export CSV" and the dates.
func TestConversationButtonsDoNotTouch(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	s := newSite(t)
	s.ingest(t, s.chs[0], launchComment("t1", "fan", "Où en est ma commande ?", time.Now().Add(-time.Minute)))
	it := s.inboxList(t, 1)[0]
	conv := s.url(fmt.Sprintf("/w/%d/inbox/conversations/%d", s.ws.ID, it.ConversationID))
	// Pairs of controls whose boxes overlap or touch (closer than 3 px on
	// both axes).
	const touching = `(() => {
  const els = [...document.querySelectorAll('main .btn, main button, main input:not([type=hidden]), main textarea')].filter(e => e.checkVisibility());
  const out = [];
  for (let i = 0; i < els.length; i++) for (let j = i + 1; j < els.length; j++) {
    const a = els[i].getBoundingClientRect(), b = els[j].getBoundingClientRect();
    const dx = Math.max(b.left - a.right, a.left - b.right), dy = Math.max(b.top - a.bottom, a.top - b.bottom);
    if (dx < 3 && dy < 3) out.push((els[i].textContent.trim() || els[i].name) + " / " + (els[j].textContent.trim() || els[j].name));
  }
  return out;
})()`
	// In French: longer words wrap the headings' buttons onto their own line.
	if err := chromedp.Do(ctx, s.signIn(), switchLang("fr")); err != nil {
		t.Fatal(err)
	}
	report := s.url(fmt.Sprintf("/w/%d/inbox/report", s.ws.ID))
	for _, page := range []struct{ name, url, ready string }{
		{"conversation", conv, fmt.Sprintf(`[data-testid=item-%d]`, it.ID)},
		{"report", report, `[data-testid=inbox-report-csv]`},
	} {
		for _, w := range []int64{1280, 390} {
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(w, 844), chromedp.Navigate(page.url), chromedp.WaitVisible(chromedp.CSS(page.ready))); err != nil {
				t.Fatal(err)
			}
			got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](touching))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) > 0 {
				t.Errorf("%s at %d px: these controls touch: %v", page.name, w, got)
			}
		}
	}
}
