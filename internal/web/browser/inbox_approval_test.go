package browser

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/inbox"
)

// An approver edits a contributor's pending reply in its box; a
// colleague's change arriving live does not wipe the edit; "Approve and
// send" approves the edited text.
func TestApproverEditsAPendingReply(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	s := newSite(t)
	bg := context.Background()
	contrib := s.env.Member(t, s.owner, s.ws.ID, "contrib@example.test", auth.Contributor)
	colleague := s.env.Member(t, s.owner, s.ws.ID, "colleague@example.test", auth.Admin)
	if err := s.env.App.Inbox.SetReplyApproval(bg, s.owner, s.ws.ID, true); err != nil {
		t.Fatal(err)
	}
	s.ingest(t, s.chs[0], launchComment("q1", "fan", "Où en est ma commande ?", time.Now()))
	it := s.inboxList(t, 1)[0]
	rp, err := s.env.App.Inbox.Reply(bg, contrib, it.ID, "ça part bientot")
	if err != nil {
		t.Fatal(err)
	}
	box := css(`[data-testid=reply-approve-text-%d]`, rp.ID)
	edited := "Votre commande part demain matin."
	runSteps(t, ctx, "approve with changes", []step{
		{"sign in", s.signIn()},
		{"the conversation", chromedp.Navigate(s.url(fmt.Sprintf("/w/%d/inbox/conversations/%d", s.ws.ID, it.ConversationID)))},
		{"clear the contributor's text", chromedp.Clear(box)},
		{"type the edit", chromedp.SendKeys(box, edited)},
		{"a colleague's note arrives", chromedp.Func(func(context.Context, *chromedp.Target) error {
			_, err := s.env.App.Inbox.AddNote(bg, colleague, it.ID, "Colis parti hier")
			return err
		})},
		{"the note shows", chromedp.WaitVisible(css(`#item-%d .inbox-note`, it.ID))},
	})
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector('[data-testid=reply-approve-text-%d]').value`, rp.ID)))
	if err != nil || got != edited {
		t.Fatalf("after the live refresh the approval box holds %q (%v), want %q", got, err, edited)
	}
	runSteps(t, ctx, "approve", []step{
		{"approve and send", chromedp.Click(css(`[data-testid=reply-approve-%d]`, rp.ID))},
		{"approved", chromedp.WaitVisible(css(`[data-testid=flash]`))},
	})
	r, err := s.env.App.Inbox.GetReply(bg, s.owner, rp.ID)
	if err != nil || r.Text != edited || r.State == string(inbox.ReplyPending) || r.DecidedBy == nil {
		t.Errorf("the approved reply: %+v %v, want decided with %q", r, err, edited)
	}
}
