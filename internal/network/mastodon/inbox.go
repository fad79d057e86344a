package mastodon

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/network/httpx"
	"github.com/tribune-social/tribune/internal/text/htmltext"
)

// The inbox (docs.joinmastodon.org/methods/notifications, conversations,
// markers, statuses, accounts): comments, mentions and quotes come from the
// account's notifications, direct messages from its conversations; an
// item's ExternalID is the status id, so a status seen in a notification,
// in a conversation and on the stream is one item.

// PollEvery is the poll interval the inbox asks for. Mastodon allows 300
// requests per 5 minutes per account (docs.joinmastodon.org/api/rate-limits).
// A quiet poll costs 2 requests (notifications, conversations), and one
// more per further page and per new thread whose root must be looked up
// (statuses/:id/context, at most MaxLookups): every minute that is 10–30
// requests per 5 minutes, a tenth of the budget, leaving the rest to publishing, to the
// actions people take in the inbox, and to busy moments. The user stream
// brings items in real time between polls.
const PollEvery = time.Minute

// Reasons shown when Mastodon does not allow something.
const (
	reasonNoReviews     = "Mastodon has no reviews."
	reasonNoHide        = "Mastodon has no way to hide a reply from others: block its author, or delete your own post."
	reasonDeleteOthers  = "Mastodon deletes only your own posts; someone else's reply can only be reported, or its author blocked."
	reasonQuotesGTS     = "GoToSocial does not notify quotes of your posts."
	reasonQuotesOld     = "This server does not notify quotes of your posts (Mastodon 4.5 and later do)."
	reasonQuotesUnknown = "Tribune has not read which server this is yet; it does at the next fetch."
	reasonReplyPublish  = "Replies are published like posts, not sent as an action."
)

// serverCache remembers, per instance address, what Instance read.
type serverCache struct {
	mu   sync.Mutex
	m    map[string]serverEntry
	life time.Duration
}

type serverEntry struct {
	inst Instance
	at   time.Time
}

func newServerCache() *serverCache {
	// An hour: a server upgraded to a version that notifies quotes is
	// noticed within the hour, at one request per hour per instance.
	return &serverCache{m: map[string]serverEntry{}, life: time.Hour}
}

func (s *serverCache) put(base string, inst Instance) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[base] = serverEntry{inst, time.Now()}
}

func (s *serverCache) get(base string) (Instance, bool, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[base]
	return e.inst, ok, ok && time.Since(e.at) < s.life
}

// server returns what the instance is, reading its document when it was
// never read or was read more than an hour ago. A failed read keeps what
// was known.
func (c *Connector) server(ctx context.Context, base string) (Instance, bool) {
	inst, known, fresh := c.servers.get(base)
	if fresh {
		return inst, true
	}
	if got, err := c.Instance(ctx, base); err == nil {
		return got, true
	}
	return inst, known
}

// InboxCapabilities says what Mastodon allows. Quotes depend on the
// server: Mastodon 4.5 (API version 7) notifies them, GoToSocial and older
// Mastodons do not; the server is known once Instance or FetchInbox has
// read it.
func (c *Connector) InboxCapabilities(acct network.Account) network.InboxCapabilities {
	quotes := network.Supported
	switch inst, known, _ := c.servers.get(acct.BaseURL); {
	case !known:
		quotes = network.Unsupported(reasonQuotesUnknown)
	case inst.Software == SoftwareGoToSocial:
		quotes = network.Unsupported(reasonQuotesGTS)
	case inst.APIVersion < 7:
		quotes = network.Unsupported(reasonQuotesOld)
	}
	return network.InboxCapabilities{
		Kinds: map[network.ItemKind]network.Support{
			network.KindComment: network.Supported,
			network.KindMention: network.Supported,
			network.KindQuote:   quotes,
			network.KindMessage: network.Supported,
			network.KindReview:  network.Unsupported(reasonNoReviews),
		},
		Actions: map[network.Action]network.Support{
			network.ActReply:    network.Supported,
			network.ActLike:     network.Supported,
			network.ActUnlike:   network.Supported,
			network.ActHide:     network.Unsupported(reasonNoHide),
			network.ActUnhide:   network.Unsupported(reasonNoHide),
			network.ActDelete:   network.Unsupported(reasonDeleteOthers),
			network.ActBlock:    network.Supported,
			network.ActUnblock:  network.Supported,
			network.ActMarkRead: network.Supported,
		},
		Streaming: true,
		PollEvery: PollEvery,
	}
}

