package inbox

import (
	"context"
	"errors"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/channels"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/publish"
	"github.com/tribune-social/tribune/internal/rules"
	"github.com/tribune-social/tribune/internal/sentiment"
	"github.com/tribune-social/tribune/internal/store"
)

// Who may do what in the inbox: reading takes View (an analyst or a
// client reviewer reads, never changes); triage (status, assignee, tags,
// notes, priority, a sentiment correction) takes Compose, like editing a
// draft; acting on the network (like, hide, delete, block) speaks for the
// brand in public, so it takes Schedule, like publishing.
const (
	permRead   = auth.View
	permTriage = auth.Compose
	permAct    = auth.Schedule
)

// Limits of the list and of one change.
const (
	// PageSize is the most items one list page holds.
	PageSize = 50
	// MaxBulk is the most items one bulk change takes.
	MaxBulk = 500
	// MaxConversationItems bounds the items a conversation page loads.
	MaxConversationItems = 500
	maxTagLen            = 40
	maxTagsPerChange     = 20
	maxNoteLen           = 5000
	maxQueryLen          = 200
)

// Problems of the inbox.
var (
	errBadStatus   = problem.New(http.StatusUnprocessableEntity, "invalid_status", "Unknown status.")
	errBadPriority = problem.New(http.StatusUnprocessableEntity, "invalid_priority", "Unknown priority.")
	errBadTag      = problem.New(http.StatusUnprocessableEntity, "invalid_tag", "A tag is 1 to 40 characters.")
	// errTooManyTags bounds one change as the API's schema does, for every
	// caller: each tag is compared with the others and written on every
	// selected item.
	errTooManyTags  = problem.New(http.StatusUnprocessableEntity, "too_many_tags", "A change adds or removes at most 20 tags.")
	errBadNote      = problem.New(http.StatusUnprocessableEntity, "invalid_note", "A note is 1 to 5,000 characters.")
	errBadAssignee  = problem.New(http.StatusUnprocessableEntity, "invalid_assignee", "Items can only be assigned to a member of the workspace.")
	errBadSelection = problem.New(http.StatusUnprocessableEntity, "invalid_selection", "Select between 1 and 500 items.")
	errBadFilter    = problem.New(http.StatusUnprocessableEntity, "invalid_filter", "A filter has a value the inbox does not know.")
	errBadSentiment = problem.New(http.StatusUnprocessableEntity, "invalid_sentiment", "Sentiment is positive, neutral or negative.")
	errBadLang      = problem.New(http.StatusUnprocessableEntity, "invalid_lang", "The language is fr, en or other.")
	errBadNetwork   = problem.New(http.StatusUnprocessableEntity, "invalid_network", "Unknown network “%s”: the inbox knows %s.")
	errBadDates     = problem.New(http.StatusUnprocessableEntity, "invalid_dates", "The start of the period must come before its end.")
	// The API reads an instant itself and leaves anything else to List
	// as a day, so this names both forms.
	errBadDate      = problem.New(http.StatusUnprocessableEntity, "invalid_date", "%s is a day (YYYY-MM-DD, in your time zone) or an RFC 3339 instant (2026-03-01T09:30:00Z).")
	errPastAlone    = problem.New(http.StatusUnprocessableEntity, "invalid_filter", "The items past the response target (sla=past) are listed on their own: remove the other filters.")
	errBothAssignee = problem.New(http.StatusUnprocessableEntity, "invalid_filter", "Filter by an assignee or by items nobody has, not both.")
	errNoChange     = problem.New(http.StatusUnprocessableEntity, "nothing_to_change", "Choose what to change: status, assignee, priority or tags.")
	errNoInbox      = problem.New(http.StatusConflict, "no_inbox", "Tribune does not read this network's inbox yet.")
	errReplyElse    = problem.New(http.StatusUnprocessableEntity, "reply_is_a_publication", "Replies are sent from the reply box, not as an action.")
	errUnknownAct   = problem.New(http.StatusUnprocessableEntity, "unknown_action", "Unknown action.")
	errActRefused   = problem.New(http.StatusConflict, "action_unsupported", "The network does not allow this action.")
	errActFailed    = problem.New(http.StatusBadGateway, "network_error", "The network did not accept the action: %s")
)

// Item is an inbox item as members see it.
type Item struct {
	store.InboxItem
	Author      store.InboxAuthor
	ChannelName string
	Tags        []string
}

