package inbox

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/live"
	"github.com/tribune-social/tribune/internal/moderation"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/store/storetest"
	"github.com/tribune-social/tribune/internal/webhooks"
)

// txRecorder is a Webhooks that writes each event as a row in the caller's
// transaction (a disabled-looking endpoint whose URL names the event), so
// the test sees an event if and only if its transaction committed; failAt,
// when set, makes that emission fail, rolling the transaction back.
type txRecorder struct {
	mu     sync.Mutex
	calls  int
	failAt int
}

var errBoom = errors.New("boom")

func (r *txRecorder) EmitEach(ctx context.Context, tx store.Tx, ws int64, t webhooks.EventType, data []any) error {
	for _, d := range data {
		if err := r.Emit(ctx, tx, ws, t, d); err != nil {
			return err
		}
	}
	return nil
}

func (r *txRecorder) Emit(ctx context.Context, tx store.Tx, ws int64, t webhooks.EventType, data any) error {
	r.mu.Lock()
	r.calls++
	n := r.calls
	r.mu.Unlock()
	if n == r.failAt {
		return errBoom
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return err
	}
	_, err = tx.CreateWebhookEndpoint(ctx, store.CreateWebhookEndpointParams{WorkspaceID: ws, URL: "recorded:" + string(t) + " " + string(raw),
		Events: "[]", SecretSealed: []byte{1}, SecretKeyID: "k", CreatedBy: 1, CreatedAt: t0})
	return err
}

// listen gives the service a started live broker and a txRecorder for its
// webhooks, and returns them with the workspace's live events; all stop
// when the test ends.
func (f *fixture) listen(t *testing.T) (*live.Broker, *txRecorder, <-chan live.Event) {
	t.Helper()
	b := live.New(live.Options{})
	must(t, b.Start(context.Background()))
	t.Cleanup(b.Stop)
	rec := &txRecorder{}
	f.s.Live, f.s.Webhooks = b, rec
	events, stop := b.Subscribe(f.ws.ID)
	t.Cleanup(stop)
	return b, rec, events
}

// recorded returns the events committed for ws: type and data.
func recorded(t *testing.T, st store.Store, ws int64) (types []string, data []map[string]any) {
	t.Helper()
	eps, err := st.ListEnabledWebhookEndpoints(context.Background(), ws)
	must(t, err)
	for _, e := range eps {
		typ, raw, _ := strings.Cut(strings.TrimPrefix(e.URL, "recorded:"), " ")
		var d map[string]any
		must(t, json.Unmarshal([]byte(raw), &d))
		types, data = append(types, typ), append(data, d)
	}
	return types, data
}

func drain(ch <-chan live.Event) []live.Event {
	var out []live.Event
	for {
		select {
		case e := <-ch:
			out = append(out, e)
		case <-time.After(200 * time.Millisecond):
			return out
		}
	}
}

