package mastodon_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/i18n"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/network/mastodon"
	"github.com/tribune-social/tribune/internal/network/mastodon/mastodonfake"
	"github.com/tribune-social/tribune/internal/network/stream"
)

func publish(t *testing.T, c *mastodon.Connector, acct network.Account, text string) network.Ref {
	t.Helper()
	ref, err := c.Publish(context.Background(), acct, network.PostRequest{AttemptKey: "k-" + text, Text: text, Visibility: "public"})
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

func fetchAll(t *testing.T, c *mastodon.Connector, acct network.Account, req network.FetchRequest) network.FetchResult {
	t.Helper()
	res, err := c.FetchInbox(context.Background(), acct, req)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func ids(items []network.Item) []string {
	out := []string{}
	for _, it := range items {
		out = append(out, it.ExternalID)
	}
	return out
}

func byID(items []network.Item) map[string]network.Item {
	m := map[string]network.Item{}
	for _, it := range items {
		m[it.ExternalID] = it
	}
	return m
}

func TestInboxCapabilities(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, c := range []struct {
		name      string
		software  mastodonfake.Software
		api       int
		read      bool
		quotes    bool
		quoteWhy  string
		streaming bool
	}{
		{"mastodon 4.5", mastodonfake.Mastodon, 7, true, true, "", true},
		{"mastodon 4.3", mastodonfake.Mastodon, 2, true, false, "Mastodon 4.5", true},
		{"gotosocial", mastodonfake.GoToSocial, 0, true, false, "GoToSocial", true},
		{"server not read yet", mastodonfake.Mastodon, 7, false, false, "not read", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := mastodonfake.New(t)
			f.Software, f.APIVersion = c.software, c.api
			conn := mastodon.New(localClient)
			if c.read {
				if _, err := conn.Instance(ctx, f.URL()); err != nil {
					t.Fatal(err)
				}
			}
			caps := conn.InboxCapabilities(account(f))
			if q := caps.Kind(network.KindQuote); q.OK != c.quotes || !strings.Contains(q.Reason, c.quoteWhy) {
				t.Errorf("quotes %+v, want ok=%v with a reason naming %q", q, c.quotes, c.quoteWhy)
			}
			for _, k := range []network.ItemKind{network.KindComment, network.KindMention, network.KindMessage} {
				if !caps.Kind(k).OK {
					t.Errorf("%s unsupported", k)
				}
			}
			for _, no := range []struct {
				s    network.Support
				name string
			}{{caps.Kind(network.KindReview), "reviews"}, {caps.Action(network.ActHide), "hide"}, {caps.Action(network.ActUnhide), "unhide"}, {caps.Action(network.ActDelete), "delete"}} {
				if no.s.OK || no.s.Reason == "" {
					t.Errorf("%s: %+v, want unsupported with a reason", no.name, no.s)
				}
			}
			for _, a := range []network.Action{network.ActReply, network.ActLike, network.ActUnlike, network.ActBlock, network.ActUnblock, network.ActMarkRead} {
				if !caps.Action(a).OK {
					t.Errorf("%s unsupported", a)
				}
			}
			// A quiet poll costs two requests (notifications, conversations):
			// polling may take at most a fifth of Mastodon's 300 requests per
			// 5 minutes, the rest is publishing's and the actions'.
			if polls := int((5 * time.Minute) / caps.PollEvery); caps.PollEvery <= 0 || polls*2 > 300/5 || caps.Streaming != c.streaming {
				t.Errorf("PollEvery %v (%d polls per 5 min), streaming %v", caps.PollEvery, polls, caps.Streaming)
			}
		})
	}
}

// A thread around one of our posts, as people write it.
type scene struct {
	f                                 *mastodonfake.Server
	c                                 *mastodon.Connector
	acct                              network.Account
	post                              network.Ref
	bob, carol, dave, eve, gina, ivan string
	comment, deep, aside, mention     mastodonfake.Status
	quote, dm1, dm2, other, elsewhere mastodonfake.Status
}

func newScene(t *testing.T) *scene {
	t.Helper()
	f := mastodonfake.New(t)
	c := mastodon.New(localClient)
	s := &scene{f: f, c: c, acct: account(f)}
	s.post = publish(t, c, s.acct, "Our spring collection is out")
	s.bob, s.carol, s.dave = f.AddAccount("bob"), f.AddAccount("carol"), f.AddAccount("dave")
	s.eve, s.gina, s.ivan = f.AddAccount("eve"), f.AddAccount("gina"), f.AddAccount("ivan")
	// bob answers our post: a comment.
	s.comment = f.PostAs(s.bob, mastodonfake.Post{Text: "Love the colours", InReplyTo: s.post.ID, Lang: "en"})
	// carol answers bob without naming us: no notification, not ours to see.
	s.aside = f.PostAs(s.carol, mastodonfake.Post{Text: "Agreed bob", InReplyTo: s.comment.ID})
	// dave answers carol, deeper in our thread, naming us: a comment too.
	s.deep = f.PostAs(s.dave, mastodonfake.Post{Text: "@alice when is the sale?", InReplyTo: s.aside.ID, Mentions: []string{mastodonfake.Alice}, Lang: "en"})
	// eve names us in a post of her own: a mention.
	s.mention = f.PostAs(s.eve, mastodonfake.Post{Text: "Thanks @alice for the help", Mentions: []string{mastodonfake.Alice}, Lang: "en"})
	// ivan names us in a reply to eve: a mention in eve's thread.
	s.elsewhere = f.PostAs(s.ivan, mastodonfake.Post{Text: "@alice same here", InReplyTo: s.mention.ID, Mentions: []string{mastodonfake.Alice}})
	// bob quotes our post (Mastodon 4.5).
	s.quote = f.PostAs(s.bob, mastodonfake.Post{Text: "Look at this", QuoteOf: s.post.ID})
	// gina writes to us privately; we answer; she writes again.
	s.dm1 = f.PostAs(s.gina, mastodonfake.Post{Text: "@alice my order is late", Visibility: "direct", Mentions: []string{mastodonfake.Alice}, Lang: "en"})
	ours, err := c.Publish(context.Background(), s.acct, network.PostRequest{AttemptKey: "dm-answer", Text: "@gina sorry, checking", Visibility: "direct",
		ReplyTo: &network.Ref{ID: s.dm1.ID}})
	if err != nil {
		t.Fatal(err)
	}
	s.dm2 = f.PostAs(s.gina, mastodonfake.Post{Text: "@alice thanks!", InReplyTo: ours.ID, Visibility: "direct", Mentions: []string{mastodonfake.Alice}})
	return s
}

func TestFetchInboxKindsThreadsAndConversations(t *testing.T) {
	t.Parallel()
	s := newScene(t)
	res := fetchAll(t, s.c, s.acct, network.FetchRequest{Limit: 100})
	got := byID(res.Items)
	wantIDs := []string{s.comment.ID, s.deep.ID, s.mention.ID, s.elsewhere.ID, s.quote.ID, s.dm1.ID, s.dm2.ID}
	if g := ids(res.Items); !sameSet(g, wantIDs) || len(g) != len(wantIDs) {
		t.Fatalf("items %v, want each of %v once", g, wantIDs)
	}
	for i := 1; i < len(res.Items); i++ {
		if res.Items[i].CreatedAt.Before(res.Items[i-1].CreatedAt) {
			t.Errorf("items not oldest first: %v", ids(res.Items))
		}
	}
	root := func(it network.Item) string {
		if it.Root == nil {
			return ""
		}
		return it.Root.ID
	}
	conv := ""
	for _, c := range []struct {
		st                  mastodonfake.Status
		kind                network.ItemKind
		root, parent, convo string
		author              string
	}{
		{s.comment, network.KindComment, s.post.ID, s.post.ID, s.post.ID, "@bob@fake.test"},
		{s.deep, network.KindComment, s.post.ID, s.aside.ID, s.post.ID, "@dave@fake.test"},
		{s.mention, network.KindMention, s.mention.ID, "", s.mention.ID, "@eve@fake.test"},
		{s.elsewhere, network.KindMention, s.mention.ID, s.mention.ID, s.mention.ID, "@ivan@fake.test"},
		{s.quote, network.KindQuote, s.post.ID, s.post.ID, s.post.ID, "@bob@fake.test"},
		{s.dm1, network.KindMessage, "", "", "", "@gina@fake.test"},
		{s.dm2, network.KindMessage, "", s.dm2.InReplyToID, "", "@gina@fake.test"},
	} {
		it := got[c.st.ID]
		if it.Kind != c.kind || root(it) != c.root || it.ParentID != c.parent || it.Author.Handle != c.author || it.Ref.ID != c.st.ID {
			t.Errorf("%q: kind %s root %q parent %q author %q ref %q; want %s %q %q %q", c.st.Text, it.Kind, root(it), it.ParentID, it.Author.Handle, it.Ref.ID,
				c.kind, c.root, c.parent, c.author)
		}
		if c.kind == network.KindMessage {
			if conv == "" {
				conv = it.ConversationID
			}
			if it.ConversationID == "" || it.ConversationID != conv {
				t.Errorf("%q: conversation %q, want both messages in one conversation (%q)", c.st.Text, it.ConversationID, conv)
			}
		} else if it.ConversationID != c.convo {
			t.Errorf("%q: conversation %q, want %q", c.st.Text, it.ConversationID, c.convo)
		}
		if it.Text != c.st.Text || it.Author.ExternalID != c.st.AccountID || it.CreatedAt.IsZero() {
			t.Errorf("%q: text %q author %q created %v", c.st.Text, it.Text, it.Author.ExternalID, it.CreatedAt)
		}
	}
	if it := got[s.comment.ID]; it.Lang != "en" || it.Author.DisplayName != "Bob" || it.Ref.URL == "" {
		t.Errorf("comment: lang %q display name %q url %q", it.Lang, it.Author.DisplayName, it.Ref.URL)
	}
	// One request per thread for its root, not one per item.
	contexts := 0
	for _, r := range s.f.Requests() {
		if strings.HasSuffix(r, "/context") {
			contexts++
		}
	}
	if contexts > 3 { // our thread, eve's thread, gina's conversation
		t.Errorf("%d context look-ups for three threads", contexts)
	}
}

func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(slices.Compact(x), slices.Compact(y))
}

