package inbox

import (
	"context"
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/tribune-social/tribune/internal/channels"
	"github.com/tribune-social/tribune/internal/moderation"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/publish"
	"github.com/tribune-social/tribune/internal/sentiment"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/webhooks"
)

// The moderation rules run inside the ingestion's transaction: an item
// is never committed without what its rules did to it, so a node that
// stops mid-fetch leaves nothing unmoderated. The triage actions (tag,
// assign, priority, done) are decided before the items are written and
// written with them (assignee, priority and status in the item's own row;
// tags and the audit in one statement each per fetch). What reaches out
// (hide and delete on the network) is a River job inserted in the same
// transaction, with its audit row queued: the job claims that row before
// it calls the network, so the network sees the action at most once.

// Results of a network action while its job has not finished: queued in
// the ingestion's transaction, in flight once the job claimed it. One that
// stays in flight was interrupted (a crash during the network's call):
// whether the network did it is unknown, and it is never called again.
const (
	ResultQueued   = "queued"
	ResultInFlight = "in_flight"
)

// RuleActArgs is the job that performs a rule's network action (hide,
// delete) audited, queued, as the inbox_actions row ActionID.
type RuleActArgs struct {
	ActionID int64 `json:"action_id"`
}

// Kind implements river.JobArgs.
func (RuleActArgs) Kind() string { return "inbox_rule_act" }

// InsertOpts implements river.JobArgsWithInsertOpts. The claim makes a
// retry after the network was called a no-op, so retries only help when
// the job failed before its call (the database was unreachable).
func (RuleActArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: Queue, MaxAttempts: 5}
}

type ruleActWorker struct {
	river.WorkerDefaults[RuleActArgs]
	s *Service
}

func (w *ruleActWorker) Work(ctx context.Context, job *river.Job[RuleActArgs]) error {
	return w.s.PerformRuleAct(ctx, job.Args)
}

// TxNotifier is a Notifier that can also write its notification in the
// caller's transaction (notify.Notifier): a rule's assignment and
// escalation are then told if and only if the items commit.
type TxNotifier interface {
	NotifyTx(ctx context.Context, tx store.Tx, n publish.Notification) error
}

// fetchRules applies a workspace's rules to one fetch's new items.
type fetchRules struct {
	s      *Service
	tx     store.Tx
	ch     store.Channel
	engine *moderation.Engine
	caps   *network.InboxCapabilities
	now    time.Time
	// members caches, per fetch, whether each assignee of a rule is a
	// member (nil: not one any more).
	members map[int64]*store.User
	// tags are the tags each row has been given so far.
	tags map[int]map[string]bool
	// recent are the texts of this fetch's earlier rows, by author id: the
	// spam condition compares an item with them as with the stored ones.
	recent map[int64][]string
	// planned are the actions in the order the rules asked for them.
	planned []plannedAct
	// after are the notifications for a Notifier that cannot join the
	// transaction: told once it committed.
	after []publish.Notification
}

// plannedAct is one action for one row of the fetch.
type plannedAct struct {
	row  int
	d    moderation.Decision
	p    moderation.Planned
	user *store.User // the assignee of an assign
	// audit is the row's audit as decided before the items were written
	// (triage actions, refusals, queued network actions); auto-replies,
	// webhooks and e-mails are decided once the item has its id.
	audit store.RuleActionRow
	late  bool
}

// newFetchRules is the rules' pass for one fetch, nil when the workspace
// has none.
func (s *Service) newFetchRules(ctx context.Context, tx store.Tx, ch store.Channel, now time.Time) (*fetchRules, error) {
	e, err := s.engineFor(ctx, tx, ch.WorkspaceID)
	if err != nil || e == nil || e.Len() == 0 {
		return nil, err
	}
	caps, ok, err := s.capabilities(ctx, ch)
	if err != nil {
		return nil, err
	}
	r := &fetchRules{s: s, tx: tx, ch: ch, engine: e, now: now, members: map[int64]*store.User{}, tags: map[int]map[string]bool{}}
	if ok {
		r.caps = &caps
	}
	return r, nil
}

// decide evaluates the rules on one row before it is written and applies
// the triage actions to the row itself, recording for each the value it
// replaced (so that an undo puts it back).
func (r *fetchRules) decide(ctx context.Context, i int, row *store.InboxItemRow, it network.Item, sent sentiment.Result) error {
	nit := it
	nit.Lang = row.DeclaredLang
	in := moderation.Input{Item: nit, Network: r.ch.Network, Capabilities: r.caps, Sentiment: sent}
	if r.engine.NeedsAuthorRecent() {
		recent, err := r.authorRecent(ctx, row)
		if err != nil {
			return err
		}
		in.AuthorRecent = recent
	}
	for _, d := range r.engine.Evaluate(in) {
		for _, p := range d.Actions {
			pa := plannedAct{row: i, d: d, p: p}
			var err error
			if pa.audit, pa.late, err = r.decideOne(ctx, row, &pa); err != nil {
				return err
			}
			r.planned = append(r.planned, pa)
		}
	}
	return nil
}

