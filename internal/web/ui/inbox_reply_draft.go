package ui

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"

	"github.com/tribune-social/tribune/internal/store"
)

// A refused reply is answered Post/Redirect/Get. Shown as the POST's own
// answer, the refusal made a reload post the reply again: the browser asks
// "send the form again?", and a member who says yes (as most do, to see
// the page again) sent the reply the server had just held back — after a
// colleague's answer, or once a transient refusal had passed, without
// having chosen to. So the refused text and its reason are recorded for
// the member, and the answer is a redirect to the conversation naming that
// record: the page they land on, and every reload of it, shows the text in
// its box with the reason beside it, and sends nothing. Sending stays the
// button's job.
//
// The record lives with the API's idempotent answers (sealed: the text may
// answer a direct message; per member: nobody else can open it; purged
// after idempotency.TTL), under a key of its own that no API client
// chooses: a random id, which also keeps two refusals in two tabs apart.

// replyDraftKey prefixes the idempotency key of a refused reply's record.
const replyDraftKey = "ui-reply-draft:"

// replyDraftParam is the conversation page's parameter naming the record.
const replyDraftParam = "draft"

// keepDraft records a refused reply for the member and returns the
// conversation's address that shows it.
func (u *ui) keepDraft(r *http.Request, conversation string, d replyDraft) (string, error) {
	user := currentUser(r)
	id := rand.Text()
	taken, err := u.Idempotency.Reserve(r.Context(), user.ID, replyDraftKey+id)
	if err != nil {
		return "", err
	}
	if !taken {
		return "", errors.New("ui: a random reply draft id is already taken")
	}
	body, err := json.Marshal(d)
	if err != nil {
		return "", err
	}
	if err := u.Idempotency.Complete(r.Context(), user.ID, replyDraftKey+id, "", http.StatusOK, body); err != nil {
		return "", err
	}
	return conversation + "?" + url.Values{replyDraftParam: {id}}.Encode() + "#item-" + itoa(d.ItemID), nil
}

// draftOf reads the refused reply the page's address names. An expired or
// unknown record shows the conversation as it is: what was typed is gone,
// but nothing was sent, and the box is there to type again.
func (u *ui) draftOf(r *http.Request) (replyDraft, error) {
	id := r.URL.Query().Get(replyDraftParam)
	if id == "" {
		return replyDraft{}, nil
	}
	rec, err := u.Idempotency.Get(r.Context(), currentUser(r).ID, replyDraftKey+id)
	if errors.Is(err, store.ErrNotFound) {
		return replyDraft{}, nil
	}
	if err != nil {
		return replyDraft{}, err
	}
	var d replyDraft
	if err := json.Unmarshal(rec.Body, &d); err != nil {
		return replyDraft{}, nil // not a draft (an API client's own key): nothing to show
	}
	return d, nil
}
