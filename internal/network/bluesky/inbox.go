package bluesky

// The inbox: what arrives around a Bluesky account (replies under our
// posts, mentions, quotes) and what we can do about it (like, hide a reply
// under our post, block, mark read).
//
// Reading goes through the account's PDS, which proxies app.bsky.* calls to
// its AppView (app.bsky.notification.listNotifications,
// app.bsky.feed.getPostThread, app.bsky.notification.updateSeen); acting
// writes records in our own repository through the PDS (app.bsky.feed.like,
// app.bsky.graph.block, app.bsky.feed.threadgate), so every action is a
// record Tribune can read back.

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/tribune-social/tribune/internal/network"
)

// The record collections the inbox writes.
const (
	LikeCollection       = "app.bsky.feed.like"
	BlockCollection      = "app.bsky.graph.block"
	ThreadgateCollection = "app.bsky.feed.threadgate"
)

// Limits from the lexicons and Bluesky's documentation.
const (
	// notifPage is listNotifications' largest page (lexicon: maximum 100).
	notifPage = 100
	// maxNotifPages bounds one fetch's walk back through notifications, so
	// a first fetch of an old, busy account stays a bounded number of calls.
	maxNotifPages = 50
	// threadDepth is how many levels of replies getPostThread returns under
	// each of our posts (lexicon default 6, maximum 1000).
	threadDepth = 10
	// maxHiddenReplies is the threadgate's hiddenReplies maxLength.
	maxHiddenReplies = 300
	// overlap is how far before the last mark a caught-up fetch looks again:
	// the AppView sorts notifications by the earlier of the record's
	// createdAt and its indexing time, so a post indexed late (a slow relay,
	// a client's clock behind) can sort just before a mark we already passed.
	overlap = 10 * time.Minute
)

// pollEvery is the shortest interval between two polls of one channel. The
// Bluesky PDS allows 3,000 requests per 5 minutes per IP address across all
// routes (docs.bsky.app "Rate Limits"); a poll costs one listNotifications
// page in the usual case, one getLog page for direct messages, plus one
// getPostThread per recent post (about 20), so a poll a minute is about 110
// requests per 5 minutes per channel: room for publishing and for a few
// dozen channels behind one address. Every answer of a PDS whose rate
// limits are on tells what is left of that budget (RateLimit-Limit,
// -Remaining, -Reset): FetchInbox passes it up as FetchResult.Budget, so
// that polling backs off when the address's budget runs low, whoever
// spent it.
const pollEvery = time.Minute

var _ network.Inbox = (*Connector)(nil)

// InboxCapabilities says what Bluesky allows; the reasons are shown in the UI.
func (c *Connector) InboxCapabilities(acct network.Account) network.InboxCapabilities {
	messages := network.Supported
	var notices []string
	if !c.chatReadable(acct) {
		messages = network.Unsupported(NoChatAccess)
		notices = append(notices, NoChatAccess)
	}
	return network.InboxCapabilities{
		Kinds: map[network.ItemKind]network.Support{
			network.KindComment: network.Supported,
			network.KindMention: network.Supported,
			network.KindQuote:   network.Supported,
			network.KindMessage: messages,
			network.KindReview:  network.Unsupported("Bluesky has no reviews."),
		},
		Actions: map[network.Action]network.Support{
			network.ActReply:    network.Supported,
			network.ActLike:     network.Supported,
			network.ActUnlike:   network.Supported,
			network.ActHide:     network.Supported,
			network.ActUnhide:   network.Supported,
			network.ActDelete:   network.Unsupported("Bluesky lets an account delete only its own posts: hide the reply under your post instead."),
			network.ActBlock:    network.Supported,
			network.ActUnblock:  network.Supported,
			network.ActMarkRead: network.Supported,
		},
		// The chat has neither likes nor hiding, and deletes a message
		// only from the deleting account's view.
		KindActions: map[network.ItemKind]map[network.Action]network.Support{
			network.KindMessage: {
				network.ActReply:    messages,
				network.ActMarkRead: messages,
				network.ActLike:     network.Unsupported("Bluesky direct messages cannot be liked."),
				network.ActUnlike:   network.Unsupported("Bluesky direct messages cannot be liked."),
				network.ActHide:     network.Unsupported("Bluesky cannot hide a direct message: block the account or mute the conversation in the Bluesky app."),
				network.ActUnhide:   network.Unsupported("Bluesky cannot hide a direct message: block the account or mute the conversation in the Bluesky app."),
				network.ActDelete:   network.Unsupported("Bluesky deletes a direct message only from your own view, never from the sender's."),
			},
		},
		Notices:   notices,
		PollEvery: pollEvery,
	}
}