// Ingested items reach the workspace's open pages (after the commit) and
// its webhooks (in the transaction); a rolled-back ingestion reaches
// neither; a status change is an inbox.item.updated and an item.updated.
func TestIngestAndTriageEmitLiveEventsAndWebhooks(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		b, rec, events := f.listen(t)
		other, stopOther := b.Subscribe(f.ws.ID + 1000)
		defer stopOther()

		// A rolled-back ingestion: the second item's emission fails.
		rec.failAt = 2
		if _, err := f.s.Ingest(ctx, f.ch, comments(1, 2)); !errors.Is(err, errBoom) {
			t.Fatalf("ingestion with a failing emission: %v, want it to fail", err)
		}
		if n := len(f.allItems(t)); n != 0 {
			t.Fatalf("%d items stored by a rolled-back ingestion", n)
		}
		if types, _ := recorded(t, st, f.ws.ID); len(types) != 0 {
			t.Errorf("a rolled-back ingestion left webhook events %v", types)
		}
		if got := drain(events); len(got) != 0 {
			t.Errorf("a rolled-back ingestion published %+v", got)
		}

		rec.failAt = 0
		res, err := f.s.Ingest(ctx, f.ch, comments(1, 2))
		must(t, err)
		got := drain(events)
		if len(got) != 2 {
			t.Fatalf("live events after ingesting 2 items: %+v", got)
		}
		items := f.allItems(t)
		conv := strconv.FormatInt(items[0].ConversationID, 10)
		for i, e := range got {
			if e.Type != LiveItemNew || e.Subject != conv || string(e.Data) != `{"item":`+strconv.FormatInt(res.NewIDs[i], 10)+`}` {
				t.Errorf("live event %d: %+v, want item.new of conversation %s, item %d", i, e, conv, res.NewIDs[i])
			}
		}
		if leaked := drain(other); len(leaked) != 0 {
			t.Errorf("another workspace received %+v", leaked)
		}
		types, data := recorded(t, st, f.ws.ID)
		if len(types) != 2 || types[0] != string(webhooks.InboxItemCreated) || types[1] != string(webhooks.InboxItemCreated) {
			t.Fatalf("webhook events after ingesting 2 items: %v", types)
		}
		if it := data[0]["item"].(map[string]any); it["text"] != "comment number 1" || it["external_id"] != "c1" || it["status"] != "new" {
			t.Errorf("inbox.item.created data: %v", data[0])
		}

		// A repeated fetch changes nothing and tells nobody.
		_, err = f.s.Ingest(ctx, f.ch, comments(1, 2))
		must(t, err)
		if got := drain(events); len(got) != 0 {
			t.Errorf("a repeated fetch published %+v", got)
		}
		// An edit from the network is an item.updated for open pages only.
		e1 := comment(1, "edited")
		e1.EditedAt = t0.Add(time.Hour)
		_, err = f.s.Ingest(ctx, f.ch, append(comments(2, 2), e1))
		must(t, err)
		if got := drain(events); len(got) != 1 || got[0].Type != LiveItemUpdated || got[0].Subject != conv {
			t.Errorf("after an edit: %+v, want one item.updated", got)
		}

		// A status change: a webhook per item in the triage transaction.
		open := StatusOpen
		must(t, f.s.Update(ctx, f.cm, f.ws.ID, res.NewIDs, Change{Status: &open}))
		if got := drain(events); len(got) != 2 || got[0].Type != LiveItemUpdated {
			t.Errorf("after a status change: %+v, want two item.updated", got)
		}
		types, data = recorded(t, st, f.ws.ID)
		if len(types) != 4 || types[2] != string(webhooks.InboxItemUpdated) || data[2]["status"] != "open" || data[2]["previous_status"] != "new" {
			t.Errorf("webhooks after a status change: %v %v", types, data)
		}
		// Tags alone are not a change of status.
		must(t, f.s.Update(ctx, f.cm, f.ws.ID, res.NewIDs, Change{AddTags: []string{"vip"}}))
		if types, _ := recorded(t, st, f.ws.ID); len(types) != 4 {
			t.Errorf("tagging emitted webhooks: %v", types)
		}
	})
}

// A poll tells the same as an ingestion: its page's items, committed with
// its cursor, reach webhooks in that transaction and pages after it.
func TestPollEmitsLiveEventsAndWebhooks(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		_, _, events := f.listen(t)
		f.conn.items = comments(1, 3)
		must(t, st.EnsureInboxPollState(ctx, store.EnsureInboxPollStateParams{ChannelID: f.ch.ID, NextPollAt: f.now}))
		must(t, f.s.Poll(ctx, f.ch.ID))
		if got := drain(events); len(got) != 3 || got[0].Type != LiveItemNew {
			t.Errorf("live events after a poll of 3 items: %+v", got)
		}
		if types, _ := recorded(t, st, f.ws.ID); len(types) != 3 || types[0] != string(webhooks.InboxItemCreated) {
			t.Errorf("webhook events after a poll of 3 items: %v", types)
		}
	})
}

