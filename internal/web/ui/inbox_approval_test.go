package ui_test

import (
	"context"
	"fmt"
	"html"
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

// In French: the approver's box holds the pending reply's text; an edit
// too long for the network comes back as typed, with the reason, and the
// reply stays pending as its author wrote it (reloading sends nothing);
// an edit that fits is approved and is the text queued to be sent.
func TestApproveWithChangesPage(t *testing.T) {
	t.Parallel()
	f := newFrenchInbox(t, apptest.Start(t, apptest.Options{}))
	env, owner, ws, ctx := f.env, f.owner, f.ws, context.Background()
	contrib := env.Member(t, owner, ws.ID, "contrib@example.test", auth.Contributor)
	it, conv, item := f.only(t, fanComment("c1", "Une question", time.Now()))
	if err := env.App.Inbox.SetReplyApproval(ctx, owner, ws.ID, true); err != nil {
		t.Fatal(err)
	}
	rp, err := env.App.Inbox.Reply(ctx, contrib, it.ID, "On regarde")
	if err != nil {
		t.Fatal(err)
	}
	boss := newBrowser(t, env, owner.Email)
	box := fmt.Sprintf(`data-testid="reply-approve-text-%d"`, rp.ID)
	holds := func(body, text string) bool {
		i := strings.Index(body, box)
		return i >= 0 && strings.Contains(body[i:], ">"+html.EscapeString(text)+"</textarea>")
	}
	if body := readBody(boss.do(http.MethodGet, conv, nil)); !holds(body, "On regarde") || !strings.Contains(body, "Texte à envoyer") {
		t.Fatalf("the approver's box does not hold the pending text")
	}

	tooLong := strings.Repeat("é", 5000)
	resp := boss.do(http.MethodPost, item+"/reply/decide", url.Values{"reply_id": {fmt.Sprint(rp.ID)}, "decision": {"approve"}, "text": {tooLong}})
	to := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(to, "draft=") {
		t.Fatalf("refused edit: %d to %q, want a redirect to the conversation with the draft", resp.StatusCode, to)
	}
	for range 2 { // the page, then a reload of it
		body := readBody(boss.do(http.MethodGet, to, nil))
		if !holds(body, tooLong) || !strings.Contains(body, fmt.Sprintf(`data-testid="reply-approve-refused-%d"`, rp.ID)) || !strings.Contains(body, "La réponse fait 5000 caractères") {
			t.Fatalf("the refused edit is not shown back with its reason")
		}
	}
	if got, err := env.App.Inbox.GetReply(ctx, owner, rp.ID); err != nil || got.State != string(inbox.ReplyPending) || got.Text != "On regarde" {
		t.Fatalf("after a refused edit: %+v %v, want pending and unchanged", got, err)
	}

	resp = boss.do(http.MethodPost, item+"/reply/decide", url.Values{"reply_id": {fmt.Sprint(rp.ID)}, "decision": {"approve"}, "text": {"Merci, nous regardons cela aujourd'hui."}})
	if resp.StatusCode != http.StatusSeeOther || strings.Contains(resp.Header.Get("Location"), "draft=") {
		t.Fatalf("approve with changes: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if got, err := env.App.Inbox.GetReply(ctx, owner, rp.ID); err != nil || got.State != string(inbox.ReplyQueued) || got.Text != "Merci, nous regardons cela aujourd'hui." {
		t.Fatalf("approved with changes: %+v %v, want queued with the edited text", got, err)
	}
}