// Wire shapes of the AppView's answers (app.bsky.notification.listNotifications,
// app.bsky.feed.defs#threadViewPost, app.bsky.actor.defs#profileView).

type profile struct {
	DID         string `json:"did"`
	Handle      string `json:"handle"`
	DisplayName string `json:"displayName"`
	Avatar      string `json:"avatar"`
}

type postRecord struct {
	Text      string   `json:"text"`
	CreatedAt string   `json:"createdAt"`
	Langs     []string `json:"langs"`
	Reply     *struct {
		Root   strongRef `json:"root"`
		Parent strongRef `json:"parent"`
	} `json:"reply"`
	Embed *struct {
		Type   string          `json:"$type"`
		Record json.RawMessage `json:"record"`
	} `json:"embed"`
}

// quoted returns the URI of the post a record quotes, if any
// (app.bsky.embed.record or app.bsky.embed.recordWithMedia).
func (r postRecord) quoted() string {
	if r.Embed == nil {
		return ""
	}
	switch r.Embed.Type {
	case "app.bsky.embed.record":
		var ref strongRef
		_ = json.Unmarshal(r.Embed.Record, &ref)
		return ref.URI
	case "app.bsky.embed.recordWithMedia":
		var rec struct {
			Record strongRef `json:"record"`
		}
		_ = json.Unmarshal(r.Embed.Record, &rec)
		return rec.Record.URI
	}
	return ""
}

type notification struct {
	URI           string          `json:"uri"`
	CID           string          `json:"cid"`
	Author        profile         `json:"author"`
	Reason        string          `json:"reason"`
	ReasonSubject string          `json:"reasonSubject"`
	Record        json.RawMessage `json:"record"`
	IsRead        bool            `json:"isRead"`
	IndexedAt     string          `json:"indexedAt"`
}

type notificationPage struct {
	Cursor        string         `json:"cursor"`
	Notifications []notification `json:"notifications"`
	SeenAt        string         `json:"seenAt"`
}

type postView struct {
	URI       string          `json:"uri"`
	CID       string          `json:"cid"`
	Author    profile         `json:"author"`
	Record    json.RawMessage `json:"record"`
	IndexedAt string          `json:"indexedAt"`
}

type threadNode struct {
	Type     string        `json:"$type"`
	URI      string        `json:"uri"` // notFoundPost, blockedPost
	NotFound bool          `json:"notFound"`
	Blocked  bool          `json:"blocked"`
	Post     *postView     `json:"post"`
	Replies  []*threadNode `json:"replies"`
}

type threadAnswer struct {
	Thread     *threadNode `json:"thread"`
	Threadgate *struct {
		URI    string `json:"uri"`
		Record struct {
			HiddenReplies []string `json:"hiddenReplies"`
		} `json:"record"`
	} `json:"threadgate"`
}

// didOf returns the repository (DID) of an at:// URI.
func didOf(uri string) string {
	rest, ok := strings.CutPrefix(uri, "at://")
	if !ok {
		return ""
	}
	did, _, _ := strings.Cut(rest, "/")
	return did
}

