package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/inbox"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/network/networktest"
	"github.com/tribune-social/tribune/internal/store"
)

// hidingNet is a network that lets the inbox hide and unhide, and records
// what it is asked.
func hidingNet() *networktest.Inbox {
	return networktest.Allowing(map[network.Action]network.Support{network.ActHide: network.Supported, network.ActUnhide: network.Supported})
}

// Moderation through the API: a mistake is a 422 in English and French; a
// rule saved by a manager hides matching items on the network, the item
// lists the action, and its undo unhides it on the network; trying a draft
// counts without acting; a community manager reads rules but cannot save.
func TestModerationThroughTheAPI(t *testing.T) {
	t.Parallel()
	in := newBrandInbox(t, apptest.Options{})
	env, owner, ws, tok := in.env, in.owner, in.ws, in.tok
	cm := env.Token(t, env.Member(t, owner, ws.ID, "cm@example.test", auth.CommunityMgr))
	netw := hidingNet()
	env.App.Inbox.Connectors = map[string]network.Connector{"sandbox": netw}
	rules := fmt.Sprintf("/api/v1/workspaces/%d/moderation-rules", ws.ID)

	r := env.Do(t, tok, http.MethodPost, rules, strings.NewReader(`{"name":"","enabled":true,"order":1,"conditions":[{"kind":"regex","pattern":"("}],"actions":[]}`))
	bad := decode[struct {
		Code    string
		Details []struct {
			Location, Message string
			FR                string `json:"message_fr"`
		}
	}](t, r)
	if r.StatusCode != 422 || len(bad.Details) < 3 {
		t.Fatalf("invalid rule: %d %+v", r.StatusCode, bad)
	}
	for _, d := range bad.Details {
		if d.FR == "" || d.FR == d.Message || d.Location == "" {
			t.Errorf("detail without its French or its place: %+v", d)
		}
	}

	rule := `{"name":"Scams","enabled":true,"order":1,"conditions":[{"kind":"keywords","terms":["arnaque"]}],"actions":[{"kind":"hide"}]}`
	if r := env.Do(t, cm, http.MethodPost, rules, strings.NewReader(rule)); r.StatusCode != 403 {
		t.Errorf("community manager saved a rule: %d", r.StatusCode)
	}
	if r := env.Do(t, tok, http.MethodPost, rules, strings.NewReader(rule)); r.StatusCode != 201 {
		t.Fatalf("save: %d", r.StatusCode)
	}
	listed := decode[struct{ Rules []struct{ Name string } }](t, env.Do(t, cm, http.MethodGet, rules, nil))
	if len(listed.Rules) != 1 || listed.Rules[0].Name != "Scams" {
		t.Errorf("rules read by a community manager: %+v", listed)
	}

	items := []network.Item{
		{ExternalID: "s1", Kind: network.KindComment, Ref: network.Ref{ID: "s1"}, Author: network.Author{ExternalID: "x"}, Text: "Une arnaque", CreatedAt: time.Now()},
		{ExternalID: "s2", Kind: network.KindComment, Ref: network.Ref{ID: "s2"}, Author: network.Author{ExternalID: "x"}, Text: "Bravo", CreatedAt: time.Now()},
	}
	in.ingest(t, items...)
	runRuleActs(t, env, owner, ws.ID)
	seen := func() string { return strings.Join(netw.Acts(), ",") }
	if got := seen(); got != "hide s1" {
		t.Fatalf("network saw %q, want hide s1", got)
	}
	page := decode[struct{ Items []itemJSON }](t, env.Do(t, tok, http.MethodGet, fmt.Sprintf("/api/v1/workspaces/%d/inbox?q=arnaque", ws.ID), nil))
	if len(page.Items) != 1 {
		t.Fatalf("search: %+v", page)
	}
	acts := decode[struct {
		Actions []struct {
			ID             int64
			RuleName       string `json:"rule_name"`
			Action, Result string
			Undoable       bool
		}
	}](t, env.Do(t, cm, http.MethodGet, fmt.Sprintf("/api/v1/inbox/items/%d/rule-actions", page.Items[0].ID), nil))
	if len(acts.Actions) != 1 || acts.Actions[0].RuleName != "Scams" || acts.Actions[0].Action != "hide" || acts.Actions[0].Result != "ok" || !acts.Actions[0].Undoable {
		t.Fatalf("rule actions: %+v", acts)
	}
	undo := fmt.Sprintf("/api/v1/inbox/rule-actions/%d/undo", acts.Actions[0].ID)
	if r := env.Do(t, cm, http.MethodPost, undo, nil); r.StatusCode != 200 {
		t.Fatalf("undo: %d", r.StatusCode)
	}
	if got := seen(); got != "hide s1,unhide s1" {
		t.Errorf("network saw %q, want the hide then the unhide", got)
	}
	if r := env.Do(t, cm, http.MethodPost, undo, nil); r.StatusCode != 409 {
		t.Errorf("second undo: %d, want 409", r.StatusCode)
	}

	draft := `{"name":"Bravo","enabled":false,"order":2,"conditions":[{"kind":"keywords","terms":["bravo"]}],"actions":[{"kind":"tag","tag":"fan"}]}`
	tried := decode[struct {
		Items, Matched int
		Days           int
		ItemIDs        []int64 `json:"item_ids"`
	}](t, env.Do(t, tok, http.MethodPost, rules+"/try", strings.NewReader(draft)))
	if tried.Items != 2 || tried.Matched != 1 || tried.Days != 30 || len(tried.ItemIDs) != 1 {
		t.Errorf("try: %+v", tried)
	}
	if got := seen(); got != "hide s1,unhide s1" {
		t.Errorf("trying acted on the network: %q", got)
	}
}

