package ui

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/channels"
	"github.com/tribune-social/tribune/internal/i18n"
	"github.com/tribune-social/tribune/internal/inbox"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/rules"
	"github.com/tribune-social/tribune/internal/sentiment"
	"github.com/tribune-social/tribune/internal/store"
	webi18n "github.com/tribune-social/tribune/internal/web/i18n"
)

// The inbox pages: the list (filters, search, bulk changes) and a
// conversation (its items with their triage controls, notes, network
// actions and audit). Reading takes View; the service checks the rest.

// inboxFilterKeys are the list's query parameters, kept across pages and
// bulk changes.
var inboxFilterKeys = []string{"channel", "network", "kind", "status", "assignee", "tag", "sentiment", "lang", "since", "until", "q"}

type inboxListData struct {
	WS       store.Workspace
	Role     auth.Role
	Items    []inbox.Item
	Filter   map[string]string
	Query    string // the filters as a query string, for links and the bulk form
	NextURL  string
	Channels []store.Channel
	Members  []store.ListMembersRow
	TZ       string
	// Overdue are the items waiting past the response target; PastOnly
	// lists just them (?sla=past).
	Overdue  inbox.Overdue
	PastOnly bool
	// Me and Self feed the live updates: the member, and the page's own
	// address, which the list refetches when an item arrives or changes.
	Me   int64
	Self string
	// Views are the member's saved views and the workspace's shared ones.
	Views []inbox.View
	// Notices say what a channel's account keeps out of the inbox (its
	// capabilities' notices), in the reader's language.
	Notices []channelNotice
	// ViewName is the name typed for a saved view that was refused.
	ViewName string
}

// inboxRefusal is a refused bulk change or saved view, said on the list it
// was asked from, with the view's name as typed.
type inboxRefusal struct {
	Err      *problem.Error
	ViewName string
}

// renderInboxRefused draws the list filtered by query (the page the form
// was on) with the refusal, instead of a bare error page.
func (u *ui) renderInboxRefused(w http.ResponseWriter, r *http.Request, ws store.Workspace, query string, ref inboxRefusal) error {
	_, role, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	back, _ := url.ParseQuery(query)
	raw := map[string]string{}
	for _, k := range inboxFilterKeys {
		raw[k] = back.Get(k)
	}
	// A GET of the list as it was: its live refetches read this address.
	list := r.Clone(r.Context())
	list.Method = http.MethodGet
	list.URL = &url.URL{Path: "/w/" + itoa(ws.ID) + "/inbox", RawQuery: filterQuery(raw)}
	list.RequestURI = list.URL.RequestURI()
	return u.renderInbox(w, list, ws, role, ref)
}

type channelNotice struct{ Channel, Text string }

// channelNotices reads each channel's capabilities for its notices; a
// channel whose credentials cannot be read is the channels page's concern.
func (u *ui) channelNotices(r *http.Request, user store.User, chs []store.Channel, loc *time.Location) []channelNotice {
	var out []channelNotice
	for _, ch := range chs {
		caps, has, err := u.Inbox.Capabilities(r.Context(), user, ch.ID)
		if err != nil || !has {
			continue
		}
		out = append(out, u.noticesOf(r, user, ch, caps, loc)...)
	}
	return out
}

// noticesOf is what channelNotices says of one channel whose capabilities
// are read already (a conversation has them).
func (u *ui) noticesOf(r *http.Request, user store.User, ch store.Channel, caps network.InboxCapabilities, loc *time.Location) []channelNotice {
	var out []channelNotice
	l := u.loc(r)
	for _, n := range caps.Notices {
		out = append(out, channelNotice{Channel: ch.Name, Text: reason(l.Lang(), n)})
	}
	// The account's rate limit is said before a member types a reply
	// the network would refuse: replies and actions wait for it.
	if until, holds := channels.LimitHolds(ch, time.Now()); holds {
		out = append(out, channelNotice{Channel: ch.Name, Text: l.T("The network's rate limit for this account holds until %s: replies and actions are refused until then, and the inbox is read again then.", l.Date(until, loc, "short"))})
	}
	// A failing read shows nothing by itself either: the list just
	// stops growing.
	ps, err := u.Inbox.PollStatus(r.Context(), user, ch.ID)
	if err != nil || ps.LastError == "" || ps.Stopped {
		return out // stopped: the channel says "reconnect"
	}
	next := l.Date(ps.NextPollAt, loc, "short")
	if ps.Failures > 0 {
		out = append(out, channelNotice{Channel: ch.Name, Text: l.T("Reading this channel's inbox failed %d times in a row (the network said: %s); next try %s.", ps.Failures, ps.LastError, next)})
	} else {
		out = append(out, channelNotice{Channel: ch.Name, Text: l.T("Part of this channel's inbox could not be read at the last try (the network said: %s); it is read again %s.", ps.LastError, next)})
	}
	return out
}

