package mastodon_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/network"
)

// The inbox against the real server: a second account replies to our post
// and mentions us; both reach the inbox with the right kinds and our post
// as their root; our answer threads under theirs; like, block and mark
// read work; the WebSocket stream delivers a new mention.
func TestGoToSocialInbox(t *testing.T) {
	t.Parallel()
	us := connectGTS(t)
	them := connectGTSAt(t, us.srv, us.srv.URL())
	ctx := context.Background()
	now := time.Now()
	post, err := us.c.Publish(ctx, us.acct, network.PostRequest{AttemptKey: "3lbtuawq4tk9a", Text: "Our new opening hours", Visibility: "public", CreatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	caps := us.c.InboxCapabilities(us.acct)
	first, err := us.c.FetchInbox(ctx, us.acct, network.FetchRequest{Since: now.Add(-time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Items) != 0 {
		t.Errorf("a new account's inbox holds %+v", first.Items)
	}
	// The server is known now (the fetch read it): GoToSocial does not
	// notify quotes, and the capabilities say so.
	caps = us.c.InboxCapabilities(us.acct)
	if q := caps.Kind(network.KindQuote); q.OK || !strings.Contains(q.Reason, "GoToSocial") {
		t.Errorf("quotes on GoToSocial: %+v", q)
	}

	mentionUs := "@" + us.user.Username + " "
	reply, err := them.c.Publish(ctx, them.acct, network.PostRequest{AttemptKey: "3lbtuawq4tk9b", Text: mentionUs + "Open on Sundays too?", Visibility: "public",
		ReplyTo: &post, Root: &post, CreatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	mention, err := them.c.Publish(ctx, them.acct, network.PostRequest{AttemptKey: "3lbtuawq4tk9c", Text: "Great shop, " + mentionUs, Visibility: "public", CreatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	// GoToSocial notifies from its background worker: poll until both
	// arrived (a deadline, not a sleep).
	var items map[string]network.Item
	cursor := first.Cursor
	for deadline := time.Now().Add(20 * time.Second); len(items) < 2; time.Sleep(200 * time.Millisecond) {
		res, err := us.c.FetchInbox(ctx, us.acct, network.FetchRequest{Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		if items == nil {
			items = map[string]network.Item{}
		}
		for _, it := range res.Items {
			items[it.ExternalID] = it
		}
		cursor = res.Cursor
		if time.Now().After(deadline) {
			t.Fatalf("after 20 s the inbox holds %+v, want the reply and the mention", items)
		}
	}
	got := items[reply.ID]
	if got.Kind != network.KindComment || got.Root == nil || got.Root.ID != post.ID || got.ParentID != post.ID || got.ConversationID != post.ID ||
		got.Author.ExternalID != them.acct.ExternalID || !strings.Contains(got.Text, "Open on Sundays too?") {
		t.Errorf("the reply reached the inbox as %+v, want a comment under our post %s", got, post.ID)
	}
	if m := items[mention.ID]; m.Kind != network.KindMention || m.Root == nil || m.Root.ID != mention.ID || !strings.Contains(m.Text, "Great shop") {
		t.Errorf("the mention reached the inbox as %+v", m)
	}
	// A repeated fetch from the start gives the same ids.
	again, err := us.c.FetchInbox(ctx, us.acct, network.FetchRequest{Cursor: first.Cursor})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range again.Items {
		if _, ok := items[it.ExternalID]; !ok {
			t.Errorf("a repeated fetch gave a new id %s", it.ExternalID)
		}
	}

	// Our answer, published as a reply, threads under theirs.
	answer, err := us.c.Publish(ctx, us.acct, network.PostRequest{AttemptKey: "3lbtuawq4tk9d", Text: "@" + them.user.Username + " Yes, 10–16!", Visibility: "public",
		ReplyTo: &got.Ref, Root: got.Root, CreatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		InReplyToID *string `json:"in_reply_to_id"`
		Favourited  bool    `json:"favourited"`
	}
	us.srv.Get(t, us.acct.Token.AccessToken, "/api/v1/statuses/"+answer.ID, &st)
	if st.InReplyToID == nil || *st.InReplyToID != reply.ID {
		t.Errorf("our answer's in_reply_to_id is %v, want their reply %s", st.InReplyToID, reply.ID)
	}

	// Like, seen through the server's API.
	if err := us.c.Act(ctx, us.acct, network.ActLike, got); err != nil {
		t.Fatal(err)
	}
	us.srv.Get(t, us.acct.Token.AccessToken, "/api/v1/statuses/"+reply.ID, &st)
	if !st.Favourited {
		t.Error("liked, but the server says the reply is not favourited")
	}
	if err := us.c.Act(ctx, us.acct, network.ActUnlike, got); err != nil {
		t.Fatal(err)
	}
	us.srv.Get(t, us.acct.Token.AccessToken, "/api/v1/statuses/"+reply.ID, &st)
	if st.Favourited {
		t.Error("unliked, but the server says the reply is still favourited")
	}
	// Mark read moves the notifications marker.
	if err := us.c.Act(ctx, us.acct, network.ActMarkRead, items[mention.ID]); err != nil {
		t.Errorf("mark read: %v", err)
	}
	var markers struct {
		Notifications struct {
			LastReadID string `json:"last_read_id"`
		} `json:"notifications"`
	}
	us.srv.Get(t, us.acct.Token.AccessToken, "/api/v1/markers?timeline[]=notifications", &markers)
	if markers.Notifications.LastReadID == "" {
		t.Error("mark read left no notifications marker")
	}
	// Hide is not Mastodon's; delete of their reply is not ours to do.
	for _, a := range []network.Action{network.ActHide, network.ActDelete} {
		if err := us.c.Act(ctx, us.acct, a, got); err == nil || !strings.Contains(err.Error(), "does not allow") {
			t.Errorf("%s on their reply: %v, want ErrUnsupported", a, err)
		}
	}

	// The stream delivers a new mention.
	streamCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	opened := make(chan struct{})
	streamed := make(chan network.Item, 10)
	done := make(chan error, 1)
	go func() {
		done <- us.c.StreamWebSocket(streamCtx, us.acct, func() error { close(opened); return nil }, func(it network.Item) { streamed <- it })
	}()
	select {
	case <-opened:
	case err := <-done:
		t.Fatalf("the WebSocket stream did not open: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("the WebSocket stream did not open within 20 s")
	}
	live, err := them.c.Publish(ctx, them.acct, network.PostRequest{AttemptKey: "3lbtuawq4tk9e", Text: mentionUs + "are you there?", Visibility: "public", CreatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.After(20 * time.Second); ; {
		select {
		case it := <-streamed:
			if it.ExternalID != live.ID {
				continue
			}
			if it.Kind != network.KindMention || it.Author.ExternalID != them.acct.ExternalID {
				t.Errorf("streamed %+v, want their mention", it)
			}
		case err := <-done:
			t.Fatalf("the stream ended: %v", err)
		case <-deadline:
			t.Fatal("the new mention was not streamed within 20 s")
		}
		break
	}
	// A direct message comes on the "direct" stream the connection
	// subscribed to.
	private, err := them.c.Publish(ctx, them.acct, network.PostRequest{AttemptKey: "3lbtuawq4tk9g", Text: mentionUs + "psst", Visibility: "direct", CreatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.After(20 * time.Second); ; {
		select {
		case it := <-streamed:
			if it.ExternalID != private.ID {
				continue
			}
			if it.Kind != network.KindMessage || it.ConversationID == "" {
				t.Errorf("streamed %+v, want their direct message in a conversation", it)
			}
		case err := <-done:
			t.Fatalf("the stream ended: %v", err)
		case <-deadline:
			t.Fatal("the direct message was not streamed within 20 s")
		}
		break
	}
	cancel()
	<-done

	// Block, seen through the server's relationships.
	if err := us.c.Act(ctx, us.acct, network.ActBlock, got); err != nil {
		t.Fatal(err)
	}
	var rel []struct {
		Blocking bool `json:"blocking"`
	}
	us.srv.Get(t, us.acct.Token.AccessToken, "/api/v1/accounts/relationships?"+url.Values{"id[]": {them.acct.ExternalID}}.Encode(), &rel)
	if len(rel) != 1 || !rel[0].Blocking {
		t.Errorf("blocked, but the relationship is %+v", rel)
	}
	if err := us.c.Act(ctx, us.acct, network.ActUnblock, got); err != nil {
		t.Fatal(err)
	}
	us.srv.Get(t, us.acct.Token.AccessToken, "/api/v1/accounts/relationships?"+url.Values{"id[]": {them.acct.ExternalID}}.Encode(), &rel)
	if len(rel) != 1 || rel[0].Blocking {
		t.Errorf("unblocked, but the relationship is %+v", rel)
	}

	// A direct message comes through the conversations API, and is read
	// in its conversation.
	dm, err := them.c.Publish(ctx, them.acct, network.PostRequest{AttemptKey: "3lbtuawq4tk9f", Text: mentionUs + "a private question", Visibility: "direct", CreatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	var msg network.Item
	for deadline := time.Now().Add(20 * time.Second); msg.ExternalID == ""; time.Sleep(200 * time.Millisecond) {
		res, err := us.c.FetchInbox(ctx, us.acct, network.FetchRequest{Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		cursor = res.Cursor
		for _, it := range res.Items {
			if it.ExternalID == dm.ID {
				msg = it
			} else if it.Kind == network.KindMessage && it.ExternalID != private.ID {
				t.Errorf("a message %+v nobody sent", it)
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("the direct message did not reach the inbox within 20 s")
		}
	}
	if msg.Kind != network.KindMessage || msg.ConversationID == "" || !strings.Contains(msg.Text, "a private question") {
		t.Errorf("the direct message reached the inbox as %+v", msg)
	}
	if err := us.c.Act(ctx, us.acct, network.ActMarkRead, msg); err != nil {
		t.Errorf("mark read of a message: %v", err)
	}
	var convs []struct {
		ID     string `json:"id"`
		Unread bool   `json:"unread"`
	}
	us.srv.Get(t, us.acct.Token.AccessToken, "/api/v1/conversations", &convs)
	found := false
	for _, c := range convs {
		if c.ID == msg.ConversationID {
			found = true
			if c.Unread {
				t.Error("the conversation is still unread after mark read")
			}
		}
	}
	if !found {
		t.Errorf("the item's conversation %s is not among the account's conversations %+v", msg.ConversationID, convs)
	}
}
