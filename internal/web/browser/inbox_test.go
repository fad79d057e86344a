package browser

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tribune-social/tribune/internal/inbox"
	"github.com/tribune-social/tribune/internal/network"
)

// On a phone, in French: the menu leads to the inbox; two items ticked and
// marked done are done; a tag added on a conversation shows on the item.
func TestInboxTriageOnAPhone(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	s := newSite(t)
	var items []network.Item
	for i, text := range []string{"Où en est ma commande ?", "Great lamp, thanks!", "La livraison est en retard."} {
		id := fmt.Sprintf("p%d", i)
		items = append(items, launchComment(id, "fan"+id, text, time.Now().Add(time.Duration(i-5)*time.Minute)))
	}
	s.ingest(t, s.chs[0], items...)
	list := s.inboxList(t, 3)
	first, second, third := list[0], list[1], list[2]
	steps := []step{
		{"sign in", s.signIn()},
		{"French", switchLang("fr")},
		{"phone width", chromedp.EmulateViewport(390, 844)},
		{"open the menu", chromedp.Click(css(`[data-testid=nav-menu] summary`))},
		{"tap Messagerie", chromedp.Click(css(`[data-testid=nav-inbox]`))},
		{"the inbox", chromedp.WaitVisible(css(`[data-testid=inbox-item-%d]`, third.ID))},
		{"tick two items", chromedp.Steps(chromedp.Click(css(`[data-testid=inbox-select-%d]`, first.ID)), chromedp.Click(css(`[data-testid=inbox-select-%d]`, third.ID)))},
		{"choose done", chromedp.SetValue(css(`[data-testid=inbox-bulk] [data-testid=status]`), "done")},
		{"apply", chromedp.Click(css(`[data-testid=inbox-bulk-apply]`))},
		{"the change is said", chromedp.WaitVisible(css(`[data-testid=flash]`))},
		{"open the second item's conversation", chromedp.Click(css(`[data-testid=inbox-open-%d]`, second.ID))},
		{"the conversation", chromedp.WaitVisible(css(`[data-testid=item-%d]`, second.ID))},
		{"open triage", chromedp.Click(css(`[data-testid=triage-%d]`, second.ID))},
		{"type a tag", chromedp.SendKeys(css(`#item-%d [data-testid=item-add-tag]`, second.ID), "livraison")},
		{"save", chromedp.Click(css(`[data-testid=save-%d]`, second.ID))},
		{"the tag shows", chromedp.WaitVisible(css(`[data-testid=tag-%d-livraison]`, second.ID))},
	}
	runSteps(t, ctx, "inbox on a phone", steps)
	flash, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-testid=flash]`)))
	if err == nil && !strings.Contains(flash, "Enregistré") {
		err = fmt.Errorf("flash %q, want Enregistré", flash)
	}
	if err != nil {
		t.Error(err)
	}
	for _, it := range []inbox.Item{first, second, third} {
		got, err := s.env.App.Inbox.Item(context.Background(), s.owner, it.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := map[bool]string{true: "done", false: "new"}[it.ID != second.ID]; got.Status != want {
			t.Errorf("item %q: %s, want %s", it.Text, got.Status, want)
		}
	}
}
