package api

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/tribune-social/tribune/internal/i18n"
	"github.com/tribune-social/tribune/internal/inbox"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/sentiment"
)

// The community inbox: list, search, read, triage and act. Reading takes
// any role (View); triage takes Compose; network actions take Schedule
// (the inbox service checks, as for posts).
func (s *server) inboxRoutes(a huma.API) {
	huma.Register(a, op("list-inbox", http.MethodGet, "/v1/workspaces/{ws}/inbox", "Inbox items, newest first, with filters and full-text search", "inbox"), s.listInbox)
	huma.Register(a, op("update-inbox-items", http.MethodPatch, "/v1/workspaces/{ws}/inbox", "Change a selection of items at once (status, assignee, priority, tags)", "inbox"), s.updateInboxItems)
	huma.Register(a, op("get-inbox-item", http.MethodGet, "/v1/inbox/items/{id}", "An inbox item", "inbox"), s.getInboxItem)
	huma.Register(a, op("update-inbox-item", http.MethodPatch, "/v1/inbox/items/{id}", "Change an item's status, assignee, priority, tags or sentiment", "inbox"), s.updateInboxItem)
	huma.Register(a, created(op("add-inbox-note", http.MethodPost, "/v1/inbox/items/{id}/notes", "Add an internal note (never sent to the network)", "inbox")), s.addInboxNote)
	act := op("act-on-inbox-item", http.MethodPost, "/v1/inbox/items/{id}/actions", "Like, hide, delete, block or mark read on the network; refused with the network's reason where it does not allow it, and with 429 and Retry-After while the network's rate limit for the account holds", "inbox")
	act.Errors = append(act.Errors, http.StatusTooManyRequests, http.StatusBadGateway)
	huma.Register(a, act, s.actOnInboxItem)
	huma.Register(a, op("get-inbox-conversation", http.MethodGet, "/v1/inbox/conversations/{id}", "A conversation: its items, notes, audit and what the network allows", "inbox"), s.getInboxConversation)
	huma.Register(a, op("inbox-capabilities", http.MethodGet, "/v1/channels/{id}/inbox-capabilities", "What the channel's network lets the inbox read and do, with the reason for each refusal", "inbox"), s.inboxCapabilities)
	s.inboxReplyRoutes(a)
}

// InboxAuthorOut is who wrote an item.
type InboxAuthorOut struct {
	Handle      string `json:"handle"`
	DisplayName string `json:"display_name,omitempty"`
	URL         string `json:"url,omitempty"`
	AvatarURL   string `json:"avatar_url,omitempty"`
}

// InboxItemOut is an inbox item.
type InboxItemOut struct {
	ID             int64          `json:"id"`
	ConversationID int64          `json:"conversation_id"`
	ChannelID      int64          `json:"channel_id"`
	ChannelName    string         `json:"channel_name"`
	Network        string         `json:"network"`
	Kind           string         `json:"kind" enum:"comment,mention,quote,message,review"`
	ExternalID     string         `json:"external_id" doc:"The network's id of the item"`
	URL            string         `json:"url,omitempty"`
	Text           string         `json:"text"`
	Author         InboxAuthorOut `json:"author"`
	Lang           string         `json:"lang" doc:"Detected language: fr, en, other, or empty when not analysed"`
	DeclaredLang   string         `json:"declared_lang,omitempty" doc:"The language the network declared"`
	Sentiment      string         `json:"sentiment" doc:"positive, neutral, negative, or empty when not analysed"`
	SentimentScore float64        `json:"sentiment_score" doc:"In [-1, 1]"`
	Corrected      bool           `json:"sentiment_corrected" doc:"Set by a member; later fetches keep it"`
	Rating         int64          `json:"rating,omitempty" doc:"A review's stars, 1 to 5"`
	PostID         *int64         `json:"post_id,omitempty" doc:"The Tribune post the item answers"`
	Status         string         `json:"status" enum:"new,open,pending,done"`
	AssigneeID     *int64         `json:"assignee_id,omitempty"`
	Priority       int64          `json:"priority" minimum:"0" maximum:"3" doc:"0 low, 1 normal, 2 high, 3 urgent"`
	Tags           []string       `json:"tags"`
	Hidden         bool           `json:"hidden"`
	Deleted        bool           `json:"deleted"`
	CreatedAt      time.Time      `json:"created_at" doc:"When it was written on the network"`
	EditedAt       *time.Time     `json:"edited_at,omitempty"`
	ReceivedAt     time.Time      `json:"received_at" doc:"When Tribune stored it"`
}

