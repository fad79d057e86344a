package bluesky_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/i18n"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/network/bluesky"
	"github.com/tribune-social/tribune/internal/network/bluesky/appviewfake"
	"github.com/tribune-social/tribune/internal/network/bluesky/chatfake"
	"github.com/tribune-social/tribune/internal/network/bluesky/pdstest"
	"github.com/tribune-social/tribune/internal/network/httpx"
)

const (
	usDID    = "did:plc:lumiere"
	aliceDID = "did:plc:alice"
	carlaDID = "did:plc:carla"
)

// memNet is a network of in-memory repositories behind the fake AppView,
// with the fake chat service, reached as a PDS would be (one address for
// all), and our connector's session on it.
type memNet struct {
	*pdstest.Mem
	mem  *appviewfake.Mem
	av   *appviewfake.Server
	chat *chatfake.Server
	c    *bluesky.Connector
	acct network.Account
	seq  atomic.Int64
	base time.Time
}

func newMemNet(t *testing.T, wrap func(http.Handler) http.Handler) *memNet {
	t.Helper()
	m := pdstest.StartMem(t, wrap)
	n := &memNet{Mem: m, mem: m.Repos, av: m.AppView, chat: m.Chat, base: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	tok := m.Account(usDID, "lumiere.test")
	m.Account(aliceDID, "alice.test")
	m.Account(carlaDID, "carla.test")
	n.c = bluesky.New(httpx.NewClient(httpx.Options{AllowPrivate: true}))
	n.c.ChatService = n.chat.Proxy
	n.acct = network.Account{BaseURL: m.URL, ExternalID: usDID, Handle: "lumiere.test", Token: network.Token{AccessToken: tok}}
	return n
}

type postOpts struct {
	text          string
	at            time.Time
	parent, root  *appviewfake.Record
	mention       string
	quote         *appviewfake.Record
	langs         []string
	rkey          string
	hiddenInGates bool
}

// post writes an app.bsky.feed.post record in did's repository.
func (n *memNet) post(did string, o postOpts) appviewfake.Record {
	if o.at.IsZero() {
		o.at = n.base.Add(time.Duration(n.seq.Add(1)) * time.Second)
	}
	rec := map[string]any{"$type": "app.bsky.feed.post", "text": o.text, "createdAt": o.at.Format("2006-01-02T15:04:05.000Z")}
	if o.parent != nil {
		root := o.root
		if root == nil {
			root = o.parent
		}
		rec["reply"] = map[string]any{"root": map[string]string{"uri": root.URI, "cid": root.CID}, "parent": map[string]string{"uri": o.parent.URI, "cid": o.parent.CID}}
	}
	if o.mention != "" {
		rec["facets"] = []any{map[string]any{"index": map[string]int{"byteStart": 0, "byteEnd": 1},
			"features": []any{map[string]string{"$type": "app.bsky.richtext.facet#mention", "did": o.mention}}}}
	}
	if o.quote != nil {
		rec["embed"] = map[string]any{"$type": "app.bsky.embed.record", "record": map[string]string{"uri": o.quote.URI, "cid": o.quote.CID}}
	}
	if len(o.langs) > 0 {
		rec["langs"] = o.langs
	}
	if o.rkey == "" {
		o.rkey = network.NewAttemptKey(o.at.Add(time.Duration(n.seq.Add(1))))
	}
	return n.mem.Put(did, bluesky.PostCollection, o.rkey, rec)
}

func refOf(r appviewfake.Record) network.Ref { return network.Ref{ID: r.URI, CID: r.CID} }

func byID(items []network.Item) map[string]network.Item {
	m := map[string]network.Item{}
	for _, it := range items {
		m[it.ExternalID] = it
	}
	return m
}

func TestInboxCapabilitiesSayWhy(t *testing.T) {
	t.Parallel()
	caps := bluesky.New(nil).InboxCapabilities(network.Account{})
	for _, k := range []network.ItemKind{network.KindComment, network.KindMention, network.KindQuote, network.KindMessage} {
		if !caps.Kind(k).OK {
			t.Errorf("kind %s unsupported", k)
		}
	}
	for _, k := range []network.ItemKind{network.KindReview} {
		if s := caps.Kind(k); s.OK || !i18n.Has("fr", s.Reason) {
			t.Errorf("kind %s: %+v, want unsupported with a reason translated in the catalogue", k, s)
		}
	}
	for _, a := range network.Actions {
		if _, ok := caps.Actions[a]; !ok {
			t.Errorf("action %s: Bluesky's capabilities say nothing", a)
		}
		if s := caps.Action(a); !s.OK && !i18n.Has("fr", s.Reason) {
			t.Errorf("action %s unsupported without a reason translated in the catalogue: %q", a, s.Reason)
		}
	}
	if caps.Action(network.ActDelete).OK {
		t.Error("delete of someone else's post offered: Bluesky cannot do it")
	}
	if caps.PollEvery < 30*time.Second {
		t.Errorf("PollEvery %v: too often for the PDS's 3,000 requests per 5 minutes shared by every channel", caps.PollEvery)
	}
}

// Replies (also to replies, also naming us), mentions and quotes each reach
// the inbox with the right kind, thread and references; a reply deeper
// than the AppView notifies comes from the thread of our post.
func TestFetchInboxKindsAndThreads(t *testing.T) {
	t.Parallel()
	n := newMemNet(t, nil)
	ctx := context.Background()
	ours := n.post(usDID, postOpts{text: "Nouvelle collection de lampes"})
	reply := n.post(aliceDID, postOpts{text: "Superbe !", parent: &ours, langs: []string{"fr"}})
	replyNaming := n.post(carlaDID, postOpts{text: "@lumiere.test livrez-vous en Belgique ?", parent: &ours, mention: usDID})
	mention := n.post(aliceDID, postOpts{text: "J'adore @lumiere.test", mention: usDID})
	quote := n.post(carlaDID, postOpts{text: "Regardez ça", quote: &ours})
	// A chain of replies under alice's reply: the AppView notifies us for
	// the first levels only (its REPLY_NOTIF_DEPTH), the thread has them all.
	parent := reply
	var chain []appviewfake.Record
	for i := range 6 {
		who := []string{carlaDID, aliceDID}[i%2]
		parent = n.post(who, postOpts{text: fmt.Sprintf("niveau %d", i+2), parent: &parent, root: &ours})
		chain = append(chain, parent)
	}
	n.post(usDID, postOpts{text: "Merci !", parent: &reply, root: &ours}) // ours: not an inbox item
	n.mem.Put(usDID, bluesky.ThreadgateCollection, ours.URI[strings.LastIndex(ours.URI, "/")+1:],
		map[string]any{"$type": bluesky.ThreadgateCollection, "post": ours.URI, "createdAt": "2026-11-02T09:00:00.000Z", "hiddenReplies": []string{chain[0].URI}})

	// One of our posts was deleted since: its thread is simply empty.
	gone := network.Ref{ID: "at://" + usDID + "/app.bsky.feed.post/3lbtuawq4tk2d"}
	res, err := n.c.FetchInbox(ctx, n.acct, network.FetchRequest{OurPosts: []network.Ref{gone, refOf(ours)}})
	if err != nil {
		t.Fatal(err)
	}
	got := byID(res.Items)
	if len(got) != len(res.Items) {
		t.Errorf("%d items for %d posts: one came twice", len(res.Items), len(got))
	}
	for _, c := range []struct {
		name string
		rec  appviewfake.Record
		kind network.ItemKind
		root string
	}{
		{"reply", reply, network.KindComment, ours.URI},
		{"reply that names us", replyNaming, network.KindComment, ours.URI},
		{"mention", mention, network.KindMention, mention.URI},
		{"quote", quote, network.KindQuote, quote.URI},
		{"reply to a reply", chain[0], network.KindComment, ours.URI},
		{"reply deeper than notifications go", chain[5], network.KindComment, ours.URI},
	} {
		it, ok := got[c.rec.URI]
		if !ok {
			t.Errorf("%s: not fetched", c.name)
			continue
		}
		if it.Kind != c.kind || it.Ref.ID != c.rec.URI || it.Ref.CID != c.rec.CID || it.Root == nil || it.Root.ID != c.root || it.ConversationID != c.root {
			t.Errorf("%s: kind %s ref %+v root %+v conversation %s; want %s, %s/%s under %s", c.name, it.Kind, it.Ref, it.Root, it.ConversationID, c.kind, c.rec.URI, c.rec.CID, c.root)
		}
	}
	if it := got[reply.URI]; it.ParentID != ours.URI || it.Lang != "fr" || it.Author.ExternalID != aliceDID || it.Author.Handle != "alice.test" || it.Text != "Superbe !" || it.Root.CID != ours.CID {
		t.Errorf("reply item %+v", it)
	}
	if it := got[quote.URI]; it.ParentID != ours.URI {
		t.Errorf("quote's parent %q, want the quoted post %s", it.ParentID, ours.URI)
	}
	if it := got[mention.URI]; it.ParentID != "" {
		t.Errorf("a mention starting its own thread has parent %q", it.ParentID)
	}
	if it := got[chain[5].URI]; it.ParentID != chain[4].URI {
		t.Errorf("deep reply's parent %s, want %s", it.ParentID, chain[4].URI)
	}
	if !got[chain[0].URI].Hidden || got[chain[1].URI].Hidden {
		t.Errorf("hidden: %v %v, want the gate's hidden reply only", got[chain[0].URI].Hidden, got[chain[1].URI].Hidden)
	}
	for _, it := range res.Items {
		if it.Author.ExternalID == usDID {
			t.Errorf("our own post %s came back as an inbox item", it.ExternalID)
		}
	}
	// The deep reply came from the thread, not from a notification.
	fromNotifs, err := n.c.FetchInbox(ctx, n.acct, network.FetchRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := byID(fromNotifs.Items)[chain[5].URI]; ok {
		t.Error("the AppView notified a reply six levels down: the thread fetch is not what found it")
	}
}

// A backlog fetched in limited batches, with several notifications in the
// same millisecond across the AppView's pages and across our batches,
// returns every item exactly once.
func TestFetchInboxPagingNeverSkipsOrRepeats(t *testing.T) {
	t.Parallel()
	n := newMemNet(t, nil)
	ctx := context.Background()
	want := map[string]bool{}
	at := n.base
	for i := range 347 {
		if i%7 == 0 { // seven posts per millisecond
			at = at.Add(time.Millisecond)
		}
		r := n.post(aliceDID, postOpts{text: fmt.Sprintf("@lumiere.test n°%d", i), at: at, mention: usDID})
		want[r.URI] = true
	}
	seen := map[string]int{}
	cursor, calls := "", 0
	var last time.Time
	for {
		res, err := n.c.FetchInbox(ctx, n.acct, network.FetchRequest{Cursor: cursor, Limit: 40})
		if err != nil {
			t.Fatal(err)
		}
		calls++
		for _, it := range res.Items {
			seen[it.ExternalID]++
			if it.CreatedAt.Before(last) {
				t.Errorf("%s at %v after one at %v: not oldest first", it.ExternalID, it.CreatedAt, last)
			}
			last = it.CreatedAt
		}
		cursor = res.Cursor
		if !res.More {
			break
		}
		if len(res.Items) > 40+6 {
			t.Errorf("%d items for a limit of 40", len(res.Items))
		}
		if calls > 20 {
			t.Fatal("the fetch never catches up")
		}
	}
	for uri := range want {
		if seen[uri] != 1 {
			t.Errorf("%s fetched %d times, want once", uri, seen[uri])
		}
	}
	if len(seen) != len(want) {
		t.Errorf("%d items, want %d", len(seen), len(want))
	}
	// Caught up: new items come, and one fetch holds no item twice.
	fresh := n.post(carlaDID, postOpts{text: "@lumiere.test encore", at: at.Add(time.Second), mention: usDID})
	res, err := n.c.FetchInbox(ctx, n.acct, network.FetchRequest{Cursor: cursor, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := byID(res.Items)[fresh.URI]; !ok || len(byID(res.Items)) != len(res.Items) {
		t.Errorf("after catching up: %d items (%d distinct), new one there: %v", len(res.Items), len(byID(res.Items)), ok)
	}
	again, err := n.c.FetchInbox(ctx, n.acct, network.FetchRequest{Cursor: res.Cursor})
	if err != nil || again.Cursor != res.Cursor {
		t.Errorf("nothing new: cursor %q → %q (%v), want unchanged", res.Cursor, again.Cursor, err)
	}
}

// Actions the network refuses, or that make no sense for the item, return
// network.ErrUnsupported before any call.
func TestActUnsupported(t *testing.T) {
	t.Parallel()
	n := newMemNet(t, nil)
	ctx := context.Background()
	ours := n.post(usDID, postOpts{text: "Notre post"})
	theirs := n.post(aliceDID, postOpts{text: "Leur post"})
	underTheirs := n.post(carlaDID, postOpts{text: "Réponse", parent: &theirs})
	theirRef, ourRef := refOf(theirs), refOf(ours)
	for _, c := range []struct {
		name string
		a    network.Action
		item network.Item
	}{
		{"delete someone else's post", network.ActDelete, network.Item{ExternalID: theirs.URI, Ref: theirRef}},
		{"hide a mention outside our threads", network.ActHide, network.Item{ExternalID: theirs.URI, Ref: theirRef, Root: &theirRef}},
		{"hide a reply in someone else's thread", network.ActHide, network.Item{ExternalID: underTheirs.URI, Ref: refOf(underTheirs), Root: &theirRef}},
		{"hide our own post", network.ActUnhide, network.Item{ExternalID: ours.URI, Ref: ourRef, Root: &ourRef}},
		{"an action no network knows", network.Action("pin"), network.Item{ExternalID: theirs.URI, Ref: theirRef}},
	} {
		if err := n.c.Act(ctx, n.acct, c.a, c.item); !errors.Is(err, network.ErrUnsupported) {
			t.Errorf("%s: %v, want ErrUnsupported", c.name, err)
		}
	}
	if calls := n.av.Calls(); len(calls) != 0 {
		t.Errorf("unsupported actions reached the network: %+v", calls)
	}
}

// Like, block and hide write records in our repository, repeated actions
// change nothing, and the undo removes exactly what was written; hiding
// keeps who may reply as the gate said.
func TestActWritesRecords(t *testing.T) {
	t.Parallel()
	// On the first threadgate write, someone else (the Bluesky app) changes
	// the gate between our read and our write.
	var n *memNet
	var raced atomic.Bool
	other := "at://did:plc:carla/app.bsky.feed.post/3lbtuawq4tk2z"
	n = newMemNet(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/xrpc/com.atproto.repo.putRecord" && raced.CompareAndSwap(false, true) {
				recs, _ := n.mem.Records(r.Context(), usDID, bluesky.ThreadgateCollection)
				var gate map[string]any
				_ = json.Unmarshal(recs[0].Value, &gate)
				gate["hiddenReplies"] = []string{other}
				n.mem.Put(usDID, bluesky.ThreadgateCollection, recs[0].URI[strings.LastIndex(recs[0].URI, "/")+1:], gate)
			}
			h.ServeHTTP(w, r)
		})
	})
	ctx := context.Background()
	ours := n.post(usDID, postOpts{text: "Notre post"})
	reply := n.post(aliceDID, postOpts{text: "Bof", parent: &ours})
	res, err := n.c.FetchInbox(ctx, n.acct, network.FetchRequest{OurPosts: []network.Ref{refOf(ours)}})
	if err != nil || len(res.Items) != 1 {
		t.Fatalf("fetch: %+v %v", res.Items, err)
	}
	item := res.Items[0]
	count := func(collection string) int {
		recs, _ := n.mem.Records(ctx, usDID, collection)
		return len(recs)
	}
	act := func(a network.Action) {
		t.Helper()
		if err := n.c.Act(ctx, n.acct, a, item); err != nil {
			t.Fatalf("%s: %v", a, err)
		}
	}

	act(network.ActLike)
	act(network.ActLike)
	recs, _ := n.mem.Records(ctx, usDID, bluesky.LikeCollection)
	if len(recs) != 1 || !strings.Contains(string(recs[0].Value), reply.CID) {
		t.Fatalf("likes after liking twice: %+v", recs)
	}
	act(network.ActUnlike)
	act(network.ActUnlike)
	if count(bluesky.LikeCollection) != 0 {
		t.Error("the like is still there")
	}

	// Made in the Bluesky app: another record key.
	n.mem.Put(usDID, bluesky.LikeCollection, "3lbtuawq4tk2k", map[string]any{"$type": bluesky.LikeCollection,
		"subject": map[string]string{"uri": reply.URI, "cid": reply.CID}, "createdAt": "2026-11-02T09:00:00.000Z"})
	act(network.ActUnlike)
	if count(bluesky.LikeCollection) != 0 {
		t.Error("a like made in the Bluesky app survives unliking")
	}

	act(network.ActBlock)
	act(network.ActBlock)
	recs, _ = n.mem.Records(ctx, usDID, bluesky.BlockCollection)
	if len(recs) != 1 || !strings.Contains(string(recs[0].Value), aliceDID) {
		t.Fatalf("blocks after blocking twice: %+v", recs)
	}
	act(network.ActUnblock)
	if count(bluesky.BlockCollection) != 0 {
		t.Error("the block is still there")
	}
	n.mem.Put(usDID, bluesky.BlockCollection, "3lbtuawq4tk2b", map[string]any{"$type": bluesky.BlockCollection,
		"subject": aliceDID, "createdAt": "2026-11-02T09:00:00.000Z"})
	act(network.ActUnblock)
	if count(bluesky.BlockCollection) != 0 {
		t.Error("a block made in the Bluesky app survives unblocking")
	}

	// A gate that lets only mentioned accounts reply.
	rkey := ours.URI[strings.LastIndex(ours.URI, "/")+1:]
	n.mem.Put(usDID, bluesky.ThreadgateCollection, rkey, map[string]any{"$type": bluesky.ThreadgateCollection, "post": ours.URI,
		"createdAt": "2026-11-02T09:00:00.000Z", "allow": []any{map[string]string{"$type": "app.bsky.feed.threadgate#mentionRule"}}})
	act(network.ActHide)
	act(network.ActHide)
	gate := func() (allow []any, hidden []string) {
		rec, ok := n.mem.Get(usDID, bluesky.ThreadgateCollection, rkey)
		if !ok {
			t.Fatal("no threadgate")
		}
		var g struct {
			Allow         []any    `json:"allow"`
			HiddenReplies []string `json:"hiddenReplies"`
		}
		_ = json.Unmarshal(rec.Value, &g)
		return g.Allow, g.HiddenReplies
	}
	allow, hidden := gate()
	if !raced.Load() {
		t.Error("the race never happened")
	}
	if len(allow) != 1 || !slices.Equal(hidden, []string{other, reply.URI}) {
		t.Errorf("gate after hiding: allow %v hidden %v; want the mention rule kept, the racing change and our reply", allow, hidden)
	}
	res, err = n.c.FetchInbox(ctx, n.acct, network.FetchRequest{OurPosts: []network.Ref{refOf(ours)}})
	if err != nil || len(res.Items) != 1 || !res.Items[0].Hidden {
		t.Errorf("fetched after hiding: %+v %v", res.Items, err)
	}
	act(network.ActUnhide)
	act(network.ActUnhide)
	if allow, hidden := gate(); len(allow) != 1 || !slices.Equal(hidden, []string{other}) {
		t.Errorf("gate after unhiding: allow %v hidden %v", allow, hidden)
	}

	act(network.ActMarkRead)
	if n.av.LastSeen(usDID).IsZero() {
		t.Error("mark read did not call updateSeen")
	}
}

