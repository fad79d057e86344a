package contacts

import (
	"database/sql"
	"encoding/json"
	"strings"
	"testing"

	"github.com/riverqueue/river"

	"github.com/tribune-social/tribune/internal/inbox"
	"github.com/tribune-social/tribune/internal/secret"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/store/postgres"
	"github.com/tribune-social/tribune/internal/store/sqlite"
	"github.com/tribune-social/tribune/internal/webhooks"
)

// withWebhooks subscribes an endpoint to the inbox's events, so that each
// item the fixture ingests queues a webhook job carrying it (the jobs are
// not run: they stay in River's table, as sent ones do until River's
// retention removes them).
func (f *fixture) withWebhooks(t *testing.T) {
	t.Helper()
	must(t, f.st.SetupJobs(&river.Config{}))
	keys, err := secret.ParseKeyring(secret.NewKeySpec("k1"))
	must(t, err)
	wh := &webhooks.Service{Store: f.st, Auth: f.s.Auth, Keys: keys, AllowPrivate: true, Now: f.s.Now}
	ep, _, err := wh.Create(f.ctx, f.owner, f.ws.ID, webhooks.Input{URL: "http://127.0.0.1:9/hook", Enabled: true,
		Events: []webhooks.EventType{webhooks.InboxItemCreated, webhooks.InboxItemUpdated, webhooks.InboxRuleAction}})
	must(t, err)
	f.in.Webhooks, f.webhooks = wh, wh
	f.endpoint = ep.ID
}

// webhookJob is one queued webhook event, as River keeps it.
type webhookJob struct {
	Args string
	Data struct {
		EventID string `json:"event_id"`
		Data    struct {
			Item struct {
				ID int64 `json:"id"`
			} `json:"item"`
		} `json:"data"`
	}
}

// webhookJobs reads River's table directly: the store does not list jobs.
func (f *fixture) webhookJobs(t *testing.T) []webhookJob {
	t.Helper()
	var raw []string
	switch st := f.st.(type) {
	case *sqlite.Store:
		db, err := sql.Open("sqlite", st.Path())
		must(t, err)
		defer db.Close()
		rows, err := db.QueryContext(f.ctx, `SELECT json(args) FROM river_job WHERE kind = 'webhook_deliver' ORDER BY id`)
		must(t, err)
		defer rows.Close()
		for rows.Next() {
			var s string
			must(t, rows.Scan(&s))
			raw = append(raw, s)
		}
		must(t, rows.Err())
	case *postgres.Store:
		rows, err := st.Pool().Query(f.ctx, `SELECT args::text FROM river_job WHERE kind = 'webhook_deliver' ORDER BY id`)
		must(t, err)
		defer rows.Close()
		for rows.Next() {
			var s string
			must(t, rows.Scan(&s))
			raw = append(raw, s)
		}
		must(t, rows.Err())
	default:
		t.Fatalf("unknown store %T", f.st)
	}
	out := make([]webhookJob, len(raw))
	for i, s := range raw {
		out[i].Args = s
		must(t, json.Unmarshal([]byte(s), &out[i].Data))
	}
	return out
}