// Mastodon's entities, as far as the inbox reads them.
type mAccount struct {
	ID          string `json:"id"`
	Username    string `json:"username"`
	Acct        string `json:"acct"`
	DisplayName string `json:"display_name"`
	Avatar      string `json:"avatar"`
	URL         string `json:"url"`
}

type mStatus struct {
	ID                 string     `json:"id"`
	URL                string     `json:"url"`
	URI                string     `json:"uri"`
	Content            string     `json:"content"`
	SpoilerText        string     `json:"spoiler_text"`
	Visibility         string     `json:"visibility"`
	Language           *string    `json:"language"`
	CreatedAt          time.Time  `json:"created_at"`
	EditedAt           *time.Time `json:"edited_at"`
	InReplyToID        *string    `json:"in_reply_to_id"`
	InReplyToAccountID *string    `json:"in_reply_to_account_id"`
	Account            mAccount   `json:"account"`
	Mentions           []struct {
		ID string `json:"id"`
	} `json:"mentions"`
	// Quote is Mastodon 4.5's Quote (or ShallowQuote) entity.
	Quote *struct {
		State          string   `json:"state"`
		QuotedStatus   *mStatus `json:"quoted_status"`
		QuotedStatusID *string  `json:"quoted_status_id"`
	} `json:"quote"`
}

type mNotification struct {
	ID        string    `json:"id"`
	Type      string    `json:"type"`
	CreatedAt time.Time `json:"created_at"`
	Status    *mStatus  `json:"status"`
}

type mConversation struct {
	ID         string   `json:"id"`
	Unread     bool     `json:"unread"`
	LastStatus *mStatus `json:"last_status"`
}

type mContext struct {
	Ancestors   []mStatus `json:"ancestors"`
	Descendants []mStatus `json:"descendants"`
}

// inboxTypes are the notification types that carry inbox items: a reply
// or a mention ("mention"), a quote of one of our posts ("quote", Mastodon
// 4.5), and an edit of a status we interacted with ("update": a comment we
// answered or liked, edited afterwards).
var inboxTypes = []string{"mention", "quote", "update"}

// cursor is FetchInbox's position: the last notification and the last
// conversation status taken in.
type cursor struct{ notif, conv string }

func parseCursor(s string) cursor {
	var c cursor
	for part := range strings.SplitSeq(s, ";") {
		k, v, ok := strings.Cut(part, "=")
		switch {
		case !ok:
			c.notif = part // a bare id: a notification
		case k == "n":
			c.notif = v
		case k == "c":
			c.conv = v
		}
	}
	return c
}

func (c cursor) String() string {
	if c.notif == "" && c.conv == "" {
		return ""
	}
	return "n=" + c.notif + ";c=" + c.conv
}

// idLess orders Mastodon ids: decimal snowflakes on Mastodon (a longer id
// is a larger number), ULIDs of one length on GoToSocial.
func idLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

// fetch is the state of one FetchInbox or one stream connection: the
// thread roots already looked up, so a thread costs one request.
type fetch struct {
	c     *Connector
	acct  network.Account
	roots map[string]*mStatus // status id → its thread's first status
	// lookups counts the context requests made; a fetch stops taking
	// items in once maxLookups are spent (0: no bound, for a stream, which
	// looks up one thread per new item as it comes).
	lookups, maxLookups int
	// budget is the account's rate budget as the last answer told it.
	budget *network.RateBudget
}

// MaxLookups bounds the thread look-ups (statuses/:id/context) of one
// FetchInbox, so that a burst of replies in many threads costs a bounded
// share of the rate budget per poll; the rest waits for the next fetch
// (More is set).
const MaxLookups = 20

// spent reports whether the fetch may look up no further thread.
func (f *fetch) spent() bool { return f.maxLookups > 0 && f.lookups >= f.maxLookups }

// context reads a status's thread.
func (f *fetch) context(ctx context.Context, id string, cx *mContext) error {
	f.lookups++
	_, err := f.get(ctx, f.acct.BaseURL+"/api/v1/statuses/"+url.PathEscape(id)+"/context", cx)
	return err
}

func (c *Connector) newFetch(acct network.Account) *fetch {
	return &fetch{c: c, acct: acct, roots: map[string]*mStatus{}}
}

