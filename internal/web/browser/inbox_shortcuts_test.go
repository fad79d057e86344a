package browser

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tribune-social/tribune/internal/network"
)

// In French, the inbox list by keyboard: j/k move, letters typed in the
// search field are text and not shortcuts, x ticks, ? opens the list of
// shortcuts in a dialog, e marks the current item done, a assigns it to me.
func TestInboxKeyboardShortcuts(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	s := newSite(t)
	var items []network.Item
	for i, text := range []string{"Première question", "Deuxième question", "Troisième question"} {
		id := fmt.Sprintf("k%d", i)
		items = append(items, launchComment(id, "fan"+id, text, time.Now().Add(time.Duration(i-5)*time.Minute)))
	}
	bg := context.Background()
	s.ingest(t, s.chs[0], items...)
	list := s.inboxList(t, 3)
	first, second := list[0], list[1]
	current := func(what string, want int64) {
		t.Helper()
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const c = document.querySelector("[data-kb-item].kb-current"); return c ? c.dataset.kbItem : ""; })()`))
		if err != nil || got != fmt.Sprint(want) {
			t.Errorf("%s: the current item is %q (%v), want %d", what, got, err, want)
		}
	}
	do := func(what string, a ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		// A step that reloads the page waits for the server: 30 s leaves
		// room for CI's loaded machine (it took over 10 s there once).
		sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := chromedp.Do(sctx, a...); err != nil {
			url, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + " " + (document.querySelector("[data-testid=flash]") ? "flash" : "no flash")`))
			t.Fatalf("%s: %v (page %s)", what, err, url)
		}
	}
	inboxURL := s.url(fmt.Sprintf("/w/%d/inbox", s.ws.ID))
	do("sign in, in French, the inbox", s.signIn(), switchLang("fr"), chromedp.Navigate(inboxURL), chromedp.WaitVisible(css(`[data-testid=inbox-item-%d]`, first.ID)))
	do("j j k", chromedp.KeyEvent("j"), chromedp.KeyEvent("j"), chromedp.KeyEvent("k"))
	current("after j j k", first.ID)
	do("j and k typed in the search field", chromedp.Click(css(`[data-testid=inbox-q]`)), chromedp.SendKeys(css(`[data-testid=inbox-q]`), "jj"))
	current("after typing jj in the search field", first.ID)
	typed, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("[data-testid=inbox-q]").value`))
	if err != nil || typed != "jj" {
		t.Errorf("the search field holds %q (%v), want the letters typed", typed, err)
	}
	do("leave the field, j, x", chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`), chromedp.KeyEvent("j"), chromedp.KeyEvent("x"))
	current("after leaving the field and j", second.ID)
	ticked, err := chromedp.Run(ctx, chromedp.Evaluate[[]bool](fmt.Sprintf(`[document.querySelector("[data-testid=inbox-select-%d]").checked, document.querySelector("[data-testid=inbox-select-%d]").checked]`, first.ID, second.ID)))
	if err != nil || len(ticked) != 2 || ticked[0] || !ticked[1] {
		t.Errorf("x ticked %v (%v), want only the current item", ticked, err)
	}
	do("? opens the list", chromedp.KeyEvent("?"), chromedp.WaitVisible(css(`[data-testid=kb-help]`)))
	title, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const d = document.querySelector("dialog[data-kb-help]"); return d.open + "|" + document.getElementById(d.getAttribute("aria-labelledby")).textContent.trim(); })()`))
	if err != nil || title != "true|Raccourcis clavier" {
		t.Errorf("the dialog: %q (%v), want open and titled in French", title, err)
	}
	do("e does nothing while the dialog is open; close it", chromedp.KeyEvent("e"), chromedp.Click(css(`[data-testid=kb-help-close]`)))
	if it, _ := s.env.App.Inbox.Item(bg, s.owner, second.ID); it.Status != "new" {
		t.Errorf("e behind the dialog changed the item to %s", it.Status)
	}
	do("e marks the current item done", chromedp.KeyEvent("e"), chromedp.WaitVisible(css(`[data-testid=flash]`)))
	do("back on the list, j a", chromedp.WaitVisible(css(`[data-testid=inbox-item-%d]`, first.ID)), chromedp.KeyEvent("j"), chromedp.KeyEvent("a"),
		chromedp.WaitVisible(css(`[data-testid=assignee-%d]`, first.ID)))
	got1, _ := s.env.App.Inbox.Item(bg, s.owner, first.ID)
	got2, _ := s.env.App.Inbox.Item(bg, s.owner, second.ID)
	if got2.Status != "done" || got1.Status == "done" {
		t.Errorf("after e: first %s, second %s, want only the second done", got1.Status, got2.Status)
	}
	if got1.AssigneeID == nil || *got1.AssigneeID != s.owner.ID || got2.AssigneeID != nil {
		t.Errorf("after a: first assigned to %v, second to %v, want only the first, to me", got1.AssigneeID, got2.AssigneeID)
	}
}
