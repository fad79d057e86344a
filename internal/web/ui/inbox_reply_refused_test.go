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
)

// A reply the server refuses keeps what was typed: the member is sent back
// to the conversation, holding the text in the item's box, the reason
// beside it (naming the colleague who answered), and the "send anyway"
// box, in French; reloading that page shows them again and sends nothing. A contributor who may no longer reply still gets
// their text back, read-only.
func TestRefusedReplyKeepsTheText(t *testing.T) {
	t.Parallel()
	f := newFrenchInbox(t, apptest.Start(t, apptest.Options{}))
	env, owner, ws, ctx := f.env, f.owner, f.ws, context.Background()
	colleague := env.Member(t, owner, ws.ID, "colleague@example.test", auth.Admin)
	contributor := env.Member(t, owner, ws.ID, "contrib@example.test", auth.Contributor)
	it, conv, itemPath := f.only(t, fanComment("q1", "Une question", time.Now()))
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
	replies := func() int {
		t.Helper()
		rs, err := env.App.Inbox.Replies(ctx, owner, it.ConversationID)
		if err != nil {
			t.Fatal(err)
		}
		return len(rs)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := replies()
			// Post/Redirect/Get: the refusal is a redirect to the
			// conversation, so reloading the page the member lands on
			// reads it again and posts nothing.
			resp := b.do(http.MethodPost, itemPath+"/reply", c.form)
			readBody(resp)
			to := resp.Header.Get("Location")
			if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(to, conv+"?draft=") || !strings.HasSuffix(to, fmt.Sprintf("#item-%d", it.ID)) {
				t.Fatalf("refused: got %d to %q, want 303 to %s?draft=…#item-%d", resp.StatusCode, to, conv, it.ID)
			}
			for _, load := range []string{"landing", "reload", "second reload"} {
				resp := b.do(http.MethodGet, to, nil)
				body := readBody(resp)
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("%s: status %d", load, resp.StatusCode)
				}
				if !hasText(body, c.form.Get("text")) {
					t.Errorf("%s: the text typed is not back in the reply box", load)
				}
				if !strings.Contains(body, fmt.Sprintf(`data-testid="reply-refused-%d">`, it.ID)+html.EscapeString(c.why)) {
					t.Errorf("%s: the reason is not beside the box; want %q", load, c.why)
				}
				if !strings.Contains(body, fmt.Sprintf(`name="anyway" value="1" data-testid="reply-anyway-%d"`, it.ID)) {
					t.Errorf("%s: no \"send anyway\" box", load)
				}
				// The page's live updates fetch the conversation, not the
				// POST-only reply route it was refused on.
				if !strings.Contains(body, `hx-get="`+conv+`?draft=`) {
					t.Errorf("%s: live updates do not fetch %s", load, conv)
				}
			}
			if got := replies(); got != before {
				t.Errorf("replies after the refusal and two reloads: %d, want %d (none sent)", got, before)
			}
			// The record is the member's: a colleague opening the same
			// address sees the conversation without it.
			if body := readBody(newBrowser(t, env, colleague.Email).do(http.MethodGet, to, nil)); hasText(body, c.form.Get("text")) ||
				strings.Contains(body, fmt.Sprintf(`data-testid="reply-refused-%d"`, it.ID)) {
				t.Errorf("a colleague sees the member's refused reply")
			}
		})
	}
	if resp := b.do(http.MethodPost, itemPath+"/reply", url.Values{"text": {typed}, "anyway": {"1"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sent anyway: got %d, want 303", resp.StatusCode)
	}

	// A contributor without reply approval has no box: the text comes
	// back read-only beside the refusal.
	cb := newBrowser(t, env, contributor.Email)
	resp := cb.do(http.MethodPost, itemPath+"/reply", url.Values{"text": {typed}})
	readBody(resp)
	body := readBody(cb.do(http.MethodGet, resp.Header.Get("Location"), nil))
	if resp.StatusCode != http.StatusSeeOther || !hasText(body, typed) || !strings.Contains(body, fmt.Sprintf(`data-testid="reply-refused-%d"`, it.ID)) {
		t.Errorf("contributor: got %d, text kept %v", resp.StatusCode, hasText(body, typed))
	}
}