// Everything a member sees on a conversation reaches the others' open pages
// without a reload: a note, a reply (queued, then sent), an answer marked
// outside Tribune, a rule's action undone. Undoing a rule's status or
// assignee is a status change for webhook receivers, as any member's is.
func TestNotesRepliesAndUndoReachOpenPages(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f, _, ch, c1, _ := replyFixture(t, st)
		_, _, events := f.listen(t)
		conv := strconv.FormatInt(c1.ConversationID, 10)
		heard := func(what string) {
			t.Helper()
			got := drain(events)
			if len(got) == 0 || got[0].Type != LiveItemUpdated || got[0].Subject != conv {
				t.Errorf("%s: live events %+v, want item.updated of conversation %s", what, got, conv)
			}
		}
		_, err := f.s.AddNote(ctx, f.cm, c1.ID, "VIP, answer first")
		must(t, err)
		heard("a note")
		r, err := f.s.Reply(ctx, f.cm, c1.ID, "Thank you!")
		must(t, err)
		heard("a reply queued")
		must(t, f.s.SendReply(ctx, r.ID, false))
		heard("a reply sent")
		must(t, f.s.MarkResponded(ctx, f.cm, c1.ID))
		heard("an answer marked")

		_, err = f.s.SaveRule(ctx, f.owner, f.ws.ID, moderation.Rule{Name: "Done", Enabled: true, Order: 1,
			Conditions: []moderation.Condition{{Kind: moderation.CondKeywords, Terms: []string{"merci"}}},
			Actions:    []moderation.Action{{Kind: moderation.ActAssign, MemberID: f.cm.ID}, {Kind: moderation.ActDone}}})
		must(t, err)
		_, err = f.s.Ingest(ctx, ch, []network.Item{comment(7, "merci beaucoup")})
		must(t, err)
		drain(events)
		it, err := st.GetInboxItemByExternal(ctx, store.GetInboxItemByExternalParams{ChannelID: ch.ID, ExternalID: "c7"})
		must(t, err)
		before, _ := recorded(t, st, f.ws.ID)
		acts := ruleActionsOf(t, f, it.ID)
		for _, a := range acts {
			_, err := f.s.UndoRuleAction(ctx, f.owner, a.ID)
			must(t, err)
			heard("undo of " + a.Action)
		}
		types, data := recorded(t, st, f.ws.ID)
		types, data = types[len(before):], data[len(before):]
		if len(types) != 2 || types[0] != string(webhooks.InboxItemUpdated) || types[1] != string(webhooks.InboxItemUpdated) {
			t.Fatalf("webhook events of the two undos: %v, want two inbox.item.updated", types)
		}
		if a, ok := data[0]["assignee_id"]; !ok || a != nil {
			t.Errorf("undone assignment: %v, want assignee_id null", data[0])
		}
		if data[1]["status"] != string(StatusNew) || data[1]["previous_status"] != string(StatusDone) {
			t.Errorf("undone status: %v, want done → new", data[1])
		}
	})
}