// The store keeps one item per ExternalID; the connector must give the
// same ids whenever it sees the same statuses, and nothing new when
// nothing happened.
func TestFetchInboxRepeatedAndOverlappingGiveTheSameIDs(t *testing.T) {
	t.Parallel()
	s := newScene(t)
	first := fetchAll(t, s.c, s.acct, network.FetchRequest{Limit: 100})
	again := fetchAll(t, s.c, s.acct, network.FetchRequest{Limit: 100})
	if !slices.Equal(ids(first.Items), ids(again.Items)) {
		t.Errorf("a repeated fetch gave %v, then %v", ids(first.Items), ids(again.Items))
	}
	after := fetchAll(t, s.c, s.acct, network.FetchRequest{Cursor: first.Cursor, Limit: 100})
	if len(after.Items) != 0 || after.Cursor != first.Cursor {
		t.Errorf("nothing new: got %v, cursor %q (was %q)", ids(after.Items), after.Cursor, first.Cursor)
	}
	// Half-way cursor: an overlapping fetch.
	half := fetchAll(t, s.c, s.acct, network.FetchRequest{Limit: 3})
	news := s.f.PostAs(s.eve, mastodonfake.Post{Text: "@alice one more thing", Mentions: []string{mastodonfake.Alice}})
	overlap := fetchAll(t, s.c, s.acct, network.FetchRequest{Cursor: half.Cursor, Limit: 100})
	all := append(slices.Clone(ids(first.Items)), news.ID)
	for _, id := range ids(overlap.Items) {
		if !slices.Contains(all, id) {
			t.Errorf("overlapping fetch invented id %s", id)
		}
	}
	if !slices.Contains(ids(overlap.Items), news.ID) {
		t.Errorf("overlapping fetch %v misses the new mention %s", ids(overlap.Items), news.ID)
	}
	// An edited status comes back with the same id, edited.
	if err := s.c.Act(context.Background(), s.acct, network.ActLike, byID(first.Items)[s.comment.ID]); err != nil {
		t.Fatal(err)
	}
	s.f.Edit(s.comment.ID, "Love the colours (and the prices)")
	edited := fetchAll(t, s.c, s.acct, network.FetchRequest{Cursor: overlap.Cursor, Limit: 100})
	if len(edited.Items) != 1 || edited.Items[0].ExternalID != s.comment.ID || edited.Items[0].EditedAt.IsZero() ||
		edited.Items[0].Text != "Love the colours (and the prices)" || edited.Items[0].Kind != network.KindComment {
		t.Errorf("after an edit: %+v, want the comment again, edited", edited.Items)
	}
}