// inboxFilter reads the list's filters from the query; the inbox reads the
// days (in the member's time zone), the same way for the API.
func inboxFilter(r *http.Request) (inbox.Filter, map[string]string) {
	q := r.URL.Query()
	raw := map[string]string{}
	for _, k := range inboxFilterKeys {
		raw[k] = strings.TrimSpace(q.Get(k))
	}
	f := inbox.Filter{Network: raw["network"], Kind: network.ItemKind(raw["kind"]), Status: inbox.Status(raw["status"]), Tag: raw["tag"],
		Sentiment: sentiment.Label(raw["sentiment"]), Lang: raw["lang"], Query: raw["q"], SinceDay: raw["since"], UntilDay: raw["until"]}
	f.ChannelID, _ = strconv.ParseInt(raw["channel"], 10, 64)
	switch raw["assignee"] {
	case "":
	case "none":
		f.Unassigned = true
	default:
		f.AssigneeID, _ = strconv.ParseInt(raw["assignee"], 10, 64)
	}
	f.Before, _ = strconv.ParseInt(q.Get("before"), 10, 64)
	return f, raw
}

func filterQuery(raw map[string]string) string {
	v := url.Values{}
	for _, k := range inboxFilterKeys {
		if raw[k] != "" {
			v.Set(k, raw[k])
		}
	}
	return v.Encode()
}

func (u *ui) inboxPage(w http.ResponseWriter, r *http.Request) error {
	ws, role, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	return u.renderInbox(w, r, ws, role, inboxRefusal{})
}

func (u *ui) renderInbox(w http.ResponseWriter, r *http.Request, ws store.Workspace, role auth.Role, ref inboxRefusal) error {
	user := currentUser(r)
	tz := u.displayTZ(user, ws)
	f, raw := inboxFilter(r)
	page, err := u.Inbox.List(r.Context(), user, ws.ID, f)
	if err != nil {
		return err
	}
	overdue, pastOnly, err := u.inboxOverdue(r, user, ws.ID, &page)
	if err != nil {
		return err
	}
	chs, err := u.Channels.List(r.Context(), user, ws.ID)
	if err != nil {
		return err
	}
	members, err := u.Auth.Members(r.Context(), user, ws.ID)
	if err != nil {
		return err
	}
	views, err := u.Inbox.Views(r.Context(), user, ws.ID)
	if err != nil {
		return err
	}
	d := inboxListData{WS: ws, Role: role, Items: page.Items, Filter: raw, Query: filterQuery(raw), Channels: chs, Members: members, TZ: tz,
		Overdue: overdue, PastOnly: pastOnly, Views: views, Me: user.ID, Self: r.URL.RequestURI(), Notices: u.channelNotices(r, user, chs, loadLoc(tz)),
		ViewName: ref.ViewName}
	if page.Next != 0 {
		d.NextURL = "/w/" + itoa(ws.ID) + "/inbox?" + d.Query + "&before=" + itoa(page.Next)
	}
	pd := u.pageData(r, &ws, u.loc(r).T("Inbox"), "inbox")
	if ref.Err != nil {
		pd.Flash, pd.FlashError = problemText(u.loc(r).Lang(), ref.Err), true
		w.WriteHeader(ref.Err.Status)
	}
	return u.render(w, r, pd, inboxListPage(u.loc(r), d))
}

// inboxChange reads a triage change from a form; empty fields change nothing.
func inboxChange(r *http.Request) (inbox.Change, error) {
	var c inbox.Change
	if s := r.FormValue("status"); s != "" {
		st := inbox.Status(s)
		c.Status = &st
	}
	switch a := r.FormValue("assignee"); a {
	case "":
	case "none":
		c.Assignee = new(int64)
	default:
		id, err := strconv.ParseInt(a, 10, 64)
		if err != nil {
			return c, errBadForm.Wrap(err)
		}
		c.Assignee = &id
	}
	if p := r.FormValue("priority"); p != "" {
		n, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			return c, errBadForm.Wrap(err)
		}
		pr := inbox.Priority(n)
		c.Priority = &pr
	}
	if t := strings.TrimSpace(r.FormValue("add_tag")); t != "" {
		c.AddTags = []string{t}
	}
	if t := strings.TrimSpace(r.FormValue("remove_tag")); t != "" {
		c.RemoveTags = []string{t}
	}
	return c, nil
}