func toInboxItem(it inbox.Item) InboxItemOut {
	return InboxItemOut{ID: it.ID, ConversationID: it.ConversationID, ChannelID: it.ChannelID, ChannelName: it.ChannelName, Network: it.Network,
		Kind: it.Kind, ExternalID: it.ExternalID, URL: network.WebURL(it.RefURL), Text: it.Text,
		Author: InboxAuthorOut{Handle: it.Author.Handle, DisplayName: it.Author.DisplayName, URL: network.WebURL(it.Author.URL), AvatarURL: network.WebURL(it.Author.AvatarURL)},
		Lang:   it.Lang, DeclaredLang: it.DeclaredLang, Sentiment: it.Sentiment, SentimentScore: it.SentimentScore, Corrected: it.SentimentCorrected,
		Rating: it.Rating, PostID: it.PostID, Status: it.Status, AssigneeID: it.AssigneeID, Priority: it.Priority, Tags: it.Tags, Hidden: it.Hidden,
		Deleted: it.DeletedAt != nil, CreatedAt: it.NetworkCreatedAt, EditedAt: it.EditedAt, ReceivedAt: it.CreatedAt}
}

func toInboxItems(items []inbox.Item) []InboxItemOut {
	out := make([]InboxItemOut, len(items))
	for i, it := range items {
		out[i] = toInboxItem(it)
	}
	return out
}

type listInboxIn struct {
	WS         int64  `path:"ws" doc:"Workspace id"`
	ChannelID  int64  `query:"channel_id"`
	Channel    int64  `query:"channel" doc:"Same as channel_id: the name a saved view's query uses"`
	Network    string `query:"network" doc:"A network's key: sandbox, mastodon, bluesky…; an unknown one is refused, naming them"`
	Kind       string `query:"kind" enum:"comment,mention,quote,message,review,"`
	Status     string `query:"status" enum:"new,open,pending,done,"`
	AssigneeID int64  `query:"assignee_id" doc:"A member's id"`
	Unassigned bool   `query:"unassigned" doc:"Only items nobody is assigned"`
	Assignee   string `query:"assignee" doc:"A member's id, or none for items nobody is assigned: the name a saved view's query uses (assignee_id, unassigned)"`
	Tag        string `query:"tag"`
	Sentiment  string `query:"sentiment" enum:"positive,neutral,negative,"`
	Lang       string `query:"lang" doc:"fr, en or other"`
	Since      string `query:"since" doc:"Written at or after this RFC 3339 instant (2026-03-01T09:30:00Z), or from the start of this day (2026-03-01, a saved view's form) in the member's time zone, else the workspace's"`
	Until      string `query:"until" doc:"Written before this RFC 3339 instant, or up to the end of this day (2026-03-01, a saved view's form) in the member's time zone, else the workspace's"`
	SLA        string `query:"sla" enum:"past," doc:"past: only the items waiting past the workspace's first-response target, newest first, at most one page (as the list page's link and a saved view give it); it takes no other filter"`
	Q          string `query:"q" maxLength:"200" doc:"Words to find (French and English)"`
	Before     int64  `query:"before" doc:"The next_before of the previous page"`
}

// instantOrDay reads since or until: an RFC 3339 instant is read here, and
// anything else is left to the inbox as a day, which it reads in the
// member's time zone as the list page does (and refuses, naming both
// forms, when it is not one).
func instantOrDay(v string) (time.Time, string) {
	v = strings.TrimSpace(v)
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, ""
	}
	return time.Time{}, v
}

var (
	errTwoNames        = problem.New(http.StatusUnprocessableEntity, "invalid_filter", "The filter %s is given twice (as %s too) with different values.")
	errBadAssigneeName = problem.New(http.StatusUnprocessableEntity, "invalid_filter", "assignee is a member's id, or none.")
)

// viewNames folds the list page's names, which saved views keep (channel,
// assignee), into the API's, so a view's query lists the same here.
func (in *listInboxIn) viewNames() error {
	if in.Channel != 0 {
		if in.ChannelID != 0 && in.ChannelID != in.Channel {
			return errTwoNames.Format("channel_id", "channel")
		}
		in.ChannelID = in.Channel
	}
	switch a := strings.TrimSpace(in.Assignee); a {
	case "":
	case "none":
		in.Unassigned = true
	default:
		id, err := strconv.ParseInt(a, 10, 64)
		if err != nil || id <= 0 {
			return errBadAssigneeName
		}
		if in.AssigneeID != 0 && in.AssigneeID != id {
			return errTwoNames.Format("assignee_id", "assignee")
		}
		in.AssigneeID = id
	}
	return nil
}