func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// item turns one post the AppView showed into an inbox item. kind is what
// the notification said (or comment for a reply found in a thread); a reply
// in a thread that starts with one of our posts is a comment whatever the
// notification's reason (the AppView sends a single notification per post
// and prefers "mention" when a reply also names us).
func (c *Connector) item(acct network.Account, kind network.ItemKind, uri, cid string, author profile, raw json.RawMessage, indexedAt string) network.Item {
	var rec postRecord
	_ = json.Unmarshal(raw, &rec)
	it := network.Item{
		ExternalID: uri,
		Kind:       kind,
		Author: network.Author{ExternalID: author.DID, Handle: author.Handle, DisplayName: author.DisplayName,
			AvatarURL: author.Avatar, URL: "https://bsky.app/profile/" + author.Handle},
		Text:      rec.Text,
		CreatedAt: parseTime(rec.CreatedAt),
	}
	if it.CreatedAt.IsZero() {
		it.CreatedAt = parseTime(indexedAt)
	}
	if len(rec.Langs) > 0 {
		it.Lang = rec.Langs[0]
	}
	it.Ref = c.ref(network.Account{Handle: author.Handle, ExternalID: author.DID}, uri, cid)
	if rec.Reply != nil {
		root := c.ref(network.Account{ExternalID: didOf(rec.Reply.Root.URI)}, rec.Reply.Root.URI, rec.Reply.Root.CID)
		it.Root, it.ParentID, it.ConversationID = &root, rec.Reply.Parent.URI, rec.Reply.Root.URI
		if didOf(rec.Reply.Root.URI) == acct.ExternalID || didOf(rec.Reply.Parent.URI) == acct.ExternalID {
			it.Kind = network.KindComment
		}
	} else {
		// A post that starts its own thread: answering it makes it the
		// root. A quote answers the post it quotes, which links it to ours.
		self := it.Ref
		it.Root, it.ConversationID, it.ParentID = &self, uri, rec.quoted()
	}
	return it
}

// kindOf maps a notification reason to an item kind; other reasons (like,
// repost, follow…) are not conversations.
func kindOf(reason string) (network.ItemKind, bool) {
	switch reason {
	case "reply":
		return network.KindComment, true
	case "mention":
		return network.KindMention, true
	case "quote":
		return network.KindQuote, true
	}
	return "", false
}

// The fetch cursor is a notification time. "since=T" (caught up at T) makes
// the next fetch look again from T minus the overlap; "after=T" (a fetch
// stopped at its limit, having returned every notification sorted at T)
// makes the next one continue strictly after T.
func parseCursor(cur string, since time.Time) (lower time.Time, strict bool) {
	if v, ok := strings.CutPrefix(cur, "after="); ok {
		if t := parseTime(v); !t.IsZero() {
			return t, true
		}
	}
	if v, ok := strings.CutPrefix(cur, "since="); ok {
		if t := parseTime(v); !t.IsZero() {
			return t.Add(-overlap), false
		}
	}
	return since, false
}

type fetched struct {
	item   network.Item
	sortAt time.Time
}

// FetchInbox walks listNotifications back from the newest to the cursor's
// mark (the AppView pages from newest to oldest), keeps replies, mentions
// and quotes, returns them oldest first up to req.Limit, and, once caught
// up, adds the replies found in the thread of each of req.OurPosts (replies
// to replies that notified someone else, replies whose notification the
// AppView dropped).
//
// Direct messages follow (chat.go), with their own part of the cursor. An
// account whose app password cannot read them still gets its
// notifications; its capabilities then say why messages are missing.
//
// The result's Budget is the one the PDS's last answer told (nil when its
// rate limits are off: a self-hosted PDS's default, PDS_RATE_LIMITS_ENABLED).
func (c *Connector) FetchInbox(ctx context.Context, acct network.Account, req network.FetchRequest) (network.FetchResult, error) {
	ctx, note := withBudgetNote(ctx)
	notif, chatCursor := splitCursor(req.Cursor)
	req.Cursor = notif
	res, err := c.fetchNotifications(ctx, acct, req)
	if err != nil {
		return network.FetchResult{}, err
	}
	if c.chatClosed(acct) {
		res.Cursor = joinCursor(res.Cursor, chatCursor)
		res.Budget = note.last
		return res, nil
	}
	since := req.Since
	if since.IsZero() {
		since = time.Now().Add(-chatBackfill)
	}
	items, next, more, err := c.fetchChat(ctx, acct, chatCursor, since)
	switch {
	case err == nil:
		res.Items = append(res.Items, items...)
		res.More = res.More || more
		chatCursor = next
	case network.AsError(err).Message == NoChatAccess:
		// Kept for the capabilities; the notifications still count.
	default:
		// The chat is a service of its own: its outage must not hold
		// back the replies and mentions, which came.
		res.Partial = err
	}
	res.Cursor = joinCursor(res.Cursor, chatCursor)
	res.Budget = note.last
	return res, nil
}