func changes(c inbox.Change) bool {
	return c.Status != nil || c.Assignee != nil || c.Priority != nil || len(c.AddTags)+len(c.RemoveTags) > 0
}

// inboxBulk applies one change to the items ticked on the list.
func (u *ui) inboxBulk(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	var ids []int64
	for _, v := range r.Form["item"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return errBadForm.Wrap(err)
		}
		ids = append(ids, id)
	}
	c, err := inboxChange(r)
	if err != nil {
		return err
	}
	if changes(c) {
		err := u.Inbox.Update(r.Context(), currentUser(r), ws.ID, ids, c)
		if pe := refused(err); pe != nil {
			return u.renderInboxRefused(w, r, ws, r.FormValue("return"), inboxRefusal{Err: pe})
		}
		if err != nil {
			return err
		}
		flash(w, u.loc(r).T("%d items updated", len(ids)))
	}
	// Back to the list as it was filtered (re-encoded: only the filters).
	back, _ := url.ParseQuery(r.FormValue("return"))
	raw := map[string]string{}
	for _, k := range inboxFilterKeys {
		raw[k] = back.Get(k)
	}
	return redirect(w, r, "/w/"+itoa(ws.ID)+"/inbox?"+filterQuery(raw))
}

type conversationData struct {
	WS      store.Workspace
	Role    auth.Role
	C       inbox.Conversation
	Members []store.ListMembersRow
	TZ      string
	Notes   map[int64][]store.ListInboxNotesRow
	// RuleActions are each item's automatic actions (moderation rules).
	RuleActions map[int64][]store.InboxAction
	// Notices are what the list says of the conversation's channel (what
	// its account cannot read, a rate limit holding, failing reads): said
	// here too, where the reply is typed.
	Notices []channelNotice

	// Replies are the replies sent from Tribune, by the item they answer;
	// ReplyCount is the reply box's empty counter (the channel's limit).
	Replies    map[int64][]store.InboxReply
	ReplyCount rules.Count
	// SavedReplies feed the reply box's picker.
	SavedReplies []store.SavedReply
	// ReplyApproval: contributors' replies wait for approval.
	ReplyApproval bool
	// Me and Self feed the live updates (see inboxListData).
	Me   int64
	Self string
	// Draft is a reply the server refused, shown again in its item's box
	// with the reason, so nothing typed is lost.
	Draft replyDraft
}

func (u *ui) inboxConversation(w http.ResponseWriter, r *http.Request) error {
	ws, role, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	d, err := u.conversation(r, ws, role, id, r.URL.RequestURI())
	if err != nil {
		return err
	}
	if d.Draft, err = u.draftOf(r); err != nil {
		return err
	}
	return u.render(w, r, u.pageData(r, &ws, u.loc(r).T("Conversation"), "inbox"), conversationPage(u.loc(r), d))
}

// conversation loads what the conversation page shows; self is the page's
// own address, which its live updates fetch again.
func (u *ui) conversation(r *http.Request, ws store.Workspace, role auth.Role, id int64, self string) (conversationData, error) {
	user := currentUser(r)
	c, err := u.Inbox.Conversation(r.Context(), user, id)
	if err != nil {
		return conversationData{}, err
	}
	if c.WorkspaceID != ws.ID {
		return conversationData{}, problem.NotFound
	}
	members, err := u.Auth.Members(r.Context(), user, ws.ID)
	if err != nil {
		return conversationData{}, err
	}
	d := conversationData{WS: ws, Role: role, C: c, Members: members, TZ: u.displayTZ(user, ws), Notes: map[int64][]store.ListInboxNotesRow{},
		Me: user.ID, Self: self}
	for _, n := range c.Notes {
		d.Notes[n.ItemID] = append(d.Notes[n.ItemID], n)
	}
	d.RuleActions = map[int64][]store.InboxAction{}
	for _, it := range c.Items {
		if d.RuleActions[it.ID], err = u.Inbox.RuleActions(r.Context(), user, it.ID); err != nil {
			return conversationData{}, err
		}
	}
	if err := u.conversationReplies(r, &d); err != nil {
		return conversationData{}, err
	}
	if c.HasInbox {
		d.Notices = u.noticesOf(r, user, c.Channel, c.Capabilities, loadLoc(d.TZ))
	}
	return d, nil
}