// Filter narrows the inbox list; zero fields do not filter.
type Filter struct {
	ChannelID int64
	Network   string
	Kind      network.ItemKind
	Status    Status
	// AssigneeID: a member's id; Unassigned: items nobody has.
	AssigneeID int64
	Unassigned bool
	Tag        string
	Sentiment  sentiment.Label
	Lang       string
	// Since and Until bound when an item was written: at or after
	// Since, before Until.
	Since time.Time
	Until time.Time
	// SinceDay and UntilDay are the same bounds as calendar days
	// (YYYY-MM-DD), the form the list page and saved views keep: from the
	// start of SinceDay to the end of UntilDay, in the member's time zone
	// (theirs, else the workspace's), so a view lists the same days on the
	// page and through the API. A day replaces Since or Until.
	SinceDay string
	UntilDay string
	// Query is words to find in the text (full-text, French and English).
	Query string
	// Before is the id the page starts under (the previous page's Next).
	Before int64
	// PastTarget lists only the items waiting past the first-response
	// target (OverdueItems: newest first, one page), the list page's
	// ?sla=past; it takes no other filter, which the page ignores there.
	PastTarget bool
}

// Page is one page of the inbox list, newest first; Next is the Before of
// the following page (0 when this is the last).
type Page struct {
	Items []Item
	Next  int64
}

// List returns one page of the workspace's inbox.
func (s *Service) List(ctx context.Context, user store.User, workspaceID int64, f Filter) (Page, error) {
	ws, _, err := s.Auth.Authorize(ctx, user, workspaceID, permRead)
	if err != nil {
		return Page{}, err
	}
	if f.PastTarget {
		// Refused rather than ignored: a list that silently drops a filter
		// reads as "these are the late items of that channel".
		if f != (Filter{PastTarget: true}) {
			return Page{}, errPastAlone
		}
		items, _, err := s.OverdueItems(ctx, user, workspaceID)
		return Page{Items: items}, err
	}
	p := store.ListInboxItemsParams{WorkspaceID: ws.ID, BeforeID: math.MaxInt64, MaxRows: PageSize + 1}
	// A filter that cannot match is the caller's mistake, said as such: an
	// empty list would read as "no such items" and hide the typo.
	if f.Before < 0 || f.ChannelID < 0 || f.AssigneeID < 0 {
		return Page{}, errBadFilter
	}
	if f.Unassigned && f.AssigneeID != 0 {
		return Page{}, errBothAssignee
	}
	if f.Lang != "" && !validLang(f.Lang) {
		return Page{}, errBadLang
	}
	if err := f.readDays(location(readerZone(user, ws))); err != nil {
		return Page{}, err
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && !f.Since.Before(f.Until) {
		return Page{}, errBadDates
	}
	if f.Before > 0 {
		p.BeforeID = f.Before
	}
	if f.Status != "" {
		if !f.Status.Valid() {
			return Page{}, errBadStatus
		}
		p.Status = ptr(string(f.Status))
	}
	if f.Kind != "" {
		if !slices.Contains(network.ItemKinds, f.Kind) {
			return Page{}, errBadFilter
		}
		p.Kind = ptr(string(f.Kind))
	}
	if f.Sentiment != "" {
		if !validLabel(f.Sentiment) {
			return Page{}, errBadSentiment
		}
		p.Sentiment = ptr(string(f.Sentiment))
	}
	switch {
	case f.Unassigned:
		p.AssigneeID = ptr(int64(0))
	case f.AssigneeID != 0:
		p.AssigneeID = ptr(f.AssigneeID)
	}
	if f.ChannelID != 0 {
		p.ChannelID = ptr(f.ChannelID)
	}
	if f.Network != "" {
		n, err := networkKey(f.Network)
		if err != nil {
			return Page{}, err
		}
		p.Network = &n
	}
	if f.Lang != "" {
		p.Lang = ptr(f.Lang)
	}
	if f.Tag != "" {
		p.Tag = ptr(strings.TrimSpace(f.Tag))
	}
	if !f.Since.IsZero() {
		p.Since = ptr(f.Since.UTC())
	}
	if !f.Until.IsZero() {
		p.Until = ptr(f.Until.UTC())
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		if len(q) > maxQueryLen {
			q = q[:maxQueryLen]
		}
		fq := searchQuery(s.Store.Dialect(), q)
		if fq == "" {
			return Page{Items: []Item{}}, nil // only punctuation: nothing can match
		}
		p.Query = &fq
	}
	rows, err := s.list(ctx, p)
	if err != nil {
		return Page{}, err
	}
	var page Page
	if len(rows) > PageSize {
		rows = rows[:PageSize]
		page.Next = rows[PageSize-1].ID
	}
	page.Items, err = s.decorate(ctx, rows)
	return page, err
}

// readerZone is the time zone a member reads days in: theirs, else the
// workspace's (as every page shows dates).
func readerZone(user store.User, ws store.Workspace) string {
	if user.Timezone != "" {
		return user.Timezone
	}
	return ws.Timezone
}

// readDays turns SinceDay and UntilDay into Since and Until. Until is
// exclusive, so the last day's end is the next day's start: a day that
// lasts 23 or 25 hours across a clock change is still whole.
func (f *Filter) readDays(loc *time.Location) error {
	if f.SinceDay != "" {
		d, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(f.SinceDay), loc)
		if err != nil {
			return errBadDate.Format("since")
		}
		f.Since = d
	}
	if f.UntilDay != "" {
		d, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(f.UntilDay), loc)
		if err != nil {
			return errBadDate.Format("until")
		}
		f.Until = d.AddDate(0, 0, 1)
	}
	return nil
}

