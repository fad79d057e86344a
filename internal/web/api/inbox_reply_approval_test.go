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

// Approve with changes through the API, end to end on the Sandbox with the
// River workers running, on both databases: an edit too long for the
// network is a 422 and the reply stays pending; the approver's edit is
// what the Sandbox receives, once, and never the contributor's text; a
// second decision is a 409.
func TestApproveWithChangesThroughTheAPI(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			in := newBrandInbox(t, apptest.Options{Workers: true, Postgres: dialect == "postgres"})
			env, owner, ws, tok, ch, ctx := in.env, in.owner, in.ws, in.tok, in.ch, context.Background()
			conn := env.App.Inbox.Connectors["sandbox"]
			acct, err := env.App.Channels.Account(ctx, ch)
			if err != nil {
				t.Fatal(err)
			}
			parent, err := conn.Publish(ctx, acct, network.PostRequest{AttemptKey: network.NewAttemptKey(time.Now()), Text: "hey @brand, question", CreatedAt: time.Now()})
			if err != nil {
				t.Fatal(err)
			}
			in.ingest(t, network.Item{ExternalID: parent.ID, Kind: network.KindMention, Ref: parent, Root: &parent,
				ConversationID: parent.ID, Author: network.Author{ExternalID: "fan", Handle: "fan"}, Text: "hey @brand, question", CreatedAt: time.Now()})
			it := in.only(t)
			if r := env.Do(t, tok, http.MethodPut, fmt.Sprintf("/api/v1/workspaces/%d/inbox/reply-approval", ws.ID), strings.NewReader(`{"enabled":true}`)); r.StatusCode != http.StatusOK {
				t.Fatalf("switch approval on: %d", r.StatusCode)
			}
			contrib := env.Token(t, env.Member(t, owner, ws.ID, "contrib@example.test", auth.Contributor))
			r := env.Do(t, contrib, http.MethodPost, fmt.Sprintf("/api/v1/inbox/items/%d/replies", it.ID), strings.NewReader(`{"text":"Contributor's words"}`))
			pending := decode[replyJSON](t, r)
			if pending.State != "pending_approval" {
				t.Fatalf("contributor's reply: %d %+v", r.StatusCode, pending)
			}
			approve := fmt.Sprintf("/api/v1/inbox/replies/%d/approve", pending.ID)
			long := fmt.Sprintf(`{"text":%q}`, strings.Repeat("a", 5000))
			if r := env.Do(t, tok, http.MethodPost, approve, strings.NewReader(long)); r.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("too long an edit: %d, want 422", r.StatusCode)
			}
			if got := decode[replyJSON](t, env.Do(t, tok, http.MethodGet, fmt.Sprintf("/api/v1/inbox/replies/%d", pending.ID), nil)); got.State != "pending_approval" {
				t.Fatalf("after a refused edit: %+v, want pending", got)
			}
			if r := env.Do(t, tok, http.MethodPost, approve, strings.NewReader(`{"text":"The approver's words"}`)); r.StatusCode != http.StatusOK {
				t.Fatalf("approve with changes: %d", r.StatusCode)
			}
			if r := env.Do(t, tok, http.MethodPost, approve, nil); r.StatusCode != http.StatusConflict {
				t.Errorf("a second approval: %d, want 409", r.StatusCode)
			}
			rep := pending
			deadline := time.Now().Add(15 * time.Second)
			for rep.State != "sent" {
				if time.Now().After(deadline) || rep.State == "failed" || rep.State == "unknown" {
					t.Fatalf("reply not sent: %+v", rep)
				}
				time.Sleep(100 * time.Millisecond)
				rep = decode[replyJSON](t, env.Do(t, tok, http.MethodGet, fmt.Sprintf("/api/v1/inbox/replies/%d", rep.ID), nil))
			}
			edited, original := 0, 0
			for _, p := range env.Sandbox.Received() {
				switch p.Text {
				case "The approver's words":
					edited++
				case "Contributor's words":
					original++
				}
			}
			if edited != 1 || original != 0 {
				t.Errorf("the Sandbox received the edit %d times and the original %d times, want 1 and 0", edited, original)
			}
		})
	}
}