// get reads a JSON answer and its Link header.
func (f *fetch) get(ctx context.Context, u string, out any) (http.Header, error) {
	res, err := f.c.api.Do(ctx, httpx.Request{Method: http.MethodGet, URL: u, Token: f.acct.Token.AccessToken}, out)
	if b := network.ReadBudget(res.Header, time.Now()); b != nil {
		f.budget = b
	}
	return res.Header, err
}

// FetchInbox returns the comments, mentions, quotes and direct messages
// that arrived since req.Cursor, oldest first.
//
// Notifications are read forward from the cursor with min_id (the page
// just after it), following the Link header's "prev" page until the server
// runs out or req.Limit items are taken; the first fetch (no cursor) reads
// back from the newest with "next" pages down to req.Since (ten pages at
// most: a backfill, not the whole history) and returns the oldest first.
// Conversations are read newest first down to the cursor; each new direct
// message brings the messages it answers (its context) with it, and a
// conversation's messages are never split between two fetches, so they
// may pass the limit by one conversation.
func (c *Connector) FetchInbox(ctx context.Context, acct network.Account, req network.FetchRequest) (network.FetchResult, error) {
	if req.Limit <= 0 {
		req.Limit = 40
	}
	c.server(ctx, acct.BaseURL) // what the server is: capabilities and quotes
	f := c.newFetch(acct)
	f.maxLookups = MaxLookups
	cur := parseCursor(req.Cursor)
	out := network.FetchResult{Cursor: req.Cursor}

	msgs, convCur, moreConv, err := f.conversations(ctx, cur.conv, req.Since, req.Limit)
	if err != nil {
		return network.FetchResult{}, err
	}
	// The messages count against the limit; when they fill it, the
	// notifications wait for the next fetch (More).
	var notes []network.Item
	notifCur, moreNotif := cur.notif, true
	if len(msgs) < req.Limit {
		notes, notifCur, moreNotif, err = f.notifications(ctx, cur.notif, req.Since, req.Limit-len(msgs))
		if err != nil {
			return network.FetchResult{}, err
		}
	}
	out.Items = append(msgs, notes...)
	slices.SortStableFunc(out.Items, func(a, b network.Item) int { return a.CreatedAt.Compare(b.CreatedAt) })
	out.Cursor = cursor{notif: notifCur, conv: convCur}.String()
	if out.Cursor == "" {
		out.Cursor = req.Cursor
	}
	out.More = moreConv || moreNotif
	out.Budget = f.budget
	return out, nil
}

// notifications reads the inbox's notifications after the cursor and
// returns their items, the new cursor and whether more remain.
func (f *fetch) notifications(ctx context.Context, after string, since time.Time, limit int) ([]network.Item, string, bool, error) {
	q := url.Values{"limit": {"40"}}
	for _, t := range inboxTypes {
		q.Add("types[]", t)
	}
	forward := after != ""
	if forward {
		q.Set("min_id", after)
	}
	u := f.acct.BaseURL + "/api/v1/notifications?" + q.Encode()
	var all []mNotification
	newest := after
	more := false
	for page := 0; u != "" && page < 10; page++ {
		var list []mNotification
		h, err := f.get(ctx, u, &list)
		if err != nil {
			return nil, "", false, err
		}
		if len(list) == 0 {
			break
		}
		// A page is newest first; read forward, it is taken oldest first.
		slices.SortFunc(list, func(a, b mNotification) int { return cmpID(a.ID, b.ID) })
		if forward {
			all = append(all, list...)
			if len(all) >= limit {
				more = len(all) > limit || linkURL(h, "prev") != ""
				all = all[:limit]
				break
			}
			u = f.pageURL(h, "prev")
			continue
		}
		// Backwards from the newest, down to since.
		stop := false
		for i := len(list) - 1; i >= 0; i-- {
			if !since.IsZero() && list[i].CreatedAt.Before(since) {
				stop = true
				break
			}
			all = append(all, list[i])
		}
		if stop {
			break
		}
		u = f.pageURL(h, "next")
	}
	if !forward {
		// The oldest first, cut at the limit: the cursor then stands
		// where the cut is, and the next fetches read forward from it.
		slices.Reverse(all)
		if len(all) > limit {
			all, more = all[:limit], true
		}
	}
	var items []network.Item
	for _, n := range all {
		if f.spent() {
			more = true // the look-up budget is spent: the rest next time
			break
		}
		if idLess(newest, n.ID) || newest == "" {
			newest = n.ID
		}
		it, ok, err := f.fromNotification(ctx, n)
		if err != nil {
			return nil, "", false, err
		}
		if ok {
			items = append(items, it)
		}
	}
	return items, newest, more, nil
}