func TestFetchInboxFollowsLinkPaging(t *testing.T) {
	t.Parallel()
	f := mastodonfake.New(t)
	c := mastodon.New(localClient)
	acct := account(f)
	bob := f.AddAccount("bob")
	start := f.PostAs(bob, mastodonfake.Post{Text: "@alice hello", Mentions: []string{mastodonfake.Alice}})
	cur := fetchAll(t, c, acct, network.FetchRequest{Limit: 10}).Cursor
	var want []string
	for i := range 95 {
		want = append(want, f.PostAs(bob, mastodonfake.Post{Text: fmt.Sprintf("@alice message %d", i), Mentions: []string{mastodonfake.Alice}}).ID)
	}
	before := len(f.Requests())
	res := fetchAll(t, c, acct, network.FetchRequest{Cursor: cur, Limit: 1000})
	if !slices.Equal(ids(res.Items), want) || res.More {
		t.Fatalf("got %d items (more %v), want the 95 in order", len(res.Items), res.More)
	}
	pages := 0
	for _, r := range f.Requests()[before:] {
		if r == "GET /api/v1/notifications" {
			pages++
		}
	}
	if pages < 3 {
		t.Errorf("%d notification pages for 95 notifications of 40 a page: the Link header was not followed", pages)
	}
	// A limit cuts with More set; the next fetch goes on where it stopped.
	var got []string
	cursor, rounds := cur, 0
	for {
		r := fetchAll(t, c, acct, network.FetchRequest{Cursor: cursor, Limit: 30})
		got = append(got, ids(r.Items)...)
		cursor = r.Cursor
		if rounds++; !r.More || rounds > 10 {
			break
		}
		if len(r.Items) != 30 {
			t.Errorf("a fetch with More gave %d items, want the limit", len(r.Items))
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("fetches of 30 gave %d items, want the 95 once each in order", len(got))
	}
	_ = start
}

// The first fetch reads back from the newest notification down to Since.
func TestFirstFetchStopsAtSince(t *testing.T) {
	t.Parallel()
	f := mastodonfake.New(t)
	c := mastodon.New(localClient)
	bob := f.AddAccount("bob")
	old := f.PostAs(bob, mastodonfake.Post{Text: "@alice old", Mentions: []string{mastodonfake.Alice}})
	recent := f.PostAs(bob, mastodonfake.Post{Text: "@alice recent", Mentions: []string{mastodonfake.Alice}})
	res := fetchAll(t, c, account(f), network.FetchRequest{Since: recent.CreatedAt.Add(-time.Nanosecond)})
	if got := ids(res.Items); !slices.Equal(got, []string{recent.ID}) {
		t.Errorf("first fetch since the recent one: %v, want only %s (not %s)", got, recent.ID, old.ID)
	}
	if res.Cursor == "" {
		t.Error("no cursor after the first fetch")
	}
}

// On GoToSocial, which ignores types[], other notifications come too and
// are no inbox items.
func TestFetchInboxKeepsOnlyInboxNotifications(t *testing.T) {
	t.Parallel()
	f := mastodonfake.New(t)
	f.Software = mastodonfake.GoToSocial
	c := mastodon.New(localClient)
	acct := account(f)
	bob := f.AddAccount("bob")
	post := publish(t, c, acct, "hello")
	// A quote on GoToSocial is no notification; an "update" of a status
	// that does not concern us is no item.
	f.PostAs(bob, mastodonfake.Post{Text: "quoting", QuoteOf: post.ID})
	other := f.PostAs(bob, mastodonfake.Post{Text: "unrelated"})
	c.Act(context.Background(), acct, network.ActLike, network.Item{Ref: network.Ref{ID: other.ID}})
	f.Edit(other.ID, "unrelated, edited")
	m := f.PostAs(bob, mastodonfake.Post{Text: "@alice hi", Mentions: []string{mastodonfake.Alice}})
	res := fetchAll(t, c, acct, network.FetchRequest{})
	if got := ids(res.Items); !slices.Equal(got, []string{m.ID}) {
		t.Errorf("items %v, want only the mention %s", got, m.ID)
	}
}

func TestActions(t *testing.T) {
	t.Parallel()
	s := newScene(t)
	ctx := context.Background()
	items := byID(fetchAll(t, s.c, s.acct, network.FetchRequest{Limit: 100}).Items)
	comment, deep, dm := items[s.comment.ID], items[s.deep.ID], items[s.dm2.ID]
	act := func(a network.Action, it network.Item) error { return s.c.Act(ctx, s.acct, a, it) }
	calls := func(f func()) []string {
		before := len(s.f.Requests())
		f()
		return s.f.Requests()[before:]
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	if got := calls(func() { must(act(network.ActLike, comment)) }); !slices.Equal(got, []string{"POST /api/v1/statuses/" + s.comment.ID + "/favourite"}) || !s.f.Favourited(s.comment.ID) {
		t.Errorf("like: %v, favourited %v", got, s.f.Favourited(s.comment.ID))
	}
	must(act(network.ActLike, comment)) // idempotent
	if got := calls(func() { must(act(network.ActUnlike, comment)) }); !slices.Equal(got, []string{"POST /api/v1/statuses/" + s.comment.ID + "/unfavourite"}) || s.f.Favourited(s.comment.ID) {
		t.Errorf("unlike: %v", got)
	}
	if got := calls(func() { must(act(network.ActBlock, comment)) }); !slices.Equal(got, []string{"POST /api/v1/accounts/" + s.bob + "/block"}) || !s.f.Blocked(s.bob) {
		t.Errorf("block: %v", got)
	}
	must(act(network.ActUnblock, comment))
	if s.f.Blocked(s.bob) {
		t.Error("unblock left bob blocked")
	}

	// Marking read moves the notifications marker to the item's
	// notification, and never back.
	must(act(network.ActMarkRead, deep))
	marker := s.f.Marker()
	if marker == "" {
		t.Fatal("mark read set no marker")
	}
	if got := calls(func() { must(act(network.ActMarkRead, comment)) }); slices.Contains(got, "POST /api/v1/markers") || s.f.Marker() != marker {
		t.Errorf("marking an older item read moved the marker back: %v", got)
	}
	// A direct message is read in its conversation.
	if !s.f.ConversationUnread(dm.ConversationID) {
		t.Fatal("the conversation starts unread")
	}
	if got := calls(func() { must(act(network.ActMarkRead, dm)) }); !slices.Equal(got, []string{"POST /api/v1/conversations/" + dm.ConversationID + "/read"}) || s.f.ConversationUnread(dm.ConversationID) {
		t.Errorf("mark read of a message: %v", got)
	}

	// What Mastodon does not allow never reaches it.
	for _, c := range []struct {
		a  network.Action
		it network.Item
	}{{network.ActHide, comment}, {network.ActUnhide, comment}, {network.ActDelete, comment}, {network.ActReply, comment}} {
		var err error
		if got := calls(func() { err = act(c.a, c.it) }); len(got) != 0 || !errors.Is(err, network.ErrUnsupported) {
			t.Errorf("%s: %v, requests %v; want ErrUnsupported and no request", c.a, err, got)
		}
	}
	// Our own status can be deleted.
	own := network.Item{ExternalID: s.post.ID, Ref: s.post, Author: network.Author{ExternalID: mastodonfake.Alice}}
	if got := calls(func() { must(act(network.ActDelete, own)) }); !slices.Equal(got, []string{"DELETE /api/v1/statuses/" + s.post.ID}) {
		t.Errorf("delete own: %v", got)
	}
}

// collector gathers streamed items.
type collector chan network.Item

func (c collector) next(t *testing.T) network.Item {
	t.Helper()
	select {
	case it := <-c:
		return it
	case <-time.After(10 * time.Second):
		t.Fatal("no item streamed within 10 s")
		return network.Item{}
	}
}

func waitConnected(t *testing.T, f *mastodonfake.Server) {
	t.Helper()
	select {
	case <-f.Connected():
	case <-time.After(10 * time.Second):
		t.Fatal("the stream did not connect within 10 s")
	}
}

func TestStreamTransports(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name   string
		refuse bool
		direct bool // direct messages are streamed (the WebSocket subscribes to them)
		open   func(*mastodon.Connector) func(context.Context, network.Account, func() error, func(network.Item)) error
	}{
		{"websocket", false, true, func(c *mastodon.Connector) func(context.Context, network.Account, func() error, func(network.Item)) error {
			return c.StreamWebSocket
		}},
		{"server-sent events", false, false, func(c *mastodon.Connector) func(context.Context, network.Account, func() error, func(network.Item)) error {
			return c.StreamSSE
		}},
		{"events when a proxy refuses websockets", true, false, func(c *mastodon.Connector) func(context.Context, network.Account, func() error, func(network.Item)) error {
			return c.StreamReady
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := newScene(t)
			s.f.RefuseWebSocket = c.refuse
			got := make(collector, 100)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			readyCalled := make(chan struct{})
			done := make(chan error, 1)
			go func() {
				done <- c.open(s.c)(ctx, s.acct, func() error { close(readyCalled); return nil }, func(it network.Item) { got <- it })
			}()
			waitConnected(t, s.f)
			<-readyCalled
			// A comment, then its edit, then its deletion.
			cm := s.f.PostAs(s.carol, mastodonfake.Post{Text: "Is it vegan?", InReplyTo: s.post.ID})
			// The comment arrives as a home-timeline update and as a
			// notification: one item.
			if it := got.next(t); it.ExternalID != cm.ID || it.Kind != network.KindComment || it.Root == nil || it.Root.ID != s.post.ID {
				t.Errorf("streamed %+v, want the comment %s under our post", it, cm.ID)
			}
			s.f.Edit(cm.ID, "Is it vegan? Asking for a friend")
			if it := got.next(t); it.ExternalID != cm.ID || it.EditedAt.IsZero() || it.Text != "Is it vegan? Asking for a friend" {
				t.Errorf("edit streamed as %+v", it)
			}
			s.f.Remove(cm.ID)
			if it := got.next(t); it.ExternalID != cm.ID || !it.Deleted {
				t.Errorf("deletion streamed as %+v", it)
			}
			dm := s.f.PostAs(s.gina, mastodonfake.Post{Text: "@alice hello again", InReplyTo: s.dm2.ID, Visibility: "direct", Mentions: []string{mastodonfake.Alice}})
			if c.direct {
				if it := got.next(t); it.ExternalID != dm.ID || it.Kind != network.KindMessage || it.ConversationID == "" {
					t.Errorf("direct message streamed as %+v", it)
				}
			}
			// The last word, to show nothing else (a direct message as a
			// mention, say) came before it.
			last := s.f.PostAs(s.eve, mastodonfake.Post{Text: "@alice bye", Mentions: []string{mastodonfake.Alice}})
			if it := got.next(t); it.ExternalID != last.ID {
				t.Errorf("streamed %+v, want the last mention %s", it, last.ID)
			}
			cancel()
			if err := <-done; !errors.Is(err, context.Canceled) {
				t.Errorf("stream ended with %v, want context.Canceled", err)
			}
		})
	}
}

// The supervisor over the real connector and the fake: the stream is cut,
// people keep writing while it is down, and every item reaches the inbox
// exactly once (stream, then gap-fill poll, then stream again).
func TestStreamDropReconnectAndGapFill(t *testing.T) {
	t.Parallel()
	for _, sse := range []bool{false, true} {
		t.Run(fmt.Sprintf("sse=%v", sse), func(t *testing.T) {
			t.Parallel()
			f := mastodonfake.New(t)
			f.RefuseWebSocket = sse
			c := mastodon.New(localClient)
			acct := account(f)
			bob := f.AddAccount("bob")
			// The inbox, keyed by ExternalID as the store is.
			type event struct {
				id  string
				how string
			}
			events := make(chan event, 100)
			cursor := fetchAll(t, c, acct, network.FetchRequest{}).Cursor
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			gate := make(chan struct{})
			polls := 0
			sv := stream.Supervisor{
				MinBackoff: time.Millisecond,
				// The reconnect waits for the test: the mentions written
				// while the stream is down must come from the gap-fill.
				Sleep: func(ctx context.Context, _ time.Duration) error {
					select {
					case <-gate:
						return nil
					case <-ctx.Done():
						return ctx.Err()
					}
				},
			}
			done := make(chan error, 1)
			go func() {
				done <- sv.Run(ctx, c, acct, func(it network.Item) { events <- event{it.ExternalID, "stream"} }, func(ctx context.Context) error {
					polls++
					res, err := c.FetchInbox(ctx, acct, network.FetchRequest{Cursor: cursor})
					if err != nil {
						return err
					}
					cursor = res.Cursor
					for _, it := range res.Items {
						events <- event{it.ExternalID, "poll"}
					}
					return nil
				})
			}()
			mention := func(text string) string {
				return f.PostAs(bob, mastodonfake.Post{Text: "@alice " + text, Mentions: []string{mastodonfake.Alice}}).ID
			}
			seen := map[string][]string{}
			// takeVia reads events until want arrives by way of how ("" any
			// way). The gap-fill poll that starts each connection may run
			// after a mention written once the stream is up, and bring it
			// too: the stream's copy is the one waited for then.
			takeVia := func(want, how string) {
				t.Helper()
				for {
					select {
					case e := <-events:
						seen[e.id] = append(seen[e.id], e.how)
						if e.id == want && (how == "" || e.how == how) {
							return
						}
					case <-time.After(10 * time.Second):
						t.Fatalf("%s never reached the inbox by %q; seen %v", want, how, seen)
					}
				}
			}
			waitConnected(t, f)
			m1 := mention("one")
			takeVia(m1, "stream")
			f.DropStreams()
			m2, m3 := mention("two"), mention("three") // nobody is listening
			close(gate)
			waitConnected(t, f)
			takeVia(m2, "")
			takeVia(m3, "")
			m4 := mention("four")
			takeVia(m4, "stream")
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run = %v", err)
			}
			for id, how := range seen {
				// A mention comes on the stream once (its update and its
				// notification are one item); the gap-fill may bring one
				// the stream brought already, and the store keeps one.
				if !slices.Contains([]string{m1, m2, m3, m4}, id) {
					t.Errorf("an item %s nobody wrote (%v)", id, how)
				}
				if n := strings.Count(strings.Join(how, " "), "stream"); n > 1 {
					t.Errorf("%s streamed %d times", id, n)
				}
			}
			if !slices.Contains(seen[m2], "poll") || !slices.Contains(seen[m3], "poll") {
				t.Errorf("the mentions written during the drop came by %v and %v, want the gap-fill poll", seen[m2], seen[m3])
			}
			if !slices.Contains(seen[m1], "stream") || !slices.Contains(seen[m4], "stream") {
				t.Errorf("m1 came by %v, m4 by %v, want the stream", seen[m1], seen[m4])
			}
			if polls != 2 {
				t.Errorf("%d gap-fill polls, want one per connection (2)", polls)
			}
		})
	}
}