// networkKey reads a network filter: one of the networks Tribune knows
// (any case), or a 422 naming them, since an unknown name would list
// nothing and read as "no such items".
func networkKey(v string) (string, error) {
	n := strings.ToLower(strings.TrimSpace(v))
	if _, ok := rules.Get(n); !ok {
		return "", errBadNetwork.Format(v, strings.Join(rules.Keys(), ", "))
	}
	return n, nil
}

// list runs the list's query: the common views (a status, with or
// without an assignee, and nothing else) through the queries their
// indexes answer in order; anything else through the general one.
func (s *Service) list(ctx context.Context, p store.ListInboxItemsParams) ([]store.InboxItem, error) {
	onlyStatus := p.Status != nil && p.ChannelID == nil && p.Network == nil && p.Kind == nil && p.Sentiment == nil && p.Lang == nil &&
		p.Since == nil && p.Until == nil && p.Tag == nil && p.Query == nil
	switch {
	case p.Query != nil:
		// A search is read from the full-text index newest first (on SQLite
		// the general query would list every match before the page).
		return s.Store.ListInboxItemsSearch(ctx, store.ListInboxItemsSearchParams{BeforeID: p.BeforeID, Query: *p.Query,
			WorkspaceID: p.WorkspaceID, Status: p.Status, AssigneeID: p.AssigneeID, ChannelID: p.ChannelID, Network: p.Network,
			Kind: p.Kind, Sentiment: p.Sentiment, Lang: p.Lang, Since: p.Since, Until: p.Until, Tag: p.Tag, MaxRows: p.MaxRows})
	case !onlyStatus:
		return s.Store.ListInboxItems(ctx, p)
	case p.AssigneeID == nil:
		return s.Store.ListInboxItemsByStatus(ctx, store.ListInboxItemsByStatusParams{WorkspaceID: p.WorkspaceID, Status: *p.Status,
			BeforeID: p.BeforeID, MaxRows: p.MaxRows})
	case *p.AssigneeID == 0:
		return s.Store.ListInboxItemsByStatusUnassigned(ctx, store.ListInboxItemsByStatusUnassignedParams{WorkspaceID: p.WorkspaceID,
			Status: *p.Status, BeforeID: p.BeforeID, MaxRows: p.MaxRows})
	default:
		return s.Store.ListInboxItemsByStatusAssignee(ctx, store.ListInboxItemsByStatusAssigneeParams{WorkspaceID: p.WorkspaceID,
			Status: *p.Status, AssigneeID: p.AssigneeID, BeforeID: p.BeforeID, MaxRows: p.MaxRows})
	}
}

