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
	"github.com/tribune-social/tribune/internal/inbox"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/network/networktest"
)

// hider is an inbox that hides and unhides, recording what it is asked.
func hider() *networktest.Inbox {
	return networktest.Allowing(map[network.Action]network.Support{network.ActHide: network.Supported, network.ActUnhide: network.Supported})
}

// The moderation pages in French: the inbox links to them; a rule made in
// the form is tried (counted over past items, nothing done), saved, and
// hides a new matching item on the network; the conversation shows the
// automatic action with Undo, which unhides it on the network.
func TestModerationPages(t *testing.T) {
	t.Parallel()
	onBothDatabases(t, func(t *testing.T, env *apptest.Env) {
		f := newFrenchInbox(t, env)
		owner, ws, ctx := f.owner, f.ws, context.Background()
		netw := hider()
		env.App.Inbox.Connectors = map[string]network.Connector{"sandbox": netw}
		item := func(id, text string) network.Item {
			return network.Item{ExternalID: id, Kind: network.KindComment, Ref: network.Ref{ID: id}, Author: network.Author{ExternalID: "fan"}, Text: text, CreatedAt: time.Now()}
		}
		f.ingest(t, item("old1", "quelle arnaque"), item("old2", "bravo"))

		b := newBrowser(t, env, owner.Email)
		if body := readBody(b.do(http.MethodGet, fmt.Sprintf("/w/%d/inbox", ws.ID), nil)); !strings.Contains(body, fmt.Sprintf(`href="/w/%d/moderation"`, ws.ID)) {
			t.Error("the inbox has no link to the moderation rules")
		}
		page := fmt.Sprintf("/w/%d/moderation", ws.ID)
		if body := readBody(b.do(http.MethodGet, page, nil)); !strings.Contains(body, "Règles de modération") || !strings.Contains(body, "Masquer sur le réseau") {
			t.Errorf("the moderation page is not in French")
		}
		form := url.Values{"name": {"Arnaques"}, "order": {"1"}, "enabled": {"1"}, "cond_kind_0": {"keywords"}, "cond_value_0": {"arnaque, escroc*"},
			"act_kind_0": {"hide"}, "do": {"try"}}
		resp := b.do(http.MethodPost, page+"/rules", form)
		body := readBody(resp)
		if resp.StatusCode != 200 || !strings.Contains(body, "Sur les 30 derniers jours : 2 éléments, la règle aurait agi sur 1.") {
			t.Errorf("try: %d, the count is missing", resp.StatusCode)
		}
		if strings.Join(netw.Acts(), ",") != "" {
			t.Fatalf("trying acted on the network: %s", strings.Join(netw.Acts(), ","))
		}
		form.Set("do", "save")
		if resp := b.do(http.MethodPost, page+"/rules", form); resp.StatusCode != 303 {
			t.Fatalf("save: %d %s", resp.StatusCode, readBody(resp))
		}
		form.Set("name", "")
		resp = b.do(http.MethodPost, page+"/rules", form)
		if body := readBody(resp); resp.StatusCode != 422 || !strings.Contains(body, "Donnez un nom à la règle.") {
			t.Errorf("a rule without a name: %d, no French message", resp.StatusCode)
		}

		f.ingest(t, item("new1", "Un escroc, une arnaque"))
		list, err := env.App.Inbox.List(ctx, owner, ws.ID, inbox.Filter{Query: "escroc"})
		if err != nil || len(list.Items) != 1 {
			t.Fatalf("the new item: %+v %v", list, err)
		}
		it := list.Items[0]
		acts, err := env.App.Inbox.RuleActions(ctx, owner, it.ID)
		if err != nil || len(acts) != 1 || acts[0].Result != inbox.ResultQueued {
			t.Fatalf("rule actions: %+v %v, want the hide queued", acts, err)
		}
		// The hide is a job the ingestion queued (this app runs no workers):
		// run it as the job does.
		if err := env.App.Inbox.PerformRuleAct(ctx, inbox.RuleActArgs{ActionID: acts[0].ID}); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(netw.Acts(), ","); got != "hide new1" {
			t.Fatalf("network saw %q, want hide new1", got)
		}
		conv := fmt.Sprintf("/w/%d/inbox/conversations/%d", ws.ID, it.ConversationID)
		body = readBody(b.do(http.MethodGet, conv, nil))
		undo := fmt.Sprintf(`data-testid="undo-%d"`, acts[0].ID)
		if !strings.Contains(body, "Règle « Arnaques »") || !strings.Contains(body, undo) {
			t.Fatalf("the conversation does not show the rule's action with Undo")
		}
		resp = b.do(http.MethodPost, fmt.Sprintf("/w/%d/inbox/rule-actions/%d/undo", ws.ID, acts[0].ID), url.Values{})
		readBody(resp)
		if resp.StatusCode != 303 {
			t.Errorf("undo: %d", resp.StatusCode)
		}
		if got := strings.Join(netw.Acts(), ","); got != "hide new1,unhide new1" {
			t.Errorf("network saw %q, want the hide then the unhide", got)
		}
		if body := readBody(b.do(http.MethodGet, conv, nil)); strings.Contains(body, undo) || !strings.Contains(body, "Annulée") {
			t.Errorf("after the undo the page still offers it")
		}
	})
}