// Every reason the inbox gives for a "no" is shown to users: it has a
// French translation in the catalogue.
func TestInboxReasonsAreTranslated(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var reasons []string
	for _, sw := range []mastodonfake.Software{mastodonfake.Mastodon, mastodonfake.GoToSocial} {
		for _, api := range []int{0, 7} {
			f := mastodonfake.New(t)
			f.Software, f.APIVersion = sw, api
			c := mastodon.New(localClient)
			reasons = append(reasons, reasonsOf(c.InboxCapabilities(account(f)))...) // not read yet
			if _, err := c.Instance(ctx, f.URL()); err != nil {
				t.Fatal(err)
			}
			reasons = append(reasons, reasonsOf(c.InboxCapabilities(account(f)))...)
			for _, a := range []network.Action{network.ActHide, network.ActUnhide, network.ActDelete, network.ActReply} {
				err := c.Act(ctx, account(f), a, network.Item{Ref: network.Ref{ID: "1"}, Author: network.Author{ExternalID: "2"}})
				reason, ok := strings.CutPrefix(fmt.Sprint(err), network.ErrUnsupported.Error()+": ")
				if !ok {
					t.Errorf("%s: %v, want ErrUnsupported with a reason", a, err)
				}
				reasons = append(reasons, reason)
			}
		}
	}
	for _, r := range reasons {
		if !i18n.Has("fr", r) {
			t.Errorf("no French for %q", r)
		}
	}
}

