package bluesky_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/network/bluesky"
)

// The inbox against a real PDS: the PDS proxies app.bsky.* to the fake
// AppView (the only fake part), which reads the accounts' real repositories
// back from that PDS. A second account replies to, mentions and quotes our
// post; each reaches the inbox with its kind; our answer lands under theirs
// with the right root and parent; like, block and hide write the records
// the PDS validates against the lexicons.
func TestInboxAgainstRealPDS(t *testing.T) {
	p := startOnPDS(t)
	ctx, c, pds, av := context.Background(), p.c, p.PDS, p.AppView
	us, alice, usDID, aliceDID := p.us, p.alice, p.usDID, p.aliceDID
	publish := func(acct network.Account, text string, replyTo, root *network.Ref) network.Ref {
		t.Helper()
		ref, err := c.Publish(ctx, acct, network.PostRequest{AttemptKey: network.NewAttemptKey(time.Now()), Text: text, ReplyTo: replyTo, Root: root, CreatedAt: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		return ref
	}
	ours := publish(us, "Nouvelle collection de lampes", nil, nil)
	reply := publish(alice, "Superbe, elle existe en bleu ?", &ours, &ours)
	mention := publish(alice, "Je recommande @lumiere.test pour les lampes", nil, nil)
	quote := createRecord(t, alice, bluesky.PostCollection, map[string]any{"$type": bluesky.PostCollection, "text": "Regardez ça",
		"createdAt": time.Now().UTC().Format("2006-01-02T15:04:05.000Z"),
		"embed":     map[string]any{"$type": "app.bsky.embed.record", "record": map[string]string{"uri": ours.ID, "cid": ours.CID}}})

	fetch := func() map[string]network.Item {
		t.Helper()
		res, err := c.FetchInbox(ctx, us, network.FetchRequest{OurPosts: []network.Ref{ours}, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		return byID(res.Items)
	}
	got := fetch()
	for _, w := range []struct {
		name string
		ref  network.Ref
		kind network.ItemKind
	}{{"reply", reply, network.KindComment}, {"mention", mention, network.KindMention}, {"quote", quote, network.KindQuote}} {
		it, ok := got[w.ref.ID]
		if !ok {
			t.Errorf("%s %s did not reach the inbox: %v", w.name, w.ref.ID, got)
			continue
		}
		if it.Kind != w.kind || it.Ref.CID != w.ref.CID || it.Author.ExternalID != aliceDID || it.Author.Handle != "alice.test" {
			t.Errorf("%s: %+v, want kind %s, CID %s, by alice", w.name, it, w.kind, w.ref.CID)
		}
	}
	if it := got[quote.ID]; it.ParentID != ours.ID {
		t.Errorf("the quote's parent is %q, want our post", it.ParentID)
	}
	var proxied bool
	for _, call := range av.Calls() {
		proxied = proxied || (call.NSID == "app.bsky.notification.listNotifications" && call.Viewer == usDID)
	}
	if !proxied {
		t.Error("listNotifications never reached the AppView through the PDS as our account")
	}
	t.Run("rate budget", func(t *testing.T) {
		// The PDS's limiter answers for every route the inbox calls, the
		// ones it proxies to the AppView and to the chat service included
		// (it does not pass on theirs); the connector passes it up.
		for _, r := range []struct {
			nsid, proxy string
			q           url.Values
		}{
			{nsid: "app.bsky.notification.listNotifications"},
			{nsid: "app.bsky.feed.getPostThread", q: url.Values{"uri": {ours.ID}}},
			{nsid: "chat.bsky.convo.getLog", proxy: p.Chat.Proxy},
		} {
			_, h := xrpcHeaders(t, us, http.MethodGet, r.nsid, r.q, nil, r.proxy)
			if b := network.ReadBudget(h, time.Now()); b == nil || b.Limit != 3000 || h.Get("RateLimit-Policy") != "3000;w=300" {
				t.Errorf("%s: budget %+v (RateLimit-Policy %q), want 3000 per 300 s", r.nsid, b, h.Get("RateLimit-Policy"))
			}
		}
		res, err := c.FetchInbox(ctx, us, network.FetchRequest{OurPosts: []network.Ref{ours}, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		b := res.Budget
		if b == nil || b.Limit != 3000 || b.Remaining <= 0 || b.Remaining >= 3000 {
			t.Fatalf("fetch budget %+v, want 3000 a window, some of it spent", b)
		}
		// The reset is a whole second, rounded down.
		if left := time.Until(b.Reset); left <= -time.Second || left > 5*time.Minute {
			t.Errorf("window resets in %v, want within 5 minutes", left)
		}
	})

	item := got[reply.ID]
	if item.Root == nil || item.Root.ID != ours.ID || item.ParentID != ours.ID || item.ConversationID != ours.ID {
		t.Fatalf("reply item thread: root %+v parent %s conversation %s", item.Root, item.ParentID, item.ConversationID)
	}

	t.Run("our answer threads under theirs", func(t *testing.T) {
		answer := publish(us, "Oui, en bleu nuit !", &item.Ref, item.Root)
		rec := pds.Record(t, usDID, rkey(answer.ID))
		r := rec["reply"].(map[string]any)
		root, parent := r["root"].(map[string]any), r["parent"].(map[string]any)
		if root["uri"] != ours.ID || root["cid"] != ours.CID || parent["uri"] != reply.ID || parent["cid"] != reply.CID {
			t.Errorf("our answer's reply refs %v, want root %s and parent %s", r, ours.ID, reply.ID)
		}
		if _, ok := fetch()[answer.ID]; ok {
			t.Error("our own answer came back as an inbox item")
		}
		// Our own record can be deleted from the inbox; theirs cannot.
		if err := c.Act(ctx, us, network.ActDelete, network.Item{ExternalID: answer.ID, Ref: answer}); err != nil {
			t.Fatal(err)
		}
		if live, err := c.CheckLive(ctx, us, answer); live || err != nil {
			t.Errorf("deleted answer: live=%v %v", live, err)
		}
		if err := c.Act(ctx, us, network.ActDelete, item); !errors.Is(err, network.ErrUnsupported) {
			t.Errorf("delete alice's reply: %v, want ErrUnsupported", err)
		}
	})

	act := func(a network.Action, it network.Item) {
		t.Helper()
		if err := c.Act(ctx, us, a, it); err != nil {
			t.Fatalf("%s: %v", a, err)
		}
	}
	t.Run("like", func(t *testing.T) {
		act(network.ActLike, item)
		act(network.ActLike, item) // a repeated action is a no-op
		likes := pds.Records(t, usDID, bluesky.LikeCollection)
		if len(likes) != 1 {
			t.Fatalf("%d like records after liking twice, want 1", len(likes))
		}
		if s := likes[0]["subject"].(map[string]any); s["uri"] != reply.ID || s["cid"] != reply.CID {
			t.Errorf("like subject %v", s)
		}
		act(network.ActUnlike, item)
		act(network.ActUnlike, item)
		if n := len(pds.Records(t, usDID, bluesky.LikeCollection)); n != 0 {
			t.Errorf("%d like records after unliking", n)
		}
		// A like made in the Bluesky app (a key of its own) is undone too.
		createRecord(t, us, bluesky.LikeCollection, map[string]any{"$type": bluesky.LikeCollection,
			"subject": map[string]string{"uri": reply.ID, "cid": reply.CID}, "createdAt": time.Now().UTC().Format("2006-01-02T15:04:05.000Z")})
		act(network.ActUnlike, item)
		if n := len(pds.Records(t, usDID, bluesky.LikeCollection)); n != 0 {
			t.Errorf("%d like records after unliking one made in the app", n)
		}
	})
	t.Run("hide", func(t *testing.T) {
		act(network.ActHide, item)
		gates := pds.Records(t, usDID, bluesky.ThreadgateCollection)
		if len(gates) != 1 || rkey(gates[0]["uri"].(string)) != rkey(ours.ID) || gates[0]["post"] != ours.ID {
			t.Fatalf("threadgates %v, want one on our post", gates)
		}
		if h, _ := gates[0]["hiddenReplies"].([]any); len(h) != 1 || h[0] != reply.ID {
			t.Errorf("hiddenReplies %v, want alice's reply", gates[0]["hiddenReplies"])
		}
		if _, ok := gates[0]["allow"]; ok {
			t.Errorf("hiding changed who may reply: %v", gates[0])
		}
		if !fetch()[reply.ID].Hidden {
			t.Error("the inbox does not show the reply hidden")
		}
		act(network.ActUnhide, item)
		gates = pds.Records(t, usDID, bluesky.ThreadgateCollection)
		if h, _ := gates[0]["hiddenReplies"].([]any); len(h) != 0 {
			t.Errorf("hiddenReplies after unhiding: %v", h)
		}
	})
	t.Run("mark read", func(t *testing.T) {
		act(network.ActMarkRead, item)
		if av.LastSeen(usDID).IsZero() {
			t.Error("updateSeen did not reach the AppView through the PDS")
		}
	})
	t.Run("block", func(t *testing.T) {
		act(network.ActBlock, item)
		act(network.ActBlock, item)
		blocks := pds.Records(t, usDID, bluesky.BlockCollection)
		if len(blocks) != 1 || blocks[0]["subject"] != aliceDID {
			t.Fatalf("blocks %v, want one of alice", blocks)
		}
		if _, ok := fetch()[mention.ID]; ok {
			t.Error("a blocked account's mention still reaches the inbox")
		}
		act(network.ActUnblock, item)
		if n := len(pds.Records(t, usDID, bluesky.BlockCollection)); n != 0 {
			t.Errorf("%d block records after unblocking", n)
		}
		createRecord(t, us, bluesky.BlockCollection, map[string]any{"$type": bluesky.BlockCollection,
			"subject": aliceDID, "createdAt": time.Now().UTC().Format("2006-01-02T15:04:05.000Z")})
		act(network.ActUnblock, item)
		if n := len(pds.Records(t, usDID, bluesky.BlockCollection)); n != 0 {
			t.Errorf("%d block records after unblocking one made in the app", n)
		}
	})
}