// searchQuery turns the words typed into the dialect's full-text query.
// PostgreSQL reads them itself (websearch_to_tsquery); SQLite's FTS5 has a
// query language of its own, so each word becomes a quoted string (every
// word must match) and nothing typed can be read as FTS5 syntax.
func searchQuery(dialect, q string) string {
	if dialect != "sqlite" {
		return q
	}
	words := strings.FieldsFunc(q, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
	for i, w := range words {
		words[i] = `"` + w + `"`
	}
	return strings.Join(words, " ")
}

// decorate adds authors, channel names and tags to rows.
func (s *Service) decorate(ctx context.Context, rows []store.InboxItem) ([]Item, error) {
	out := make([]Item, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	ids, authorIDs := make([]int64, len(rows)), make([]int64, 0, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
		if !slices.Contains(authorIDs, r.AuthorID) {
			authorIDs = append(authorIDs, r.AuthorID)
		}
	}
	authors, err := s.Store.ListInboxAuthors(ctx, authorIDs)
	if err != nil {
		return nil, err
	}
	byAuthor := map[int64]store.InboxAuthor{}
	for _, a := range authors {
		byAuthor[a.ID] = a
	}
	tags, err := s.Store.ListInboxItemTags(ctx, ids)
	if err != nil {
		return nil, err
	}
	byItem := map[int64][]string{}
	for _, t := range tags {
		byItem[t.ItemID] = append(byItem[t.ItemID], t.Tag)
	}
	channels, err := s.Store.ListChannels(ctx, rows[0].WorkspaceID)
	if err != nil {
		return nil, err
	}
	names := map[int64]string{}
	for _, c := range channels {
		names[c.ID] = c.Name
	}
	for i, r := range rows {
		out[i] = Item{InboxItem: r, Author: byAuthor[r.AuthorID], ChannelName: names[r.ChannelID], Tags: byItem[r.ID]}
		if out[i].Tags == nil {
			out[i].Tags = []string{}
		}
	}
	return out, nil
}

// Conversation is a conversation as its page shows it: its items, the
// notes and audit of those items, and what the channel's network allows.
type Conversation struct {
	store.InboxConversation
	Channel store.Channel
	Items   []Item
	Notes   []store.ListInboxNotesRow
	Actions []store.ListInboxActionsRow
	// HasInbox is false when Tribune has no inbox connector for the network
	// (then Capabilities is empty and every action is unavailable).
	HasInbox     bool
	Capabilities network.InboxCapabilities
}

// Conversation returns a conversation of the workspace with everything
// its page shows.
func (s *Service) Conversation(ctx context.Context, user store.User, conversationID int64) (Conversation, error) {
	c, err := s.Store.GetInboxConversation(ctx, conversationID)
	if errors.Is(err, store.ErrNotFound) {
		return Conversation{}, problem.NotFound
	}
	if err != nil {
		return Conversation{}, err
	}
	if _, _, err := s.Auth.Authorize(ctx, user, c.WorkspaceID, permRead); err != nil {
		return Conversation{}, problem.NotFound // ids of other workspaces are not probed
	}
	out := Conversation{InboxConversation: c}
	if out.Channel, err = s.Store.GetChannel(ctx, c.ChannelID); err != nil {
		return out, err
	}
	rows, err := s.Store.ListInboxConversationItems(ctx, store.ListInboxConversationItemsParams{ConversationID: c.ID, MaxRows: MaxConversationItems})
	if err != nil {
		return out, err
	}
	if out.Items, err = s.decorate(ctx, rows); err != nil {
		return out, err
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	if out.Notes, err = s.Store.ListInboxNotes(ctx, ids); err != nil {
		return out, err
	}
	if out.Actions, err = s.Store.ListInboxActions(ctx, ids); err != nil {
		return out, err
	}
	out.Capabilities, out.HasInbox, err = s.capabilities(ctx, out.Channel)
	return out, err
}

// Item returns one item of a workspace the user may read.
func (s *Service) Item(ctx context.Context, user store.User, itemID int64) (Item, error) {
	it, err := s.item(ctx, user, itemID, permRead)
	if err != nil {
		return Item{}, err
	}
	items, err := s.decorate(ctx, []store.InboxItem{it})
	if err != nil {
		return Item{}, err
	}
	return items[0], nil
}

// item loads an item and checks the user may do p in its workspace; an
// item of another workspace is not found.
func (s *Service) item(ctx context.Context, user store.User, itemID int64, p auth.Permission) (store.InboxItem, error) {
	it, err := s.Store.GetInboxItem(ctx, itemID)
	if errors.Is(err, store.ErrNotFound) {
		return it, problem.NotFound
	}
	if err != nil {
		return it, err
	}
	if _, _, err := s.Auth.Authorize(ctx, user, it.WorkspaceID, permRead); err != nil {
		return it, problem.NotFound
	}
	if _, _, err := s.Auth.Authorize(ctx, user, it.WorkspaceID, p); err != nil {
		return it, err
	}
	return it, nil
}

// Capabilities says what a channel's network allows in the inbox; ok is
// false when Tribune has no inbox for the network.
func (s *Service) Capabilities(ctx context.Context, user store.User, channelID int64) (network.InboxCapabilities, bool, error) {
	ch, err := s.readableChannel(ctx, user, channelID)
	if err != nil {
		return network.InboxCapabilities{}, false, err
	}
	return s.capabilities(ctx, ch)
}

// readableChannel is the channel when user reads its workspace; another
// workspace's channel is "not found", as a missing one.
func (s *Service) readableChannel(ctx context.Context, user store.User, channelID int64) (store.Channel, error) {
	ch, err := s.Store.GetChannel(ctx, channelID)
	if errors.Is(err, store.ErrNotFound) {
		return ch, problem.NotFound
	}
	if err != nil {
		return ch, err
	}
	if _, _, err := s.Auth.Authorize(ctx, user, ch.WorkspaceID, permRead); err != nil {
		return ch, problem.NotFound
	}
	return ch, nil
}

func (s *Service) capabilities(ctx context.Context, ch store.Channel) (network.InboxCapabilities, bool, error) {
	ib, ok := s.inboxOf(ch.Network)
	if !ok {
		return network.InboxCapabilities{}, false, nil
	}
	acct, err := s.Accounts.Account(ctx, ch)
	if err != nil {
		return network.InboxCapabilities{}, true, err
	}
	return ib.InboxCapabilities(acct), true, nil
}

// Change is a triage change to one or more items; nil fields are left
// as they are.
type Change struct {
	Status *Status
	// Assignee: a member's id, or 0 to unassign.
	Assignee   *int64
	Priority   *Priority
	AddTags    []string
	RemoveTags []string
}

// Update applies a triage change to a selection of the workspace's items
// (one item, or a bulk selection), audits it per item and tells a new
// assignee.
func (s *Service) Update(ctx context.Context, user store.User, workspaceID int64, ids []int64, c Change) error {
	ws, _, err := s.Auth.Authorize(ctx, user, workspaceID, permTriage)
	if err != nil {
		return err
	}
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	if len(ids) == 0 || len(ids) > MaxBulk {
		return errBadSelection
	}
	// Nothing to do would still answer "updated": the member would believe
	// a change was saved that was never asked for properly.
	if c.Status == nil && c.Assignee == nil && c.Priority == nil && len(c.AddTags)+len(c.RemoveTags) == 0 {
		return errNoChange
	}
	if c.Status != nil && !c.Status.Valid() {
		return errBadStatus
	}
	if c.Priority != nil && !c.Priority.Valid() {
		return errBadPriority
	}
	if len(c.AddTags) > maxTagsPerChange || len(c.RemoveTags) > maxTagsPerChange {
		return errTooManyTags
	}
	add, err := cleanTags(c.AddTags)
	if err != nil {
		return err
	}
	remove, err := cleanTags(c.RemoveTags)
	if err != nil {
		return err
	}
	var assignee *int64
	var assigneeUser store.User
	if c.Assignee != nil && *c.Assignee != 0 {
		assigneeUser, err = s.Store.GetUser(ctx, *c.Assignee)
		if err != nil {
			return errBadAssignee
		}
		if _, _, err := s.Auth.Authorize(ctx, assigneeUser, ws.ID, permRead); err != nil {
			return errBadAssignee
		}
		assignee = &assigneeUser.ID
	}
	now := s.Now().UTC()
	var changes []ItemChange
	err = s.Store.InTx(ctx, func(tx store.Tx) error {
		changes = nil // a retried transaction starts over
		items, err := tx.ListInboxItemsByIDs(ctx, ids)
		if err != nil {
			return err
		}
		// Every id must be an item of this workspace: one that is not is
		// reported as not found, whatever it is.
		if len(items) != len(ids) {
			return problem.NotFound
		}
		for _, it := range items {
			if it.WorkspaceID != ws.ID {
				return problem.NotFound
			}
		}
		audit := func(action, detail string) error {
			for _, id := range ids {
				if err := tx.AddInboxAction(ctx, store.AddInboxActionParams{WorkspaceID: ws.ID, ItemID: id, UserID: &user.ID, Action: action,
					Detail: detail, Result: ResultOK, CreatedAt: now}); err != nil {
					return err
				}
			}
			return nil
		}
		if c.Status != nil {
			if err := tx.SetInboxItemsStatus(ctx, store.SetInboxItemsStatusParams{Status: string(*c.Status), UpdatedAt: now, Ids: ids}); err != nil {
				return err
			}
			if err := audit("status", string(*c.Status)); err != nil {
				return err
			}
		}
		if c.Assignee != nil {
			if err := tx.SetInboxItemsAssignee(ctx, store.SetInboxItemsAssigneeParams{AssigneeID: assignee, UpdatedAt: now, Ids: ids}); err != nil {
				return err
			}
			detail := ""
			if assignee != nil {
				detail = assigneeUser.Name
			}
			if err := audit("assign", detail); err != nil {
				return err
			}
		}
		if c.Priority != nil {
			if err := tx.SetInboxItemsPriority(ctx, store.SetInboxItemsPriorityParams{Priority: int64(*c.Priority), UpdatedAt: now, Ids: ids}); err != nil {
				return err
			}
			if err := audit("priority", c.Priority.Name()); err != nil {
				return err
			}
		}
		for _, tag := range add {
			for _, id := range ids {
				if err := tx.AddInboxItemTag(ctx, store.AddInboxItemTagParams{ItemID: id, Tag: tag}); err != nil {
					return err
				}
			}
			if err := audit("tag", tag); err != nil {
				return err
			}
		}
		for _, tag := range remove {
			for _, id := range ids {
				if err := tx.RemoveInboxItemTag(ctx, store.RemoveInboxItemTagParams{ItemID: id, Tag: tag}); err != nil {
					return err
				}
			}
			if err := audit("untag", tag); err != nil {
				return err
			}
		}
		for _, it := range items {
			changes = append(changes, ItemChange{ID: it.ID, ConversationID: it.ConversationID})
		}
		return s.emitUpdated(ctx, tx, ws.ID, items, c, assignee)
	})
	if err != nil {
		return err
	}
	s.publish(ctx, ws.ID, changes)
	if assignee != nil && *assignee != user.ID && s.Notifier != nil {
		// After the commit: the notice points at items that exist. A lost
		// notice is not worth undoing the assignment for.
		if err := s.Notifier.Notify(ctx, publish.Notification{UserID: *assignee, WorkspaceID: ws.ID, Kind: NotifyAssigned,
			Title: "Inbox items assigned to you by " + user.Name, Body: "Open the inbox to answer them."}); err != nil && s.Log != nil {
			s.Log.Warn("notify assignee", "err", err)
		}
	}
	return nil
}

func cleanTags(tags []string) ([]string, error) {
	var out []string
	for _, t := range tags {
		t = strings.TrimSpace(t)
		if t == "" || len([]rune(t)) > maxTagLen {
			return nil, errBadTag
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out, nil
}

// AddNote adds an internal note (never sent to the network) to an item.
func (s *Service) AddNote(ctx context.Context, user store.User, itemID int64, body string) (store.InboxNote, error) {
	it, err := s.item(ctx, user, itemID, permTriage)
	if err != nil {
		return store.InboxNote{}, err
	}
	body = strings.TrimSpace(body)
	if body == "" || len([]rune(body)) > maxNoteLen {
		return store.InboxNote{}, errBadNote
	}
	n, err := s.Store.AddInboxNote(ctx, store.AddInboxNoteParams{ItemID: it.ID, UserID: user.ID, Body: body, CreatedAt: s.Now().UTC()})
	if err == nil {
		s.changed(ctx, it.WorkspaceID, it)
	}
	return n, err
}

// CorrectSentiment sets an item's sentiment by hand; later fetches keep it.
func (s *Service) CorrectSentiment(ctx context.Context, user store.User, itemID int64, label sentiment.Label) error {
	it, err := s.item(ctx, user, itemID, permTriage)
	if err != nil {
		return err
	}
	if !validLabel(label) {
		return errBadSentiment
	}
	score := map[sentiment.Label]float64{sentiment.Positive: 1, sentiment.Neutral: 0, sentiment.Negative: -1}[label]
	now := s.Now().UTC()
	err = s.Store.InTx(ctx, func(tx store.Tx) error {
		if err := tx.CorrectInboxItemSentiment(ctx, store.CorrectInboxItemSentimentParams{Sentiment: string(label), SentimentScore: score, UpdatedAt: now, ID: it.ID}); err != nil {
			return err
		}
		return tx.AddInboxAction(ctx, store.AddInboxActionParams{WorkspaceID: it.WorkspaceID, ItemID: it.ID, UserID: &user.ID, Action: "sentiment",
			Detail: it.Sentiment + correctionSep + string(label), Result: ResultOK, CreatedAt: now})
	})
	if err == nil {
		s.publish(ctx, it.WorkspaceID, []ItemChange{{ID: it.ID, ConversationID: it.ConversationID}})
	}
	return err
}

// validLang says whether lang is one the analyser writes.
func validLang(lang string) bool {
	return lang == sentiment.French || lang == sentiment.English || lang == sentiment.Other
}

func validLabel(l sentiment.Label) bool {
	return l == sentiment.Positive || l == sentiment.Neutral || l == sentiment.Negative
}

// Act does a network action on an item (like, hide, delete, block, mark
// read…) through the channel's connector and records it, with who asked,
// whatever the outcome. An action the network does not allow is refused
// with the network's reason, before any call; so is every action while the
// account's rate limit holds (a 429 saying until when: networkAct).
func (s *Service) Act(ctx context.Context, user store.User, itemID int64, a network.Action) error {
	if !slices.Contains(network.Actions, a) {
		return errUnknownAct
	}
	if a == network.ActReply {
		return errReplyElse
	}
	it, err := s.item(ctx, user, itemID, permAct)
	if err != nil {
		return err
	}
	ch, err := s.Store.GetChannel(ctx, it.ChannelID)
	if err != nil {
		return err
	}
	if _, ok := s.inboxOf(ch.Network); !ok {
		return errNoInbox
	}
	record := func(result, msg string) error {
		return s.Store.AddInboxAction(ctx, store.AddInboxActionParams{WorkspaceID: it.WorkspaceID, ItemID: it.ID, UserID: &user.ID,
			Action: string(a), Result: result, Error: msg, CreatedAt: s.Now().UTC()})
	}
	if err := s.networkAct(ctx, ch, it, a); err != nil {
		var le *channels.LimitError
		var pe *problem.Error
		var ne *network.Error
		switch {
		case errors.As(err, &le):
			if rerr := record(ResultRefused, noteLimitRefused); rerr != nil {
				return rerr
			}
			return err
		case errors.As(err, &pe):
			if rerr := record(ResultRefused, pe.Message); rerr != nil {
				return rerr
			}
			return err
		case !errors.As(err, &ne):
			return err // ours (the store, the credentials), not the network's answer
		}
		msg := ne.Message
		if msg == "" {
			msg = ne.Error()
		}
		if rerr := record(ResultFailed, msg); rerr != nil {
			return rerr
		}
		return errActFailed.Format(msg).Wrap(err)
	}
	now := s.Now().UTC()
	err = s.Store.InTx(ctx, func(tx store.Tx) error {
		switch a {
		case network.ActHide, network.ActUnhide:
			if err := tx.SetInboxItemHidden(ctx, store.SetInboxItemHiddenParams{Hidden: a == network.ActHide, UpdatedAt: now, ID: it.ID}); err != nil {
				return err
			}
		case network.ActDelete:
			if err := tx.SetInboxItemDeleted(ctx, store.SetInboxItemDeletedParams{DeletedAt: &now, ID: it.ID}); err != nil {
				return err
			}
		}
		return tx.AddInboxAction(ctx, store.AddInboxActionParams{WorkspaceID: it.WorkspaceID, ItemID: it.ID, UserID: &user.ID,
			Action: string(a), Result: ResultOK, CreatedAt: now})
	})
	if err == nil {
		s.publish(ctx, it.WorkspaceID, []ItemChange{{ID: it.ID, ConversationID: it.ConversationID}})
	}
	return err
}

// networkItem is a stored item as its connector needs it to act.
func networkItem(it store.InboxItem) network.Item {
	out := network.Item{ExternalID: it.ExternalID, Kind: network.ItemKind(it.Kind), Ref: network.Ref{ID: it.RefID, CID: it.RefCID, URL: it.RefURL},
		ParentID: it.ParentID, Text: it.Text, CreatedAt: it.NetworkCreatedAt, Hidden: it.Hidden, Deleted: it.DeletedAt != nil}
	if it.RootID != "" {
		out.Root = &network.Ref{ID: it.RootID, CID: it.RootCID, URL: it.RootURL}
	}
	return out
}

func ptr[T any](v T) *T { return &v }