func reasonsOf(caps network.InboxCapabilities) []string {
	var out []string
	for _, k := range network.ItemKinds {
		if s := caps.Kind(k); !s.OK {
			out = append(out, s.Reason)
		}
	}
	for _, a := range network.Actions {
		if s := caps.Action(a); !s.OK {
			out = append(out, s.Reason)
		}
	}
	return out
}

// Mastodon may run its streaming server on a host of its own, named in the
// instance document: the stream goes there. The fake answers under another
// host name (localhost) on the same port.
func TestStreamGoesWhereTheInstanceSays(t *testing.T) {
	t.Parallel()
	f := mastodonfake.New(t)
	port := f.URL()[strings.LastIndex(f.URL(), ":")+1:]
	f.StreamingURL = "ws://localhost:" + port
	c := mastodon.New(localClient)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- c.Stream(ctx, account(f), func(network.Item) {}) }()
	waitConnected(t, f)
	cancel()
	<-done
	if got := f.StreamHosts(); len(got) != 1 || got[0] != "localhost:"+port {
		t.Errorf("streaming requests went to %v, want localhost:%s", got, port)
	}
}

// A stream kept alive by heartbeats stays open however long it is quiet;
// one that goes silent is closed as dead (the supervisor then reconnects).
func TestSilentStreamIsTakenForDead(t *testing.T) {
	t.Parallel()
	for _, sse := range []bool{false, true} {
		t.Run(fmt.Sprintf("sse=%v", sse), func(t *testing.T) {
			t.Parallel()
			f := mastodonfake.New(t)
			f.RefuseWebSocket = sse
			f.SetHeartbeat(20 * time.Millisecond)
			c := mastodon.New(localClient)
			c.StreamIdle = 500 * time.Millisecond
			done := make(chan error, 1)
			go func() { done <- c.Stream(context.Background(), account(f), func(network.Item) {}) }()
			waitConnected(t, f)
			// 75 heartbeats: three times the idle limit, and still open.
			for deadline := time.Now().Add(20 * time.Second); f.Heartbeats() < 75; time.Sleep(5 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("only %d heartbeats sent", f.Heartbeats())
				}
			}
			select {
			case err := <-done:
				t.Fatalf("a stream with heartbeats ended: %v", err)
			default:
			}
			f.SetHeartbeat(0)
			select {
			case err := <-done:
				if network.AsError(err).Kind != network.Temporary {
					t.Errorf("a silent stream ended with %v, want a temporary error (reconnect)", err)
				}
			case <-time.After(20 * time.Second):
				t.Fatal("a silent stream was never closed")
			}
		})
	}
}

