package bluesky_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/network/bluesky"
)

// Direct messages against a real PDS: the PDS forwards chat.bsky.* to the
// fake chat service because the connector's atproto-proxy header names it
// (a did:web the PDS resolves to the fake), with a service token for our
// account. A second account writes to us through the same PDS; the message
// reaches the inbox once; our reply lands in the conversation once; mark
// read reaches the service; an app password created without access to
// direct messages is refused by the PDS itself, and we say why.
func TestDirectMessagesAgainstRealPDS(t *testing.T) {
	p := startOnPDS(t)
	ctx, c, chat := context.Background(), p.c, p.Chat
	us, alice, usDID, aliceDID := p.us, p.alice, p.usDID, p.aliceDID
	send := func(text string) (convo, msg string) {
		t.Helper()
		cv := xrpcAs(t, alice, http.MethodGet, "chat.bsky.convo.getConvoForMembers", url.Values{"members": {usDID}}, nil, chat.Proxy)
		convo = cv["convo"].(map[string]any)["id"].(string)
		m := xrpcAs(t, alice, http.MethodPost, "chat.bsky.convo.sendMessage", nil,
			map[string]any{"convoId": convo, "message": map[string]string{"text": text}}, chat.Proxy)
		return convo, m["id"].(string)
	}
	convo, first := send("Bonjour, ma lampe est arrivée cassée")

	res, err := c.FetchInbox(ctx, us, network.FetchRequest{Since: time.Now().Add(-time.Hour), Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	got := messages(res.Items)
	if len(got) != 1 || got[0].ExternalID != bluesky.ChatRef(convo, first) || got[0].Author.ExternalID != aliceDID ||
		got[0].Author.Handle != "alice.test" || got[0].ConversationID != bluesky.ChatConversation(convo) {
		t.Fatalf("first fetch: %+v, want alice's message", got)
	}
	item := got[0]
	for range 2 {
		if res, err = c.FetchInbox(ctx, us, network.FetchRequest{Cursor: res.Cursor, Limit: 100}); err != nil {
			t.Fatal(err)
		}
		if m := messages(res.Items); len(m) != 0 {
			t.Fatalf("a repeated poll brought the message again: %+v", m)
		}
	}
	_, second := send("Vous pouvez m'en renvoyer une ?")
	if res, err = c.FetchInbox(ctx, us, network.FetchRequest{Cursor: res.Cursor, Limit: 100}); err != nil {
		t.Fatal(err)
	}
	if m := messages(res.Items); len(m) != 1 || m[0].ExternalID != bluesky.ChatRef(convo, second) {
		t.Fatalf("the second message: %+v", m)
	}
	var viaPDS bool
	for _, call := range chat.Calls() {
		viaPDS = viaPDS || (call.NSID == "chat.bsky.convo.getLog" && call.Caller == usDID)
	}
	if !viaPDS {
		t.Error("getLog never reached the chat service through the PDS as our account")
	}

	t.Run("reply lands once", func(t *testing.T) {
		at := time.Now()
		req := network.PostRequest{AttemptKey: network.NewAttemptKey(at), Text: "Bien sûr, elle part demain.", ReplyTo: &item.Ref, Root: &item.Ref,
			CreatedAt: at, Visibility: network.VisibilityDirect}
		ref, err := c.Publish(ctx, us, req)
		if err != nil {
			t.Fatal(err)
		}
		if sent := chat.Messages(convo, usDID); len(sent) != 1 || sent[0] != req.Text {
			t.Fatalf("our messages in the conversation: %q", sent)
		}
		if back, err := c.Recover(ctx, us, req); err != nil || back.ID != ref.ID {
			t.Errorf("look-up after a crash: %+v %v, want %s", back, err, ref.ID)
		}
	})
	t.Run("mark read", func(t *testing.T) {
		if err := c.Act(ctx, us, network.ActMarkRead, item); err != nil {
			t.Fatal(err)
		}
		if r := chat.ReadUpTo(usDID, convo); r != first {
			t.Errorf("read up to %q, want %q", r, first)
		}
	})
	t.Run("app password without access to direct messages", func(t *testing.T) {
		plain := xrpcAs(t, us, http.MethodPost, "com.atproto.server.createAppPassword", nil, map[string]any{"name": "tribune-plain", "privileged": false}, "")
		priv := xrpcAs(t, us, http.MethodPost, "com.atproto.server.createAppPassword", nil, map[string]any{"name": "tribune-dm", "privileged": true}, "")
		fresh := p.connector()
		noDM, err := fresh.Login(ctx, p.URL(), "lumiere.test", plain["password"].(string))
		if err != nil {
			t.Fatal(err)
		}
		if s := fresh.InboxCapabilities(noDM).Kind(network.KindMessage); s.OK || s.Reason != bluesky.NoChatAccess {
			t.Errorf("direct messages with a plain app password: %+v", s)
		}
		if _, err := fresh.FetchInbox(ctx, noDM, network.FetchRequest{Since: time.Now().Add(-time.Hour), Limit: 100}); err != nil {
			t.Errorf("the notifications failed with the chat: %v", err)
		}
		// The PDS itself refuses the chat to that session.
		_, err = fresh.Publish(ctx, noDM, network.PostRequest{Text: "Bonjour", ReplyTo: &item.Ref, CreatedAt: time.Now()})
		if ne := network.AsError(err); err == nil || ne.Message != bluesky.NoChatAccess || ne.Kind == network.Unauthorized {
			t.Errorf("reply with a plain app password: %v, want %q", err, bluesky.NoChatAccess)
		}
		if n := len(chat.Messages(convo, usDID)); n != 1 {
			t.Errorf("%d messages of ours after the refused reply, want 1", n)
		}
		withDM, err := fresh.Login(ctx, p.URL(), "lumiere.test", priv["password"].(string))
		if err != nil {
			t.Fatal(err)
		}
		res, err := fresh.FetchInbox(ctx, withDM, network.FetchRequest{Since: time.Now().Add(-time.Hour), Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if m := messages(res.Items); len(m) != 2 || !fresh.InboxCapabilities(withDM).Kind(network.KindMessage).OK {
			t.Errorf("with an app password allowed direct messages: %d messages, %+v", len(m), fresh.InboxCapabilities(withDM).Kind(network.KindMessage))
		}
	})
}
