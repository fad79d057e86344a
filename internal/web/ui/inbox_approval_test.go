package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/inbox"
)

// In French: a contributor has no reply box until the owner asks for
// approval; then their reply shows "awaiting approval", the owner sees the
// approve and reject controls, and a rejection shows with its comment.
func TestContributorReplyApprovalPages(t *testing.T) {
	t.Parallel()
	f := newFrenchInbox(t, apptest.Start(t, apptest.Options{}))
	env, owner, ws, ctx := f.env, f.owner, f.ws, context.Background()
	contrib := env.Member(t, owner, ws.ID, "contrib@example.test", auth.Contributor)
	inFrench(t, env, contrib, "Léa")
	it, conv, item := f.only(t, fanComment("c1", "Une question", time.Now()))
	lea, boss := newBrowser(t, env, contrib.Email), newBrowser(t, env, owner.Email)
	send := fmt.Sprintf(`data-testid="reply-send-%d"`, it.ID)
	if body := readBody(lea.do(http.MethodGet, conv, nil)); strings.Contains(body, send) {
		t.Errorf("a contributor has a reply box while approval is off")
	}
	if resp := lea.do(http.MethodPost, fmt.Sprintf("/w/%d/inbox/reply-approval", ws.ID), url.Values{"enabled": {"1"}}); resp.StatusCode != 403 {
		t.Errorf("a contributor switched approval: %d", resp.StatusCode)
	}
	if body := readBody(boss.do(http.MethodGet, fmt.Sprintf("/w/%d/inbox/sla", ws.ID), nil)); !strings.Contains(body, "Réponses des contributeurs") {
		t.Errorf("the setting is not on the response-target page")
	}
	if resp := boss.do(http.MethodPost, fmt.Sprintf("/w/%d/inbox/reply-approval", ws.ID), url.Values{"enabled": {"1"}}); resp.StatusCode != 303 {
		t.Fatalf("switch approval on: %d", resp.StatusCode)
	}
	if body := readBody(lea.do(http.MethodGet, conv, nil)); !strings.Contains(body, send) {
		t.Fatalf("a contributor has no reply box with approval on")
	}
	if resp := lea.do(http.MethodPost, item+"/reply", url.Values{"text": {"Merci, on regarde !"}}); resp.StatusCode != 303 {
		t.Fatalf("contributor reply: %d %s", resp.StatusCode, readBody(resp))
	}
	replies, err := env.App.Inbox.Replies(ctx, owner, it.ConversationID)
	if err != nil || len(replies) != 1 || replies[0].State != string(inbox.ReplyPending) {
		t.Fatalf("replies %+v %v", replies, err)
	}
	rp := replies[0]
	body := readBody(boss.do(http.MethodGet, conv, nil))
	for _, want := range []string{"En attente de validation", fmt.Sprintf(`data-testid="reply-approve-%d"`, rp.ID), "Valider et envoyer"} {
		if !strings.Contains(body, want) {
			t.Errorf("the owner's page lacks %q", want)
		}
	}
	if strings.Contains(readBody(lea.do(http.MethodGet, conv, nil)), fmt.Sprintf(`data-testid="reply-approve-%d"`, rp.ID)) {
		t.Errorf("the contributor may approve their own reply")
	}
	if resp := boss.do(http.MethodPost, item+"/reply/decide", url.Values{"reply_id": {fmt.Sprint(rp.ID)}, "decision": {"reject"}, "comment": {"Trop vague."}}); resp.StatusCode != 303 {
		t.Fatalf("reject: %d %s", resp.StatusCode, readBody(resp))
	}
	if body := readBody(lea.do(http.MethodGet, conv, nil)); !strings.Contains(body, "Non validée : Trop vague.") {
		t.Errorf("the rejection's comment does not show")
	}
}