func (r *fetchRules) decideOne(ctx context.Context, row *store.InboxItemRow, pa *plannedAct) (store.RuleActionRow, bool, error) {
	p := pa.p
	audit := func(detail, result, msg, previous string) store.RuleActionRow {
		return r.auditRow(pa.d, p, detail, result, msg, previous)
	}
	if p.Unsupported != "" {
		return audit("", ResultRefused, p.Unsupported, ""), false, nil
	}
	a := p.Action
	switch a.Kind {
	case moderation.ActHide, moderation.ActDelete:
		// How it is undone is kept from now on; an undo takes a result ok.
		a := audit("", ResultQueued, "", "")
		a.Undo = undoOf(p)
		return a, false, nil
	case moderation.ActTag:
		tag := strings.TrimSpace(a.Tag)
		// A tag the item already had (from an earlier rule) is not
		// removed by the undo.
		previous := ""
		if r.tags[pa.row][tag] {
			previous = "had"
		}
		if r.tags[pa.row] == nil {
			r.tags[pa.row] = map[string]bool{}
		}
		r.tags[pa.row][tag] = true
		return audit(tag, ResultOK, "", previous), false, nil
	case moderation.ActAssign:
		u, err := r.member(ctx, a.MemberID)
		if err != nil {
			return store.RuleActionRow{}, false, err
		}
		if u == nil {
			// The member left the workspace since the rule was saved.
			return audit("", ResultRefused, errBadAssignee.Message, ""), false, nil
		}
		previous := ""
		if row.AssigneeID != nil {
			previous = strconv.FormatInt(*row.AssigneeID, 10)
		}
		row.AssigneeID, pa.user = &u.ID, u
		return audit(u.Name, ResultOK, "", previous), false, nil
	case moderation.ActPriority:
		cur := int64(PriorityNormal)
		if row.Priority != nil {
			cur = *row.Priority
		}
		pr := int64(a.Priority.Index())
		row.Priority = &pr
		return audit(Priority(pr).Name(), ResultOK, "", strconv.FormatInt(cur, 10)), false, nil
	case moderation.ActDone:
		previous := row.Status
		row.Status = string(StatusDone)
		return audit(string(StatusDone), ResultOK, "", previous), false, nil
	case moderation.ActAutoReply, moderation.ActWebhook, moderation.ActEmail:
		return store.RuleActionRow{}, true, nil
	}
	return audit("", ResultRefused, errUnknownAct.Message, ""), false, nil
}

func (r *fetchRules) auditRow(d moderation.Decision, p moderation.Planned, detail, result, msg, previous string) store.RuleActionRow {
	undo := ""
	if result == ResultOK && p.Undo.OK {
		undo = string(p.Undo.Inverse)
	}
	var rule *int64
	if d.RuleID != 0 {
		rule = &d.RuleID
	}
	return store.RuleActionRow{WorkspaceID: r.ch.WorkspaceID, Action: string(p.Action.Kind), Detail: detail, Result: result, Error: msg,
		CreatedAt: store.RowTime(r.now), RuleID: rule, RuleName: d.RuleName, Undo: undo, Previous: previous}
}

// member is the user memberID when they read the workspace, nil when not.
func (r *fetchRules) member(ctx context.Context, memberID int64) (*store.User, error) {
	if u, ok := r.members[memberID]; ok {
		return u, nil
	}
	u, err := r.tx.GetUser(ctx, memberID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		r.members[memberID] = nil
		return nil, nil
	case err != nil:
		return nil, err
	}
	if _, _, err := r.s.Auth.Authorize(ctx, u, r.ch.WorkspaceID, permRead); err != nil {
		r.members[memberID] = nil
		return nil, nil
	}
	r.members[memberID] = &u
	return &u, nil
}

