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
	"github.com/tribune-social/tribune/internal/inbox"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/network/networktest"
	"github.com/tribune-social/tribune/internal/sentiment"
)

// likeOnly is an inbox that allows likes and refuses hiding with a reason;
// every other action is missing from its capabilities.
func likeOnly() *networktest.Inbox {
	return networktest.Allowing(map[network.Action]network.Support{network.ActLike: network.Supported,
		network.ActHide: network.Unsupported("This network does not allow this action.")})
}

type frenchWords struct{}

func (frenchWords) Analyze(text string) sentiment.Result {
	if strings.Contains(text, "nul") {
		return sentiment.Result{Label: sentiment.Negative, Score: -0.6, Lang: sentiment.French}
	}
	return sentiment.Result{Label: sentiment.Positive, Score: 0.5, Lang: sentiment.English}
}

// The inbox pages in French: the navigation leads there; the list shows
// sentiment and language, filters and searches; a bulk change assigns and
// tags; the conversation page offers the actions the network allows and
// shows the others disabled with the network's reason; an action, a note
// and a sentiment correction land and are in the history; an analyst reads
// without controls and is refused a change.
func TestInboxPages(t *testing.T) {
	t.Parallel()
	onBothDatabases(t, func(t *testing.T, env *apptest.Env) {
		f := newFrenchInbox(t, env)
		owner, ws, ctx := f.owner, f.ws, context.Background()
		analyst := env.Member(t, owner, ws.ID, "analyst@example.test", auth.Analyst)
		netw := likeOnly()
		env.App.Inbox.Connectors = map[string]network.Connector{"sandbox": netw}
		env.App.Inbox.Analyzer = frenchWords{}
		var items []network.Item
		for i, text := range []string{"Service client nul", "Great launch", "Love the colours"} {
			id := fmt.Sprintf("s%d", i+1)
			it := fanComment(id, text, time.Now().Add(time.Duration(i)*time.Minute))
			it.Author = network.Author{ExternalID: "fan" + id, Handle: "fan" + id}
			items = append(items, it)
		}
		f.ingest(t, items...)
		page, err := env.App.Inbox.List(ctx, owner, ws.ID, inbox.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		angry := page.Items[2]

		b := newBrowser(t, env, owner.Email)
		list := fmt.Sprintf("/w/%d/inbox", ws.ID)
		cal := readBody(b.do(http.MethodGet, fmt.Sprintf("/w/%d/calendar", ws.ID), nil))
		if !strings.Contains(cal, `href="`+list+`"`) || !strings.Contains(cal, "Messagerie") {
			t.Errorf("the navigation has no Inbox entry in French")
		}
		resp := b.do(http.MethodGet, list, nil)
		body := readBody(resp)
		for _, want := range []string{"Service client nul", "Great launch", "Négatif", "Français", "Anglais", `data-testid="inbox-bulk-apply"`} {
			if resp.StatusCode != 200 || !strings.Contains(body, want) {
				t.Errorf("list (%d) lacks %q", resp.StatusCode, want)
			}
		}
		if body := readBody(b.do(http.MethodGet, list+"?q=colours&sentiment=positive", nil)); !strings.Contains(body, "Love the colours") || strings.Contains(body, "Great launch") {
			t.Errorf("search and filter: the page does not narrow to the one item")
		}
		if body := readBody(b.do(http.MethodGet, list+"?network=mastodon", nil)); strings.Contains(body, "Great launch") || !strings.Contains(body, `data-testid="inbox-empty"`) {
			t.Errorf("network filter: a Sandbox item shows under Mastodon")
		}

		form := url.Values{"item": {fmt.Sprint(angry.ID), fmt.Sprint(page.Items[1].ID)}, "assignee": {fmt.Sprint(analyst.ID)}, "add_tag": {"sav"},
			"status": {"open"}, "return": {"sentiment=negative"}}
		resp = b.do(http.MethodPost, list+"/bulk", form)
		readBody(resp)
		if resp.StatusCode != 303 || resp.Header.Get("Location") != list+"?sentiment=negative" {
			t.Errorf("bulk: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		got, err := env.App.Inbox.Item(ctx, owner, angry.ID)
		if err != nil || got.Status != "open" || got.AssigneeID == nil || *got.AssigneeID != analyst.ID || len(got.Tags) != 1 {
			t.Errorf("after the bulk change: %+v %v", got, err)
		}
		// A tag comes off a selection as it went on (the API's remove_tags).
		if !strings.Contains(body, `data-testid="bulk-remove-tag"`) {
			t.Errorf("the bulk form offers no tag removal")
		}
		readBody(b.do(http.MethodPost, list+"/bulk", url.Values{"item": {fmt.Sprint(angry.ID), fmt.Sprint(page.Items[1].ID)}, "remove_tag": {"sav"}}))
		for _, id := range []int64{angry.ID, page.Items[1].ID} {
			if got, err := env.App.Inbox.Item(ctx, owner, id); err != nil || len(got.Tags) != 0 {
				t.Errorf("item %d after the bulk removal of its tag: %v %v", id, got.Tags, err)
			}
		}
		readBody(b.do(http.MethodPost, list+"/bulk", url.Values{"item": {fmt.Sprint(angry.ID), fmt.Sprint(page.Items[1].ID)}, "add_tag": {"sav"}}))

		conv := fmt.Sprintf("/w/%d/inbox/conversations/%d", ws.ID, angry.ConversationID)
		body = readBody(b.do(http.MethodGet, conv, nil))
		like := fmt.Sprintf(`data-testid="act-like-%d"`, angry.ID)
		hide := fmt.Sprintf(`disabled aria-describedby="why-hide-%d" data-testid="act-hide-%d"`, angry.ID, angry.ID)
		block := fmt.Sprintf(`data-testid="why-block-%d">Ce réseau ne permet pas cette action.<`, angry.ID)
		for _, want := range []string{like, hide, block, "Service client nul", "#sav"} {
			if !strings.Contains(body, want) {
				t.Errorf("conversation lacks %s", want)
			}
		}
		if strings.Contains(body, fmt.Sprintf(`value="hide" data-testid="act-hide-%d"`, angry.ID)) {
			t.Errorf("hiding, refused by the network, is offered as a button that would submit")
		}
		item := fmt.Sprintf("/w/%d/inbox/items/%d", ws.ID, angry.ID)
		for path, form := range map[string]url.Values{item + "/act": {"action": {"like"}}, item + "/note": {"body": {"Rappeler demain"}}, item: {"sentiment": {"neutral"}}} {
			if resp := b.do(http.MethodPost, path, form); resp.StatusCode != 303 {
				t.Errorf("POST %s: %d %s", path, resp.StatusCode, readBody(resp))
			}
		}
		if acts := netw.Acts(); len(acts) != 1 || acts[0] != "like s1" {
			t.Errorf("the network saw %v, want one like of s1", acts)
		}
		body = readBody(b.do(http.MethodGet, conv, nil))
		for _, want := range []string{"Rappeler demain", "Neutre · corrigé", "J’aime", "sentiment corrigé"} {
			if !strings.Contains(body, want) {
				t.Errorf("conversation after acting lacks %q", want)
			}
		}
		// A refused action through the form answers with the reason.
		resp = b.do(http.MethodPost, item+"/act", url.Values{"action": {"hide"}})
		if body := readBody(resp); resp.StatusCode != 409 || !strings.Contains(body, "Ce réseau ne permet pas cette action.") {
			t.Errorf("refused hide: %d", resp.StatusCode)
		}

		reader := newBrowser(t, env, analyst.Email)
		body = readBody(reader.do(http.MethodGet, conv, nil))
		if !strings.Contains(body, "Service client nul") || strings.Contains(body, like) || strings.Contains(body, "note-add-") || strings.Contains(body, "save-") {
			t.Errorf("the analyst's conversation page offers actions or triage")
		}
		if resp := reader.do(http.MethodPost, list+"/bulk", url.Values{"item": {fmt.Sprint(angry.ID)}, "status": {"done"}}); resp.StatusCode != 403 {
			t.Errorf("analyst bulk change: %d, want 403", resp.StatusCode)
		}
	})
}