// conversations reads the direct-message conversations updated after the
// cursor (the id of the last status taken in) and returns their messages.
func (f *fetch) conversations(ctx context.Context, after string, since time.Time, limit int) ([]network.Item, string, bool, error) {
	u := f.acct.BaseURL + "/api/v1/conversations?limit=20"
	var fresh []mConversation
	done := false
	for page := 0; u != "" && !done && page < 5; page++ {
		var list []mConversation
		h, err := f.get(ctx, u, &list)
		if err != nil {
			return nil, "", false, err
		}
		if len(list) == 0 {
			break
		}
		for _, cv := range list {
			st := cv.LastStatus
			if st == nil {
				continue
			}
			if (after != "" && !idLess(after, st.ID)) || (after == "" && !since.IsZero() && st.CreatedAt.Before(since)) {
				done = true // newest first: the rest was taken in before
				break
			}
			fresh = append(fresh, cv)
		}
		u = f.pageURL(h, "next")
	}
	// Oldest first, so that a cut at the limit leaves a cursor behind
	// which nothing is skipped.
	slices.SortFunc(fresh, func(a, b mConversation) int { return cmpID(a.LastStatus.ID, b.LastStatus.ID) })
	newest, more := after, false
	var items []network.Item
	for i, cv := range fresh {
		if len(items) >= limit {
			more = true
			break
		}
		msgs := []mStatus{*cv.LastStatus}
		if cv.LastStatus.InReplyToID != nil {
			if f.spent() {
				more = true
				break
			}
			var cx mContext
			if err := f.context(ctx, cv.LastStatus.ID, &cx); err != nil && !notFound(err) {
				return nil, "", false, err
			}
			msgs = append(cx.Ancestors, msgs...)
		}
		for _, st := range msgs {
			if st.Account.ID == f.acct.ExternalID || st.Visibility != "direct" {
				continue // our own side of the conversation, or a public post it answers
			}
			it := f.item(st, network.KindMessage)
			it.ConversationID = cv.ID
			it.Root = nil
			items = append(items, it)
		}
		newest = fresh[i].LastStatus.ID
	}
	return items, newest, more, nil
}

func cmpID(a, b string) int {
	switch {
	case a == b:
		return 0
	case idLess(a, b):
		return -1
	}
	return 1
}

// fromNotification turns a notification into an item; ok is false for one
// that is not an inbox item (a direct message, taken from conversations;
// an edit of a status that does not concern us).
func (f *fetch) fromNotification(ctx context.Context, n mNotification) (network.Item, bool, error) {
	st := n.Status
	if st == nil || st.Visibility == "direct" || st.Account.ID == f.acct.ExternalID {
		return network.Item{}, false, nil
	}
	switch n.Type {
	case "quote":
		it := f.item(*st, network.KindQuote)
		if q := quotedID(st); q != "" {
			it.ParentID, it.ConversationID = q, q
			it.Root = &network.Ref{ID: q}
			if st.Quote.QuotedStatus != nil {
				it.Root.URL = st.Quote.QuotedStatus.URL
			}
		}
		return it, true, nil
	case "mention", "update":
		return f.classify(ctx, *st)
	}
	return network.Item{}, false, nil
}

func quotedID(st *mStatus) string {
	switch {
	case st.Quote == nil:
		return ""
	case st.Quote.QuotedStatus != nil:
		return st.Quote.QuotedStatus.ID
	case st.Quote.QuotedStatusID != nil:
		return *st.Quote.QuotedStatusID
	}
	return ""
}