// Messages and notifications share the limit; fetching on with the
// cursor while More is set gives everything, never more than the limit at
// once but for one conversation's messages, which come together.
// dm1Conversation is the conversation of gina's messages when items are
// both of them.
func (s *scene) dm1Conversation(t *testing.T, items []network.Item) string {
	t.Helper()
	if items[0].Kind != network.KindMessage || items[1].Kind != network.KindMessage || items[0].ConversationID != items[1].ConversationID {
		return "not one conversation"
	}
	return items[0].ConversationID
}

func TestFetchInboxLimitCoversMessagesAndNotifications(t *testing.T) {
	t.Parallel()
	s := newScene(t)
	want := ids(fetchAll(t, s.c, s.acct, network.FetchRequest{Limit: 100}).Items)
	var got []string
	cursor := ""
	for round := 0; ; round++ {
		r := fetchAll(t, s.c, s.acct, network.FetchRequest{Cursor: cursor, Limit: 1})
		if len(r.Items) > 1 && (len(r.Items) != 2 || r.Items[0].ConversationID != s.dm1Conversation(t, r.Items)) {
			t.Errorf("a fetch with limit 1 gave %d items", len(r.Items))
		}
		got = append(got, ids(r.Items)...)
		cursor = r.Cursor
		if !r.More || round > 20 {
			break
		}
	}
	if !sameSet(got, want) {
		t.Errorf("fetches of 1 gave %v, want %v", got, want)
	}
}

