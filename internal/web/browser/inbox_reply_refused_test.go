package browser

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tribune-social/tribune/internal/auth"
)

// On a phone, in French: a reply to an item a colleague already answered
// (their answer awaiting approval)
// is refused, and the page comes back with the text typed still in the
// box, the colleague named, and "send anyway" in reach, and again after a
// reload, which sends nothing; ticking "send anyway" sends.
// Nothing overflows the screen's width.
func TestRefusedReplyKeepsTheTextOnAPhone(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	s := newSite(t)
	bg := context.Background()
	// The colleague's answer waits for approval: it stays an answer (the
	// Sandbox's workers would fail a sent one, on an item it never wrote).
	colleague := s.env.Member(t, s.owner, s.ws.ID, "colleague@example.test", auth.Contributor)
	if err := s.env.App.Inbox.SetReplyApproval(bg, s.owner, s.ws.ID, true); err != nil {
		t.Fatal(err)
	}
	s.ingest(t, s.chs[0], launchComment("q1", "fan", "Où en est ma commande ?", time.Now()))
	it := s.inboxList(t, 1)[0]
	theirs, err := s.env.App.Inbox.ReplyUnlessSomeoneIs(bg, colleague, it.ID, "Elle part demain.", 0, false)
	if err != nil {
		t.Fatal(err)
	}
	typed := "Votre commande est partie ce matin, voici le suivi."
	runSteps(t, ctx, "refused reply on a phone", []step{
		{"sign in", s.signIn()},
		{"French", switchLang("fr")},
		{"phone width", chromedp.EmulateViewport(390, 844)},
		{"the conversation", chromedp.Navigate(s.url(fmt.Sprintf("/w/%d/inbox/conversations/%d", s.ws.ID, it.ConversationID)))},
		{"type the reply", chromedp.SendKeys(css(`[data-testid=reply-text-%d]`, it.ID), typed)},
		{"send", chromedp.Click(css(`[data-testid=reply-send-%d]`, it.ID))},
		{"the refusal shows", chromedp.WaitVisible(css(`[data-testid=reply-refused-%d]`, it.ID))},
	})
	shown := func(when string) {
		t.Helper()
		got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](fmt.Sprintf(
			`[document.querySelector('[data-testid=reply-text-%d]').value, document.querySelector('[data-testid=reply-refused-%d]').textContent]`, it.ID, it.ID)))
		if err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		if want := colleague.Name + " a déjà répondu à ce message. Envoyer quand même ?"; got[0] != typed || got[1] != want {
			t.Errorf("%s: text %q, reason %q; want %q, %q", when, got[0], got[1], typed, want)
		}
	}
	shown("after the refusal")
	// Reloading the refused page sends nothing (it was reached by a
	// redirect, not as the POST's answer) and still shows both, even once
	// the reason has gone: the colleague's answer is rejected meanwhile,
	// so a reply posted again would now be accepted and sent.
	if _, err := s.env.App.Inbox.RejectReply(bg, s.owner, theirs.ID, "Pas encore : attendons le suivi."); err != nil {
		t.Fatal(err)
	}
	runSteps(t, ctx, "reload after the refusal", []step{
		{"reload", chromedp.Reload()},
		{"the refusal shows again", chromedp.WaitVisible(css(`[data-testid=reply-refused-%d]`, it.ID))},
	})
	shown("after a reload")
	if replies, err := s.env.App.Inbox.Replies(bg, s.owner, it.ConversationID); err != nil || len(replies) != 1 {
		t.Errorf("replies after the refusal and a reload: %d %v, want the colleague's alone (the reload sent the reply)", len(replies), err)
	}
	fit, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, document.documentElement.clientWidth]`))
	if err != nil || fit[0] > fit[1] {
		t.Errorf("the refused page is wider than the phone: %v %v", fit, err)
	}
	shot(t, ctx, "inbox-reply-refused-phone")
	runSteps(t, ctx, "send anyway on a phone", []step{
		{"tick send anyway", chromedp.Click(css(`[data-testid=reply-anyway-%d]`, it.ID))},
		{"send again", chromedp.Click(css(`[data-testid=reply-send-%d]`, it.ID))},
		{"the reply is queued", chromedp.WaitVisible(css(`[data-testid=flash]`))},
	})
	replies, err := s.env.App.Inbox.Replies(bg, s.owner, it.ConversationID)
	if err != nil || len(replies) != 2 || replies[1].Text != typed && replies[0].Text != typed {
		t.Errorf("replies after sending anyway: %v %v", replies, err)
	}
}

// A colleague's change arriving live (here a note) refetches the
// conversation's items under a member who is typing a reply: the text
// typed stays in the box.
func TestLiveRefreshKeepsTheReplyBeingTyped(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	s := newSite(t)
	bg := context.Background()
	colleague := s.env.Member(t, s.owner, s.ws.ID, "colleague@example.test", auth.Admin)
	s.ingest(t, s.chs[0], launchComment("q1", "fan", "Où en est ma commande ?", time.Now()))
	it := s.inboxList(t, 1)[0]
	typed := "Je regarde tout de suite"
	runSteps(t, ctx, "live refresh while typing", []step{
		{"sign in", s.signIn()},
		{"the conversation", chromedp.Navigate(s.url(fmt.Sprintf("/w/%d/inbox/conversations/%d", s.ws.ID, it.ConversationID)))},
		{"type the reply", chromedp.SendKeys(css(`[data-testid=reply-text-%d]`, it.ID), typed)},
		{"a colleague's note arrives", chromedp.Func(func(context.Context, *chromedp.Target) error {
			_, err := s.env.App.Inbox.AddNote(bg, colleague, it.ID, "Colis parti hier")
			return err
		})},
		{"the note shows", chromedp.WaitVisible(css(`#item-%d .inbox-note`, it.ID))},
	})
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector('[data-testid=reply-text-%d]').value`, it.ID)))
	if err != nil || got != typed {
		t.Errorf("after the live refresh the box holds %q (%v), want %q", got, err, typed)
	}
}
