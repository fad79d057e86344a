package browser

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tribune-social/tribune/internal/contacts"
	"github.com/tribune-social/tribune/internal/network"
)

// On a phone, in French: from an inbox item the author's name leads to the
// person; they are flagged VIP and tagged, merged with their other account,
// and their data erased after the confirmation.
func TestContactsOnAPhone(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	s := newSite(t)
	bg := context.Background()
	comment := launchComment("a1", "alice", "Bravo pour le lancement", time.Now().Add(-time.Hour))
	comment.Author.DisplayName = "Alice Martin"
	s.ingest(t, s.chs[0], comment)
	s.ingest(t, s.chs[1], network.Item{ExternalID: "a2", Kind: network.KindMention, Ref: network.Ref{ID: "a2"},
		ConversationID: "a2", Author: network.Author{ExternalID: "alice2", Handle: "alice_pro"}, Text: "Une question sur la livraison",
		CreatedAt: time.Now().Add(-time.Minute)})
	first := s.inboxList(t, 2)[1] // Alice's comment (the older one)
	other, err := s.env.App.Contacts.List(bg, s.owner, s.ws.ID, contacts.Filter{Query: "alice_pro"})
	if err != nil || len(other.Contacts) != 1 {
		t.Fatalf("alice_pro's contact: %+v %v", other, err)
	}
	otherID := other.Contacts[0].ID
	otherAccount := other.Contacts[0].Authors[0].ID
	var contactID int64
	steps := []step{
		{"sign in", s.signIn()},
		{"French", switchLang("fr")},
		{"phone width", chromedp.EmulateViewport(390, 844)},
		{"open the menu", chromedp.Click(css(`[data-testid=nav-menu] summary`))},
		{"tap the inbox first", chromedp.Click(css(`[data-testid=nav-inbox]`))},
		{"tap Contacts", chromedp.Click(css(`[data-testid=contacts-link]`))},
		{"the contacts", chromedp.WaitVisible(css(`[data-testid=contacts]`))},
		{"open the menu again", chromedp.Click(css(`[data-testid=nav-menu] summary`))},
		{"tap the inbox", chromedp.Click(css(`[data-testid=nav-inbox]`))},
		{"tap the author", chromedp.Click(css(`[data-testid=author-%d]`, first.ID))},
		{"the contact", chromedp.WaitVisible(css(`[data-testid=contact-history] [data-testid=history-%d]`, first.ID))},
		{"which contact", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			loc, err := chromedp.Evaluate[string](`location.pathname`)(ctx, tg)
			if err != nil {
				return err
			}
			_, err = fmt.Sscanf(loc[strings.LastIndex(loc, "/")+1:], "%d", &contactID)
			return err
		})},
		{"tick VIP", chromedp.Click(css(`[data-testid=set-vip]`))},
		{"type a tag", chromedp.SendKeys(css(`[data-testid=contact-add-tag]`), "presse")},
		{"save", chromedp.Click(css(`[data-testid=contact-save]`))},
		{"the tag shows", chromedp.WaitVisible(css(`[data-testid=contact-tag-presse]`))},
		{"merge with the other account", chromedp.SendKeys(css(`[data-testid=merge-other]`), fmt.Sprint(otherID))},
		{"merge", chromedp.Click(css(`[data-testid=merge]`))},
		{"both accounts", chromedp.WaitVisible(css(`[data-testid=account-%d]`, otherAccount))},
		{"open the erasure", chromedp.Click(css(`[data-testid=contact-erase] summary`))},
		{"confirm", chromedp.Click(css(`[data-testid=contact-erase-confirm]`))},
		{"erase", chromedp.Click(css(`[data-testid=contact-erase-submit]`))},
		{"the erasure shows", chromedp.WaitVisible(css(`[data-testid=contact] [data-testid^=erased-]`))},
	}
	runSteps(t, ctx, "contacts on a phone", steps)
	flash, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-testid=flash]`)))
	if err == nil && !strings.Contains(flash, "effacées") {
		err = fmt.Errorf("flash %q, want the French erasure message", flash)
	}
	if err != nil {
		t.Error(err)
	}
	d, err := s.env.App.Contacts.Get(bg, s.owner, contactID)
	if err != nil {
		t.Fatal(err)
	}
	if !d.Contact.Erased() || len(d.Contact.Authors) != 2 || len(d.Items) != 2 || d.Items[0].Text != "" || d.Items[1].Text != "" {
		t.Errorf("after the erasure: %+v, %d accounts, items %+v; want erased, 2 accounts, 2 items without text", d.Contact.Contact, len(d.Contact.Authors), d.Items)
	}
}