// classify makes a status that mentions us or answers us an item: a
// comment when its thread starts with one of our posts, a mention
// otherwise; Root and ConversationID are the thread's first status, read
// from the status's context (one request per thread per fetch). A status
// neither mentioning nor answering us (an "update" of something else) is
// not an item. A status gone since its notification is returned deleted.
func (f *fetch) classify(ctx context.Context, st mStatus) (network.Item, bool, error) {
	if !f.concernsUs(st) {
		return network.Item{}, false, nil
	}
	if st.InReplyToID == nil {
		it := f.item(st, network.KindMention)
		it.Root = &network.Ref{ID: st.ID, URL: st.URL}
		it.ConversationID = st.ID
		return it, true, nil
	}
	root, err := f.root(ctx, st)
	if notFound(err) {
		it := f.item(st, network.KindMention)
		it.Deleted = true
		it.ConversationID = st.ID
		return it, true, nil
	}
	if err != nil {
		return network.Item{}, false, err
	}
	kind := network.KindMention
	if root.Account.ID == f.acct.ExternalID {
		kind = network.KindComment
	}
	it := f.item(st, kind)
	it.Root = &network.Ref{ID: root.ID, URL: root.URL}
	it.ConversationID = root.ID
	return it, true, nil
}

func (f *fetch) concernsUs(st mStatus) bool {
	if st.InReplyToAccountID != nil && *st.InReplyToAccountID == f.acct.ExternalID {
		return true
	}
	for _, m := range st.Mentions {
		if m.ID == f.acct.ExternalID {
			return true
		}
	}
	return false
}

// root is the first status of st's thread.
func (f *fetch) root(ctx context.Context, st mStatus) (*mStatus, error) {
	if r, ok := f.roots[*st.InReplyToID]; ok {
		return r, nil
	}
	var cx mContext
	if err := f.context(ctx, st.ID, &cx); err != nil {
		return nil, err
	}
	if len(cx.Ancestors) == 0 {
		// The status it answers is gone or hidden from us: the thread
		// starts where we can see it.
		return &st, nil
	}
	// Every status of the thread, above and below, has that root: later
	// items answering any of them cost no further request.
	root := &cx.Ancestors[0]
	f.roots[st.ID] = root
	for _, a := range slices.Concat(cx.Ancestors, cx.Descendants) {
		f.roots[a.ID] = root
	}
	return root, nil
}

// item is what every kind shares.
func (f *fetch) item(st mStatus, kind network.ItemKind) network.Item {
	text := htmltext.Plain(st.Content)
	if st.SpoilerText != "" {
		text = st.SpoilerText + "\n\n" + text
	}
	it := network.Item{
		ExternalID: st.ID,
		Kind:       kind,
		Ref:        network.Ref{ID: st.ID, URL: st.URL},
		Author: network.Author{ExternalID: st.Account.ID, Handle: handleOf(account{ID: st.Account.ID, Username: st.Account.Username, Acct: st.Account.Acct}, f.acct.BaseURL, domainOfHandle(f.acct.Handle)),
			DisplayName: st.Account.DisplayName, AvatarURL: st.Account.Avatar, URL: st.Account.URL},
		Text:      text,
		CreatedAt: st.CreatedAt,
	}
	if it.Ref.URL == "" {
		it.Ref.URL = st.URI
	}
	if st.InReplyToID != nil {
		it.ParentID = *st.InReplyToID
	}
	if st.Language != nil {
		it.Lang = *st.Language
	}
	if st.EditedAt != nil {
		it.EditedAt = *st.EditedAt
	}
	return it
}

// domainOfHandle is the domain of our own handle (@user@domain): a local
// author's acct is a bare username on that domain.
func domainOfHandle(h string) string {
	if i := strings.LastIndex(h, "@"); i > 0 {
		return h[i+1:]
	}
	return ""
}

// pageURL is the Link header's page rel on our instance: the link's path
// and query on acct.BaseURL (a server behind a proxy writes links with its
// own host name, and a link elsewhere is never followed). A since_id in a
// "prev" link becomes min_id: since_id gives the newest page, min_id the
// page right after the cursor, so nothing in between is skipped.
func (f *fetch) pageURL(h http.Header, rel string) string {
	raw := linkURL(h, rel)
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	q := u.Query()
	if rel == "prev" && q.Get("min_id") == "" && q.Get("since_id") != "" {
		q.Set("min_id", q.Get("since_id"))
		q.Del("since_id")
	}
	return f.acct.BaseURL + u.EscapedPath() + "?" + q.Encode()
}

// linkURL reads one rel of an RFC 8288 Link header: <url>; rel="next".
func linkURL(h http.Header, rel string) string {
	for _, v := range h.Values("Link") {
		for part := range strings.SplitSeq(v, ",") {
			target, params, ok := strings.Cut(part, ";")
			if !ok {
				continue
			}
			for p := range strings.SplitSeq(params, ";") {
				k, val, _ := strings.Cut(strings.TrimSpace(p), "=")
				if strings.EqualFold(k, "rel") && slices.Contains(strings.Fields(strings.Trim(val, `"`)), rel) {
					return strings.Trim(strings.TrimSpace(target), "<>")
				}
			}
		}
	}
	return ""
}