// InboxPageOut is one page of the inbox.
type InboxPageOut struct {
	Items []InboxItemOut `json:"items"`
	// NextBefore is passed as before for the next page; 0 at the end.
	NextBefore int64 `json:"next_before,omitempty"`
}

func (s *server) listInbox(ctx context.Context, in *listInboxIn) (*body[InboxPageOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	if err := in.viewNames(); err != nil {
		return nil, s.fail(err)
	}
	f := inbox.Filter{ChannelID: in.ChannelID, Network: in.Network, Kind: network.ItemKind(in.Kind),
		Status: inbox.Status(in.Status), AssigneeID: in.AssigneeID, Unassigned: in.Unassigned, Tag: in.Tag, Sentiment: sentiment.Label(in.Sentiment),
		Lang: in.Lang, Query: in.Q, Before: in.Before, PastTarget: in.SLA == "past"}
	f.Since, f.SinceDay = instantOrDay(in.Since)
	f.Until, f.UntilDay = instantOrDay(in.Until)
	p, err := s.Inbox.List(ctx, u, in.WS, f)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[InboxPageOut]{InboxPageOut{Items: toInboxItems(p.Items), NextBefore: p.Next}}, nil
}

// InboxChange is a triage change; absent fields are left as they are.
type InboxChange struct {
	Status     *string  `json:"status,omitempty" enum:"new,open,pending,done"`
	AssigneeID *int64   `json:"assignee_id,omitempty" doc:"A member's id; 0 unassigns"`
	Priority   *int64   `json:"priority,omitempty" minimum:"0" maximum:"3"`
	AddTags    []string `json:"add_tags,omitempty" maxItems:"20"`
	RemoveTags []string `json:"remove_tags,omitempty" maxItems:"20"`
}

func (c InboxChange) change() inbox.Change {
	out := inbox.Change{Assignee: c.AssigneeID, AddTags: c.AddTags, RemoveTags: c.RemoveTags}
	if c.Status != nil {
		st := inbox.Status(*c.Status)
		out.Status = &st
	}
	if c.Priority != nil {
		p := inbox.Priority(*c.Priority)
		out.Priority = &p
	}
	return out
}

// InboxBulkChange is a change to a selection of items.
type InboxBulkChange struct {
	IDs []int64 `json:"ids" minItems:"1" maxItems:"500"`
	InboxChange
}

type updateInboxItemsIn struct {
	WS   int64 `path:"ws" doc:"Workspace id"`
	Body InboxBulkChange
}

// InboxUpdatedOut says how many items a change touched.
type InboxUpdatedOut struct {
	Updated int `json:"updated"`
}

func (s *server) updateInboxItems(ctx context.Context, in *updateInboxItemsIn) (*body[InboxUpdatedOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	if err := s.Inbox.Update(ctx, u, in.WS, in.Body.IDs, in.Body.change()); err != nil {
		return nil, s.fail(err)
	}
	// An id given twice is one item changed once.
	return &body[InboxUpdatedOut]{InboxUpdatedOut{len(slices.Compact(slices.Sorted(slices.Values(in.Body.IDs))))}}, nil
}

func (s *server) getInboxItem(ctx context.Context, in *idPath) (*body[InboxItemOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	it, err := s.Inbox.Item(ctx, u, in.ID)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[InboxItemOut]{toInboxItem(it)}, nil
}

// InboxItemChange is a change to one item, with a sentiment correction.
type InboxItemChange struct {
	InboxChange
	Sentiment string `json:"sentiment,omitempty" enum:"positive,neutral,negative" doc:"Correct the sentiment by hand"`
}

type updateInboxItemIn struct {
	ID   int64 `path:"id"`
	Body InboxItemChange
}

func (s *server) updateInboxItem(ctx context.Context, in *updateInboxItemIn) (*body[InboxItemOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	it, err := s.Inbox.Item(ctx, u, in.ID)
	if err != nil {
		return nil, s.fail(err)
	}
	c := in.Body.change()
	if c.Status != nil || c.Assignee != nil || c.Priority != nil || len(c.AddTags)+len(c.RemoveTags) > 0 {
		if err := s.Inbox.Update(ctx, u, it.WorkspaceID, []int64{it.ID}, c); err != nil {
			return nil, s.fail(err)
		}
	}
	if in.Body.Sentiment != "" {
		if err := s.Inbox.CorrectSentiment(ctx, u, it.ID, sentiment.Label(in.Body.Sentiment)); err != nil {
			return nil, s.fail(err)
		}
	}
	return s.getInboxItem(ctx, &idPath{in.ID})
}

type addInboxNoteIn struct {
	ID   int64 `path:"id"`
	Body struct {
		Body string `json:"body" minLength:"1" maxLength:"5000"`
	}
}

// InboxNoteOut is an internal note.
type InboxNoteOut struct {
	ID        int64     `json:"id"`
	ItemID    int64     `json:"item_id"`
	UserID    int64     `json:"user_id"`
	UserName  string    `json:"user_name,omitempty"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
}

func (s *server) addInboxNote(ctx context.Context, in *addInboxNoteIn) (*body[InboxNoteOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	n, err := s.Inbox.AddNote(ctx, u, in.ID, in.Body.Body)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[InboxNoteOut]{InboxNoteOut{ID: n.ID, ItemID: n.ItemID, UserID: n.UserID, UserName: u.Name, Body: n.Body, CreatedAt: n.CreatedAt}}, nil
}

type actOnInboxItemIn struct {
	ID   int64 `path:"id"`
	Body struct {
		Action string `json:"action" enum:"like,unlike,hide,unhide,delete,block,unblock,mark_read"`
	}
}

func (s *server) actOnInboxItem(ctx context.Context, in *actOnInboxItemIn) (*body[InboxItemOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	if err := s.Inbox.Act(ctx, u, in.ID, network.Action(in.Body.Action)); err != nil {
		return nil, s.fail(err)
	}
	return s.getInboxItem(ctx, &idPath{in.ID})
}

// InboxSupportOut says whether the network allows something, and if not why.
type InboxSupportOut struct {
	OK       bool   `json:"ok"`
	Reason   string `json:"reason,omitempty"`
	ReasonFR string `json:"reason_fr,omitempty"`
}

// InboxNoticeOut is one sentence about what a channel's account misses.
type InboxNoticeOut struct {
	Text   string `json:"text"`
	TextFR string `json:"text_fr"`
}

// InboxCapabilitiesOut is what a channel's network allows in the inbox.
type InboxCapabilitiesOut struct {
	// Inbox is false when Tribune does not read this network's inbox yet.
	Inbox   bool                       `json:"inbox"`
	Kinds   map[string]InboxSupportOut `json:"kinds"`
	Actions map[string]InboxSupportOut `json:"actions"`
	// KindActions overrides Actions for the items of one kind.
	KindActions map[string]map[string]InboxSupportOut `json:"kind_actions,omitempty" doc:"Per item kind, the actions whose answer differs from actions (Bluesky direct messages cannot be liked or hidden)"`
	Streaming   bool                                  `json:"streaming"`
	// Notices say what the channel's account keeps out of reach although
	// the network allows it.
	Notices []InboxNoticeOut `json:"notices,omitempty" doc:"What this channel's account cannot reach although its network allows it (a Bluesky app password without access to direct messages)"`
	// PollEverySeconds is the interval between two polls.
	PollEverySeconds int64 `json:"poll_every_seconds"`
	// Poll is how the inbox last read the channel (the capabilities
	// endpoint only).
	Poll *InboxPollOut `json:"poll,omitempty" doc:"How the inbox last read this channel: when, the next time, and the network's answer when it failed"`
}

// InboxPollOut is how the inbox last read a channel.
type InboxPollOut struct {
	Polled     bool       `json:"polled" doc:"False until the channel's first read finished"`
	LastPollAt *time.Time `json:"last_poll_at,omitempty"`
	NextPollAt *time.Time `json:"next_poll_at,omitempty"`
	LastError  string     `json:"last_error,omitempty" doc:"The network's answer when the last read, or a part of it (Bluesky's chat), failed; absent after a clean read"`
	Failures   int64      `json:"failures" doc:"Failed reads in a row (0 when only a part failed); reads back off while they fail"`
	Stopped    bool       `json:"stopped" doc:"The network refused the credentials: reading resumes once the channel is reconnected"`
}

func toCapabilities(c network.InboxCapabilities, has bool) InboxCapabilitiesOut {
	out := InboxCapabilitiesOut{Inbox: has, Kinds: map[string]InboxSupportOut{}, Actions: map[string]InboxSupportOut{}, Streaming: c.Streaming,
		PollEverySeconds: int64(c.PollEvery / time.Second)}
	support := func(sp network.Support) InboxSupportOut {
		if !has {
			sp = network.Unsupported(noInboxReason)
		}
		if sp.OK {
			return InboxSupportOut{OK: true}
		}
		return InboxSupportOut{Reason: localized("en", sp.Reason), ReasonFR: localized("fr", sp.Reason)}
	}
	for _, k := range network.ItemKinds {
		out.Kinds[string(k)] = support(c.Kind(k))
	}
	for _, a := range network.Actions {
		out.Actions[string(a)] = support(c.Action(a))
	}
	for _, n := range c.Notices {
		out.Notices = append(out.Notices, InboxNoticeOut{Text: localized("en", n), TextFR: localized("fr", n)})
	}
	for k, acts := range c.KindActions {
		if out.KindActions == nil {
			out.KindActions = map[string]map[string]InboxSupportOut{}
		}
		out.KindActions[string(k)] = map[string]InboxSupportOut{}
		for a, sp := range acts {
			out.KindActions[string(k)][string(a)] = support(sp)
		}
	}
	return out
}

// noInboxReason is said of every kind and action of a network Tribune has
// no inbox connector for.
const noInboxReason = "Tribune does not read this network's inbox yet."

func (s *server) inboxCapabilities(ctx context.Context, in *idPath) (*body[InboxCapabilitiesOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	c, has, err := s.Inbox.Capabilities(ctx, u, in.ID)
	if err != nil {
		return nil, s.fail(err)
	}
	out := toCapabilities(c, has)
	if has {
		ps, err := s.Inbox.PollStatus(ctx, u, in.ID)
		if err != nil {
			return nil, s.fail(err)
		}
		p := InboxPollOut{Polled: ps.Polled, LastError: ps.LastError, Failures: ps.Failures, Stopped: ps.Stopped}
		if ps.Polled {
			p.LastPollAt = &ps.LastPollAt
		}
		if !ps.NextPollAt.IsZero() {
			p.NextPollAt = &ps.NextPollAt
		}
		out.Poll = &p
	}
	return &body[InboxCapabilitiesOut]{out}, nil
}

// InboxActionOut is one line of an item's audit.
type InboxActionOut struct {
	ItemID    int64     `json:"item_id"`
	UserID    *int64    `json:"user_id,omitempty" doc:"Absent for automatic actions"`
	UserName  string    `json:"user_name,omitempty"`
	Action    string    `json:"action"`
	Detail    string    `json:"detail,omitempty"`
	Result    string    `json:"result" enum:"ok,refused,failed"`
	Error     string    `json:"error,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// InboxConversationOut is a conversation with its items, notes and audit.
type InboxConversationOut struct {
	ID           int64                `json:"id"`
	ChannelID    int64                `json:"channel_id"`
	Kind         string               `json:"kind" enum:"thread,direct"`
	PostID       *int64               `json:"post_id,omitempty" doc:"The Tribune post the thread is under"`
	Items        []InboxItemOut       `json:"items"`
	Notes        []InboxNoteOut       `json:"notes"`
	Actions      []InboxActionOut     `json:"actions"`
	Capabilities InboxCapabilitiesOut `json:"capabilities"`
	// Replies are the replies sent from Tribune, oldest first.
	Replies []InboxReplyOut `json:"replies"`
}

func (s *server) getInboxConversation(ctx context.Context, in *idPath) (*body[InboxConversationOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	c, err := s.Inbox.Conversation(ctx, u, in.ID)
	if err != nil {
		return nil, s.fail(err)
	}
	out := InboxConversationOut{ID: c.ID, ChannelID: c.ChannelID, Kind: c.Kind, PostID: c.PostID, Items: toInboxItems(c.Items),
		Notes: []InboxNoteOut{}, Actions: []InboxActionOut{}, Capabilities: toCapabilities(c.Capabilities, c.HasInbox)}
	for _, n := range c.Notes {
		out.Notes = append(out.Notes, InboxNoteOut{ID: n.ID, ItemID: n.ItemID, UserID: n.UserID, UserName: n.UserName, Body: n.Body, CreatedAt: n.CreatedAt})
	}
	for _, a := range c.Actions {
		out.Actions = append(out.Actions, InboxActionOut{ItemID: a.ItemID, UserID: a.UserID, UserName: a.UserName, Action: a.Action,
			Detail: a.Detail, Result: a.Result, Error: a.Error, CreatedAt: a.CreatedAt})
	}
	replies, err := s.Inbox.Replies(ctx, u, in.ID)
	if err != nil {
		return nil, s.fail(err)
	}
	out.Replies = []InboxReplyOut{}
	for _, r := range replies {
		out.Replies = append(out.Replies, toInboxReply(r))
	}
	return &body[InboxConversationOut]{out}, nil
}

// localized translates a network's reason (an English catalogue key the
// connector wrote) into lang.
func localized(lang, reason string) string { return i18n.T(lang, reason) }