// written finishes the rules once the rows are stored: items holds, per
// row, the stored item (ID 0: not added, another writer stored it first,
// and its rules ran there). It performs the auto-replies, webhooks and
// e-mails, writes the tags and the audit, queues the network actions and
// tells the assignees.
func (r *fetchRules) written(ctx context.Context, items []store.InboxItem, authors map[int64]network.Author) error {
	tx := r.tx
	var audits []store.RuleActionRow
	// about are, per audit row, the item and author an inbox.rule.action
	// event describes.
	var about []ruleActionSubject
	queued := 0
	var tags []store.TagRow
	type told struct{ user, rule int64 }
	assigned := map[told]publish.Notification{}
	var order []told
	for _, pa := range r.planned {
		it := items[pa.row]
		if it.ID == 0 {
			continue
		}
		if !pa.late {
			a := pa.audit
			a.ItemID = it.ID
			audits = append(audits, a)
			about = append(about, ruleActionSubject{it, authors[it.AuthorID]})
			switch {
			case a.Result == ResultQueued:
				queued++
			case a.Result == ResultOK && pa.p.Action.Kind == moderation.ActTag:
				tags = append(tags, store.TagRow{ItemID: it.ID, Tag: a.Detail})
			case a.Result == ResultOK && pa.user != nil:
				k := told{pa.user.ID, pa.d.RuleID}
				if _, ok := assigned[k]; !ok {
					order = append(order, k)
					assigned[k] = publish.Notification{UserID: pa.user.ID, WorkspaceID: it.WorkspaceID, Kind: NotifyAssigned,
						Title: "Inbox items assigned to you by the rule " + pa.d.RuleName, Body: "Open the inbox to answer them."}
				}
			}
			continue
		}
		late, err := r.perform(ctx, pa, it, authors[it.AuthorID])
		if err != nil {
			return err
		}
		for _, a := range late {
			a.ItemID = it.ID
			audits = append(audits, a)
			about = append(about, ruleActionSubject{it, authors[it.AuthorID]})
		}
	}
	if len(tags) > 0 {
		if err := tx.AddInboxItemTagRows(ctx, tags); err != nil {
			return err
		}
	}
	if len(audits) > 0 {
		rows, err := tx.AddInboxRuleActionRows(ctx, audits)
		if err != nil {
			return err
		}
		ids, err := auditIDs(audits, rows)
		if err != nil {
			return err
		}
		if queued > 0 {
			if err := r.queue(ctx, audits, ids); err != nil {
				return err
			}
		}
		if err := r.s.emitRuleActions(ctx, tx, r.ch, audits, ids, about); err != nil {
			return err
		}
	}
	for _, k := range order {
		if err := r.notify(ctx, assigned[k]); err != nil {
			return err
		}
	}
	return nil
}

// auditIDs matches the audit rows written to the ids returned, in the
// rows' order (ids grow in the order the rows were given, per item, action
// and rule).
func auditIDs(audits []store.RuleActionRow, rows []store.AddInboxRuleActionsRow) ([]int64, error) {
	type key struct {
		item   int64
		action string
		rule   int64
	}
	keyOf := func(item int64, action string, rule *int64) key {
		k := key{item: item, action: action}
		if rule != nil {
			k.rule = *rule
		}
		return k
	}
	byKey := map[key][]int64{}
	for _, row := range rows {
		k := keyOf(row.ItemID, row.Action, row.RuleID)
		byKey[k] = append(byKey[k], row.ID)
	}
	for k := range byKey {
		slices.Sort(byKey[k])
	}
	ids := make([]int64, len(audits))
	for i, a := range audits {
		k := keyOf(a.ItemID, a.Action, a.RuleID)
		got := byKey[k]
		if len(got) == 0 {
			return nil, errors.New("inbox: a rule action was not written")
		}
		ids[i], byKey[k] = got[0], got[1:]
	}
	return ids, nil
}

// queue inserts the job of each queued network action (ids: the audit
// rows' ids, as auditIDs matched them).
func (r *fetchRules) queue(ctx context.Context, audits []store.RuleActionRow, ids []int64) error {
	for i, a := range audits {
		if a.Result != ResultQueued {
			continue
		}
		if _, err := r.tx.InsertJob(ctx, RuleActArgs{ActionID: ids[i]}, nil); err != nil {
			return err
		}
	}
	return nil
}

func undoOf(p moderation.Planned) string {
	if p.Undo.OK {
		return string(p.Undo.Inverse)
	}
	return ""
}

