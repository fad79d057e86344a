package browser

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/inbox"
	"github.com/tribune-social/tribune/internal/live"
	"github.com/tribune-social/tribune/internal/network/sandbox"
	"github.com/tribune-social/tribune/internal/store"
)

// The inbox as two community managers use it, in French, in one browser
// with two sessions: the Sandbox's audience writes, its items reach the
// inbox; while Owner types a reply, Camille's page of the same
// conversation says so (the collision indicator); a new Sandbox item shows
// in Camille's open list without a reload; Owner assigns the item to
// Camille, tags it, answers it with a saved reply chosen from the picker
// with the keyboard (its variables filled for this item) — the Sandbox
// receives that text — and marks it done.
//
// Every wait is on a condition with a generous deadline: the machine may
// be loaded.
func TestTwoMembersAnswerTogetherInFrench(t *testing.T) {
	t.Parallel()
	ctx := browserFor(t, 4*time.Minute)
	s := newSite(t)
	bg := context.Background()
	app := s.env.App
	camille := s.env.Member(t, s.owner, s.ws.ID, "camille@example.test", auth.CommunityMgr)
	for _, u := range []struct {
		u    store.User
		name string
	}{{s.owner, "Owner"}, {camille, "Camille"}} {
		if _, err := app.Auth.SetPreferences(bg, u.u, auth.Preferences{Name: u.name, Locale: "fr"}); err != nil {
			t.Fatal(err)
		}
	}
	ch := s.chs[0]
	saved, err := app.Inbox.SaveReply(bg, s.owner, s.ws.ID, 0, "Remerciement", "Bonjour {name}, merci pour votre message ! L'équipe")
	if err != nil {
		t.Fatal(err)
	}
	// The Sandbox's audience writes about one item a second, in French.
	if _, err := app.Channels.SetSandboxAudience(bg, s.owner, ch.ID, sandbox.Audience{Rate: 60, Languages: []string{"fr"}}); err != nil {
		t.Fatal(err)
	}
	// items waits until the inbox holds more than n items (the workers poll
	// the channel; Poll is asked too, it does nothing when not due).
	items := func(n int) []inbox.Item {
		t.Helper()
		for deadline := time.Now().Add(90 * time.Second); ; {
			if err := app.Inbox.Poll(bg, ch.ID); err != nil {
				t.Fatal(err)
			}
			page, err := app.Inbox.List(bg, s.owner, s.ws.ID, inbox.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Items) > n {
				return page.Items
			}
			if time.Now().After(deadline) {
				t.Fatalf("the inbox holds %d items after 90 s, want more than %d", len(page.Items), n)
			}
			time.Sleep(300 * time.Millisecond)
		}
	}
	start := time.Now()
	it := items(0)[0]
	t.Logf("first Sandbox item in the inbox after %v", time.Since(start).Round(time.Millisecond))
	// Quiet now: the next item comes when the test asks for it.
	if _, err := app.Channels.SetSandboxAudience(bg, s.owner, ch.ID, sandbox.Audience{Rate: 0}); err != nil {
		t.Fatal(err)
	}
	author, err := app.Inbox.Item(bg, s.owner, it.ID)
	if err != nil {
		t.Fatal(err)
	}
	name := author.Author.DisplayName
	if name == "" {
		name = "@" + strings.TrimPrefix(author.Author.Handle, "@")
	}
	want := "Bonjour " + name + ", merci pour votre message ! L'équipe"

	ownerTab := ctx
	camilleTab, cancel := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	// Opened here, under the test's context: a tab first used under a
	// step's time-out would close with it.
	if err := chromedp.Do(camilleTab); err != nil {
		t.Fatal(err)
	}
	run := func(tab context.Context, what string, do ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(tab, 30*time.Second)
		defer cancel()
		if err := chromedp.Do(sctx, chromedp.Steps(do...)); err != nil {
			shot(t, tab, "team-"+strings.ReplaceAll(what, " ", "-"))
			t.Fatalf("%s: %v", what, err)
		}
	}
	// until waits for a JavaScript condition on a tab.
	until := func(tab context.Context, what, js string) {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); ; {
			ok, err := chromedp.Run(tab, chromedp.Evaluate[bool](js))
			if err == nil && ok {
				return
			}
			if time.Now().After(deadline) {
				shot(t, tab, "team-"+strings.ReplaceAll(what, " ", "-"))
				page, _ := chromedp.Run(tab, chromedp.Evaluate[string](`Array.from(document.querySelectorAll("textarea")).map(e => e.value).join(" / ")`))
				t.Fatalf("%s: not within 30 s (%v); the texts: %q", what, err, page)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	signIn := func(tab context.Context, email string) {
		t.Helper()
		run(tab, "sign in "+email,
			chromedp.Navigate(s.url("/login")),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid=login-email]`)),
			chromedp.SendKeys(chromedp.CSS(`[data-testid=login-email]`), email),
			chromedp.SendKeys(chromedp.CSS(`[data-testid=login-password]`), "correct horse battery"),
			chromedp.Click(chromedp.CSS(`[data-testid=login-submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid=nav-menu]`)))
	}
	// listening waits until a tab's event stream is open, so an event sent
	// next is heard: Go publishes probes until the page has heard one.
	listening := func(tab context.Context) {
		t.Helper()
		if _, err := chromedp.Run(tab, chromedp.Evaluate[bool](`window.__sameDocument = true; window.__heard = false;
			document.addEventListener("tribune:live", () => { window.__heard = true }); true`)); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(30 * time.Second); ; {
			if err := app.Live.Publish(bg, s.ws.ID, live.Event{Type: "probe"}); err != nil {
				t.Fatal(err)
			}
			if heard, err := chromedp.Run(tab, chromedp.Evaluate[bool](`window.__heard`)); err == nil && heard {
				return
			}
			if time.Now().After(deadline) {
				t.Fatal("the page's event stream did not open within 30 s")
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	conv := s.url(fmt.Sprintf("/w/%d/inbox/conversations/%d", s.ws.ID, it.ConversationID))

	signIn(ownerTab, s.owner.Email)
	signIn(camilleTab, camille.Email)
	run(camilleTab, "Camille opens the conversation", chromedp.Navigate(conv), chromedp.WaitVisible(css(`[data-testid=item-%d]`, it.ID)))
	listening(camilleTab)
	run(ownerTab, "Owner opens the conversation", chromedp.Navigate(conv), chromedp.WaitVisible(css(`[data-testid=reply-text-%d]`, it.ID)))

	// 1. Owner types a reply: Camille's page says so.
	run(ownerTab, "Owner types", chromedp.SendKeys(css(`[data-testid=reply-text-%d]`, it.ID), "Bonjour"))
	until(camilleTab, "Camille sees Owner replying",
		`(document.querySelector("[data-testid=live-presence]")?.textContent || "").includes("Owner est en train de répondre")`)
	// Owner's own page does not announce Owner.
	if own, err := chromedp.Run(ownerTab, chromedp.TextContent(chromedp.CSS(`[data-testid=live-presence]`))); err != nil || strings.Contains(own, "Owner") {
		t.Errorf("Owner's page announces Owner: %q %v", own, err)
	}

	// 2. A new Sandbox item appears in Camille's open list, no reload.
	run(camilleTab, "Camille opens the inbox", chromedp.Navigate(s.url(fmt.Sprintf("/w/%d/inbox", s.ws.ID))),
		chromedp.WaitVisible(css(`[data-testid=inbox-item-%d]`, it.ID)))
	listening(camilleTab)
	before := len(items(0))
	if _, err := app.Channels.SetSandboxAudience(bg, s.owner, ch.ID, sandbox.Audience{Rate: 60, Languages: []string{"fr"}}); err != nil {
		t.Fatal(err)
	}
	fresh := items(before)[0]
	if _, err := app.Channels.SetSandboxAudience(bg, s.owner, ch.ID, sandbox.Audience{Rate: 0}); err != nil {
		t.Fatal(err)
	}
	run(camilleTab, "the new item shows in Camille's list", chromedp.WaitVisible(css(`[data-testid=inbox-item-%d]`, fresh.ID)))
	if same, err := chromedp.Run(camilleTab, chromedp.Evaluate[bool](`window.__sameDocument === true`)); err != nil || !same {
		t.Fatalf("Camille's list reloaded (marker %v, %v)", same, err)
	}

	// 3. Owner assigns the item to Camille and tags it.
	run(ownerTab, "open triage", chromedp.Click(css(`[data-testid=triage-%d]`, it.ID)))
	run(ownerTab, "assign and tag",
		chromedp.SetValue(css(`#item-%d [data-testid=item-assignee]`, it.ID), fmt.Sprint(camille.ID)),
		chromedp.SendKeys(css(`#item-%d [data-testid=item-add-tag]`, it.ID), "remerciement"),
		chromedp.Click(css(`[data-testid=save-%d]`, it.ID)),
		chromedp.WaitVisible(css(`[data-testid=tag-%d-remerciement]`, it.ID)))
	if got, err := chromedp.Run(ownerTab, chromedp.TextContent(css(`[data-testid=assignee-%d]`, it.ID))); err != nil || !strings.Contains(got, "Camille") {
		t.Errorf("assignee shows %q %v, want Camille", got, err)
	}

	// 4. The saved reply, chosen with the keyboard: its variables are
	// filled for this item, and it is sent.
	picker := fmt.Sprintf(`[data-testid=reply-saved-%d]`, it.ID)
	run(ownerTab, "focus the picker", chromedp.Focus(chromedp.CSS(picker)))
	run(ownerTab, "choose with the keyboard", chromedp.KeyEvent(kb.ArrowDown))
	until(ownerTab, "the picker fills the reply",
		fmt.Sprintf(`document.querySelector("[data-testid=reply-text-%d]")?.value === %q`, it.ID, want))
	// The counter follows the filled text (the conversation's hx-select
	// is not inherited by the reply box's requests).
	until(ownerTab, "the counter counts the filled reply",
		fmt.Sprintf(`(document.querySelector("[data-testid=reply-count-%d]")?.textContent || "").trim().startsWith("%d")`, it.ID, len([]rune(want))))
	if v, err := chromedp.Run(ownerTab, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%q).value`, picker))); err != nil || v != fmt.Sprint(saved.ID) {
		t.Errorf("picker value %q %v, want %d", v, err, saved.ID)
	}
	run(ownerTab, "send", chromedp.Click(css(`[data-testid=reply-send-%d]`, it.ID)))
	var reply store.InboxReply
	for deadline := time.Now().Add(90 * time.Second); ; {
		rs, err := app.Inbox.Replies(bg, s.owner, it.ConversationID)
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) == 1 && rs[0].State == string(inbox.ReplySent) {
			reply = rs[0]
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the reply is not sent within 90 s: %+v", rs)
		}
		time.Sleep(300 * time.Millisecond)
	}
	if reply.Text != want && !strings.HasSuffix(reply.Text, want) {
		t.Errorf("sent %q, want %q", reply.Text, want)
	}
	received := false
	for _, p := range s.env.Sandbox.Received() {
		received = received || strings.Contains(p.Text, want)
	}
	if !received {
		t.Errorf("the Sandbox did not receive the saved reply")
	}
	run(ownerTab, "the reply shows sent", chromedp.Navigate(conv),
		chromedp.WaitVisible(css(`[data-testid=reply-link-%d]`, reply.ID)))
	if got, err := chromedp.Run(ownerTab, chromedp.TextContent(css(`[data-testid=reply-state-%d]`, reply.ID))); err != nil || got != "Envoyée" {
		t.Errorf("reply state %q %v, want Envoyée", got, err)
	}

	// 5. Done.
	run(ownerTab, "open triage again", chromedp.Click(css(`[data-testid=triage-%d]`, it.ID)))
	run(ownerTab, "mark done",
		chromedp.SetValue(css(`#item-%d [data-testid=item-status]`, it.ID), "done"),
		chromedp.Click(css(`[data-testid=save-%d]`, it.ID)))
	until(ownerTab, "the item shows done",
		fmt.Sprintf(`(document.querySelector("[data-testid=status-%d]")?.textContent || "").trim() === "Terminé"`, it.ID))
	got, err := app.Inbox.Item(bg, s.owner, it.ID)
	if err != nil || got.Status != string(inbox.StatusDone) || got.AssigneeID == nil || *got.AssigneeID != camille.ID {
		t.Errorf("stored: status %q assignee %v (%v), want done and Camille", got.Status, got.AssigneeID, err)
	}
}