// leaveCopies writes, for one item by one person, every copy of their
// words and names the inbox keeps elsewhere, in the forms the inbox writes
// them: a reply that names them (approved with changes), the rule and
// approval audit quoting them, the escalation and approval notifications,
// and the delivery log's answer echoing the webhook event. It returns the
// texts written, as copies lists them, to find them again.
func (f *fixture) leaveCopies(t *testing.T, it store.InboxItem, handle, name string) []string {
	t.Helper()
	orig, final := "@"+handle+" hi "+name, "@"+handle+" thanks, "+name+"!"
	_, err := f.st.CreateInboxReply(f.ctx, store.CreateInboxReplyParams{WorkspaceID: it.WorkspaceID, ChannelID: it.ChannelID, ItemID: it.ID,
		ConversationID: it.ConversationID, UserID: &f.cm.ID, Text: final, CreatedAt: t0})
	must(t, err)
	auto := "@" + handle + " we got your message"
	must(t, f.st.AddInboxAction(f.ctx, store.AddInboxActionParams{WorkspaceID: it.WorkspaceID, ItemID: it.ID, Action: "auto_reply",
		Detail: auto, Result: "ok", CreatedAt: t0}))
	approval := "approved with changes; the contributor wrote: " + orig
	must(t, f.st.AddInboxAction(f.ctx, store.AddInboxActionParams{WorkspaceID: it.WorkspaceID, ItemID: it.ID, UserID: &f.owner.ID,
		Action: "reply_approval", Detail: approval, Result: "ok", CreatedAt: t0}))
	// An escalation quotes the first 500 characters, then an ellipsis.
	quoted := it.Text
	if r := []rune(quoted); len(r) > 500 {
		quoted = string(r[:500]) + "…"
	}
	escalated := quoted + "\n\n" + it.RefURL
	notes := []store.AddNotificationParams{
		{UserID: f.owner.ID, Kind: "inbox_escalated", Title: "An inbox item escalated by the rule Urgent", Body: escalated},
		{UserID: f.owner.ID, Kind: "inbox_reply_to_approve", Title: "A reply awaits your approval", Body: f.cm.Name + ": " + orig},
		{UserID: f.cm.ID, Kind: "inbox_reply_approved_edited", Title: "Your reply was approved with changes", Body: final},
	}
	for _, n := range notes {
		n.WorkspaceID, n.CreatedAt = it.WorkspaceID, t0
		must(t, f.st.AddNotification(f.ctx, n))
	}
	// A rule's auto-reply tells the endpoints, with the reply as the detail
	// and the item's author (as rules_apply does).
	must(t, f.st.InTx(f.ctx, func(tx store.Tx) error {
		return f.webhooks.Emit(f.ctx, tx, it.WorkspaceID, webhooks.InboxRuleAction, inbox.RuleActionEvent{RuleName: "Thanks",
			Action: "auto_reply", Result: "ok", Detail: auto, Item: inbox.RuleActionItem{ID: it.ID, ChannelID: it.ChannelID,
				Network: it.Network, Kind: it.Kind, Text: it.Text, URL: it.RefURL, Author: handle}})
	}))
	var echoes []string
	for _, j := range f.webhookJobs(t) {
		if j.Data.Data.Item.ID != it.ID {
			continue
		}
		echo := `{"received":` + j.Args + `}`
		must(t, f.st.AddWebhookDelivery(f.ctx, store.AddWebhookDeliveryParams{EndpointID: f.endpoint, EventID: j.Data.EventID,
			EventType: string(webhooks.InboxItemCreated), Attempt: 1, At: t0, Outcome: "delivered", HTTPStatus: 200, Response: echo}))
		echoes = append(echoes, "delivery: "+echo)
	}
	if len(echoes) == 0 {
		t.Fatalf("no webhook event for item %d", it.ID)
	}
	return append([]string{"reply: " + final, "audit: " + auto, "audit: " + approval, "notification: " + escalated,
		"notification: " + f.cm.Name + ": " + orig, "notification: " + final}, echoes...)
}

// copies is every row where the inbox keeps a copy of someone's words:
// the replies to and audit of these items, the workspace's members'
// notifications, the endpoint's delivery log and River's webhook jobs.
// Each text starts with its table ("reply: ", "notification: "…), so that
// the same words kept in two tables are told apart.
type copies struct {
	texts                                     []string
	replies, actions, notes, deliveries, jobs int
}

func (f *fixture) copies(t *testing.T, items []store.InboxItem) copies {
	t.Helper()
	var c copies
	var ids []int64
	for _, it := range items {
		ids = append(ids, it.ID)
		rs, err := f.st.ListInboxRepliesOfConversation(f.ctx, it.ConversationID)
		must(t, err)
		for _, r := range rs {
			if r.ItemID == it.ID {
				c.texts, c.replies = append(c.texts, "reply: "+r.Text, "reply comment: "+r.DecisionComment), c.replies+1
			}
		}
	}
	acts, err := f.st.ListInboxActions(f.ctx, ids)
	must(t, err)
	for _, a := range acts {
		c.texts, c.actions = append(c.texts, "audit: "+a.Detail), c.actions+1
	}
	for _, u := range []store.User{f.owner, f.cm} {
		ns, err := f.st.ListNotifications(f.ctx, store.ListNotificationsParams{UserID: u.ID, MaxRows: 1000})
		must(t, err)
		for _, n := range ns {
			c.texts, c.notes = append(c.texts, "notification: "+n.Title, "notification: "+n.Body), c.notes+1
		}
	}
	ds, err := f.st.ListWebhookDeliveries(f.ctx, store.ListWebhookDeliveriesParams{EndpointID: f.endpoint, WorkspaceID: f.ws.ID, MaxRows: 1000})
	must(t, err)
	for _, d := range ds {
		c.texts, c.deliveries = append(c.texts, "delivery: "+d.Response), c.deliveries+1
	}
	for _, j := range f.webhookJobs(t) {
		c.texts, c.jobs = append(c.texts, "job: "+j.Args), c.jobs+1
	}
	return c
}

// has says whether any copy contains s (ignoring case).
func (c copies) has(s string) bool {
	_, ok := c.find(s)
	return ok
}

// find returns the first copy that contains s (ignoring case).
func (c copies) find(s string) (string, bool) {
	for _, x := range c.texts {
		if strings.Contains(strings.ToLower(x), strings.ToLower(s)) {
			return x, true
		}
	}
	return "", false
}

// hasExactly says whether one copy is exactly s.
func (c copies) hasExactly(s string) bool {
	for _, x := range c.texts {
		if x == s {
			return true
		}
	}
	return false
}

// counts is how many rows of each kind hold copies.
func (c copies) counts() [5]int {
	return [5]int{c.replies, c.actions, c.notes, c.deliveries, c.jobs}
}
