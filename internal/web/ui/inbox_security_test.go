package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/contacts"
	"github.com/tribune-social/tribune/internal/inbox"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/store"
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
