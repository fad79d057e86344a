package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/contacts"
	"github.com/tribune-social/tribune/internal/inbox"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/web/ui"
)

// hostileURLs are addresses a hostile or compromised server may give for
// an item, its author or our reply: none may become a link Tribune shows.
var hostileURLs = []string{"javascript:alert(document.cookie)", "  JavaScript:alert(1)", "data:text/html,<script>alert(1)</script>",
	"vbscript:msgbox(1)", "//evil.example/x"}

// unsafeHref reports the first hostile address that became a link target.
func unsafeHref(body string) string {
	low := strings.ToLower(body)
	for _, bad := range []string{`href="javascript`, `href="  javascript`, `href="data:`, `href="vbscript`, `href="//`, `src="javascript`, `src="data:`} {
		if strings.Contains(low, bad) {
			return bad
		}
	}
	return ""
}

// The addresses a network gives (an item's, its author's profile, our
// reply's) are the network's word: on the conversation and contact pages,
// only an absolute http(s) one becomes a link; a javascript:, data: or
// scheme-relative one never does, while an https one still does.
func TestInboxShowsOnlyWebAddressesAsLinks(t *testing.T) {
	t.Parallel()
	onBothDatabases(t, func(t *testing.T, env *apptest.Env) {
		f := newFrenchInbox(t, env)
		owner, ws, ctx := f.owner, f.ws, context.Background()
		for i, bad := range append(hostileURLs, "https://social.example/@fan/1") {
			t.Run(bad, func(t *testing.T) {
				ext := fmt.Sprintf("h%d", i)
				it := fanComment(ext, "hostile "+ext, time.Now().Add(time.Duration(i)*time.Minute))
				it.ConversationID = "conv-" + ext
				it.Ref.URL = bad
				it.Author = network.Author{ExternalID: "author-" + ext, Handle: "author" + ext, DisplayName: "Author " + ext, URL: bad, AvatarURL: bad}
				f.ingest(t, it)
				page, err := env.App.Inbox.List(ctx, owner, ws.ID, inbox.Filter{Query: "hostile " + ext})
				if err != nil || len(page.Items) != 1 {
					t.Fatalf("the item: %+v %v", page.Items, err)
				}
				item := page.Items[0]
				rp, err := env.App.Inbox.Reply(ctx, owner, item.ID, "our answer "+ext)
				if err != nil {
					t.Fatal(err)
				}
				if err := env.Store.FinishInboxReply(ctx, store.FinishInboxReplyParams{State: string(inbox.ReplySent), ExternalID: "r-" + ext,
					ExternalURL: bad, UpdatedAt: time.Now().UTC(), ID: rp.ID}); err != nil {
					t.Fatal(err)
				}
				cs, err := env.App.Contacts.List(ctx, owner, ws.ID, contacts.Filter{Query: "author" + ext})
				if err != nil || len(cs.Contacts) != 1 {
					t.Fatalf("the author's contact: %+v %v", cs.Contacts, err)
				}
				b := signInAs(t, env, owner.Email)
				safe := strings.HasPrefix(bad, "https://")
				for _, path := range []string{fmt.Sprintf("/w/%d/inbox/conversations/%d", ws.ID, item.ConversationID), fmt.Sprintf("/w/%d/contacts/%d", ws.ID, cs.Contacts[0].ID)} {
					resp := b.do(http.MethodGet, path, nil)
					body := readBody(resp)
					if resp.StatusCode != 200 {
						t.Fatalf("%s: %d", path, resp.StatusCode)
					}
					if got := unsafeHref(body); got != "" {
						t.Errorf("%s: a hostile address became a link (%s)", path, got)
					}
					if linked := strings.Contains(body, `href="`+bad+`"`); linked != safe {
						t.Errorf("%s: the address is a link: %v, want %v", path, linked, safe)
					}
				}
			})
		}
	})
}