// The AppView sorts a notification by the earlier of its post's createdAt
// and its indexing time: a post indexed late, with a createdAt a few
// minutes before what we already fetched, still reaches the inbox.
func TestFetchInboxCatchesPostsIndexedLate(t *testing.T) {
	t.Parallel()
	n := newMemNet(t, nil)
	ctx := context.Background()
	first := n.post(aliceDID, postOpts{text: "@lumiere.test bonjour", at: n.base.Add(time.Hour), mention: usDID})
	res, err := n.c.FetchInbox(ctx, n.acct, network.FetchRequest{})
	if err != nil || len(res.Items) != 1 || res.Items[0].ExternalID != first.URI {
		t.Fatalf("first fetch: %+v %v", res.Items, err)
	}
	late := n.post(carlaDID, postOpts{text: "@lumiere.test écrit hors ligne", at: n.base.Add(time.Hour - 5*time.Minute), mention: usDID})
	res, err = n.c.FetchInbox(ctx, n.acct, network.FetchRequest{Cursor: res.Cursor})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := byID(res.Items)[late.URI]; !ok {
		t.Errorf("a post sorted 5 minutes before the cursor was missed: %+v", res.Items)
	}
}

// The fetch passes up the rate budget the PDS's last answer told
// (RateLimit-*: the listNotifications, getPostThread and chat calls all
// pass its limiter), for polling to leave a reserve to publishing; a PDS
// whose rate limits are off tells none. Past the limit, the 429 is a
// rate limit with its wait.
func TestFetchInboxReadsTheRateBudget(t *testing.T) {
	t.Parallel()
	n := newMemNet(t, nil)
	ctx := context.Background()
	ours := n.post(usDID, postOpts{text: "Nouvelle collection de lampes"})
	n.post(aliceDID, postOpts{text: "Superbe !", parent: &ours})
	n.chat.Send(aliceDID, usDID, "Bonjour")
	req := network.FetchRequest{Since: n.base.Add(-time.Hour), Limit: 100, OurPosts: []network.Ref{refOf(ours)}}

	res, err := n.c.FetchInbox(ctx, n.acct, req)
	if err != nil {
		t.Fatal(err)
	}
	if res.Budget != nil {
		t.Errorf("rate limits off: budget %+v, want nil", *res.Budget)
	}

	n.RateLimit.Set(3000, 5*time.Minute)
	res, err = n.c.FetchInbox(ctx, n.acct, req)
	if err != nil {
		t.Fatal(err)
	}
	if len(messages(res.Items)) != 1 {
		t.Fatalf("items %+v, want the direct message among them (its calls count too)", res.Items)
	}
	b, left := res.Budget, n.RateLimit.Remaining()
	if b == nil || b.Limit != 3000 || b.Remaining != left || left >= 3000 || !b.Reset.Equal(n.RateLimit.Reset()) {
		t.Fatalf("budget %+v, want 3000 a window, %d left as the last answer said, reset at %v", b, left, n.RateLimit.Reset())
	}

	n.RateLimit.Spend(left)
	_, err = n.c.FetchInbox(ctx, n.acct, req)
	if ne := network.AsError(err); ne.Kind != network.RateLimited || ne.RetryAfter <= 0 || ne.RetryAfter > 5*time.Minute {
		t.Errorf("past the limit: %v (wait %v), want a rate limit with a wait within the window", err, ne.RetryAfter)
	}
}