func notFound(err error) bool {
	var ne *network.Error
	return errors.As(err, &ne) && ne.Status == http.StatusNotFound
}

// unsupported is ErrUnsupported with the reason the UI shows.
func unsupported(reason string) error { return fmt.Errorf("%w: %s", network.ErrUnsupported, reason) }

// Act does an action on an item. Liking, blocking and marking read are
// idempotent on Mastodon (favouriting twice keeps one favourite).
func (c *Connector) Act(ctx context.Context, acct network.Account, a network.Action, item network.Item) error {
	post := func(path string, form url.Values) error {
		var body, ct = form.Encode(), "application/x-www-form-urlencoded"
		_, err := c.api.Do(ctx, httpx.Request{Method: http.MethodPost, URL: acct.BaseURL + path, Token: acct.Token.AccessToken,
			Body: strings.NewReader(body), ContentType: ct}, nil)
		return err
	}
	status := "/api/v1/statuses/" + url.PathEscape(item.Ref.ID)
	author := "/api/v1/accounts/" + url.PathEscape(item.Author.ExternalID)
	switch a {
	case network.ActLike:
		return post(status+"/favourite", url.Values{})
	case network.ActUnlike:
		return post(status+"/unfavourite", url.Values{})
	case network.ActBlock, network.ActUnblock:
		if item.Author.ExternalID == "" || item.Author.ExternalID == acct.ExternalID {
			return network.Errorf("an account cannot block itself")
		}
		return post(author+"/"+string(a), url.Values{}) // …/block, …/unblock
	case network.ActDelete:
		if item.Author.ExternalID != acct.ExternalID {
			return unsupported(reasonDeleteOthers)
		}
		return c.Delete(ctx, acct, item.Ref)
	case network.ActMarkRead:
		if item.Kind == network.KindMessage {
			return post("/api/v1/conversations/"+url.PathEscape(item.ConversationID)+"/read", url.Values{})
		}
		return c.markRead(ctx, acct, item)
	case network.ActHide, network.ActUnhide:
		return unsupported(reasonNoHide)
	case network.ActReply:
		return unsupported(reasonReplyPublish)
	}
	return unsupported("This network does not allow this action.")
}

// markRead moves the notifications marker (POST /api/v1/markers) to the
// item's notification. Mastodon's marker is a position, not a flag per
// notification: everything up to it counts as read, so it only moves
// forward; an item older than the marker is read already.
func (c *Connector) markRead(ctx context.Context, acct network.Account, item network.Item) error {
	f := c.newFetch(acct)
	var markers struct {
		Notifications *struct {
			LastReadID string `json:"last_read_id"`
		} `json:"notifications"`
	}
	if _, err := f.get(ctx, acct.BaseURL+"/api/v1/markers?timeline[]=notifications", &markers); err != nil {
		return err
	}
	last := ""
	if markers.Notifications != nil {
		last = markers.Notifications.LastReadID
	}
	// The item's notification, newest first, down to the marker.
	q := url.Values{"limit": {"40"}}
	for _, t := range inboxTypes {
		q.Add("types[]", t)
	}
	u := acct.BaseURL + "/api/v1/notifications?" + q.Encode()
	for page := 0; u != "" && page < 5; page++ {
		var list []mNotification
		h, err := f.get(ctx, u, &list)
		if err != nil {
			return err
		}
		for _, n := range list {
			if last != "" && !idLess(last, n.ID) {
				return nil // at or behind the marker: read already
			}
			if n.Status != nil && n.Status.ID == item.ExternalID {
				body := url.Values{"notifications[last_read_id]": {n.ID}}
				_, err := c.api.Do(ctx, httpx.Request{Method: http.MethodPost, URL: acct.BaseURL + "/api/v1/markers", Token: acct.Token.AccessToken,
					Body: strings.NewReader(body.Encode()), ContentType: "application/x-www-form-urlencoded"}, nil)
				return err
			}
		}
		if len(list) == 0 {
			break
		}
		u = f.pageURL(h, "next")
	}
	return network.Errorf("the instance no longer lists this item's notification, so it cannot be marked read there")
}