// Replies in many threads cost one look-up each: a fetch spends at most
// MaxLookups of them and leaves the rest for the next, losing nothing.
func TestFetchInboxBoundsThreadLookups(t *testing.T) {
	t.Parallel()
	f := mastodonfake.New(t)
	c := mastodon.New(localClient)
	acct := account(f)
	bob, carol := f.AddAccount("bob"), f.AddAccount("carol")
	cur := fetchAll(t, c, acct, network.FetchRequest{}).Cursor
	var want []string
	for i := range mastodon.MaxLookups + 15 {
		thread := f.PostAs(carol, mastodonfake.Post{Text: fmt.Sprintf("thread %d", i)})
		want = append(want, f.PostAs(bob, mastodonfake.Post{Text: "@alice look", InReplyTo: thread.ID, Mentions: []string{mastodonfake.Alice}}).ID)
	}
	var got []string
	for round := 0; ; round++ {
		before := len(f.Requests())
		r := fetchAll(t, c, acct, network.FetchRequest{Cursor: cur, Limit: 100})
		lookups := 0
		for _, req := range f.Requests()[before:] {
			if strings.HasSuffix(req, "/context") {
				lookups++
			}
		}
		if lookups > mastodon.MaxLookups {
			t.Errorf("one fetch made %d thread look-ups, want at most %d", lookups, mastodon.MaxLookups)
		}
		got = append(got, ids(r.Items)...)
		cur = r.Cursor
		if !r.More || round > 5 {
			break
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %d items, want the %d replies once each in order", len(got), len(want))
	}
}

// The fetch passes up the account's rate budget from Mastodon's
// X-RateLimit headers, for polling to leave a reserve to publishing.
func TestFetchInboxReadsTheRateBudget(t *testing.T) {
	t.Parallel()
	f := mastodonfake.New(t)
	f.RateLimit = 300
	c := mastodon.New(localClient)
	acct := account(f)
	bob := f.AddAccount("bob")
	f.PostAs(bob, mastodonfake.Post{Text: "@alice hello", Mentions: []string{mastodonfake.Alice}})
	res, err := c.FetchInbox(context.Background(), acct, network.FetchRequest{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	b, n := res.Budget, len(f.Requests())
	if b == nil || b.Limit != 300 || b.Remaining >= 300 || b.Remaining < 300-n {
		t.Fatalf("budget %+v after %d requests, want 300 a window with between %d and 299 left", b, n, 300-n)
	}
	if left := time.Until(b.Reset); left <= 0 || left > 5*time.Minute {
		t.Errorf("window resets in %v, want within 5 minutes", left)
	}
}
