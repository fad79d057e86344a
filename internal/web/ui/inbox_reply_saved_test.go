package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tribune-social/tribune/internal/apptest"
)

// The saved-reply picker: the reply box offers the workspace's saved
// replies; choosing one puts it, written for this item, in the text (still
// a textarea, so editable), counted at once; a reply that needs a post link
// the item lacks says why in French and fills nothing; a saved reply of
// another workspace is not found.
func TestSavedReplyPicker(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	item := question("c1")
	item.Author.DisplayName = "Camille"
	owner, ws, _, it := frenchInboxItem(t, env, item)
	thanks, err := env.App.Inbox.SaveReply(ctx, owner, ws.ID, 0, "Merci", "Bonjour {name} ({handle}), merci pour votre message !")
	if err != nil {
		t.Fatal(err)
	}
	link, err := env.App.Inbox.SaveReply(ctx, owner, ws.ID, 0, "Lien", "Voir {post_link}")
	if err != nil {
		t.Fatal(err)
	}
	other, err := env.App.Auth.AddWorkspace(ctx, owner, "Autre", "Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	foreign, err := env.App.Inbox.SaveReply(ctx, owner, other.ID, 0, "Ailleurs", "Ailleurs {name}")
	if err != nil {
		t.Fatal(err)
	}

	b := newBrowser(t, env, owner.Email)
	conv := fmt.Sprintf("/w/%d/inbox/conversations/%d", ws.ID, it.ConversationID)
	body := readBody(b.do(http.MethodGet, conv, nil))
	for _, want := range []string{fmt.Sprintf(`data-testid="reply-saved-%d"`, it.ID), ">Réponse enregistrée", fmt.Sprintf(`<option value="%d">Merci</option>`, thanks.ID),
		fmt.Sprintf(`id="reply-text-wrap-%d"`, it.ID)} {
		if !strings.Contains(body, want) {
			t.Errorf("conversation page lacks %q", want)
		}
	}
	if strings.Contains(body, ">Ailleurs<") {
		t.Errorf("another workspace's saved reply is offered")
	}

	pick := func(id int64) (int, string) {
		resp := b.do(http.MethodGet, fmt.Sprintf("/w/%d/inbox/items/%d/reply/saved?%s", ws.ID, it.ID, url.Values{"saved_reply": {fmt.Sprint(id)}}.Encode()), nil)
		return resp.StatusCode, readBody(resp)
	}
	code, got := pick(thanks.ID)
	if code != 200 || !strings.Contains(got, ">Bonjour Camille (@fan), merci pour votre message !</textarea>") || !strings.Contains(got, `hx-trigger="input changed delay:150ms, load"`) {
		t.Errorf("picking a saved reply: %d %s", code, got)
	}
	code, got = pick(link.ID)
	if code != 200 || !strings.Contains(got, "ne répond à aucune de nos publications") || !strings.Contains(got, "></textarea>") {
		t.Errorf("a saved reply needing a post link: %d %s", code, got)
	}
	if code, got = pick(foreign.ID); code != http.StatusNotFound {
		t.Errorf("another workspace's saved reply: %d %s", code, got)
	}
	if code, got = pick(0); code != 200 || !strings.Contains(got, "></textarea>") {
		t.Errorf("no saved reply: %d %s", code, got)
	}
}
