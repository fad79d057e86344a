package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/network"
)

// POST reply takes saved_reply_id instead of text: the saved reply is
// written for the item (its author's handle filled in) and queued; both
// at once is a 422, a saved reply of no workspace of ours a 404.
func TestReplyWithSavedReplyThroughTheAPI(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	owner, ws := env.Owner(t)
	tok := env.Token(t, owner)
	_, item := sandboxItem(t, env, tok, owner, ws, network.Item{ExternalID: "m1", Kind: network.KindMention, Ref: network.Ref{ID: "m1"},
		ConversationID: "m1", Author: network.Author{ExternalID: "fan", Handle: "fan"}, Text: "hey @brand", CreatedAt: time.Now()})
	items := []itemJSON{item}
	sr, err := env.App.Inbox.SaveReply(ctx, owner, ws.ID, 0, "Thanks", "Thank you {handle}!")
	if err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/api/v1/inbox/items/%d/replies", items[0].ID)
	r := env.Do(t, tok, http.MethodPost, path, strings.NewReader(fmt.Sprintf(`{"saved_reply_id":%d}`, sr.ID)))
	if r.StatusCode != http.StatusAccepted {
		t.Fatalf("reply: %d", r.StatusCode)
	}
	rep := decode[struct {
		Text string `json:"text"`
	}](t, r)
	if rep.Text != "Thank you @fan!" {
		t.Errorf("reply text %q, want the saved reply written for the item", rep.Text)
	}
	if r := env.Do(t, tok, http.MethodPost, path, strings.NewReader(fmt.Sprintf(`{"text":"x","saved_reply_id":%d}`, sr.ID))); r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("text and saved reply: %d, want 422", r.StatusCode)
	}
	if r := env.Do(t, tok, http.MethodPost, path, strings.NewReader(`{"saved_reply_id":999999}`)); r.StatusCode != http.StatusNotFound {
		t.Errorf("unknown saved reply: %d, want 404", r.StatusCode)
	}
}
