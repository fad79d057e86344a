package crisis

import (
	"context"
	"errors"

	"github.com/tribune-social/tribune/internal/store"
)

// The crisis cell hears from publishing and the inbox through these
// methods (publish.CrisisCell, inbox.CrisisCell): what happens during an
// incident is written in its timeline as it happens.

// Bypasses reports whether a post carries a holding statement published
// during an incident: the publisher lets it through the pause.
func (s *Service) Bypasses(ctx context.Context, postID int64) (bool, error) {
	_, err := s.Store.GetCrisisStatementByPost(ctx, postID)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// Held writes in the open incident's timeline that the pause held a
// variant. A failure is logged: holding the post matters more.
func (s *Service) Held(ctx context.Context, v store.PostVariant, post store.Post, ch store.Channel) {
	inc, err := s.Store.GetOpenCrisisIncident(ctx, post.WorkspaceID)
	if errors.Is(err, store.ErrNotFound) {
		return
	}
	if err == nil {
		err = s.record(ctx, s.Store, inc, nil, KindHeld, "#"+itoa(post.ID)+" "+ch.Name+" — "+excerpt(v.Text), &v.ID)
	}
	if err != nil {
		s.log().Error("crisis timeline: held post", "variant", v.ID, "err", err)
	}
}

// ReplySent writes in the open incident's timeline a reply the inbox sent.
func (s *Service) ReplySent(ctx context.Context, r store.InboxReply) {
	inc, err := s.Store.GetOpenCrisisIncident(ctx, r.WorkspaceID)
	if errors.Is(err, store.ErrNotFound) {
		return
	}
	var by *store.User
	if err == nil && r.UserID != nil {
		u, uerr := s.Store.GetUser(ctx, *r.UserID)
		if uerr == nil {
			by = &u
		}
	}
	if err == nil {
		detail := excerpt(r.Text)
		if r.RuleName != "" {
			detail = r.RuleName + " — " + detail
		}
		err = s.record(ctx, s.Store, inc, by, KindReply, detail, &r.ID)
	}
	if err != nil {
		s.log().Error("crisis timeline: reply", "reply", r.ID, "err", err)
	}
}

// excerpt shortens a text for the timeline.
func excerpt(s string) string {
	r := []rune(s)
	if len(r) <= 140 {
		return s
	}
	return string(r[:140]) + "…"
}