// Every action a rule takes reaches the endpoints subscribed to
// inbox.rule.action, in the transaction that did it: the triage actions
// with the ingestion, a hide once the network answered (its failure too),
// each with the audit row's id an undo takes. An escalation by webhook is
// not told twice, and an open page sees the item hidden without a reload.
func TestEveryRuleActionReachesSubscribedWebhooks(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		_, _, events := f.listen(t)
		f.s.RuleWebhooks = &hooks{}
		_, err := f.s.SaveRule(ctx, f.owner, f.ws.ID, hideScams(1))
		must(t, err)
		_, err = f.s.SaveRule(ctx, f.owner, f.ws.ID, moderation.Rule{Name: "Legal", Enabled: true, Order: 2,
			Conditions: []moderation.Condition{{Kind: moderation.CondKeywords, Terms: []string{"arnaque"}}},
			Actions:    []moderation.Action{{Kind: moderation.ActPriority, Priority: moderation.PriorityUrgent}, {Kind: moderation.ActWebhook, WebhookID: 7}}})
		must(t, err)
		_, err = f.s.Ingest(ctx, f.ch, []network.Item{comment(1, "C'est une arnaque !"), comment(2, "I love it"), comment(3, "encore une arnaque")})
		must(t, err)
		drain(events)

		ruleEvents := func() []map[string]any {
			types, data := recorded(t, st, f.ws.ID)
			var out []map[string]any
			for i, typ := range types {
				if typ == string(webhooks.InboxRuleAction) {
					out = append(out, data[i])
				}
			}
			return out
		}
		c1, c3 := itemByExternal(t, f, "c1"), itemByExternal(t, f, "c3")
		auditOf := func(it store.InboxItem, action string) store.InboxAction {
			for _, a := range ruleActionsOf(t, f, it.ID) {
				if a.Action == action {
					return a
				}
			}
			t.Fatalf("no %s audited on item %d: %+v", action, it.ID, ruleActionsOf(t, f, it.ID))
			return store.InboxAction{}
		}
		type told struct {
			item     int64
			action   string
			id       int64
			result   string
			detail   string
			ruleName string
		}
		tell := func(d map[string]any) told {
			it := d["item"].(map[string]any)
			id, _ := d["action_id"].(float64)
			detail, _ := d["detail"].(string)
			return told{int64(it["id"].(float64)), d["action"].(string), int64(id), d["result"].(string), detail, d["rule_name"].(string)}
		}
		var got []told
		for _, d := range ruleEvents() {
			got = append(got, tell(d))
		}
		want := []told{
			{c1.ID, "tag", auditOf(c1, "tag").ID, ResultOK, "scam", "Scams"},
			{c1.ID, "set_priority", auditOf(c1, "set_priority").ID, ResultOK, "Urgent", "Legal"},
			{c3.ID, "tag", auditOf(c3, "tag").ID, ResultOK, "scam", "Scams"},
			{c3.ID, "set_priority", auditOf(c3, "set_priority").ID, ResultOK, "Urgent", "Legal"},
		}
		if !slices.Equal(got, want) {
			t.Fatalf("inbox.rule.action after the ingestion:\n got %+v\nwant %+v (no hide before the network answers, no escalation twice)", got, want)
		}

		// The network hides c1 and refuses c3.
		hide1, hide3 := auditOf(c1, "hide"), auditOf(c3, "hide")
		must(t, f.s.PerformRuleAct(ctx, RuleActArgs{ActionID: hide1.ID}))
		f.conn.mu.Lock()
		f.conn.actErr = &network.Error{Kind: network.Permanent, Message: "not yours to hide"}
		f.conn.mu.Unlock()
		must(t, f.s.PerformRuleAct(ctx, RuleActArgs{ActionID: hide3.ID}))
		all := ruleEvents()
		if len(all) != 6 {
			t.Fatalf("inbox.rule.action after the hides: %d events, want 6", len(all))
		}
		if h := tell(all[4]); h != (told{c1.ID, "hide", hide1.ID, ResultOK, "", "Scams"}) {
			t.Errorf("the hide told as %+v", h)
		}
		if h := tell(all[5]); h != (told{c3.ID, "hide", hide3.ID, ResultFailed, "", "Scams"}) || all[5]["error"] != "not yours to hide" {
			t.Errorf("the failed hide told as %+v %v", h, all[5])
		}
		conv := strconv.FormatInt(c1.ConversationID, 10)
		if got := drain(events); len(got) != 1 || got[0].Type != LiveItemUpdated || got[0].Subject != conv {
			t.Errorf("live events after the hides: %+v, want one item.updated of conversation %s", got, conv)
		}
	})
}
