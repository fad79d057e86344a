package ui_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/auth"
)

// A reply the server refuses keeps what was typed: the conversation comes
// back (with the refusal's status) holding the text in the item's box, the
// reason beside it (naming the colleague who answered), and the "send
// anyway" box; in French. A contributor who may no longer reply still gets
// their text back, read-only.
func TestRefusedReplyKeepsTheText(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	owner, ws, _, it := frenchInboxItem(t, env, question("q1"))
	colleague := env.Member(t, owner, ws.ID, "colleague@example.test", auth.Admin)
	contributor := env.Member(t, owner, ws.ID, "contrib@example.test", auth.Contributor)
	conv := fmt.Sprintf("/w/%d/inbox/conversations/%d", ws.ID, it.ConversationID)
	itemPath := fmt.Sprintf("/w/%d/inbox/items/%d", ws.ID, it.ID)
	if _, err := env.App.Inbox.ReplyUnlessSomeoneIs(ctx, colleague, it.ID, "La réponse de la collègue", 0, false); err != nil {
		t.Fatal(err)
	}

	b := newBrowser(t, env, owner.Email)
	typed := "Bonjour, voici <notre> réponse détaillée"
	hasText := func(body, text string) bool {
		i := strings.Index(body, fmt.Sprintf(`data-testid="reply-text-%d"`, it.ID))
		return i >= 0 && strings.Contains(body[i:], ">"+html.EscapeString(text)+"</textarea>")
	}
	cases := []struct {
		name   string
		form   url.Values
		status int
		why    string
	}{
		{"a colleague already answered", url.Values{"text": {typed}}, http.StatusConflict,
			colleague.Name + " a déjà répondu à ce message. Envoyer quand même ?"},
		{"too long for the network, sent anyway", url.Values{"text": {strings.Repeat("é", 5000)}, "anyway": {"1"}}, http.StatusUnprocessableEntity,
			"La réponse fait 5000 caractères ; ce réseau en accepte"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp := b.do(http.MethodPost, itemPath+"/reply", c.form)
			body := readBody(resp)
			if resp.StatusCode != c.status {
				t.Fatalf("status: got %d, want %d", resp.StatusCode, c.status)
			}
			if !hasText(body, c.form.Get("text")) {
				t.Errorf("the text typed is not back in the reply box")
			}
			if !strings.Contains(body, fmt.Sprintf(`data-testid="reply-refused-%d">`, it.ID)+html.EscapeString(c.why)) {
				t.Errorf("the reason is not beside the box; want %q", c.why)
			}
			if !strings.Contains(body, fmt.Sprintf(`name="anyway" value="1" data-testid="reply-anyway-%d"`, it.ID)) {
				t.Errorf("no \"send anyway\" box")
			}
			// The page's live updates fetch the conversation, not the
			// POST-only reply route it was answered on.
			if !strings.Contains(body, `hx-get="`+conv+`"`) {
				t.Errorf("live updates do not fetch %s", conv)
			}
		})
	}
	if resp := b.do(http.MethodPost, itemPath+"/reply", url.Values{"text": {typed}, "anyway": {"1"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sent anyway: got %d, want 303", resp.StatusCode)
	}

	// A contributor without reply approval has no box: the text comes
	// back read-only beside the refusal.
	resp := newBrowser(t, env, contributor.Email).do(http.MethodPost, itemPath+"/reply", url.Values{"text": {typed}})
	body := readBody(resp)
	if resp.StatusCode != http.StatusForbidden || !hasText(body, typed) || !strings.Contains(body, fmt.Sprintf(`data-testid="reply-refused-%d"`, it.ID)) {
		t.Errorf("contributor: got %d, text kept %v", resp.StatusCode, hasText(body, typed))
	}
}