// inboxItem loads the {id} item of the {ws} workspace.
func (u *ui) inboxItem(r *http.Request) (store.Workspace, inbox.Item, error) {
	ws, _, err := u.workspace(r, auth.View)
	if err != nil {
		return ws, inbox.Item{}, err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return ws, inbox.Item{}, err
	}
	it, err := u.Inbox.Item(r.Context(), currentUser(r), id)
	if err != nil {
		return ws, it, err
	}
	if it.WorkspaceID != ws.ID {
		return ws, it, problem.NotFound
	}
	return ws, it, parseForm(r)
}

func itemAnchor(ws store.Workspace, it inbox.Item) string {
	return "/w/" + itoa(ws.ID) + "/inbox/conversations/" + itoa(it.ConversationID) + "#item-" + itoa(it.ID)
}

// inboxUpdate applies the triage controls of one item.
func (u *ui) inboxUpdate(w http.ResponseWriter, r *http.Request) error {
	ws, it, err := u.inboxItem(r)
	if err != nil {
		return err
	}
	c, err := inboxChange(r)
	if err != nil {
		return err
	}
	user := currentUser(r)
	if changes(c) {
		if err := u.Inbox.Update(r.Context(), user, ws.ID, []int64{it.ID}, c); err != nil {
			return err
		}
	}
	if s := r.FormValue("sentiment"); s != "" && s != it.Sentiment {
		if err := u.Inbox.CorrectSentiment(r.Context(), user, it.ID, sentiment.Label(s)); err != nil {
			return err
		}
	}
	flash(w, u.loc(r).T("Saved"))
	return redirect(w, r, itemAnchor(ws, it))
}

func (u *ui) inboxNote(w http.ResponseWriter, r *http.Request) error {
	ws, it, err := u.inboxItem(r)
	if err != nil {
		return err
	}
	if _, err := u.Inbox.AddNote(r.Context(), currentUser(r), it.ID, r.FormValue("body")); err != nil {
		return err
	}
	flash(w, u.loc(r).T("Note added"))
	return redirect(w, r, itemAnchor(ws, it))
}

func (u *ui) inboxAct(w http.ResponseWriter, r *http.Request) error {
	ws, it, err := u.inboxItem(r)
	if err != nil {
		return err
	}
	a := network.Action(r.FormValue("action"))
	if err := u.Inbox.Act(r.Context(), currentUser(r), it.ID, a); err != nil {
		return err
	}
	flash(w, u.loc(r).T("Done on the network: %s", actionLabel(u.loc(r), a)))
	return redirect(w, r, itemAnchor(ws, it))
}

// Labels, one literal per value so the catalogue test sees each of them.

func inboxStatusLabel(l *webi18n.Localizer, s string) string {
	switch inbox.Status(s) {
	case inbox.StatusNew:
		return l.T("New")
	case inbox.StatusOpen:
		return l.T("Open")
	case inbox.StatusPending:
		return l.T("Pending")
	case inbox.StatusDone:
		return l.T("Done")
	}
	return s
}

func kindLabel(l *webi18n.Localizer, k string) string {
	switch network.ItemKind(k) {
	case network.KindComment:
		return l.T("Comment on our post")
	case network.KindMention:
		return l.T("Mention")
	case network.KindQuote:
		return l.T("Quote")
	case network.KindMessage:
		return l.T("Direct message")
	case network.KindReview:
		return l.T("Customer review")
	}
	return k
}

func sentimentLabel(l *webi18n.Localizer, s string) string {
	switch sentiment.Label(s) {
	case sentiment.Positive:
		return l.T("Positive")
	case sentiment.Neutral:
		return l.T("Neutral")
	case sentiment.Negative:
		return l.T("Negative")
	}
	return l.T("Not analysed")
}

// sentimentLabelCorrected names an item's sentiment, saying when a
// member set it by hand.
func sentimentLabelCorrected(l *webi18n.Localizer, it inbox.Item) string {
	if it.SentimentCorrected {
		return sentimentLabel(l, it.Sentiment) + " · " + l.T("corrected")
	}
	return sentimentLabel(l, it.Sentiment)
}

func langLabel(l *webi18n.Localizer, lang string) string {
	switch lang {
	case sentiment.French:
		return l.T("French")
	case sentiment.English:
		return l.T("English")
	case sentiment.Other:
		return l.T("Other language")
	}
	return l.T("Language unknown")
}

func priorityLabel(l *webi18n.Localizer, p int64) string {
	switch inbox.Priority(p) {
	case inbox.PriorityLow:
		return l.T("Low")
	case inbox.PriorityNormal:
		return l.T("Normal")
	case inbox.PriorityHigh:
		return l.T("High")
	case inbox.PriorityUrgent:
		return l.T("Urgent")
	}
	return itoa(p)
}

