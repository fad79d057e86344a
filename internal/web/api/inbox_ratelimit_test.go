package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/channels"
	"github.com/tribune-social/tribune/internal/network"
)

// While the account's rate limit holds, a reply and an action on an item
// answer 429 with Retry-After and a message saying until when, in English
// and French; nothing is queued, and the Sandbox receives nothing.
func TestInboxAnswers429WhileTheAccountIsLimited(t *testing.T) {
	t.Parallel()
	b := newBrandInbox(t, apptest.Options{})
	env, ctx, owner, tok, ch := b.env, context.Background(), b.owner, b.tok, b.ch
	b.ingest(t, network.Item{ExternalID: "q1", Kind: network.KindComment, Ref: network.Ref{ID: "q1"},
		ConversationID: "root", Author: network.Author{ExternalID: "fan", Handle: "fan"}, Text: "A question", CreatedAt: time.Now()})
	it := b.only(t)
	if err := channels.RateLimited(ctx, env.Store, ch.ID, time.Now().Add(90*time.Second)); err != nil {
		t.Fatal(err)
	}
	received := len(env.Sandbox.Received())

	for _, c := range []struct{ name, path, body string }{
		{"reply", fmt.Sprintf("/api/v1/inbox/items/%d/replies", it.ID), `{"text":"Here is the answer"}`},
		{"like", fmt.Sprintf("/api/v1/inbox/items/%d/actions", it.ID), `{"action":"like"}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := env.Do(t, tok, http.MethodPost, c.path, strings.NewReader(c.body))
			got := decode[struct {
				Code    string
				Message string
				FR      string `json:"message_fr"`
			}](t, r)
			if r.StatusCode != http.StatusTooManyRequests || got.Code != "network_rate_limited" {
				t.Fatalf("got %d %+v, want 429 network_rate_limited", r.StatusCode, got)
			}
			if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || s < 80 || s > 90 {
				t.Errorf("Retry-After %q, want about 90 seconds", r.Header.Get("Retry-After"))
			}
			if !strings.Contains(got.Message, "holds until ") || !strings.Contains(got.FR, "court jusqu’à ") {
				t.Errorf("messages %q / %q do not say until when", got.Message, got.FR)
			}
		})
	}
	replies, err := env.App.Inbox.Replies(ctx, owner, it.ConversationID)
	if err != nil || len(replies) != 0 {
		t.Errorf("replies stored while limited: %v %v", replies, err)
	}
	if n := len(env.Sandbox.Received()); n != received {
		t.Errorf("the Sandbox received %d posts while the limit held", n-received)
	}
}