// fetchNotifications is the notifications' and threads' part of FetchInbox.
func (c *Connector) fetchNotifications(ctx context.Context, acct network.Account, req network.FetchRequest) (network.FetchResult, error) {
	lower, strict := parseCursor(req.Cursor, req.Since)
	after := func(t time.Time) bool {
		if strict {
			return t.After(lower)
		}
		return !t.Before(lower)
	}
	var got []fetched
	seen := map[string]bool{}
	cursor := ""
walk:
	for page := 0; page < maxNotifPages; page++ {
		q := url.Values{"limit": {fmt.Sprint(notifPage)}, "reasons": {"reply", "mention", "quote"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var out notificationPage
		if _, err := c.authed(ctx, acct, call{method: http.MethodGet, nsid: "app.bsky.notification.listNotifications", query: q}, &out); err != nil {
			return network.FetchResult{}, err
		}
		fresh := 0
		for _, n := range out.Notifications {
			at := parseTime(n.IndexedAt)
			if !after(at) {
				break walk
			}
			if seen[n.URI] {
				continue
			}
			seen[n.URI] = true
			fresh++
			if kind, ok := kindOf(n.Reason); ok && n.Author.DID != acct.ExternalID {
				got = append(got, fetched{c.item(acct, kind, n.URI, n.CID, n.Author, n.Record, n.IndexedAt), at})
			}
		}
		if out.Cursor == "" || len(out.Notifications) == 0 {
			break
		}
		// The AppView pages strictly before its cursor, the time of the
		// page's last notification, so others sorted in that same
		// millisecond fall between two pages. Ask again from just after
		// that time (what was seen is skipped), unless that brought
		// nothing new (more than a page in one millisecond).
		next := out.Cursor
		last := parseTime(out.Notifications[len(out.Notifications)-1].IndexedAt)
		if ct := parseTime(out.Cursor); fresh > 0 && !ct.IsZero() && ct.Equal(last) {
			next = stamp(last.Add(time.Millisecond))
		}
		if next == cursor {
			next = out.Cursor
		}
		if next == cursor {
			break
		}
		cursor = next
	}
	// Oldest first; a stable sort keeps the AppView's order among equal times.
	slices.Reverse(got)
	sort.SliceStable(got, func(i, j int) bool { return got[i].sortAt.Before(got[j].sortAt) })

	res := network.FetchResult{Cursor: req.Cursor}
	if req.Limit > 0 && len(got) > req.Limit {
		// Cut after every notification sorted at the last kept time, so
		// "after=T" skips nothing.
		n := req.Limit
		for n < len(got) && got[n].sortAt.Equal(got[n-1].sortAt) {
			n++
		}
		if n < len(got) {
			res.More = true
			res.Cursor = "after=" + got[n-1].sortAt.UTC().Format(time.RFC3339Nano)
			got = got[:n]
		}
	}
	for _, f := range got {
		res.Items = append(res.Items, f.item)
	}
	if res.More {
		return res, nil
	}
	if len(got) > 0 {
		res.Cursor = "since=" + got[len(got)-1].sortAt.UTC().Format(time.RFC3339Nano)
	}
	n := len(res.Items)
	at := map[string]int{}
	for i, it := range res.Items {
		at[it.ExternalID] = i
	}
	for _, post := range req.OurPosts {
		items, err := c.thread(ctx, acct, post)
		if err != nil {
			return network.FetchResult{}, err
		}
		for _, it := range items {
			if i, ok := at[it.ExternalID]; ok {
				// Only the thread tells whether a reply is hidden.
				res.Items[i].Hidden = res.Items[i].Hidden || it.Hidden
				continue
			}
			if !seen[it.ExternalID] {
				seen[it.ExternalID] = true
				res.Items = append(res.Items, it)
			}
		}
	}
	// The threads' replies follow the notifications, oldest first.
	sort.SliceStable(res.Items[n:], func(i, j int) bool { return res.Items[n+i].CreatedAt.Before(res.Items[n+j].CreatedAt) })
	return res, nil
}

// thread returns the replies under one of our posts, hidden and deleted
// ones marked as the AppView shows them.
func (c *Connector) thread(ctx context.Context, acct network.Account, post network.Ref) ([]network.Item, error) {
	var out threadAnswer
	xe, err := c.authed(ctx, acct, call{method: http.MethodGet, nsid: "app.bsky.feed.getPostThread",
		query: url.Values{"uri": {post.ID}, "depth": {fmt.Sprint(threadDepth)}, "parentHeight": {"0"}}}, &out)
	if err != nil {
		if xe.Error == "NotFound" {
			return nil, nil // our post is gone: nothing under it to read
		}
		return nil, err
	}
	if out.Thread == nil || out.Thread.Post == nil {
		return nil, nil // the post shows as not found or blocked
	}
	hidden := map[string]bool{}
	if out.Threadgate != nil {
		for _, u := range out.Threadgate.Record.HiddenReplies {
			hidden[u] = true
		}
	}
	var items []network.Item
	var walk func(n *threadNode, parent string)
	walk = func(n *threadNode, parent string) {
		for _, r := range n.Replies {
			switch {
			case r == nil || r.Blocked:
			case r.NotFound || r.Post == nil:
				if r.URI != "" {
					root := post
					items = append(items, network.Item{ExternalID: r.URI, Kind: network.KindComment, Deleted: true,
						Ref: network.Ref{ID: r.URI}, Root: &root, ParentID: parent, ConversationID: post.ID})
				}
			default:
				if r.Post.Author.DID != acct.ExternalID {
					it := c.item(acct, network.KindComment, r.Post.URI, r.Post.CID, r.Post.Author, r.Post.Record, r.Post.IndexedAt)
					it.Hidden = hidden[r.Post.URI]
					items = append(items, it)
				}
				walk(r, r.Post.URI)
			}
		}
	}
	walk(out.Thread, out.Thread.Post.URI)
	return items, nil
}

// Act does a on the item by writing or deleting a record in our repository,
// or, for a direct message, by a call to the chat service.
func (c *Connector) Act(ctx context.Context, acct network.Account, a network.Action, item network.Item) error {
	if convo, msg, ok := parseChatRef(item.ExternalID); ok || item.Kind == network.KindMessage {
		if !ok {
			return network.Errorf("not a Bluesky direct message: %s", item.ExternalID)
		}
		switch a {
		case network.ActMarkRead:
			return c.markChatRead(ctx, acct, convo, msg)
		case network.ActBlock, network.ActUnblock:
			// Blocking is the account's, wherever it wrote to us.
		default:
			return fmt.Errorf("bluesky: %s on a direct message: %w", a, network.ErrUnsupported)
		}
	}
	switch a {
	case network.ActLike:
		if item.Ref.CID == "" {
			return network.Errorf("Bluesky needs the post's CID to like it")
		}
		return c.putOnce(ctx, acct, LikeCollection, recordKey(LikeCollection, item.Ref.ID), map[string]any{
			"$type": LikeCollection, "subject": strongRef{item.Ref.ID, item.Ref.CID}, "createdAt": stamp(time.Now())})
	case network.ActUnlike:
		if err := c.deleteRecord(ctx, acct, LikeCollection, recordKey(LikeCollection, item.Ref.ID)); err != nil {
			return err
		}
		// A like made elsewhere (the Bluesky app) has another key: the
		// AppView names it in the post's viewer state.
		var out struct {
			Posts []struct {
				Viewer struct {
					Like string `json:"like"`
				} `json:"viewer"`
			} `json:"posts"`
		}
		if _, err := c.authed(ctx, acct, call{method: http.MethodGet, nsid: "app.bsky.feed.getPosts", query: url.Values{"uris": {item.Ref.ID}}}, &out); err != nil {
			return err
		}
		for _, p := range out.Posts {
			if like := p.Viewer.Like; like != "" && didOf(like) == acct.ExternalID {
				if err := c.deleteRecord(ctx, acct, LikeCollection, rkeyOf(network.Ref{ID: like})); err != nil {
					return err
				}
			}
		}
		return nil
	case network.ActBlock:
		if item.Author.ExternalID == "" || item.Author.ExternalID == acct.ExternalID {
			return network.Errorf("no account to block")
		}
		return c.putOnce(ctx, acct, BlockCollection, recordKey(BlockCollection, item.Author.ExternalID), map[string]any{
			"$type": BlockCollection, "subject": item.Author.ExternalID, "createdAt": stamp(time.Now())})
	case network.ActUnblock:
		if item.Author.ExternalID == "" {
			return network.Errorf("no account to unblock")
		}
		if err := c.deleteRecord(ctx, acct, BlockCollection, recordKey(BlockCollection, item.Author.ExternalID)); err != nil {
			return err
		}
		// A block made elsewhere has another key: the AppView names it in
		// the profile's viewer state.
		var out struct {
			Viewer struct {
				Blocking string `json:"blocking"`
			} `json:"viewer"`
		}
		if _, err := c.authed(ctx, acct, call{method: http.MethodGet, nsid: "app.bsky.actor.getProfile", query: url.Values{"actor": {item.Author.ExternalID}}}, &out); err != nil {
			return err
		}
		if b := out.Viewer.Blocking; b != "" && didOf(b) == acct.ExternalID {
			return c.deleteRecord(ctx, acct, BlockCollection, rkeyOf(network.Ref{ID: b}))
		}
		return nil
	case network.ActHide, network.ActUnhide:
		return c.setHidden(ctx, acct, item, a == network.ActHide)
	case network.ActMarkRead:
		// Bluesky keeps one "seen up to" time per account, not a read flag
		// per notification: marking an item read marks everything received
		// until now read.
		_, err := c.authed(ctx, acct, call{method: http.MethodPost, nsid: "app.bsky.notification.updateSeen",
			body: map[string]string{"seenAt": stamp(time.Now())}}, nil)
		return err
	case network.ActDelete:
		// Only our own records can be deleted; the capability says so for
		// everyone else's, and a rule that tries anyway gets ErrUnsupported.
		if didOf(item.ExternalID) != acct.ExternalID {
			return fmt.Errorf("bluesky: delete %s: %w", item.ExternalID, network.ErrUnsupported)
		}
		return c.Delete(ctx, acct, item.Ref)
	}
	return fmt.Errorf("bluesky: %s: %w", a, network.ErrUnsupported)
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// recordKey is the key of the like or block record Tribune writes for a
// subject: derived from the subject, so liking twice writes the same record
// (the PDS refuses the second, and we find the first) and undoing what
// Tribune did needs no AppView, which indexes our writes only seconds later. It is a valid TID (the lexicons
// ask for record keys of type tid): 10 clock-id bits and a timestamp below
// 2^50 µs (before 2006), both from a SHA-256 of the subject, so it never
// claims a time in the future.
func recordKey(collection, subject string) string {
	sum := sha256.Sum256([]byte(collection + " " + subject))
	v := binary.BigEndian.Uint64(sum[:8]) & (1<<60 - 1)
	out := make([]byte, 13)
	for i := 12; i >= 0; i-- {
		out[i] = tidAlphabet[v&31]
		v >>= 5
	}
	return string(out)
}

const tidAlphabet = "234567abcdefghijklmnopqrstuvwxyz"

type storedRecord struct {
	URI   string          `json:"uri"`
	CID   string          `json:"cid"`
	Value json.RawMessage `json:"value"`
}

// readRecord reads one record of our repository; ok is false when it does
// not exist.
func (c *Connector) readRecord(ctx context.Context, acct network.Account, collection, rkey string) (storedRecord, bool, error) {
	var out storedRecord
	xe, err := c.authed(ctx, acct, call{method: http.MethodGet, nsid: "com.atproto.repo.getRecord",
		query: url.Values{"repo": {acct.ExternalID}, "collection": {collection}, "rkey": {rkey}}}, &out)
	if err != nil {
		if xe.Error == "RecordNotFound" || network.AsError(err).Status == http.StatusNotFound {
			return storedRecord{}, false, nil
		}
		return storedRecord{}, false, err
	}
	return out, true, nil
}

// putOnce creates a record under a derived key; when the PDS refuses
// because the record is already there (a repeated action), it succeeds.
func (c *Connector) putOnce(ctx context.Context, acct network.Account, collection, rkey string, record map[string]any) error {
	_, err := c.authed(ctx, acct, call{method: http.MethodPost, nsid: "com.atproto.repo.createRecord",
		body: map[string]any{"repo": acct.ExternalID, "collection": collection, "rkey": rkey, "record": record}}, nil)
	if err == nil {
		return nil
	}
	if ne := network.AsError(err); ne.Status != 0 && ne.Kind != network.Unauthorized {
		if _, ok, gerr := c.readRecord(ctx, acct, collection, rkey); gerr == nil && ok {
			return nil
		}
	}
	return err
}

func (c *Connector) deleteRecord(ctx context.Context, acct network.Account, collection, rkey string) error {
	_, err := c.authed(ctx, acct, call{method: http.MethodPost, nsid: "com.atproto.repo.deleteRecord",
		body: map[string]any{"repo": acct.ExternalID, "collection": collection, "rkey": rkey}}, nil)
	return err
}

// errNotOurThread: Bluesky hides replies through the root post's
// threadgate, which only the root's author can write.
var errNotOurThread = fmt.Errorf("bluesky: only replies in a thread that starts with our post can be hidden: %w", network.ErrUnsupported)

// setHidden adds the item to, or removes it from, the hiddenReplies of the
// threadgate of its root post (our post), keeping the gate's other fields
// (who may reply) as they are. The write is a compare-and-swap on the
// record's CID, so a gate changed meanwhile (from the Bluesky app) is read
// again rather than overwritten.
func (c *Connector) setHidden(ctx context.Context, acct network.Account, item network.Item, hide bool) error {
	if item.Root == nil || didOf(item.Root.ID) != acct.ExternalID || item.Root.ID == item.ExternalID {
		return errNotOurThread
	}
	rkey := rkeyOf(*item.Root)
	for attempt := 0; ; attempt++ {
		cur, exists, err := c.readRecord(ctx, acct, ThreadgateCollection, rkey)
		if err != nil {
			return err
		}
		gate := map[string]any{}
		if exists {
			if err := json.Unmarshal(cur.Value, &gate); err != nil {
				return fmt.Errorf("bluesky: read threadgate: %w", err)
			}
		} else {
			if !hide {
				return nil // no gate: nothing is hidden
			}
			// No "allow": anyone may still reply (the lexicon's default).
			gate = map[string]any{"$type": ThreadgateCollection, "post": item.Root.ID, "createdAt": stamp(time.Now())}
		}
		var list []string
		if raw, ok := gate["hiddenReplies"].([]any); ok {
			for _, v := range raw {
				if s, ok := v.(string); ok {
					list = append(list, s)
				}
			}
		}
		has := slices.Contains(list, item.ExternalID)
		if has == hide {
			return nil // already as asked
		}
		if hide {
			if len(list) >= maxHiddenReplies {
				return network.Errorf("Bluesky hides at most %d replies per thread", maxHiddenReplies)
			}
			list = append(list, item.ExternalID)
		} else {
			list = slices.DeleteFunc(list, func(s string) bool { return s == item.ExternalID })
		}
		if len(list) == 0 {
			delete(gate, "hiddenReplies")
		} else {
			gate["hiddenReplies"] = list
		}
		body := map[string]any{"repo": acct.ExternalID, "collection": ThreadgateCollection, "rkey": rkey, "record": gate}
		nsid := "com.atproto.repo.createRecord"
		if exists {
			nsid, body["swapRecord"] = "com.atproto.repo.putRecord", cur.CID
		}
		xe, err := c.authed(ctx, acct, call{method: http.MethodPost, nsid: nsid, body: body}, nil)
		if err == nil {
			return nil
		}
		// Someone changed (or created) the gate between our read and our
		// write: read it again, a few times.
		raced := xe.Error == "InvalidSwap" || (!exists && network.AsError(err).Status != 0 && network.AsError(err).Kind != network.Unauthorized)
		if !raced || attempt >= 3 {
			return err
		}
	}
}