// issue14Route says whether a UI route is one of the inbox's, contacts',
// moderation's or webhooks' (issue 14).
func issue14Route(path string) bool {
	for _, p := range []string{"/w/{ws}/inbox", "/w/{ws}/contacts", "/w/{ws}/moderation", "/w/{ws}/webhooks"} {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

// Every POST of the inbox, contacts, moderation and webhooks pages, sent by
// another site with the owner's session cookie (a forged form), is refused
// with 403 before it runs, and changes nothing; asked for with GET, a
// POST-only address runs nothing either.
func TestInboxFormsRefuseOtherSitesAndOtherMethods(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	f := newFrenchInbox(t, env)
	owner, ws, ctx := f.owner, f.ws, context.Background()
	f.ingest(t, fanComment("c1", "first comment", time.Now()))
	page, err := env.App.Inbox.List(ctx, owner, ws.ID, inbox.Filter{})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("the item: %+v %v", page.Items, err)
	}
	item := page.Items[0]
	cs, err := env.App.Contacts.List(ctx, owner, ws.ID, contacts.Filter{})
	if err != nil || len(cs.Contacts) != 1 {
		t.Fatalf("the contact: %+v %v", cs.Contacts, err)
	}
	session, _, err := env.App.Auth.Login(ctx, owner.Email, "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	gets := map[string]bool{}
	for _, pattern := range ui.RoutePatterns() {
		if method, path, _ := strings.Cut(pattern, " "); method == http.MethodGet {
			gets[path] = true
		}
	}
	form := url.Values{"item": {fmt.Sprint(item.ID)}, "status": {"done"}, "add_tag": {"forged"}, "body": {"forged"}, "note": {"forged"},
		"name": {"forged"}, "url": {"https://hooks.example.com/forged"}, "events": {"inbox.item.created"}, "confirm": {"yes"}, "action": {"hide"}}
	send := func(method, path string, crossSite bool) int {
		t.Helper()
		req, err := http.NewRequest(method, env.Server.URL+path, strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.AddCookie(&http.Cookie{Name: ui.SessionCookie, Value: session})
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if crossSite {
			req.Header.Set("Origin", "https://evil.example")
			req.Header.Set("Sec-Fetch-Site", "cross-site")
		} else {
			req.Header.Set("Sec-Fetch-Site", "same-origin")
		}
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		readBody(resp)
		return resp.StatusCode
	}
	walked := 0
	for _, pattern := range ui.RoutePatterns() {
		method, path, _ := strings.Cut(pattern, " ")
		if method != http.MethodPost || !issue14Route(path) {
			continue
		}
		walked++
		id := fmt.Sprint(item.ID)
		if strings.HasPrefix(path, "/w/{ws}/contacts/") {
			id = fmt.Sprint(cs.Contacts[0].ID)
		}
		target := strings.NewReplacer("{ws}", fmt.Sprint(ws.ID), "{id}", id).Replace(path)
		if got := send(http.MethodPost, target, true); got != http.StatusForbidden {
			t.Errorf("cross-site POST %s: %d, want 403", target, got)
		}
		if !gets[path] {
			// 404, not 405: the home page's "GET /" catches every GET.
			if got := send(http.MethodGet, target, false); got != http.StatusMethodNotAllowed && got != http.StatusNotFound {
				t.Errorf("GET %s (a POST-only address): %d, want 404 or 405", target, got)
			}
		}
	}
	if walked < 20 {
		t.Errorf("walked %d POST routes, want the inbox's, contacts', moderation's and webhooks' (20 or more)", walked)
	}
	got, err := env.App.Inbox.Item(ctx, owner, item.ID)
	if err != nil || got.Status != item.Status || len(got.Tags) != 0 || got.Hidden {
		t.Errorf("the item changed: %+v %v", got, err)
	}
	c, err := env.App.Contacts.Contact(ctx, owner, cs.Contacts[0].ID)
	if err != nil || c.Erased() || len(c.Authors) != 1 {
		t.Errorf("the contact changed: %+v %v", c, err)
	}
	if rules, err := env.App.Inbox.Rules(ctx, owner, ws.ID); err != nil || len(rules) != 0 {
		t.Errorf("rules: %d %v, want none", len(rules), err)
	}
	if hooks, err := env.App.Webhooks.List(ctx, owner, ws.ID); err != nil || len(hooks) != 0 {
		t.Errorf("webhooks: %d %v, want none", len(hooks), err)
	}
	if views, err := env.App.Inbox.Views(ctx, owner, ws.ID); err != nil || len(views) != 0 {
		t.Errorf("views: %d %v, want none", len(views), err)
	}
}

// "Replying" is a claim that holds back other members' answers to the
// conversation (the collision guard): only a member who may answer can
// make it. An analyst, who reads the inbox and cannot reply, is refused,
// and the conversation stays open to the members who answer; the
// analyst's "viewing" is still shown.
func TestOnlyMembersWhoMayReplyClaimReplying(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	f := newFrenchInbox(t, env)
	owner, ws, ctx := f.owner, f.ws, context.Background()
	if env.App.Inbox.Guard == nil {
		t.Fatal("the app runs without its collision guard")
	}
	f.ingest(t, fanComment("c1", "a question", time.Now()))
	page, err := env.App.Inbox.List(ctx, owner, ws.ID, inbox.Filter{})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("the item: %+v %v", page.Items, err)
	}
	item := page.Items[0]
	analyst := env.Member(t, owner, ws.ID, "analyst@example.test", auth.Analyst)
	session, _, err := env.App.Auth.Login(ctx, analyst.Email, "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	wsPath, subject := fmt.Sprintf("/w/%d", ws.ID), fmt.Sprint(item.ConversationID)
	if got := postPresence(t, env, session, wsPath, subject, "replying"); got != http.StatusForbidden {
		t.Errorf("an analyst claiming to reply: %d, want 403", got)
	}
	if _, err := env.App.Inbox.ReplyUnlessSomeoneIs(ctx, owner, item.ID, "Merci !", 0, false); err != nil {
		t.Errorf("the owner's answer is held back: %v", err)
	}
	if got := postPresence(t, env, session, wsPath, subject, "viewing"); got != http.StatusNoContent {
		t.Errorf("an analyst viewing: %d, want 204", got)
	}
}