func actionLabel(l *webi18n.Localizer, a network.Action) string {
	switch a {
	case network.ActLike:
		return l.T("Like")
	case network.ActUnlike:
		return l.T("Unlike")
	case network.ActHide:
		return l.T("Hide")
	case network.ActUnhide:
		return l.T("Unhide")
	case network.ActDelete:
		return l.T("Delete")
	case network.ActBlock:
		return l.T("Block the author")
	case network.ActUnblock:
		return l.T("Unblock the author")
	case network.ActMarkRead:
		return l.T("Mark read")
	case network.ActReply:
		return l.T("Reply")
	}
	return string(a)
}

// reason translates a network's reason (an English catalogue key).
func reason(lang, why string) string { return i18n.T(lang, why) }

// itemActions are the network actions a conversation page offers, in the
// order the contract lists them; replies have their own box.
func itemActions() []network.Action {
	return slices.DeleteFunc(slices.Clone(network.Actions), func(a network.Action) bool { return a == network.ActReply })
}

// itemActionsFor is itemActions without the half of a pair that would
// change nothing, so a conversation offers "Hide" or "Unhide", not both:
// the item's hidden state decides, and for likes the last like or unlike
// done from Tribune (none: not liked). Blocks concern the author across
// conversations, which this page does not see: both stay.
func itemActionsFor(it inbox.Item, done []store.ListInboxActionsRow) []network.Action {
	liked := false
	var last int64
	for _, a := range done {
		if a.ItemID == it.ID && a.Result == inbox.ResultOK && a.ID > last && (a.Action == string(network.ActLike) || a.Action == string(network.ActUnlike)) {
			liked, last = a.Action == string(network.ActLike), a.ID
		}
	}
	return slices.DeleteFunc(itemActions(), func(a network.Action) bool {
		switch a {
		case network.ActHide:
			return it.Hidden
		case network.ActUnhide:
			return !it.Hidden
		case network.ActLike:
			return liked
		case network.ActUnlike:
			return !liked
		}
		return false
	})
}

// networksOf lists the networks of the workspace's channels, once each.
func networksOf(chs []store.Channel) []string {
	var out []string
	for _, c := range chs {
		if !slices.Contains(out, c.Network) {
			out = append(out, c.Network)
		}
	}
	return out
}

func memberName(ms []store.ListMembersRow, id *int64) string {
	if id == nil {
		return ""
	}
	for _, m := range ms {
		if m.ID == *id {
			return m.Name
		}
	}
	return ""
}

// excerpt shortens a text for the list.
func excerpt(s string) string {
	r := []rune(strings.Join(strings.Fields(s), " "))
	if len(r) > 240 {
		return string(r[:239]) + "…"
	}
	if len(r) == 0 {
		return "…"
	}
	return string(r)
}

// whyNot says why an action is not offered, in the reader's language.
func whyNot(l *webi18n.Localizer, c inbox.Conversation, k network.ItemKind, a network.Action) string {
	if !c.HasInbox {
		return l.T("Tribune does not read this network's inbox yet.")
	}
	return reason(l.Lang(), c.Capabilities.ActionOn(k, a).Reason)
}

func auditLabel(l *webi18n.Localizer, action string) string {
	switch action {
	case "status":
		return l.T("status")
	case "assign":
		return l.T("assignment")
	case "priority":
		return l.T("priority")
	case "tag":
		return l.T("tag added")
	case "untag":
		return l.T("tag removed")
	case "sentiment":
		return l.T("sentiment corrected")
	}
	return actionLabel(l, network.Action(action))
}

func auditResult(l *webi18n.Localizer, result string) string {
	switch result {
	case inbox.ResultRefused:
		return l.T("refused by the network")
	case inbox.ResultFailed:
		return l.T("failed")
	case inbox.ResultQueued:
		return l.T("waiting to be sent to the network")
	case inbox.ResultInFlight:
		return l.T("sent to the network, answer unknown")
	}
	return result
}

// inboxFiltered reports whether any filter of the list is set.
func inboxFiltered(f map[string]string) bool {
	for _, v := range f {
		if v != "" {
			return true
		}
	}
	return false
}

// problemText is a refusal's message and its details on one line, for a
// flash.
func problemText(lang string, pe *problem.Error) string {
	parts := []string{pe.Localized(lang)}
	for _, d := range pe.Details {
		parts = append(parts, d.Localized(lang))
	}
	return strings.Join(parts, " ")
}