// perform does an action that needs the stored item (auto-reply, webhook,
// e-mail) in the ingestion's transaction and returns its audit rows (none
// for a queued auto-reply: the reply job audits how it went).
func (r *fetchRules) perform(ctx context.Context, pa plannedAct, it store.InboxItem, author network.Author) ([]store.RuleActionRow, error) {
	switch pa.p.Action.Kind {
	case moderation.ActAutoReply:
		return r.autoReply(ctx, pa.d, pa.p, it)
	case moderation.ActWebhook:
		a, err := r.webhook(ctx, pa.d, pa.p, it, author)
		return []store.RuleActionRow{a}, err
	case moderation.ActEmail:
		return r.escalate(ctx, pa.d, pa.p, it)
	}
	return []store.RuleActionRow{r.auditRow(pa.d, pa.p, "", ResultRefused, errUnknownAct.Message, "")}, nil
}

// escalate tells each member named by address, through the notifier (in
// the app, and by e-mail when SMTP is configured). The notifier only
// writes to members; an address that is not one is recorded as not sent
// rather than silently dropped.
func (r *fetchRules) escalate(ctx context.Context, d moderation.Decision, p moderation.Planned, it store.InboxItem) ([]store.RuleActionRow, error) {
	s := r.s
	var out []store.RuleActionRow
	for _, addr := range p.Action.Emails {
		u, err := r.tx.GetUserByEmail(ctx, strings.ToLower(strings.TrimSpace(addr)))
		if err == nil {
			_, _, err = s.Auth.Authorize(ctx, u, it.WorkspaceID, permRead)
		}
		if err != nil || s.Notifier == nil {
			out = append(out, r.auditRow(d, p, addr, ResultRefused, noteNotMember, ""))
			continue
		}
		text := it.Text
		if len([]rune(text)) > 500 {
			text = string([]rune(text)[:500]) + "…"
		}
		if err := r.notify(ctx, publish.Notification{UserID: u.ID, WorkspaceID: it.WorkspaceID, Kind: NotifyEscalated,
			Title: "An inbox item escalated by the rule " + d.RuleName, Body: text + "\n\n" + it.RefURL}); err != nil {
			return nil, err
		}
		out = append(out, r.auditRow(d, p, addr, ResultOK, "", ""))
	}
	return out, nil
}

// notify tells a member in the ingestion's transaction when the notifier
// can (TxNotifier), else once it committed (Service.notifyAll): a write
// through the store inside the transaction would wait for it on SQLite.
func (r *fetchRules) notify(ctx context.Context, n publish.Notification) error {
	if r.s.Notifier == nil {
		return nil
	}
	if tn, ok := r.s.Notifier.(TxNotifier); ok {
		return tn.NotifyTx(ctx, r.tx, n)
	}
	r.after = append(r.after, n)
	return nil
}

// notifyAll tells, after the commit, what a notifier that cannot join a
// transaction was kept from telling in it.
func (s *Service) notifyAll(ctx context.Context, notes []publish.Notification) {
	for _, n := range notes {
		if err := s.Notifier.Notify(ctx, n); err != nil && s.Log != nil {
			s.Log.Warn("notify", "user", n.UserID, "err", err)
		}
	}
}

