package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/network"
)

type replyJSON struct {
	ID     int64  `json:"id"`
	State  string `json:"state"`
	URL    string `json:"url"`
	Error  string `json:"error"`
	ItemID int64  `json:"item_id"`
}

// A reply through the API, end to end on the Sandbox with the River
// workers running: 202 queued, then sent once into the thread (the Sandbox
// received one post replying to the item), its address in GET and in the
// conversation.
func TestReplyThroughTheAPIOnTheSandbox(t *testing.T) {
	t.Parallel()
	in := newBrandInbox(t, apptest.Options{Workers: true})
	env, owner, ws, tok, ch, ctx := in.env, in.owner, in.ws, in.tok, in.ch, context.Background()
	// A post of someone's on the Sandbox, seen in the inbox as a mention.
	conn := env.App.Inbox.Connectors["sandbox"]
	acct, err := env.App.Channels.Account(ctx, ch)
	if err != nil {
		t.Fatal(err)
	}
	parent, err := conn.Publish(ctx, acct, network.PostRequest{AttemptKey: network.NewAttemptKey(time.Now()), Text: "hey @brand, question", CreatedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Inbox.Ingest(ctx, ch, []network.Item{{ExternalID: parent.ID, Kind: network.KindMention, Ref: parent, Root: &parent,
		ConversationID: parent.ID, Author: network.Author{ExternalID: "fan", Handle: "fan"}, Text: "hey @brand, question", CreatedAt: time.Now()}}); err != nil {
		t.Fatal(err)
	}
	items := decode[struct {
		Items []itemJSON `json:"items"`
	}](t, env.Do(t, tok, http.MethodGet, fmt.Sprintf("/api/v1/workspaces/%d/inbox", ws.ID), nil)).Items
	if len(items) != 1 {
		t.Fatalf("inbox: %+v", items)
	}
	it := items[0]

	r := env.Do(t, tok, http.MethodPost, fmt.Sprintf("/api/v1/inbox/items/%d/replies", it.ID), strings.NewReader(`{"text":"Here is the answer"}`))
	if r.StatusCode != http.StatusAccepted {
		t.Fatalf("reply: %d", r.StatusCode)
	}
	rep := decode[replyJSON](t, r)
	if rep.State != "queued" && rep.State != "in_flight" && rep.State != "sent" {
		t.Fatalf("reply answered %+v", rep)
	}
	deadline := time.Now().Add(15 * time.Second)
	for rep.State != "sent" {
		if time.Now().After(deadline) || rep.State == "failed" || rep.State == "unknown" {
			t.Fatalf("reply not sent: %+v", rep)
		}
		time.Sleep(100 * time.Millisecond)
		rep = decode[replyJSON](t, env.Do(t, tok, http.MethodGet, fmt.Sprintf("/api/v1/inbox/replies/%d", rep.ID), nil))
	}
	if rep.URL == "" {
		t.Errorf("sent reply has no address: %+v", rep)
	}
	var answers int
	for _, p := range env.Sandbox.Received() {
		if p.Text == "Here is the answer" {
			answers++
			if p.ReplyTo != parent.ID {
				t.Errorf("the reply answers %q, want %q", p.ReplyTo, parent.ID)
			}
		}
	}
	if answers != 1 {
		t.Errorf("the Sandbox received the reply %d times, want once", answers)
	}
	conv := decode[struct {
		Replies []replyJSON `json:"replies"`
	}](t, env.Do(t, tok, http.MethodGet, fmt.Sprintf("/api/v1/inbox/conversations/%d", it.ConversationID), nil))
	if len(conv.Replies) != 1 || conv.Replies[0].ID != rep.ID || conv.Replies[0].State != "sent" {
		t.Errorf("conversation replies: %+v", conv.Replies)
	}

	// A colleague who answers the same item is stopped before a second
	// answer goes out, and sends once they confirm.
	cm := env.Token(t, env.Member(t, owner, ws.ID, "cm@example.test", auth.CommunityMgr))
	path := fmt.Sprintf("/api/v1/inbox/items/%d/replies", it.ID)
	r = env.Do(t, cm, http.MethodPost, path, strings.NewReader(`{"text":"Me too"}`))
	stopped := decode[struct {
		Code string
		FR   string `json:"message_fr"`
	}](t, r)
	if r.StatusCode != http.StatusConflict || stopped.Code != "already_answered" || !strings.Contains(stopped.FR, "a déjà répondu") {
		t.Errorf("a colleague's second answer: %d %+v, want 409 already_answered", r.StatusCode, stopped)
	}
	if r := env.Do(t, cm, http.MethodPost, path, strings.NewReader(`{"text":"Me too","send_anyway":true}`)); r.StatusCode != http.StatusAccepted {
		t.Errorf("the confirmed second answer: %d, want 202", r.StatusCode)
	}
}