// On the Sandbox network itself: a rule hides what its audience writes, the
// Sandbox shows those items hidden, and undoing one unhides it there.
func TestModerationRuleHidesOnTheSandbox(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	owner, ws := env.Owner(t)
	tok := env.Token(t, owner)
	ch, err := env.App.Channels.ConnectSandbox(ctx, owner, ws.ID, "rules")
	if err != nil {
		t.Fatal(err)
	}
	rule := `{"name":"Sandbox","enabled":true,"order":1,"conditions":[{"kind":"network","values":["sandbox"]}],"actions":[{"kind":"hide"}]}`
	if r := env.Do(t, tok, http.MethodPost, fmt.Sprintf("/api/v1/workspaces/%d/moderation-rules", ws.ID), strings.NewReader(rule)); r.StatusCode != 201 {
		t.Fatalf("save: %d", r.StatusCode)
	}
	if r := env.Do(t, tok, http.MethodPut, fmt.Sprintf("/api/v1/channels/%d/sandbox-audience", ch.ID), strings.NewReader(`{"rate":60,"languages":["fr"]}`)); r.StatusCode != 200 {
		t.Fatalf("audience: %d", r.StatusCode)
	}
	ib, ok := env.App.Inbox.Connectors["sandbox"].(network.Inbox)
	if !ok {
		t.Fatal("the Sandbox connector has no inbox")
	}
	acct, err := env.App.Channels.Account(ctx, ch)
	if err != nil {
		t.Fatal(err)
	}
	var fetched []network.Item
	for deadline := time.Now().Add(10 * time.Second); len(fetched) == 0 && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		res, err := ib.FetchInbox(ctx, acct, network.FetchRequest{Limit: 20, Since: time.Now().Add(-time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		fetched = res.Items
	}
	if len(fetched) == 0 {
		t.Fatal("the Sandbox audience wrote nothing")
	}
	if _, err := env.App.Inbox.Ingest(ctx, ch, fetched); err != nil {
		t.Fatal(err)
	}
	runRuleActs(t, env, owner, ws.ID)
	hiddenOnSandbox := func(id string) bool {
		for _, it := range env.Sandbox.Inbox(ch.ExternalID) {
			if it.ID == id {
				return it.Hidden
			}
		}
		t.Fatalf("the Sandbox has no item %s", id)
		return false
	}
	for _, it := range fetched {
		if !hiddenOnSandbox(it.ExternalID) {
			t.Errorf("item %s (%s) is not hidden on the Sandbox", it.ExternalID, it.Kind)
		}
	}
	page := decode[struct{ Items []itemJSON }](t, env.Do(t, tok, http.MethodGet, fmt.Sprintf("/api/v1/workspaces/%d/inbox", ws.ID), nil))
	if len(page.Items) != len(fetched) {
		t.Fatalf("inbox has %d items, fetched %d", len(page.Items), len(fetched))
	}
	acts := decode[struct {
		Actions []struct{ ID int64 }
	}](t, env.Do(t, tok, http.MethodGet, fmt.Sprintf("/api/v1/inbox/items/%d/rule-actions", page.Items[0].ID), nil))
	if len(acts.Actions) != 1 {
		t.Fatalf("rule actions: %+v", acts)
	}
	if r := env.Do(t, tok, http.MethodPost, fmt.Sprintf("/api/v1/inbox/rule-actions/%d/undo", acts.Actions[0].ID), nil); r.StatusCode != 200 {
		t.Fatalf("undo: %d", r.StatusCode)
	}
	item, err := env.App.Inbox.Item(ctx, owner, page.Items[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if hiddenOnSandbox(item.ExternalID) || item.Hidden {
		t.Errorf("item %s is still hidden after the undo", item.ExternalID)
	}
}

// runRuleActs performs the rules' network actions the ingestion queued,
// as their River job does (these apps run no workers).
func runRuleActs(t *testing.T, env *apptest.Env, owner store.User, wsID int64) {
	t.Helper()
	ctx := context.Background()
	page, err := env.App.Inbox.List(ctx, owner, wsID, inbox.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range page.Items {
		acts, err := env.App.Inbox.RuleActions(ctx, owner, it.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range acts {
			if a.Result == inbox.ResultQueued {
				if err := env.App.Inbox.PerformRuleAct(ctx, inbox.RuleActArgs{ActionID: a.ID}); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}