// PerformRuleAct is the job of a rule's network action: it claims the
// queued audit row (a second run, or a run after a crash during the
// network's call, finds it taken and does nothing), asks the network, and
// records the outcome with the item's new state in one transaction.
func (s *Service) PerformRuleAct(ctx context.Context, args RuleActArgs) error {
	// A failed or refused action has nothing to undo.
	act, err := s.Store.GetInboxAction(ctx, args.ActionID)
	if errors.Is(err, store.ErrNotFound) {
		return nil // the item was deleted with its history
	}
	if err != nil {
		return err
	}
	if act.Result != ResultQueued {
		return nil
	}
	it, err := s.Store.GetInboxItem(ctx, act.ItemID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	ch, err := s.Store.GetChannel(ctx, it.ChannelID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	n, err := s.Store.ClaimInboxRuleAction(ctx, act.ID)
	if err != nil || n == 0 {
		return err
	}
	na := moderation.Action{Kind: moderation.ActionKind(act.Action)}.NetworkAction()
	fin := store.FinishInboxRuleActionParams{ID: act.ID, Result: ResultOK, Undo: act.Undo}
	if err := s.networkAct(ctx, ch, it, na); err != nil {
		var le *channels.LimitError
		if errors.As(err, &le) {
			return s.deferRuleAct(ctx, act, it, le)
		}
		fin.Undo = ""
		var pe *problem.Error
		if errors.As(err, &pe) {
			fin.Result, fin.Error = ResultRefused, pe.Message
		} else {
			ne := network.AsError(err)
			fin.Result, fin.Error = ResultFailed, ne.Message
			if fin.Error == "" {
				fin.Error = ne.Error()
			}
		}
	}
	now := s.Now().UTC()
	err = s.Store.InTx(ctx, func(tx store.Tx) error {
		if fin.Result == ResultOK {
			if na == network.ActHide {
				if err := tx.SetInboxItemHidden(ctx, store.SetInboxItemHiddenParams{Hidden: true, UpdatedAt: now, ID: it.ID}); err != nil {
					return err
				}
			} else if err := tx.SetInboxItemDeleted(ctx, store.SetInboxItemDeletedParams{DeletedAt: &now, ID: it.ID}); err != nil {
				return err
			}
		}
		if err := tx.FinishInboxRuleAction(ctx, fin); err != nil {
			return err
		}
		if s.Webhooks == nil {
			return nil
		}
		author := ""
		if a, err := tx.GetInboxAuthor(ctx, it.AuthorID); err == nil {
			author = a.Handle
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		return s.Webhooks.Emit(ctx, tx, it.WorkspaceID, webhooks.InboxRuleAction, ruleActionEventOf(act.RuleID, act.RuleName, act.Action, act.ID,
			fin.Result, act.Detail, fin.Error, ruleActionItem(it, ch.Network, author)))
	})
	if err == nil && fin.Result == ResultOK {
		// Open pages show the item hidden or deleted without a reload.
		s.changed(ctx, it.WorkspaceID, it)
	}
	return err
}

// deferRuleAct puts a claimed action back in the queue, its audit saying
// why, when the account's rate limit held or the network answered with
// one: nothing was done, and the job runs it again once the limit ends
// (a snooze is not an attempt, so waiting never exhausts the job).
func (s *Service) deferRuleAct(ctx context.Context, act store.InboxAction, it store.InboxItem, le *channels.LimitError) error {
	if err := s.Store.FinishInboxRuleAction(ctx, store.FinishInboxRuleActionParams{ID: act.ID, Result: ResultQueued,
		Error: channels.NoteDeferred, Undo: act.Undo}); err != nil {
		return err
	}
	s.changed(ctx, it.WorkspaceID, it)
	return waitLimit(le)
}

// itemOfRow is a row just written as the stored item it became.
func itemOfRow(r store.InboxItemRow, id int64) store.InboxItem {
	it := store.InboxItem{ID: id, WorkspaceID: r.WorkspaceID, ChannelID: r.ChannelID, Network: r.Network, ExternalID: r.ExternalID, Kind: r.Kind,
		ConversationID: r.ConversationID, RefID: r.RefID, RefCID: r.RefCID, RefURL: r.RefURL, RootID: r.RootID, RootCID: r.RootCID,
		RootURL: r.RootURL, ParentID: r.ParentID, PostID: r.PostID, VariantID: r.VariantID, AuthorID: r.AuthorID, Text: r.Text,
		DeclaredLang: r.DeclaredLang, Lang: r.Lang, Rating: r.Rating, Sentiment: r.Sentiment, SentimentScore: r.SentimentScore,
		NetworkCreatedAt: time.Time(r.NetworkCreatedAt), Hidden: r.Hidden, Status: r.Status, AssigneeID: r.AssigneeID,
		Priority: int64(PriorityNormal), CreatedAt: time.Time(r.CreatedAt), UpdatedAt: time.Time(r.CreatedAt)}
	if r.Priority != nil {
		it.Priority = *r.Priority
	}
	if r.EditedAt != nil {
		t := time.Time(*r.EditedAt)
		it.EditedAt = &t
	}
	if r.DeletedAt != nil {
		t := time.Time(*r.DeletedAt)
		it.DeletedAt = &t
	}
	return it
}

// authorRecent is what the spam condition compares a row with: its
// author's texts of the last moderation.AuthorRecentHours, stored or
// earlier in this fetch (the rows are not written yet). It is read only
// when the workspace's rules ask about spam.
func (r *fetchRules) authorRecent(ctx context.Context, row *store.InboxItemRow) ([]string, error) {
	at := time.Time(row.NetworkCreatedAt)
	stored, err := r.tx.ListAuthorRecentTexts(ctx, store.ListAuthorRecentTextsParams{AuthorID: row.AuthorID, BeforeID: math.MaxInt64,
		Since: at.Add(-moderation.AuthorRecentHours * time.Hour), MaxRows: moderation.AuthorRecentMax})
	if err != nil {
		return nil, err
	}
	if r.recent == nil {
		r.recent = map[int64][]string{}
	}
	mine := r.recent[row.AuthorID]
	out := append(append([]string(nil), mine...), stored...)
	if len(out) > moderation.AuthorRecentMax {
		out = out[:moderation.AuthorRecentMax]
	}
	r.recent[row.AuthorID] = append([]string{row.Text}, mine...)
	return out, nil
}
